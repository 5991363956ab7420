package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// Softmax, LogSoftmax and Hardmax.
//
// Their semantics changed at opset 13: before, the input is coerced to 2-D
// [prod(dims[:axis]), prod(dims[axis:])] and normalized along the second
// dim, with axis defaulting to 1; from 13 on, one axis is normalized and it
// defaults to -1. An op sees only its node, so the node says which applies:
// an int attribute "_onnx_opset" (stamped by the ONNX frontend from the
// model's imported opset) below 13 selects the old form; without it the
// opset 13 form applies.

// OpsetAttr is the internal attribute that carries a node's ONNX opset.
const OpsetAttr = "_onnx_opset"

var softmaxModes = map[string]kernels.SoftmaxMode{
	"Softmax": kernels.SoftmaxPlain, "LogSoftmax": kernels.SoftmaxLog, "Hardmax": kernels.SoftmaxHard,
}

func init() {
	for name, mode := range softmaxModes {
		Register(Op{Key: "onnx." + name, Infer: inferSoftmax, Run: runSoftmax(mode)})
	}
}

// SoftmaxAxis returns the normalized axis of a Softmax-family node for an
// input of rank rank, and whether the pre-13 2-D coercion applies (opset is
// the node's ONNX opset; 0 means unknown, read from OpsetAttr or taken as
// 13).
func SoftmaxAxis(n *ir.Node, rank int, opset int64) (axis int, flatten bool, err error) {
	if opset == 0 {
		opset = n.AttrInt(OpsetAttr, 13)
	}
	flatten = opset < 13
	def := int64(-1)
	if flatten {
		def = 1
	}
	a := n.AttrInt("axis", def)
	if rank == 0 {
		return 0, flatten, nil
	}
	axis, err = ir.NormAxis(a, rank)
	if err != nil {
		return 0, false, fmt.Errorf("axis %d is out of range for rank %d", a, rank)
	}
	return axis, flatten, nil
}

func inferSoftmax(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if !x.DType.IsFloat() {
		return nil, fmt.Errorf("%s needs a float input, got %v", n.OpType(), x.DType)
	}
	if _, _, err := SoftmaxAxis(n, len(x.Shape), 0); err != nil {
		return nil, err
	}
	return out1(x.DType, x.Shape.Clone()), nil
}

func runSoftmax(mode kernels.SoftmaxMode) func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	return func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		axis, flatten, err := SoftmaxAxis(n, len(in[0].Shape), 0)
		if err != nil {
			return nil, err
		}
		return t1(kernels.Softmax(in[0], axis, mode, flatten))
	}
}
