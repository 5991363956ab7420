package kernels

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// CumProd is the running product along axis (ONNX CumProd): exclusive
// leaves out the element itself (the first product is 1), reverse runs from
// the end. Integers wrap as in two's complement; float16 and bfloat16 are
// multiplied in float32 and rounded once per element.
func CumProd(t *ir.Tensor, axis int, exclusive, reverse bool) (*ir.Tensor, error) {
	if axis < 0 || axis >= max(1, len(t.Shape)) {
		return nil, fmt.Errorf("cumprod axis %d out of range for rank %d", axis, len(t.Shape))
	}
	shape := t.Shape
	if len(shape) == 0 {
		shape = []int64{1}
	}
	outer, inner := blockDims(shape, axis)
	n := shape[axis]
	out := ir.NewTensor(t.DType, t.Shape)
	switch t.DType {
	case ir.Float32:
		cumprod(ir.View[float32](t), ir.View[float32](out), outer, n, inner, exclusive, reverse)
	case ir.Float64:
		cumprod(ir.View[float64](t), ir.View[float64](out), outer, n, inner, exclusive, reverse)
	case ir.Int32:
		cumprod(ir.View[int32](t), ir.View[int32](out), outer, n, inner, exclusive, reverse)
	case ir.Int64:
		cumprod(ir.View[int64](t), ir.View[int64](out), outer, n, inner, exclusive, reverse)
	case ir.Uint32:
		cumprod(ir.View[uint32](t), ir.View[uint32](out), outer, n, inner, exclusive, reverse)
	case ir.Uint64:
		cumprod(ir.View[uint64](t), ir.View[uint64](out), outer, n, inner, exclusive, reverse)
	case ir.Float16, ir.BFloat16:
		r, err := CumProd(ToFloat32(t), axis, exclusive, reverse)
		if err != nil {
			return nil, err
		}
		return FromFloat32(r, t.DType), nil
	default:
		return nil, fmt.Errorf("cumprod of %v is not supported", t.DType)
	}
	return out, nil
}

func cumprod[T number](x, y []T, outer, n, inner int64, exclusive, reverse bool) {
	acc := make([]T, inner)
	for o := int64(0); o < outer; o++ {
		for i := range acc {
			acc[i] = 1
		}
		for s := int64(0); s < n; s++ {
			j := s
			if reverse {
				j = n - 1 - s
			}
			base := (o*n + j) * inner
			xs, ys := x[base:base+inner], y[base:base+inner]
			if exclusive {
				for i := range xs {
					ys[i] = acc[i]
					acc[i] *= xs[i]
				}
			} else {
				for i := range xs {
					acc[i] *= xs[i]
					ys[i] = acc[i]
				}
			}
		}
	}
}
