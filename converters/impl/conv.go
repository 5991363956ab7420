package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Conv adds an N-D convolution with constant weights w [K, C/groups,
// kernel...] and optional constant bias [K], explicit padding.
func Conv(ctx *conversion.Context, x network.Tensor, w, bias *ir.Tensor, strides, dilations, padsBegin, padsEnd []int64, groups int64) network.Tensor {
	return ctx.Net.AddConvolutionNd(x, network.ConvolutionParams{
		NbOutputMaps: w.Shape[0],
		KernelSize:   append([]int64{}, w.Shape[2:]...),
		Kernel:       w,
		Bias:         bias,
		Stride:       strides,
		PrePadding:   padsBegin,
		PostPadding:  padsEnd,
		Dilation:     dilations,
		NbGroups:     groups,
	})
}
