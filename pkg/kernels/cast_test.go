package kernels

import (
	"math"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestCastFloatToIntTruncates(t *testing.T) {
	x := f32(2.7, -2.7, 0.5, -0.5, float32(math.NaN()), 1e10, -1e10, float32(math.Inf(1)))
	r, err := Cast(x, ir.Int32)
	if err != nil {
		t.Fatal(err)
	}
	want := []int32{2, -2, 0, 0, 0, math.MaxInt32, math.MinInt32, math.MaxInt32}
	for i, w := range want {
		if g := ir.View[int32](r)[i]; g != w {
			t.Errorf("int32[%d] = %d, want %d", i, g, w)
		}
	}
	r, _ = Cast(f32(1e19, -1e19, 3.9), ir.Int64)
	if g := ir.View[int64](r); g[0] != math.MaxInt64 || g[1] != math.MinInt64 || g[2] != 3 {
		t.Errorf("int64 = %v", g)
	}
	r, _ = Cast(f32(-3, 300, 7.9), ir.Uint8)
	if g := ir.View[uint8](r); g[0] != 0 || g[1] != 255 || g[2] != 7 {
		t.Errorf("uint8 = %v", g)
	}
	// From half precision too.
	h, _ := Cast(f32(-2.5, 3.5), ir.Float16)
	r, _ = Cast(h, ir.Int64)
	if g := ir.View[int64](r); g[0] != -2 || g[1] != 3 {
		t.Errorf("f16->int64 = %v", g)
	}
}

func TestCastIntAndBool(t *testing.T) {
	big := ir.FromSlice(ir.Int64, []int64{3}, []int64{1<<40 + 5, -1, 1<<53 + 1})
	r, _ := Cast(big, ir.Int32)
	if g := ir.View[int32](r); g[0] != 5 || g[1] != -1 {
		t.Errorf("int64->int32 wraps: %v", g)
	}
	r, _ = Cast(big, ir.Uint64)
	if g := ir.View[uint64](r); g[2] != 1<<53+1 || g[1] != math.MaxUint64 {
		t.Errorf("int64->uint64 exact: %v", g)
	}
	b, _ := Cast(f32(0, float32(math.Copysign(0, -1)), 0.1, float32(math.NaN())), ir.Bool)
	if g := ir.View[uint8](b); g[0] != 0 || g[1] != 0 || g[2] != 1 || g[3] != 1 {
		t.Errorf("float->bool = %v", g)
	}
	f, _ := Cast(b, ir.Float32)
	checkFloats(t, "bool->float", f, []float64{0, 0, 1, 1}, 0)
	same, _ := Cast(b, ir.Bool)
	if same != b {
		t.Error("cast to the same dtype should return the input")
	}
}

func TestCastHalfRounding(t *testing.T) {
	// 1 + 2^-11 is a tie between 1 and 1+2^-10: even wins (1). 1 + 3*2^-11
	// ties between 1+2^-10 and 1+2^-9: even wins (1+2^-9). 65520 rounds up to
	// Inf; 2^-25 ties to 0 and 3*2^-26 rounds to the smallest subnormal.
	x := f32(1+1.0/2048, 1+3.0/2048, 65520, 65519, float32(math.Pow(2, -25)), float32(3*math.Pow(2, -26)), float32(math.NaN()))
	h, err := Cast(x, ir.Float16)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, 1 + 1.0/512, math.Inf(1), 65504, 0, math.Pow(2, -24), math.NaN()}
	back, _ := Cast(h, ir.Float32)
	checkFloats(t, "f16", back, want, 0)
	// bfloat16: 1 + 2^-8 ties to 1; 1 + 3*2^-8 ties to 1 + 2^-6.
	bf, _ := Cast(f32(1+1.0/256, 1+3.0/256, float32(math.NaN())), ir.BFloat16)
	back, _ = Cast(bf, ir.Float64)
	checkFloats(t, "bf16", back, []float64{1, 1 + 1.0/64, math.NaN()}, 0)
	// float16 -> bfloat16 goes through float32.
	hb, _ := Cast(h, ir.BFloat16)
	if hb.DType != ir.BFloat16 || hb.Float(0) != 1 {
		t.Errorf("f16->bf16 = %v %v", hb.DType, hb.Float(0))
	}
}
