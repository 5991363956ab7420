package reference

import (
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Deconvolution, as IDeconvolutionLayer (N spatial dims): input [N, C,
// spatial] of rank N+2 with a static channel dim; kernel weights [C,
// K/groups, kernel...]; optional bias [K]; non-negative pre/post padding
// that crops the full (in-1)*stride + (kernel-1)*dilation + 1 output. The
// kernel and bias may be tensor inputs 1 and 2, as for Convolution.

func init() {
	registerKind(network.KindDeconvolution, kindImpl{infer: inferDeconv, run: runDeconv})
}

func inferDeconv(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 1); err != nil {
		return nil, err
	}
	// DeconvolutionParams has ConvolutionParams' fields.
	p, err := convTensorWeights(network.ConvolutionParams(l.Params.(network.DeconvolutionParams)), in)
	if err != nil {
		return nil, err
	}
	return inferConvGeometry(in[0], p, true)
}

func runDeconv(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(network.DeconvolutionParams)
	p.Kernel, p.Bias = runtimeWeights(p.Kernel, p.Bias, in)
	return one1(kernels.ConvTranspose(in[0], p.Kernel, p.Bias, kernels.ConvParams{
		Strides: p.Stride, Dilations: p.Dilation, PadsBegin: p.PrePadding, PadsEnd: p.PostPadding, Group: max(p.NbGroups, 1),
	}))
}
