package kernels

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// CastOptions are Cast-25's attributes that only concern the low-bit
// targets: Saturate (float8 overflow gives ±max instead of NaN or Inf) and
// RoundMode (float8e8m0: "up", "down" or "nearest").
type CastOptions struct {
	Saturate  bool
	RoundMode string
}

// DefaultCastOptions are Cast's defaults: saturate, round up.
var DefaultCastOptions = CastOptions{Saturate: true, RoundMode: ir.RoundUp}

// CastWith is Cast with the low-bit options. Conversions to and from the
// low-bit types follow ir.Float64ToLowBit and ir.LowBitToFloat64: a float
// source rounds once, straight to the target; an integer source to a 4- or
// 2-bit integer keeps its low bits.
func CastWith(t *ir.Tensor, dt ir.DType, o CastOptions) (*ir.Tensor, error) {
	if !dt.Supported() {
		return nil, fmt.Errorf("cast to %v is not supported", dt)
	}
	if !t.DType.Supported() {
		return nil, fmt.Errorf("cast from %v is not supported", t.DType)
	}
	if t.DType == dt {
		return t, nil
	}
	if !dt.IsLowBit() && !t.DType.IsLowBit() {
		return Cast(t, dt)
	}
	if t.DType.IsLowBit() && !dt.IsLowBit() {
		return Cast(decodeLowBit(t), dt)
	}
	// To a low-bit type.
	out := ir.NewTensor(dt, t.Shape)
	n := int(t.Numel())
	intDst := dt == ir.Int4 || dt == ir.Uint4 || dt == ir.Int2 || dt == ir.Uint2
	intSrc := t.DType.IsInt() || t.DType == ir.Bool || t.DType == ir.Int4 || t.DType == ir.Uint4 ||
		t.DType == ir.Int2 || t.DType == ir.Uint2
	for i := 0; i < n; i++ {
		if intDst && intSrc {
			out.Data[i] = ir.WrapLowBitInt(dt, t.Int(i))
			continue
		}
		out.Data[i] = ir.Float64ToLowBit(dt, t.Float(i), o.Saturate, o.RoundMode)
	}
	return out, nil
}

// decodeLowBit widens a low-bit tensor to the smallest ordinary type that
// holds its values exactly: int8/uint8 for the integers, float32 for the
// float types.
func decodeLowBit(t *ir.Tensor) *ir.Tensor {
	switch t.DType {
	case ir.Int4, ir.Int2:
		return &ir.Tensor{DType: ir.Int8, Shape: t.Shape, Data: t.Data}
	case ir.Uint4, ir.Uint2:
		return &ir.Tensor{DType: ir.Uint8, Shape: t.Shape, Data: t.Data}
	}
	out := ir.NewTensor(ir.Float32, t.Shape)
	o := ir.View[float32](out)
	for i, b := range t.Data[:len(o)] {
		o[i] = float32(ir.LowBitToFloat64(t.DType, b))
	}
	return out
}
