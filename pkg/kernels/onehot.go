package kernels

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// OneHot is ONNX OneHot: for indices of shape S it returns a tensor of
// shape S with a new dim of size depth inserted at axis (in [0, rank(S)]),
// holding on where the new coordinate equals the index and off elsewhere.
// Negative indices count from depth; indices outside [-depth, depth) give
// an all-off row. Float indices are truncated. on and off are element 1
// and 0 of values, whose dtype the output takes.
func OneHot(indices *ir.Tensor, depth int64, values *ir.Tensor, axis int) (*ir.Tensor, error) {
	r := len(indices.Shape)
	if axis < 0 || axis > r {
		return nil, fmt.Errorf("one-hot axis %d out of range for indices of rank %d", axis, r)
	}
	if depth < 1 {
		return nil, fmt.Errorf("one-hot depth %d must be >= 1", depth)
	}
	if values.Numel() != 2 {
		return nil, fmt.Errorf("one-hot values must have 2 elements [off, on], got %v", ir.S(values.Shape...))
	}
	shape := append(append(append([]int64{}, indices.Shape[:axis]...), depth), indices.Shape[axis:]...)
	out := ir.NewTensor(values.DType, shape)
	es := values.DType.Size()
	off, on := values.Data[:es], values.Data[es:2*es]
	outer, inner := int(ir.Numel(indices.Shape[:axis])), int(ir.Numel(indices.Shape[axis:]))
	d := int(depth)
	// Fill with off, then write on at each index's row.
	for i := 0; i < int(out.Numel()); i++ {
		copy(out.Data[i*es:(i+1)*es], off)
	}
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			v := indices.Int(o*inner + j)
			if v < 0 {
				v += depth
			}
			if v < 0 || v >= depth {
				continue
			}
			at := (o*d+int(v))*inner + j
			copy(out.Data[at*es:(at+1)*es], on)
		}
	}
	return out, nil
}
