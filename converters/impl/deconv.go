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
	return deconv(ctx, x, w.Shape, network.DeconvolutionParams{Kernel: w, Bias: bias}, bias != nil, strides, dilations, padsBegin, padsEnd, groups)
}

// DeconvT is Deconv with the kernel w [C, K/groups, kernel...] (static
// shape) computed in the network, as TensorRT's input 1 with empty kernel
// weights (see ConvT); the bias is constant weights, a [K] tensor, or
// neither.
func DeconvT(ctx *conversion.Context, x, w network.Tensor, bias *ir.Tensor, biasT network.Tensor, strides, dilations, padsBegin, padsEnd []int64, groups int64) (network.Tensor, error) {
	if is1D(x) { // see is1D
		y, err := DeconvT(ctx, Unsqueeze(ctx, x, []int{3}), Unsqueeze(ctx, w, []int{3}), bias, biasT,
			ext(strides, 1), ext(dilations, 1), ext(padsBegin, 0), ext(padsEnd, 0), groups)
		if err != nil {
			return nil, err
		}
		return Squeeze(ctx, y, []int{3}), nil
	}
	ws, _ := w.Shape().Ints()
	return deconv(ctx, x, ws, network.DeconvolutionParams{KernelT: w, Bias: bias, BiasT: biasT}, bias != nil || biasT != nil,
		strides, dilations, padsBegin, padsEnd, groups)
}

// deconv adds the Deconvolution layer of weights p (Kernel or KernelT, of
// shape ws; Bias or BiasT) with the geometry, zero-padding where a pad is
// negative and then adding the bias last.
func deconv(ctx *conversion.Context, x network.Tensor, ws []int64, p network.DeconvolutionParams, hasBias bool, strides, dilations, padsBegin, padsEnd []int64, groups int64) (network.Tensor, error) {
	nsp := len(ws) - 2
	pre, post := make([]int64, nsp), make([]int64, nsp)
	grow := false
	padPre, padPost := make([]int64, nsp+2), make([]int64, nsp+2)
	for i := 0; i < nsp; i++ {
		pre[i], post[i] = max(padsBegin[i], 0), max(padsEnd[i], 0)
		padPre[2+i], padPost[2+i] = max(-padsBegin[i], 0), max(-padsEnd[i], 0)
		grow = grow || padsBegin[i] < 0 || padsEnd[i] < 0
	}
	k := ws[1] * groups
	p.NbOutputMaps, p.KernelSize = k, append([]int64{}, ws[2:]...)
	p.Stride, p.Dilation, p.PrePadding, p.PostPadding, p.NbGroups = strides, dilations, pre, post, groups
	if !grow {
		return ctx.Net.AddDeconvolutionNd(x, p), nil
	}
	bias, biasT := p.Bias, p.BiasT
	p.Bias, p.BiasT = nil, nil
	y, err := Pad(ctx, ctx.Net.AddDeconvolutionNd(x, p), padPre, padPost, "constant", 0)
	if err != nil || !hasBias {
		return y, err
	}
	shape := make([]int64, nsp+2)
	for i := range shape {
		shape[i] = 1
	}
	shape[1] = k
	if bias != nil {
		return Add(ctx, y, ctx.Net.AddConstant(bias.Reshaped(shape))), nil
	}
	return Add(ctx, y, Reshape(ctx, biasT, shape)), nil
}
