package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// OneHot: indices, a scalar depth and values [off, on]; the output has a
// new dim of size depth at axis (default -1, counted in the output's rank).

func init() {
	Register(Op{Key: "onnx.OneHot", Infer: inferOneHot, Run: runOneHot})
}

// OneHotDepth reads a OneHot depth tensor (any numeric dtype, one element).
func OneHotDepth(t *ir.Tensor) (int64, error) {
	if t.Numel() != 1 || t.DType == ir.Bool {
		return 0, fmt.Errorf("depth must be a numeric scalar, got %v", t)
	}
	d := int64(t.Float(0))
	if d < 1 {
		return 0, fmt.Errorf("depth %d must be >= 1", d)
	}
	return d, nil
}

func inferOneHot(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 3); err != nil {
		return nil, err
	}
	idx, depth, values := in[0], in[1], in[2]
	if idx.DType == ir.Bool || idx.DType == ir.String {
		return nil, fmt.Errorf("indices must be numeric, got %v", idx.DType)
	}
	if len(values.Shape) != 1 || (values.Shape[0].Static() && values.Shape[0].Size != 2) {
		return nil, fmt.Errorf("values must be [off, on] (shape [2]), got %v", values.Shape)
	}
	r := len(idx.Shape)
	axis, err := ir.NormAxis(n.AttrInt("axis", -1), r+1)
	if err != nil {
		return nil, err
	}
	d := ir.Sym("")
	if depth.Const != nil {
		v, err := OneHotDepth(depth.Const)
		if err != nil {
			return nil, err
		}
		d = ir.D(v)
	} else if !depth.Shape.IsStatic() || ir.Numel(mustInts(depth.Shape)) != 1 {
		return nil, fmt.Errorf("depth must be a scalar or a one-element tensor, got %v", depth.Shape)
	}
	out := append(append(append(ir.Shape{}, idx.Shape[:axis]...), d), idx.Shape[axis:]...)
	return out1(values.DType, out), nil
}

func mustInts(s ir.Shape) []int64 { v, _ := s.Ints(); return v }

func runOneHot(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	d, err := OneHotDepth(in[1])
	if err != nil {
		return nil, err
	}
	axis, err := ir.NormAxis(n.AttrInt("axis", -1), len(in[0].Shape)+1)
	if err != nil {
		return nil, err
	}
	return t1(kernels.OneHot(in[0], d, in[2], axis))
}
