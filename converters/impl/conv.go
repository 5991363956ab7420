package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Conv adds an N-D convolution with constant weights w [K, C/groups,
// kernel...] and optional constant bias [K], explicit padding.
func Conv(ctx *conversion.Context, x network.Tensor, w, bias *ir.Tensor, strides, dilations, padsBegin, padsEnd []int64, groups int64) network.Tensor {
	if is1D(x) {
		y := Conv(ctx, Unsqueeze(ctx, x, []int{3}), w.Reshaped(append(append([]int64{}, w.Shape...), 1)), bias,
			ext(strides, 1), ext(dilations, 1), ext(padsBegin, 0), ext(padsEnd, 0), groups)
		return Squeeze(ctx, y, []int{3})
	}
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

// is1D reports whether x is the input of a 1-D window op ([N, C, W]).
// TensorRT's convolution, deconvolution and pooling take 2-D and 3-D only
// ("Only 2D or 3D convolution is supported.", NvInfer.h), so, as
// onnx-tensorrt does, Conv, Deconv and Pool add a trailing spatial dim of 1
// ([N, C, W, 1]), run the 2-D layer with a window of 1 along it, and
// remove it after.
func is1D(x network.Tensor) bool { return len(x.Shape()) == 3 }

// ext appends v's value for the added spatial dim (nil stays nil:
// TensorRT's default).
func ext(v []int64, d int64) []int64 {
	if v == nil {
		return nil
	}
	return append(append([]int64{}, v...), d)
}

// ConvT is Conv with the kernel as a tensor of static shape wShape (a
// dequantize layer's output: TensorRT's explicit quantization takes
// quantized weights as the convolution's input 1). A 1-D convolution
// reshapes the kernel to [K, C/groups, k, 1], as Conv does its weights.
func ConvT(ctx *conversion.Context, x, w network.Tensor, wShape []int64, bias *ir.Tensor, strides, dilations, padsBegin, padsEnd []int64, groups int64) network.Tensor {
	if is1D(x) {
		w4 := append(append([]int64{}, wShape...), 1)
		y := ConvT(ctx, Unsqueeze(ctx, x, []int{3}), Reshape(ctx, w, w4), w4, bias,
			ext(strides, 1), ext(dilations, 1), ext(padsBegin, 0), ext(padsEnd, 0), groups)
		return Squeeze(ctx, y, []int{3})
	}
	return ctx.Net.AddConvolutionNd(x, network.ConvolutionParams{
		NbOutputMaps: wShape[0],
		KernelSize:   append([]int64{}, wShape[2:]...),
		KernelT:      w,
		Bias:         bias,
		Stride:       strides,
		PrePadding:   padsBegin,
		PostPadding:  padsEnd,
		Dilation:     dilations,
		NbGroups:     groups,
	})
}
