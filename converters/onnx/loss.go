package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss. TensorRT has no
// loss layer; both decompose into layers it has:
//
//   - the target's classes pick input[n, target[n, d...], d...] with an
//     ELEMENT-mode Gather on axis 1 (the target unsqueezed to input's rank);
//   - ignore_index: an EQUAL mask; ignored targets are replaced by class 0
//     before the Gather (TensorRT's Gather takes only indices inside the
//     axis) and their loss and weight are multiplied by 0;
//   - class weights: a DEFAULT-mode Gather of weight[target];
//   - reduction sum: a Reduce SUM over every axis; mean: the weighted sum
//     divided by the sum of the weights of the targets not ignored (0 when
//     every target is ignored, as ONNX's reference returns), or a Reduce
//     AVG without weights and ignore_index.
//
// SoftmaxCrossEntropyLoss first takes log-softmax over axis 1 (reduce max,
// exp, reduce sum, log: impl.LogSoftMax), its optional second output. A
// target outside [0, C) that is not ignore_index is an error for the CPU
// kernel; an engine cannot report it (TensorRT's Gather defines no result
// for it), so there ONNX's rule that targets lie in [0, C) is the
// caller's to keep.

func lossValidator(n *conversion.Node) error {
	if len(n.In) < 2 || n.In[0] == nil || n.In[1] == nil {
		return fmt.Errorf("needs input and target")
	}
	if err := dtypeIn(floats...)(&conversion.Node{Node: n.Node, In: n.In[:1]}); err != nil {
		return err
	}
	if t := n.In[1].DType; t != ir.Int32 && t != ir.Int64 {
		return fmt.Errorf("target is %v; TensorRT's Gather takes int32 or int64 indices", t)
	}
	if len(n.In) > 2 && n.In[2] != nil && n.In[2].DType != n.In[0].DType {
		return fmt.Errorf("weight is %v, input is %v", n.In[2].DType, n.In[0].DType)
	}
	if r := len(n.In[0].Shape); r < 2 || len(n.In[1].Shape) != r-1 {
		return fmt.Errorf("input has rank %d and target rank %d; want input [N, C, d...] and target [N, d...]", r, len(n.In[1].Shape))
	}
	switch r := n.AttrString("reduction", "mean"); r {
	case "none", "sum", "mean":
	default:
		return fmt.Errorf("reduction %q is not none, sum or mean", r)
	}
	return nil
}

// nllLoss emits NegativeLogLikelihoodLoss over logp [N, C, d...].
func nllLoss(ctx *conversion.Context, n *conversion.Node, logp, target, weight network.Tensor) network.Tensor {
	rank := len(target.Shape())
	idx := target
	var keep network.Tensor // 1 where the target counts, 0 where ignored
	if n.HasAttr("ignore_index") {
		ii := impl.Scalar(ctx, float64(n.AttrInt("ignore_index", 0)), target.DType(), rank)
		ignored := ctx.Net.AddElementWise(target, ii, network.ElementWiseEQUAL)
		idx = ctx.Net.AddSelect(ignored, impl.Scalar(ctx, 0, target.DType(), rank), target)
		keep = ctx.Net.AddSelect(ignored, impl.Scalar(ctx, 0, logp.DType(), rank), impl.Scalar(ctx, 1, logp.DType(), rank))
	}
	picked := ctx.Net.AddGather(logp, impl.Unsqueeze(ctx, idx, []int{1}), 1, network.GatherELEMENT)
	loss := ctx.Net.AddUnary(impl.Squeeze(ctx, picked, []int{1}), network.UnaryNEG)
	w := keep
	if weight != nil {
		w = ctx.Net.AddGather(weight, idx, 0, network.GatherDEFAULT)
		if keep != nil {
			w = impl.Mul(ctx, w, keep)
		}
	}
	if w != nil {
		loss = impl.Mul(ctx, loss, w)
	}
	all := uint32(1)<<rank - 1
	switch n.AttrString("reduction", "mean") {
	case "none":
		return loss
	case "sum":
		return ctx.Net.AddReduce(loss, network.ReduceSUM, all, false)
	}
	if w == nil {
		return ctx.Net.AddReduce(loss, network.ReduceAVG, all, false)
	}
	num := ctx.Net.AddReduce(loss, network.ReduceSUM, all, false)
	den := ctx.Net.AddReduce(w, network.ReduceSUM, all, false)
	zero := impl.Scalar(ctx, 0, logp.DType(), 0)
	none := ctx.Net.AddElementWise(ctx.Net.AddElementWise(den, zero, network.ElementWiseEQUAL),
		ctx.Net.AddElementWise(num, zero, network.ElementWiseEQUAL), network.ElementWiseAND)
	return ctx.Net.AddSelect(none, zero, impl.Div(ctx, num, den))
}

func init() {
	builtins = append(builtins,
		conversion.Converter{
			Target:        "onnx.NegativeLogLikelihoodLoss",
			Priority:      conversion.Standard,
			DynamicShapes: true,
			Validator:     lossValidator,
			Description:   "NegativeLogLikelihoodLoss as an ELEMENT Gather of the target classes, weights by Gather, ignore_index by a mask, and a Reduce",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				ctx.SetOutput(n, 0, nllLoss(ctx, n, ctx.Input(n, 0), ctx.Input(n, 1), ctx.Input(n, 2)))
				return nil
			},
		},
		conversion.Converter{
			Target:        "onnx.SoftmaxCrossEntropyLoss",
			Priority:      conversion.Standard,
			DynamicShapes: true,
			Validator:     lossValidator,
			Description:   "SoftmaxCrossEntropyLoss as log-softmax over axis 1 (its second output) and NegativeLogLikelihoodLoss's layers",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				lp := impl.LogSoftMax(ctx, ctx.Input(n, 0), 1)
				ctx.SetOutput(n, 0, nllLoss(ctx, n, lp, ctx.Input(n, 1), ctx.Input(n, 2)))
				ctx.SetOutput(n, 1, lp)
				return nil
			},
		})
}
