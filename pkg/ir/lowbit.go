package ir

import "math"

// Conversions of the low-bit storage types, as the ONNX specification
// (Cast-25, docs/Float8.md, docs/Float4.md) defines them:
//
//   - to a float8 or float4 type: round to nearest, ties to even. With
//     saturate, values beyond the largest finite value (and, for the
//     float8 types, infinities) become ± that value. Without saturate,
//     E4M3FN gives NaN (S.1111.111), E5M2 gives ±Inf, and the FNUZ types
//     give their one NaN (0x80). NaN gives NaN: S.1111.111 for E4M3FN,
//     S.11111.10 for E5M2, 0x80 for the FNUZ types. The FNUZ types have no
//     negative zero: -0 and negative values that round to zero give 0x00.
//     Float4E2M1 has neither Inf nor NaN: it always saturates and, as
//     ONNX's reference does, stores NaN as 0x8.
//   - to float8e8m0 (an unsigned power of two, 2^(e-127), 0xFF is NaN):
//     the exponent of |x|, rounded up, down or to nearest even by the
//     round mode; with saturate Inf gives 0xFE, otherwise NaN; NaN gives
//     0xFF.
//   - to int4, uint4, int2, uint2: like any float-to-integer cast in trtc
//     (truncate toward zero, NaN gives 0), then the low bits are kept (the
//     value wraps), which is what ONNX's reference does.

// Minifloat is a float format narrower than binary16.
type minifloat struct {
	expBits, mantBits int
	bias              int
	max               float64 // largest finite value
	// kind: "fn" (no Inf, NaN is S.1..1), "ieee" (Inf and NaNs at the top
	// exponent), "fnuz" (no Inf, no -0, 0x80 is the one NaN), "none"
	// (neither Inf nor NaN: float4e2m1).
	kind string
}

var minifloats = map[DType]minifloat{
	Float8E4M3FN:   {4, 3, 7, 448, "fn"},
	Float8E4M3FNUZ: {4, 3, 8, 240, "fnuz"},
	Float8E5M2:     {5, 2, 15, 57344, "ieee"},
	Float8E5M2FNUZ: {5, 2, 16, 57344, "fnuz"},
	Float4E2M1:     {2, 1, 1, 6, "none"},
}

func (f minifloat) signBit() uint8 { return 1 << (f.expBits + f.mantBits) }

// decode turns a bit pattern into its value.
func (f minifloat) decode(b uint8) float64 {
	sign := b & f.signBit()
	mag := b &^ sign & (f.signBit() - 1)
	switch f.kind {
	case "fn":
		if mag == f.signBit()-1 {
			return math.NaN()
		}
	case "fnuz":
		if b == 0x80 {
			return math.NaN()
		}
	case "ieee":
		if mag>>f.mantBits == 1<<f.expBits-1 {
			if mag&(1<<f.mantBits-1) == 0 {
				if sign != 0 {
					return math.Inf(-1)
				}
				return math.Inf(1)
			}
			return math.NaN()
		}
	}
	e := int(mag >> f.mantBits)
	m := float64(mag & (1<<f.mantBits - 1))
	var v float64
	if e == 0 {
		v = math.Ldexp(m, 1-f.bias-f.mantBits)
	} else {
		v = math.Ldexp(1+m/float64(int(1)<<f.mantBits), e-f.bias)
	}
	if sign != 0 {
		v = -v
	}
	return v
}

// encode rounds x to the format (see the file comment for the rules).
func (f minifloat) encode(x float64, saturate bool) uint8 {
	var sign uint8
	if math.Signbit(x) {
		sign = f.signBit()
	}
	maxBits := f.maxBits()
	nan := func() uint8 {
		switch f.kind {
		case "fn":
			return sign | (f.signBit() - 1)
		case "ieee":
			return sign | (f.signBit() - 2)
		case "none":
			return 0x8
		}
		return 0x80
	}
	overflow := func() uint8 {
		if saturate || f.kind == "none" {
			return sign | maxBits
		}
		if f.kind == "ieee" {
			return sign | uint8(1<<f.expBits-1)<<f.mantBits
		}
		return nan()
	}
	switch {
	case math.IsNaN(x):
		return nan()
	case math.IsInf(x, 0):
		return overflow()
	}
	a := math.Abs(x)
	if a == 0 {
		if f.kind == "fnuz" {
			return 0
		}
		return sign
	}
	emin := 1 - f.bias
	_, e2 := math.Frexp(a) // a = frac * 2^e2, frac in [0.5, 1)
	e := max(e2-1, emin)
	ulp := math.Ldexp(1, e-f.mantBits)
	q := math.RoundToEven(a / ulp)
	if q*ulp > f.max {
		return overflow()
	}
	field := uint8(((e - emin + 1) << f.mantBits) + int(q) - (1 << f.mantBits))
	if field == 0 && f.kind == "fnuz" {
		return 0
	}
	return sign | field
}

func (f minifloat) maxBits() uint8 {
	switch f.kind {
	case "fn":
		return f.signBit() - 2
	case "ieee":
		return uint8(1<<f.expBits-1)<<f.mantBits - 1
	}
	return f.signBit() - 1
}

// LowBitToFloat64 decodes one element of a low-bit type from its in-memory
// byte (see the dtype constants' comment for the layout).
func LowBitToFloat64(dt DType, b uint8) float64 {
	if f, ok := minifloats[dt]; ok {
		return f.decode(b)
	}
	switch dt {
	case Float8E8M0:
		if b == 0xFF {
			return math.NaN()
		}
		return math.Ldexp(1, int(b)-127)
	case Int4, Int2:
		return float64(int8(b))
	case Uint4, Uint2:
		return float64(b)
	}
	panic("ir.LowBitToFloat64: not a low-bit dtype: " + dt.String())
}

// E8M0 rounding modes (Cast's round_mode attribute).
const (
	RoundUp      = "up"
	RoundDown    = "down"
	RoundNearest = "nearest"
)

// Float64ToLowBit encodes x as one element of a low-bit type. saturate and
// roundMode follow Cast-25 (roundMode matters for Float8E8M0 only).
func Float64ToLowBit(dt DType, x float64, saturate bool, roundMode string) uint8 {
	if f, ok := minifloats[dt]; ok {
		return f.encode(x, saturate)
	}
	switch dt {
	case Float8E8M0:
		return toE8M0(float32(x), saturate, roundMode)
	case Int4, Uint4, Int2, Uint2:
		return WrapLowBitInt(dt, floatToInt64(x))
	}
	panic("ir.Float64ToLowBit: not a low-bit dtype: " + dt.String())
}

// WrapLowBitInt keeps the low bits of v for a 4- or 2-bit integer type and
// returns its in-memory byte (sign-extended for int4 and int2).
func WrapLowBitInt(dt DType, v int64) uint8 {
	bits := uint(dt.WireBits())
	u := uint8(v) & (1<<bits - 1)
	if (dt == Int4 || dt == Int2) && u&(1<<(bits-1)) != 0 {
		u |= ^uint8(0) << bits
	}
	return u
}

// LowBitIntRange is the range of a 4- or 2-bit integer type.
func LowBitIntRange(dt DType) (lo, hi int64) {
	switch dt {
	case Int4:
		return -8, 7
	case Uint4:
		return 0, 15
	case Int2:
		return -2, 1
	case Uint2:
		return 0, 3
	}
	panic("ir.LowBitIntRange: not a low-bit integer dtype: " + dt.String())
}

func floatToInt64(x float64) int64 {
	switch {
	case x != x:
		return 0
	case x <= math.MinInt64:
		return math.MinInt64
	case x >= math.MaxInt64:
		return math.MaxInt64
	}
	return int64(x)
}

func toE8M0(x float32, saturate bool, mode string) uint8 {
	b := math.Float32bits(x)
	exp := uint32(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant != 0 || !saturate {
			return 0xff
		}
		return 0xfe
	}
	var up bool
	switch mode {
	case RoundDown:
	case RoundNearest:
		guard := mant&0x400000 != 0
		rest := mant&0x3fffff != 0
		up = guard && (rest || exp&1 == 1)
	default: // RoundUp
		up = mant != 0
	}
	if up {
		exp++
	}
	if exp == 0xff {
		if saturate {
			return 0xfe
		}
		return 0xff
	}
	return uint8(exp)
}

// PackLowBit packs unpacked low-bit elements (one per byte) into the ONNX
// wire form: 4-bit types two to a byte, 2-bit types four to a byte, the
// first element in the lowest bits. Other dtypes are returned as they are.
func PackLowBit(dt DType, unpacked []byte) []byte {
	bits := dt.WireBits()
	if bits >= 8 {
		return unpacked
	}
	per := 8 / bits
	mask := byte(1<<bits - 1)
	out := make([]byte, (len(unpacked)+per-1)/per)
	for i, v := range unpacked {
		out[i/per] |= (v & mask) << (bits * (i % per))
	}
	return out
}

// UnpackLowBit is the inverse of PackLowBit for n elements; it sign-extends
// int4 and int2 and checks that packed has the right length.
func UnpackLowBit(dt DType, packed []byte, n int64) ([]byte, bool) {
	bits := dt.WireBits()
	if bits >= 8 {
		return packed, int64(len(packed)) == n*int64(dt.Size())
	}
	if int64(len(packed)) != dt.WireBytes(n) {
		return nil, false
	}
	per := 8 / bits
	mask := byte(1<<bits - 1)
	out := alignedBytes(int(n))
	signed := dt == Int4 || dt == Int2
	for i := range out {
		v := packed[i/per] >> (bits * (i % per)) & mask
		if signed && v&(1<<(bits-1)) != 0 {
			v |= ^mask
		}
		out[i] = v
	}
	return out, true
}

// IntLimits is the range of values an integer dtype holds, as float64 (the
// 64-bit limits rounded to the nearest float64 within them); ok is false
// for a dtype that is not an integer.
func IntLimits(dt DType) (lo, hi float64, ok bool) {
	switch dt {
	case Int8:
		return math.MinInt8, math.MaxInt8, true
	case Uint8:
		return 0, math.MaxUint8, true
	case Int16:
		return math.MinInt16, math.MaxInt16, true
	case Uint16:
		return 0, math.MaxUint16, true
	case Int32:
		return math.MinInt32, math.MaxInt32, true
	case Uint32:
		return 0, math.MaxUint32, true
	case Int64:
		return math.MinInt64, math.Nextafter(math.MaxInt64, 0), true
	case Uint64:
		return 0, math.Nextafter(math.MaxUint64, 0), true
	case Int4, Uint4, Int2, Uint2:
		l, h := LowBitIntRange(dt)
		return float64(l), float64(h), true
	}
	return 0, 0, false
}
