package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Pool adds max or average pooling with explicit padding, rounding the
// output down. postPad may exceed the model's padding so that the floor
// rule reproduces a ceil-mode output size.
func Pool(ctx *conversion.Context, x network.Tensor, isMax bool, window, strides, padsBegin, padsEnd []int64, countIncludePad bool) network.Tensor {
	if is1D(x) { // see is1D
		y := Pool(ctx, Unsqueeze(ctx, x, []int{3}), isMax, ext(window, 1), ext(strides, 1), ext(padsBegin, 0), ext(padsEnd, 0), countIncludePad)
		return Squeeze(ctx, y, []int{3})
	}
	t := network.PoolingAVERAGE
	if isMax {
		t = network.PoolingMAX
	}
	return ctx.Net.AddPoolingNd(x, network.PoolingParams{
		Type:                        t,
		WindowSize:                  window,
		Stride:                      strides,
		PrePadding:                  padsBegin,
		PostPadding:                 padsEnd,
		PaddingMode:                 network.PaddingEXPLICIT_ROUND_DOWN,
		AverageCountExcludesPadding: !countIncludePad,
	})
}

// GlobalPool reduces every spatial dim (2..rank-1) of x, keeping them as 1s.
func GlobalPool(ctx *conversion.Context, x network.Tensor, op network.ReduceOperation) network.Tensor {
	var axes []int
	for d := 2; d < len(x.Shape()); d++ {
		axes = append(axes, d)
	}
	return ctx.Net.AddReduce(x, op, network.AxesMask(axes...), true)
}
