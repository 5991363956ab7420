package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// ScatterElements (with Scatter, its opset-9 name) and ScatterND: a copy of
// data with updates written at the indexed positions, replaced or combined
// by the "reduction" attribute (none, add, mul, max, min).

func init() {
	Register(Op{Key: "onnx.ScatterElements", Infer: inferScatter, Run: runScatterElements})
	Register(Op{Key: "onnx.Scatter", Infer: inferScatter, Run: runScatterElements})
	Register(Op{Key: "onnx.ScatterND", Infer: inferScatter, Run: runScatterND})
}

func inferScatter(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 3); err != nil {
		return nil, err
	}
	if _, err := kernels.ParseScatterReduction(n.AttrString("reduction", "none")); err != nil {
		return nil, err
	}
	if in[1].DType != ir.Int64 && in[1].DType != ir.Int32 {
		return nil, fmt.Errorf("indices must be int32 or int64, got %v", in[1].DType)
	}
	if in[2].DType != in[0].DType {
		return nil, fmt.Errorf("updates are %v but data is %v", in[2].DType, in[0].DType)
	}
	if n.OpType() != "ScatterND" {
		if _, err := ir.NormAxis(n.AttrInt("axis", 0), len(in[0].Shape)); err != nil {
			return nil, err
		}
	}
	return out1(in[0].DType, in[0].Shape.Clone()), nil
}

func runScatterElements(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	r, err := kernels.ParseScatterReduction(n.AttrString("reduction", "none"))
	if err != nil {
		return nil, err
	}
	axis, err := ir.NormAxis(n.AttrInt("axis", 0), len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	return t1(kernels.ScatterElements(in[0], in[1], in[2], axis, r))
}

func runScatterND(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	r, err := kernels.ParseScatterReduction(n.AttrString("reduction", "none"))
	if err != nil {
		return nil, err
	}
	return t1(kernels.ScatterND(in[0], in[1], in[2], r))
}
