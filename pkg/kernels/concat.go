package kernels

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Concat joins tensors of one dtype and rank along axis; other dims must
// match.
func Concat(ts []*ir.Tensor, axis int) (*ir.Tensor, error) {
	if len(ts) == 0 {
		return nil, fmt.Errorf("concat of no tensors")
	}
	first := ts[0]
	rank := len(first.Shape)
	if axis < 0 || axis >= rank {
		return nil, fmt.Errorf("concat axis %d out of range for rank %d", axis, rank)
	}
	shape := append([]int64{}, first.Shape...)
	shape[axis] = 0
	for k, t := range ts {
		if t.DType != first.DType {
			return nil, fmt.Errorf("concat input %d is %v, input 0 is %v", k, t.DType, first.DType)
		}
		if len(t.Shape) != rank {
			return nil, fmt.Errorf("concat input %d has rank %d, input 0 has rank %d", k, len(t.Shape), rank)
		}
		for d := range t.Shape {
			if d != axis && t.Shape[d] != first.Shape[d] {
				return nil, fmt.Errorf("concat input %d has shape %v, input 0 has %v (only dim %d may differ)", k, ir.S(t.Shape...), ir.S(first.Shape...), axis)
			}
		}
		shape[axis] += t.Shape[axis]
	}
	out := ir.NewTensor(first.DType, shape)
	outer, inner := blockDims(shape, axis)
	es := int64(first.DType.Size())
	rowOut := shape[axis] * inner * es
	off := int64(0)
	for _, t := range ts {
		w := t.Shape[axis] * inner * es
		for r := int64(0); r < outer; r++ {
			copy(out.Data[r*rowOut+off:r*rowOut+off+w], t.Data[r*w:(r+1)*w])
		}
		off += w
	}
	return out, nil
}
