package ir

import (
	"bytes"
	"math"
	"testing"
)

// Bit patterns from the ONNX specification's float8 and float4 tables
// (docs/Float8.md, docs/Float4.md) and from the node suite's cast cases.
func TestLowBitKnownPatterns(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	cases := []struct {
		dt       DType
		x        float64
		saturate bool
		want     uint8
	}{
		// E4M3FN: bias 7, max 448 = S.1111.110, NaN = S.1111.111, no Inf.
		{Float8E4M3FN, 448, true, 0x7E},
		{Float8E4M3FN, -448, true, 0xFE},
		{Float8E4M3FN, 0.5, true, 0x30},
		{Float8E4M3FN, math.Ldexp(1, -9), true, 0x01}, // smallest subnormal
		{Float8E4M3FN, math.Ldexp(1, -6), true, 0x08}, // smallest normal
		{Float8E4M3FN, 464, false, 0x7E},              // tie between 448 and 480: even
		{Float8E4M3FN, 465, false, 0x7F},              // rounds past 448: NaN without saturate
		{Float8E4M3FN, 1e6, true, 0x7E},
		{Float8E4M3FN, inf, true, 0x7E},
		{Float8E4M3FN, -inf, true, 0xFE},
		{Float8E4M3FN, inf, false, 0x7F},
		{Float8E4M3FN, -inf, false, 0xFF},
		{Float8E4M3FN, nan, true, 0x7F},
		{Float8E4M3FN, math.Copysign(0, -1), true, 0x80},
		{Float8E4M3FN, -1e-7, true, 0x80},
		{Float8E4M3FN, 0.47892547, true, 47},
		{Float8E4M3FN, 0.81910545, true, 53},
		// E4M3FNUZ: bias 8, max 240 = 0x7F, 0x80 is the one NaN, no -0.
		{Float8E4M3FNUZ, 240, true, 0x7F},
		{Float8E4M3FNUZ, math.Ldexp(1, -10), true, 0x01},
		{Float8E4M3FNUZ, inf, true, 0x7F},
		{Float8E4M3FNUZ, -inf, true, 0xFF},
		{Float8E4M3FNUZ, inf, false, 0x80},
		{Float8E4M3FNUZ, nan, true, 0x80},
		{Float8E4M3FNUZ, -1e-7, true, 0x00},
		{Float8E4M3FNUZ, math.Copysign(0, -1), true, 0x00},
		{Float8E4M3FNUZ, 0.47892547, true, 55},
		// E5M2: bias 15, IEEE-like: max 57344 = 0x7B, Inf 0x7C.
		{Float8E5M2, 57344, true, 0x7B},
		{Float8E5M2, math.Ldexp(1, -16), true, 0x01},
		{Float8E5M2, inf, true, 0x7B},
		{Float8E5M2, inf, false, 0x7C},
		{Float8E5M2, -inf, false, 0xFC},
		{Float8E5M2, 1e6, false, 0x7C},
		{Float8E5M2, nan, true, 0x7E},
		{Float8E5M2, 0.81910545, true, 59},
		// E5M2FNUZ: bias 16, max 57344 = 0x7F.
		{Float8E5M2FNUZ, 57344, true, 0x7F},
		{Float8E5M2FNUZ, math.Ldexp(1, -17), true, 0x01},
		{Float8E5M2FNUZ, 1e6, false, 0x80},
		// Float4E2M1: bias 1, values 0 0.5 1 1.5 2 3 4 6, always saturating.
		{Float4E2M1, 6, true, 0x7},
		{Float4E2M1, 0.5, true, 0x1},
		{Float4E2M1, 0.25, true, 0x0}, // tie between 0 and 0.5: even
		{Float4E2M1, -3.5, true, 0xE}, // tie between 3 and 4: even (4)
		{Float4E2M1, 9, false, 0x7},
		{Float4E2M1, -inf, true, 0xF},
		{Float4E2M1, nan, true, 0x8},
		{Float4E2M1, math.Copysign(0, -1), true, 0x8},
		// 4- and 2-bit integers wrap (in memory: sign-extended bytes).
		{Int4, -9, true, 0x07},
		{Int4, -8, true, 0xF8},
		{Int4, 15, true, 0xFF},
		{Uint4, -9, true, 0x07},
		{Uint4, 15.7, true, 0x0F},
		{Int2, -3, true, 0x01},
		{Int2, -2, true, 0xFE},
		{Uint2, 5, true, 0x01},
	}
	for _, c := range cases {
		if got := Float64ToLowBit(c.dt, c.x, c.saturate, RoundUp); got != c.want {
			t.Errorf("%v(%v, saturate=%v) = %#02x, want %#02x", c.dt, c.x, c.saturate, got, c.want)
		}
	}
}

func TestE8M0(t *testing.T) {
	for _, c := range []struct {
		x    float32
		mode string
		sat  bool
		want uint8
	}{
		{1, RoundUp, true, 127},
		{0.124, RoundUp, true, 124},
		{1.1, RoundUp, true, 128},
		{1.1, RoundDown, true, 127},
		{1.5, RoundNearest, true, 128},  // mantissa exactly half, exponent field 127 odd: up
		{3.0, RoundNearest, true, 128},  // exponent field 128 even, exactly half: stays
		{1.75, RoundNearest, true, 128}, // above half: up
		{0, RoundUp, true, 0},
		{float32(math.Inf(1)), RoundUp, true, 0xFE},
		{float32(math.Inf(1)), RoundUp, false, 0xFF},
		{float32(math.NaN()), RoundUp, true, 0xFF},
		{math.MaxFloat32, RoundUp, true, 0xFE},
		{math.MaxFloat32, RoundUp, false, 0xFF},
	} {
		if got := Float64ToLowBit(Float8E8M0, float64(c.x), c.sat, c.mode); got != c.want {
			t.Errorf("e8m0(%v, %s, saturate=%v) = %d, want %d", c.x, c.mode, c.sat, got, c.want)
		}
	}
	if v := LowBitToFloat64(Float8E8M0, 0); v != math.Ldexp(1, -127) {
		t.Errorf("e8m0 0x00 = %v, want 2^-127", v)
	}
	if v := LowBitToFloat64(Float8E8M0, 0xFF); !math.IsNaN(v) {
		t.Errorf("e8m0 0xFF = %v, want NaN", v)
	}
}

// Every finite code decodes to a value that encodes back to the same code.
func TestLowBitRoundTripAllCodes(t *testing.T) {
	for dt := range minifloats {
		codes := 256
		if dt == Float4E2M1 {
			codes = 16
		}
		for c := 0; c < codes; c++ {
			v := LowBitToFloat64(dt, uint8(c))
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			if got := Float64ToLowBit(dt, v, false, RoundUp); got != uint8(c) {
				t.Errorf("%v: code %#02x decodes to %v, which encodes to %#02x", dt, c, v, got)
			}
		}
	}
	// Monotonic: positive codes below the specials increase in value.
	for dt, f := range minifloats {
		prev := -1.0
		for c := 0; c <= int(f.maxBits()); c++ {
			v := LowBitToFloat64(dt, uint8(c))
			if !(v > prev) {
				t.Errorf("%v: code %#02x = %v is not above the previous %v", dt, c, v, prev)
			}
			prev = v
		}
		if prev != f.max {
			t.Errorf("%v: largest code decodes to %v, want %v", dt, prev, f.max)
		}
	}
}

func TestPackLowBit(t *testing.T) {
	// Node suite test_cast_FLOAT_to_INT4: -9..15 packs, low nibble first.
	var vals []byte
	for x := -9; x <= 15; x++ {
		vals = append(vals, Float64ToLowBit(Int4, float64(x), true, ""))
	}
	packed := PackLowBit(Int4, vals)
	want := []byte{135, 169, 203, 237, 15, 33, 67, 101, 135, 169, 203, 237, 15}
	if !bytes.Equal(packed, want) {
		t.Fatalf("packed int4 = %v, want %v", packed, want)
	}
	back, ok := UnpackLowBit(Int4, packed, int64(len(vals)))
	if !ok || !bytes.Equal(back, vals) {
		t.Fatalf("unpacked = %v, %v; want %v", back, ok, vals)
	}
	if _, ok := UnpackLowBit(Int4, packed[:12], 25); ok {
		t.Error("a short packed buffer was accepted")
	}
	// test_cast_FLOAT_to_INT2: -3..3 gives bytes 57, 57.
	vals = vals[:0]
	for x := -3; x <= 3; x++ {
		vals = append(vals, Float64ToLowBit(Int2, float64(x), true, ""))
	}
	if got := PackLowBit(Int2, vals); !bytes.Equal(got, []byte{57, 57}) {
		t.Errorf("packed int2 = %v, want [57 57]", got)
	}
	if Int4.WireBytes(5) != 3 || Uint2.WireBytes(5) != 2 || Float32.WireBytes(5) != 20 {
		t.Error("WireBytes is wrong")
	}
}
