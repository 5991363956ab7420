package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Gather is IGatherLayer, with nbElementWiseDims = 0 except in ND mode,
// where the first nbElementWiseDims dims of data and indices must match and
// are paired element-wise (the index tuples index the dims after them). DEFAULT: output shape
// data[:axis] + indices + data[axis+1:]; ELEMENT: indices has data's rank
// and gives the output shape; ND: the last dim of indices (static) indexes
// data's leading dims. Indices are Int32 or Int64 and must lie in [0, dim):
// TensorRT does not define negative indices, so the converter normalizes
// them, and this backend rejects them at run time.

func init() {
	registerKind(network.KindGather, kindImpl{infer: inferGather, run: runGather})
}

func inferGather(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 2); err != nil {
		return nil, err
	}
	p := l.Params.(gatherParams)
	data, idx := in[0], in[1]
	r, q := len(data.Shape), len(idx.Shape)
	if idx.DType != ir.Int32 && idx.DType != ir.Int64 {
		return nil, fmt.Errorf("indices must be Int32 or Int64, got %v", idx.DType)
	}
	if r < 1 {
		return nil, fmt.Errorf("data must have rank >= 1")
	}
	switch p.Mode {
	case network.GatherDEFAULT:
		if p.Axis < 0 || p.Axis >= r {
			return nil, fmt.Errorf("axis %d out of range for rank %d", p.Axis, r)
		}
		out := append(append(append(ir.Shape{}, data.Shape[:p.Axis]...), idx.Shape...), data.Shape[p.Axis+1:]...)
		o := &ir.Value{DType: data.DType, Shape: out}
		if r == 1 && data.ShapeData != nil && idx.Const != nil && q <= 1 {
			var sd ir.Shape
			for _, j := range idx.Const.Ints() {
				if j < 0 || j >= int64(len(data.ShapeData)) {
					return nil, fmt.Errorf("index %d out of range for %d elements", j, len(data.ShapeData))
				}
				sd = append(sd, data.ShapeData[j])
			}
			o.ShapeData = append(ir.Shape{}, sd...)
		}
		return []*ir.Value{o}, nil
	case network.GatherELEMENT:
		if p.Axis < 0 || p.Axis >= r {
			return nil, fmt.Errorf("axis %d out of range for rank %d", p.Axis, r)
		}
		if q != r {
			return nil, fmt.Errorf("ELEMENT mode needs indices of the data's rank %d, got %d", r, q)
		}
		return []*ir.Value{{DType: data.DType, Shape: idx.Shape.Clone()}}, nil
	case network.GatherND:
		if q < 1 || !idx.Shape[q-1].Static() {
			return nil, fmt.Errorf("ND mode needs indices whose last dim is a build-time constant, got %v", idx.Shape)
		}
		m, b := int(idx.Shape[q-1].Size), p.NbElementWiseDims
		if b < 0 || b >= min(r, q) {
			return nil, fmt.Errorf("nbElementWiseDims %d with data rank %d and indices rank %d", b, r, q)
		}
		if b+m > r {
			return nil, fmt.Errorf("index tuples of %d exceed data rank %d after %d element-wise dims", m, r, b)
		}
		for d := 0; d < b; d++ {
			if x, y := data.Shape[d], idx.Shape[d]; x.Static() && y.Static() && x.Size != y.Size {
				return nil, fmt.Errorf("element-wise dim %d is %v in data but %v in indices", d, x, y)
			}
		}
		out := append(append(ir.Shape{}, idx.Shape[:q-1]...), data.Shape[b+m:]...)
		return []*ir.Value{{DType: data.DType, Shape: out}}, nil
	}
	return nil, fmt.Errorf("unknown GatherMode %d", p.Mode)
}

func runGather(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(gatherParams)
	var out *ir.Tensor
	var err error
	switch p.Mode {
	case network.GatherDEFAULT:
		out, err = kernels.Gather(in[0], in[1], p.Axis, false)
	case network.GatherELEMENT:
		out, err = kernels.GatherElements(in[0], in[1], p.Axis, false)
	case network.GatherND:
		out, err = kernels.GatherND(in[0], in[1], p.NbElementWiseDims, false)
	default:
		err = fmt.Errorf("unknown GatherMode %d", p.Mode)
	}
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{out}, nil
}
