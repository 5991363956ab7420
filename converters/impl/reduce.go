package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Reduce reduces x over axes with a TensorRT ReduceOperation.
func Reduce(ctx *conversion.Context, x network.Tensor, op network.ReduceOperation, axes []int, keepDims bool) network.Tensor {
	return ctx.Net.AddReduce(x, op, network.AxesMask(axes...), keepDims)
}

// ReduceL1 is sum(|x|), with |x| as max(x, -x) so integer inputs work too.
func ReduceL1(ctx *conversion.Context, x network.Tensor, axes []int, keepDims bool) network.Tensor {
	abs := Max(ctx, x, Mul(ctx, x, ScalarLike(ctx, -1, x)))
	return Reduce(ctx, abs, network.ReduceSUM, axes, keepDims)
}

// ReduceSumSquare is sum(x*x).
func ReduceSumSquare(ctx *conversion.Context, x network.Tensor, axes []int, keepDims bool) network.Tensor {
	return Reduce(ctx, Mul(ctx, x, x), network.ReduceSUM, axes, keepDims)
}

// ReduceL2 is sqrt(sum(x*x)) (floats).
func ReduceL2(ctx *conversion.Context, x network.Tensor, axes []int, keepDims bool) network.Tensor {
	s := ReduceSumSquare(ctx, x, axes, keepDims)
	return ctx.Net.AddUnary(s, network.UnarySQRT)
}

// ReduceLogSum is log(sum(x)) (floats).
func ReduceLogSum(ctx *conversion.Context, x network.Tensor, axes []int, keepDims bool) network.Tensor {
	return ctx.Net.AddUnary(Reduce(ctx, x, network.ReduceSUM, axes, keepDims), network.UnaryLOG)
}

// ReduceLogSumExp is log(sum(exp(x - m))) + m with m the max over the axes,
// which stays finite where exp(x) overflows.
func ReduceLogSumExp(ctx *conversion.Context, x network.Tensor, axes []int, keepDims bool) network.Tensor {
	m := Reduce(ctx, x, network.ReduceMAX, axes, true)
	e := ctx.Net.AddUnary(Sub(ctx, x, m), network.UnaryEXP)
	s := ctx.Net.AddUnary(Reduce(ctx, e, network.ReduceSUM, axes, true), network.UnaryLOG)
	r := Add(ctx, s, m)
	if keepDims {
		return r
	}
	return Reduce(ctx, r, network.ReduceSUM, axes, false) // drops the 1s
}
