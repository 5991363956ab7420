package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// The training losses NegativeLogLikelihoodLoss (opset 12+) and
// SoftmaxCrossEntropyLoss (opset 12+; its optional second output is the
// log-probabilities), with reduction none/sum/mean, optional class weights
// and ignore_index. TensorRT has no loss layers; the converters
// (converters/onnx/loss.go) decompose them into Gather, Reduce and
// ElementWise layers.

func init() {
	Register(Op{Key: "onnx.NegativeLogLikelihoodLoss", Infer: inferLoss, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		ii, has := ignoreIndex(n)
		return t1(kernels.NLLLoss(in[0], in[1], optIn(in, 2), reduction(n), ii, has))
	}})
	Register(Op{Key: "onnx.SoftmaxCrossEntropyLoss", Infer: inferLoss, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		ii, has := ignoreIndex(n)
		x := in[0]
		if len(x.Shape) < 2 {
			return nil, fmt.Errorf("scores have rank %d, need at least 2 (N, C)", len(x.Shape))
		}
		lp := kernels.LogSoftmaxAxis1(x)
		loss, err := kernels.NLLLoss(lp, in[1], optIn(in, 2), reduction(n), ii, has)
		if err != nil {
			return nil, err
		}
		return []*ir.Tensor{loss, lp}, nil
	}})
}

func reduction(n *ir.Node) kernels.LossReduction {
	return kernels.LossReduction(n.AttrString("reduction", "mean"))
}

func ignoreIndex(n *ir.Node) (int64, bool) {
	return n.AttrInt("ignore_index", 0), n.HasAttr("ignore_index")
}

func inferLoss(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 2); err != nil {
		return nil, err
	}
	x, t := in[0], in[1]
	if !x.DType.IsFloat() {
		return nil, fmt.Errorf("input 0 is %v, want a float type", x.DType)
	}
	if t.DType != ir.Int32 && t.DType != ir.Int64 {
		return nil, fmt.Errorf("target is %v, want int32 or int64", t.DType)
	}
	if w := optVal(in, 2); w != nil && w.DType != x.DType {
		return nil, fmt.Errorf("weight is %v, input is %v", w.DType, x.DType)
	}
	if x.Shape != nil && x.Shape.Rank() < 2 {
		return nil, fmt.Errorf("input 0 has rank %d, needs at least 2 (N, C)", x.Shape.Rank())
	}
	if x.Shape != nil && t.Shape != nil && t.Shape.Rank() != x.Shape.Rank()-1 {
		return nil, fmt.Errorf("target has rank %d, input has rank %d; want one less", t.Shape.Rank(), x.Shape.Rank())
	}
	var shape ir.Shape
	switch r := reduction(n); r {
	case kernels.LossNone:
		if x.Shape != nil {
			shape = append(ir.Shape{x.Shape[0]}, x.Shape[2:]...)
		}
	case kernels.LossSum, kernels.LossMean:
		shape = ir.Shape{}
	default:
		return nil, fmt.Errorf("reduction %q is not none, sum or mean", r)
	}
	return []*ir.Value{{DType: x.DType, Shape: shape}, {DType: x.DType, Shape: x.Shape.Clone()}}, nil
}
