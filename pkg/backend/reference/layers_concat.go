package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Concatenation joins inputs of one dtype and rank along an axis, as
// IConcatenationLayer; the other dims must agree. Shape tensors concatenate
// their ShapeData, so a reshape tensor built from Shape/Gather/Constant
// pieces keeps its known dims.

func init() {
	registerKind(network.KindConcatenation, kindImpl{infer: inferConcatenation, run: runConcatenation})
}

func inferConcatenation(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("needs at least one input")
	}
	if err := need(in, len(in)); err != nil {
		return nil, err
	}
	axis := l.Params.(concatParams).Axis
	first := in[0]
	rank := len(first.Shape)
	if axis < 0 || axis >= rank {
		return nil, fmt.Errorf("axis %d out of range for rank %d", axis, rank)
	}
	out := first.Shape.Clone()
	var sum int64
	dynamic := false
	for i, v := range in {
		if v.DType != first.DType {
			return nil, fmt.Errorf("input %d is %v, input 0 is %v", i, v.DType, first.DType)
		}
		if len(v.Shape) != rank {
			return nil, fmt.Errorf("input %d has rank %d, input 0 has rank %d", i, len(v.Shape), rank)
		}
		for d := range v.Shape {
			if d == axis {
				continue
			}
			a, b := out[d], v.Shape[d]
			if a.Static() && b.Static() && a.Size != b.Size {
				return nil, fmt.Errorf("input %d has shape %v, input 0 has %v: dims other than the axis must match", i, v.Shape, first.Shape)
			}
			if !a.Static() && b.Static() {
				out[d] = b
			}
		}
		if v.Shape[axis].Static() {
			sum += v.Shape[axis].Size
		} else {
			dynamic = true
		}
	}
	if dynamic {
		out[axis] = ir.Sym("")
		if len(in) == 1 {
			out[axis] = first.Shape[axis]
		}
	} else {
		out[axis] = ir.D(sum)
	}
	o := &ir.Value{DType: first.DType, Shape: out}
	if rank == 1 && (first.DType == ir.Int64 || first.DType == ir.Int32) {
		var data ir.Shape
		for _, v := range in {
			if v.ShapeData == nil {
				data = nil
				break
			}
			data = append(data, v.ShapeData...)
		}
		o.ShapeData = data
	}
	return []*ir.Value{o}, nil
}

func runConcatenation(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	out, err := kernels.Concat(in, l.Params.(concatParams).Axis)
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{out}, nil
}
