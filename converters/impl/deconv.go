package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Deconv is an N-D transposed convolution with constant weights w [C,
// K/groups, kernel...] and optional bias [K]: one Deconvolution layer.
// TensorRT's paddings only crop, so negative pads (ONNX output_padding and
// output_shape beyond the taps) become zero padding (a FILL Slice) after a
// bias-free deconvolution, with the bias added last.
func Deconv(ctx *conversion.Context, x network.Tensor, w, bias *ir.Tensor, strides, dilations, padsBegin, padsEnd []int64, groups int64) (network.Tensor, error) {
	if is1D(x) { // see is1D
		y, err := Deconv(ctx, Unsqueeze(ctx, x, []int{3}), w.Reshaped(append(append([]int64{}, w.Shape...), 1)), bias,
			ext(strides, 1), ext(dilations, 1), ext(padsBegin, 0), ext(padsEnd, 0), groups)
		if err != nil {
			return nil, err
		}
		return Squeeze(ctx, y, []int{3}), nil
	}
	nsp := len(w.Shape) - 2
	pre, post := make([]int64, nsp), make([]int64, nsp)
	grow := false
	padPre, padPost := make([]int64, nsp+2), make([]int64, nsp+2)
	for i := 0; i < nsp; i++ {
		pre[i], post[i] = max(padsBegin[i], 0), max(padsEnd[i], 0)
		padPre[2+i], padPost[2+i] = max(-padsBegin[i], 0), max(-padsEnd[i], 0)
		grow = grow || padsBegin[i] < 0 || padsEnd[i] < 0
	}
	k := w.Shape[1] * groups
	p := network.DeconvolutionParams{
		NbOutputMaps: k, KernelSize: append([]int64{}, w.Shape[2:]...), Kernel: w, Bias: bias,
		Stride: strides, Dilation: dilations, PrePadding: pre, PostPadding: post, NbGroups: groups,
	}
	if !grow {
		return ctx.Net.AddDeconvolutionNd(x, p), nil
	}
	p.Bias = nil
	y, err := Pad(ctx, ctx.Net.AddDeconvolutionNd(x, p), padPre, padPost, "constant", 0)
	if err != nil || bias == nil {
		return y, err
	}
	shape := make([]int64, nsp+2)
	for i := range shape {
		shape[i] = 1
	}
	shape[1] = k
	return Add(ctx, y, ctx.Net.AddConstant(bias.Reshaped(shape))), nil
}
