package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// The integer and quantized linear ops (MatMulInteger, ConvInteger,
// QLinearMatMul, QLinearConv) run on x - zero point held exactly in
// float64, with the float64 MatMul and Conv kernels: every product and
// sum of 8-bit values is an integer well inside float64's exact range.

// MinusZeroPoint returns t - zp in float64; zp is nil, a scalar (or one
// element), or 1-D along axis of t.
func MinusZeroPoint(t, zp *ir.Tensor, axis int) (*ir.Tensor, error) {
	out := ir.NewTensor(ir.Float64, t.Shape)
	o := ir.View[float64](out)
	if zp == nil || zp.Numel() <= 1 {
		z := 0.0
		if zp != nil && zp.Numel() == 1 {
			z = zp.Float(0)
		}
		for i := range o {
			o[i] = t.Float(i) - z
		}
		return out, nil
	}
	if axis < 0 || axis >= len(t.Shape) || zp.Numel() != t.Shape[axis] {
		return nil, fmt.Errorf("zero point has %d elements, want 1 or dim %d of %v", zp.Numel(), axis, t.Shape)
	}
	inner := ir.Numel(t.Shape[axis+1:])
	dim := t.Shape[axis]
	for i := range o {
		o[i] = t.Float(i) - zp.Float(int(int64(i)/inner%dim))
	}
	return out, nil
}

// Requantize turns an exact integer accumulator acc (float64) into dt:
// round(acc * scale(i) + zp) clamped to dt's range, rounding half to even.
// scale gives the combined float32 factor for output element i.
func Requantize(acc *ir.Tensor, scale func(i int) float32, zp *ir.Tensor, dt ir.DType) (*ir.Tensor, error) {
	lo, hi, ok := quantRange(dt)
	if !ok {
		return nil, fmt.Errorf("output type %v is not an integer type", dt)
	}
	a := ir.View[float64](acc)
	out := ir.NewTensor(dt, acc.Shape)
	z := 0.0
	if zp != nil && zp.Numel() > 0 {
		z = zp.Float(0)
	}
	for i, v := range a {
		r := math.RoundToEven(v*float64(scale(i))) + z
		setQuantInt(out, i, int64(math.Max(lo, math.Min(hi, r))))
	}
	return out, nil
}

// ToInt32 converts an exact float64 accumulator to int32.
func ToInt32(acc *ir.Tensor) *ir.Tensor {
	a := ir.View[float64](acc)
	out := ir.NewTensor(ir.Int32, acc.Shape)
	o := ir.View[int32](out)
	for i, v := range a {
		o[i] = int32(v)
	}
	return out
}
