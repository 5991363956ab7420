package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// CumProd (opset 26): the running product along a scalar axis input, with
// CumSum's exclusive and reverse attributes. Inference is CumSum's.

func init() {
	Register(Op{Key: "onnx.CumProd", Infer: inferCumSum, Run: runCumProd})
}

func runCumProd(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	if in[1].Numel() != 1 {
		return nil, fmt.Errorf("axis must hold one element")
	}
	axis, err := ir.NormAxis(in[1].Int(0), len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	return t1(kernels.CumProd(in[0], axis, n.AttrInt("exclusive", 0) == 1, n.AttrInt("reverse", 0) == 1))
}
