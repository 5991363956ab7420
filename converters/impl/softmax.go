package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

// SoftMax normalizes x over one axis.
func SoftMax(ctx *conversion.Context, x network.Tensor, axis int) network.Tensor {
	if len(x.Shape()) == 0 {
		x1 := ctx.Net.AddShuffle(x, network.ShuffleParams{Reshape: []int64{1}})
		return ctx.Net.AddShuffle(ctx.Net.AddSoftMax(x1, 1), network.ShuffleParams{Reshape: []int64{}})
	}
	return ctx.Net.AddSoftMax(x, network.AxesMask(axis))
}

// LogSoftMax is (x - m) - log(sum(exp(x - m))) over one axis, m the max,
// which stays finite where softmax underflows.
func LogSoftMax(ctx *conversion.Context, x network.Tensor, axis int) network.Tensor {
	mask := network.AxesMask(axis)
	d := Sub(ctx, x, ctx.Net.AddReduce(x, network.ReduceMAX, mask, true))
	e := ctx.Net.AddUnary(d, network.UnaryEXP)
	return Sub(ctx, d, ctx.Net.AddUnary(ctx.Net.AddReduce(e, network.ReduceSUM, mask, true), network.UnaryLOG))
}

// Flatten2D reshapes x to [d0, ..., d(axis-1), prod(d(axis)...)]: leading
// dims are copied (so they may be dynamic), the trailing ones, which must be
// static, are merged.
func Flatten2D(ctx *conversion.Context, x network.Tensor, axis int) network.Tensor {
	dims := make([]int64, axis+1)
	dims[axis] = 1
	for _, d := range x.Shape()[axis:] {
		dims[axis] *= d.Size
	}
	return ctx.Net.AddShuffle(x, network.ShuffleParams{Reshape: dims, ZeroIsPlaceholder: true})
}

// Unflatten restores the trailing static dims merged by Flatten2D.
func Unflatten(ctx *conversion.Context, t network.Tensor, axis int, trailing []int64) network.Tensor {
	dims := make([]int64, axis, axis+len(trailing))
	dims = append(dims, trailing...)
	return ctx.Net.AddShuffle(t, network.ShuffleParams{Reshape: dims, ZeroIsPlaceholder: true})
}
