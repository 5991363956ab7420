package kernels

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// CumOp is the operation a cumulative scan applies.
type CumOp int

const (
	CumSum  CumOp = iota // running sum (ONNX CumSum, TensorRT Cumulative SUM)
	CumProd              // running product (ONNX CumProd; TensorRT has no such layer)
)

// Cumulative is the running sum or product along axis: exclusive leaves
// out the element itself (the first result is 0 or 1), reverse runs from
// the end. Integers wrap as in two's complement; float16 and bfloat16 are
// computed in float32 and rounded once per element.
func Cumulative(t *ir.Tensor, axis int, op CumOp, exclusive, reverse bool) (*ir.Tensor, error) {
	if axis < 0 || axis >= max(1, len(t.Shape)) {
		return nil, fmt.Errorf("cumulative axis %d out of range for rank %d", axis, len(t.Shape))
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
		scan(ir.View[float32](t), ir.View[float32](out), outer, n, inner, op, exclusive, reverse)
	case ir.Float64:
		scan(ir.View[float64](t), ir.View[float64](out), outer, n, inner, op, exclusive, reverse)
	case ir.Int32:
		scan(ir.View[int32](t), ir.View[int32](out), outer, n, inner, op, exclusive, reverse)
	case ir.Int64:
		scan(ir.View[int64](t), ir.View[int64](out), outer, n, inner, op, exclusive, reverse)
	case ir.Uint32:
		scan(ir.View[uint32](t), ir.View[uint32](out), outer, n, inner, op, exclusive, reverse)
	case ir.Uint64:
		scan(ir.View[uint64](t), ir.View[uint64](out), outer, n, inner, op, exclusive, reverse)
	case ir.Float16, ir.BFloat16:
		r, err := Cumulative(ToFloat32(t), axis, op, exclusive, reverse)
		if err != nil {
			return nil, err
		}
		return FromFloat32(r, t.DType), nil
	default:
		return nil, fmt.Errorf("cumulative op on %v is not supported", t.DType)
	}
	return out, nil
}

// scan runs the cumulative op over [outer, n, inner] blocks; the op is
// chosen per run, outside the inner loops.
func scan[T number](x, y []T, outer, n, inner int64, op CumOp, exclusive, reverse bool) {
	acc := make([]T, inner)
	for o := int64(0); o < outer; o++ {
		for i := range acc {
			acc[i] = 0
			if op == CumProd {
				acc[i] = 1
			}
		}
		for s := int64(0); s < n; s++ {
			j := s
			if reverse {
				j = n - 1 - s
			}
			base := (o*n + j) * inner
			xs, ys := x[base:base+inner], y[base:base+inner]
			switch {
			case op == CumSum && exclusive:
				for i := range xs {
					ys[i] = acc[i]
					acc[i] += xs[i]
				}
			case op == CumSum:
				for i := range xs {
					acc[i] += xs[i]
					ys[i] = acc[i]
				}
			case exclusive:
				for i := range xs {
					ys[i] = acc[i]
					acc[i] *= xs[i]
				}
			default:
				for i := range xs {
					acc[i] *= xs[i]
					ys[i] = acc[i]
				}
			}
		}
	}
}

// TopK returns the k largest (or smallest) elements along axis and their
// Int64 indices. Equal values keep the lower index first; with sorted false
// the order is still sorted (ONNX leaves it unspecified). NaN counts as
// larger than every number.
func TopK(t *ir.Tensor, axis int, k int64, largest bool) (*ir.Tensor, *ir.Tensor, error) {
	if axis < 0 || axis >= len(t.Shape) {
		return nil, nil, fmt.Errorf("topk axis %d out of range for rank %d", axis, len(t.Shape))
	}
	n := t.Shape[axis]
	if k < 0 || k > n {
		return nil, nil, fmt.Errorf("topk k=%d but dim %d has %d elements", k, axis, n)
	}
	shape := append([]int64{}, t.Shape...)
	shape[axis] = k
	vals := ir.NewTensor(t.DType, shape)
	idx := ir.NewTensor(ir.Int64, shape)
	outer, inner := blockDims(t.Shape, axis)
	oi := ir.View[int64](idx)
	switch t.DType {
	case ir.Float32:
		topk(ir.View[float32](t), ir.View[float32](vals), oi, outer, n, inner, k, largest)
	case ir.Float64:
		topk(ir.View[float64](t), ir.View[float64](vals), oi, outer, n, inner, k, largest)
	case ir.Int32:
		topk(ir.View[int32](t), ir.View[int32](vals), oi, outer, n, inner, k, largest)
	case ir.Int64:
		topk(ir.View[int64](t), ir.View[int64](vals), oi, outer, n, inner, k, largest)
	case ir.Int8:
		topk(ir.View[int8](t), ir.View[int8](vals), oi, outer, n, inner, k, largest)
	case ir.Int16:
		topk(ir.View[int16](t), ir.View[int16](vals), oi, outer, n, inner, k, largest)
	case ir.Uint8:
		topk(ir.View[uint8](t), ir.View[uint8](vals), oi, outer, n, inner, k, largest)
	case ir.Uint16:
		topk(ir.View[uint16](t), ir.View[uint16](vals), oi, outer, n, inner, k, largest)
	case ir.Uint32:
		topk(ir.View[uint32](t), ir.View[uint32](vals), oi, outer, n, inner, k, largest)
	case ir.Uint64:
		topk(ir.View[uint64](t), ir.View[uint64](vals), oi, outer, n, inner, k, largest)
	case ir.Float16, ir.BFloat16:
		v, i, err := TopK(ToFloat32(t), axis, k, largest)
		if err != nil {
			return nil, nil, err
		}
		return FromFloat32(v, t.DType), i, nil
	default:
		return nil, nil, fmt.Errorf("topk of %v is not supported", t.DType)
	}
	return vals, idx, nil
}

func topk[T number](x, v []T, oi []int64, outer, n, inner, k int64, largest bool) {
	order := make([]int64, n)
	for o := int64(0); o < outer; o++ {
		for in := int64(0); in < inner; in++ {
			base := o*n*inner + in
			for i := range order {
				order[i] = int64(i)
			}
			at := func(i int64) T { return x[base+i*inner] }
			slices.SortStableFunc(order, func(a, b int64) int {
				c := cmpNaN(at(a), at(b))
				if largest {
					c = -c
				}
				return c
			})
			ob := o*k*inner + in
			for j := int64(0); j < k; j++ {
				v[ob+j*inner] = at(order[j])
				oi[ob+j*inner] = order[j]
			}
		}
	}
}

// cmpNaN orders numbers with NaN above everything.
func cmpNaN[T number](a, b T) int {
	if isFloat[T]() {
		an, bn := math.IsNaN(float64(a)), math.IsNaN(float64(b))
		switch {
		case an && bn:
			return 0
		case an:
			return 1
		case bn:
			return -1
		}
	}
	return cmp.Compare(a, b)
}
