package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// Sum and Mean: 1..N inputs of one dtype, multidirectional broadcasting,
// folded left (Mean divides the sum by N at the end).

func init() {
	Register(Op{Key: "onnx.Sum", Infer: inferBinary(kernels.OpAdd, true), Run: runSum})
	Register(Op{Key: "onnx.Mean", Infer: inferMean, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		s, err := runSum(n, in)
		if err != nil {
			return nil, err
		}
		return t1(kernels.Binary(kernels.OpDiv, s[0], ir.Scalar(s[0].DType, float64(len(in)))))
	}})
}

func inferMean(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	out, err := inferBinary(kernels.OpAdd, true)(n, in)
	if err == nil && !out[0].DType.IsFloat() {
		err = fmt.Errorf("inputs are %v, want a floating-point type", out[0].DType)
	}
	return out, err
}

func runSum(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	acc := in[0]
	for _, t := range in[1:] {
		var err error
		if acc, err = kernels.Binary(kernels.OpAdd, acc, t); err != nil {
			return nil, err
		}
	}
	if len(in) == 1 {
		acc = acc.Clone()
	}
	return []*ir.Tensor{acc}, nil
}
