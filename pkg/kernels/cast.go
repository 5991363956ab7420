package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Cast converts t to dt; when t already is dt it returns t itself.
//   - float to integer truncates toward zero, NaN gives 0, and values out of
//     the target's range saturate to its min or max (as CUDA's conversions
//     do; ONNX leaves this undefined);
//   - integer to integer wraps (two's complement), as C casts do;
//   - to Bool is x != 0 (NaN is true); from Bool is 0 or 1;
//   - Float16 and BFloat16 go through float32, rounding to nearest even.
func Cast(t *ir.Tensor, dt ir.DType) (*ir.Tensor, error) {
	if !dt.Supported() {
		return nil, fmt.Errorf("cast to %v is not supported", dt)
	}
	if !t.DType.Supported() {
		return nil, fmt.Errorf("cast from %v is not supported", t.DType)
	}
	if t.DType == dt {
		return t, nil
	}
	if dt.IsLowBit() || t.DType.IsLowBit() {
		return CastWith(t, dt, DefaultCastOptions)
	}
	if t.DType == ir.Float16 || t.DType == ir.BFloat16 {
		return Cast(ToFloat32(t), dt)
	}
	if dt == ir.Float16 || dt == ir.BFloat16 {
		f, err := Cast(t, ir.Float32)
		if err != nil {
			return nil, err
		}
		return FromFloat32(f, dt), nil
	}
	out := ir.NewTensor(dt, t.Shape)
	switch dt {
	case ir.Bool:
		castBool(ir.View[uint8](out), t)
	case ir.Float32:
		castTo(ir.View[float32](out), t)
	case ir.Float64:
		castTo(ir.View[float64](out), t)
	case ir.Int8:
		castTo(ir.View[int8](out), t)
	case ir.Int16:
		castTo(ir.View[int16](out), t)
	case ir.Int32:
		castTo(ir.View[int32](out), t)
	case ir.Int64:
		castTo(ir.View[int64](out), t)
	case ir.Uint8:
		castTo(ir.View[uint8](out), t)
	case ir.Uint16:
		castTo(ir.View[uint16](out), t)
	case ir.Uint32:
		castTo(ir.View[uint32](out), t)
	case ir.Uint64:
		castTo(ir.View[uint64](out), t)
	default:
		return nil, fmt.Errorf("cast from %v to %v is not supported", t.DType, dt)
	}
	return out, nil
}

// castTo converts a tensor of any dtype but the half types into dst.
func castTo[D number](dst []D, t *ir.Tensor) {
	switch t.DType {
	case ir.Float32:
		castFloat(dst, ir.View[float32](t))
	case ir.Float64:
		castFloat(dst, ir.View[float64](t))
	case ir.Int8:
		castInt(dst, ir.View[int8](t))
	case ir.Int16:
		castInt(dst, ir.View[int16](t))
	case ir.Int32:
		castInt(dst, ir.View[int32](t))
	case ir.Int64:
		castInt(dst, ir.View[int64](t))
	case ir.Uint8, ir.Bool:
		castInt(dst, ir.View[uint8](t))
	case ir.Uint16:
		castInt(dst, ir.View[uint16](t))
	case ir.Uint32:
		castInt(dst, ir.View[uint32](t))
	case ir.Uint64:
		castInt(dst, ir.View[uint64](t))
	}
}

func castInt[D, S number](dst []D, src []S) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = D(v)
	}
}

func castFloat[D number, S float](dst []D, src []S) {
	src = src[:len(dst)]
	if isFloat[D]() {
		for i, v := range src {
			dst[i] = D(v)
		}
		return
	}
	lo, hi := intLimits[D]()
	flo, fhi := float64(lo), float64(hi)
	for i, v := range src {
		f := float64(v)
		switch {
		case f != f:
			dst[i] = 0
		case f <= flo:
			dst[i] = lo
		case f >= fhi: // fhi may round up past hi (int64, uint64)
			dst[i] = hi
		default:
			dst[i] = D(f)
		}
	}
}

// intLimits is the range of an integer type.
func intLimits[D number]() (D, D) {
	var z D
	var lo, hi any
	switch any(z).(type) {
	case int8:
		lo, hi = int8(math.MinInt8), int8(math.MaxInt8)
	case int16:
		lo, hi = int16(math.MinInt16), int16(math.MaxInt16)
	case int32:
		lo, hi = int32(math.MinInt32), int32(math.MaxInt32)
	case int64:
		lo, hi = int64(math.MinInt64), int64(math.MaxInt64)
	case uint8:
		lo, hi = uint8(0), uint8(math.MaxUint8)
	case uint16:
		lo, hi = uint16(0), uint16(math.MaxUint16)
	case uint32:
		lo, hi = uint32(0), uint32(math.MaxUint32)
	case uint64:
		lo, hi = uint64(0), uint64(math.MaxUint64)
	default:
		return 0, 0
	}
	return lo.(D), hi.(D)
}

func castBool(dst []uint8, t *ir.Tensor) {
	switch t.DType {
	case ir.Float32:
		toBool(dst, ir.View[float32](t))
	case ir.Float64:
		toBool(dst, ir.View[float64](t))
	case ir.Int8:
		toBool(dst, ir.View[int8](t))
	case ir.Int16:
		toBool(dst, ir.View[int16](t))
	case ir.Int32:
		toBool(dst, ir.View[int32](t))
	case ir.Int64:
		toBool(dst, ir.View[int64](t))
	case ir.Uint8, ir.Bool:
		toBool(dst, ir.View[uint8](t))
	case ir.Uint16:
		toBool(dst, ir.View[uint16](t))
	case ir.Uint32:
		toBool(dst, ir.View[uint32](t))
	case ir.Uint64:
		toBool(dst, ir.View[uint64](t))
	}
}

func toBool[S number](dst []uint8, src []S) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = boolT[uint8](v != 0)
	}
}
