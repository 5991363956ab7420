package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// Gather, GatherElements and GatherND. ONNX allows negative indices in all
// three; they count from the end of the indexed dim.

func init() {
	Register(Op{Key: "onnx.Gather", Infer: inferGather, Run: runGather})
	Register(Op{Key: "onnx.GatherElements", Infer: inferGatherElements, Run: runGatherElements})
	Register(Op{Key: "onnx.GatherND", Infer: inferGatherND, Run: runGatherND})
}

func checkIndices(v *ir.Value) error {
	if v.DType != ir.Int64 && v.DType != ir.Int32 {
		return fmt.Errorf("indices must be int32 or int64, got %v", v.DType)
	}
	return nil
}

func inferGather(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 2); err != nil {
		return nil, err
	}
	if err := checkIndices(in[1]); err != nil {
		return nil, err
	}
	s := in[0].Shape
	axis, err := ir.NormAxis(n.AttrInt("axis", 0), len(s))
	if err != nil || len(s) == 0 {
		return nil, fmt.Errorf("axis %d out of range for rank %d", n.AttrInt("axis", 0), len(s))
	}
	out := append(append(append(ir.Shape{}, s[:axis]...), in[1].Shape...), s[axis+1:]...)
	// Picking elements of a shape tensor picks its ShapeData.
	if sd, ok := ShapeDataOf(in[0]); ok && len(s) == 1 && in[0].Const == nil {
		if idx, ok := constInts(in[1]); ok && len(in[1].Shape) <= 1 {
			data := make(ir.Shape, len(idx))
			for i, j := range idx {
				if j < 0 {
					j += int64(len(sd))
				}
				if j < 0 || j >= int64(len(sd)) {
					return nil, fmt.Errorf("index %d out of range for %d elements", idx[i], len(sd))
				}
				data[i] = sd[j]
			}
			return []*ir.Value{shapeValue(in[0].DType, out, data)}, nil
		}
	}
	return out1(in[0].DType, out), nil
}

func runGather(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	axis, err := ir.NormAxis(n.AttrInt("axis", 0), len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	return t1(kernels.Gather(in[0], in[1], axis, true))
}

func inferGatherElements(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 2); err != nil {
		return nil, err
	}
	if err := checkIndices(in[1]); err != nil {
		return nil, err
	}
	if len(in[0].Shape) != len(in[1].Shape) {
		return nil, fmt.Errorf("data has rank %d, indices rank %d; they must match", len(in[0].Shape), len(in[1].Shape))
	}
	if _, err := ir.NormAxis(n.AttrInt("axis", 0), len(in[0].Shape)); err != nil {
		return nil, err
	}
	return out1(in[0].DType, in[1].Shape.Clone()), nil
}

func runGatherElements(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	axis, err := ir.NormAxis(n.AttrInt("axis", 0), len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	return t1(kernels.GatherElements(in[0], in[1], axis, true))
}

func inferGatherND(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 2); err != nil {
		return nil, err
	}
	if in[1].DType != ir.Int64 {
		return nil, fmt.Errorf("indices must be int64, got %v", in[1].DType)
	}
	b := int(n.AttrInt("batch_dims", 0))
	ds, is := in[0].Shape, in[1].Shape
	if len(is) < 1 || b < 0 || b >= min(len(ds), len(is)) {
		return nil, fmt.Errorf("batch_dims %d with data rank %d and indices rank %d", b, len(ds), len(is))
	}
	last := is[len(is)-1]
	if !last.Static() {
		return nil, fmt.Errorf("the last dim of indices must be static")
	}
	if b+int(last.Size) > len(ds) {
		return nil, fmt.Errorf("index tuples of %d exceed data rank %d after %d batch dims", last.Size, len(ds), b)
	}
	out := append(append(ir.Shape{}, is[:len(is)-1]...), ds[b+int(last.Size):]...)
	return out1(in[0].DType, out), nil
}

func runGatherND(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	return t1(kernels.GatherND(in[0], in[1], int(n.AttrInt("batch_dims", 0)), true))
}
