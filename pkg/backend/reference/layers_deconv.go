package reference

import (
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Deconvolution, as IDeconvolutionLayer (N spatial dims): input [N, C,
// spatial] of rank N+2 with a static channel dim; kernel weights [C,
// K/groups, kernel...]; optional bias [K]; non-negative pre/post padding
// that crops the full (in-1)*stride + (kernel-1)*dilation + 1 output.

func init() {
	registerKind(network.KindDeconvolution, kindImpl{infer: inferDeconv, run: runDeconv})
}

func inferDeconv(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 1); err != nil {
		return nil, err
	}
	// DeconvolutionParams has ConvolutionParams' fields.
	return inferConvGeometry(in[0], network.ConvolutionParams(l.Params.(network.DeconvolutionParams)), true)
}

func runDeconv(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(network.DeconvolutionParams)
	return one1(kernels.ConvTranspose(in[0], p.Kernel, p.Bias, kernels.ConvParams{
		Strides: p.Stride, Dilations: p.Dilation, PadsBegin: p.PrePadding, PadsEnd: p.PostPadding, Group: max(p.NbGroups, 1),
	}))
}
