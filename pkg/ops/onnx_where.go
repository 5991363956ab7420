package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// Where(condition, X, Y) with multidirectional broadcasting of all three.

func init() {
	Register(Op{Key: "onnx.Where", Infer: inferWhere, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		return t1(kernels.Where(in[0], in[1], in[2]))
	}})
}

func inferWhere(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 3); err != nil {
		return nil, err
	}
	if in[0].DType != ir.Bool {
		return nil, fmt.Errorf("input 0 (condition) is %v, want bool", in[0].DType)
	}
	if in[1].DType != in[2].DType {
		return nil, fmt.Errorf("input 1 is %v but input 2 is %v", in[1].DType, in[2].DType)
	}
	s, err := ir.Broadcast(in[0].Shape, in[1].Shape, in[2].Shape)
	if err != nil {
		return nil, err
	}
	return out1(in[1].DType, s), nil
}
