package reference

import (
	"fmt"
	"math/bits"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// SoftMax, as ISoftMaxLayer: exp(x - max) / sum over the single axis in
// the mask.

func init() {
	registerKind(network.KindSoftMax, kindImpl{infer: inferSoftMax, run: runSoftMax})
}

func softMaxAxis(mask uint32, rank int) (int, error) {
	if bits.OnesCount32(mask) != 1 {
		return 0, fmt.Errorf("axes mask %#b must name exactly one axis", mask)
	}
	a := bits.TrailingZeros32(mask)
	if a >= max(rank, 1) {
		return 0, fmt.Errorf("axis %d is beyond rank %d", a, rank)
	}
	return a, nil
}

func inferSoftMax(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if x.DType != ir.Float32 && x.DType != ir.Float16 && x.DType != ir.BFloat16 {
		return nil, fmt.Errorf("softmax of %v is not supported", x.DType)
	}
	if _, err := softMaxAxis(l.Params.(softMaxParams).Axes, len(x.Shape)); err != nil {
		return nil, err
	}
	return []*ir.Value{{DType: x.DType, Shape: x.Shape.Clone()}}, nil
}

func runSoftMax(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	a, err := softMaxAxis(l.Params.(softMaxParams).Axes, len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	return one1(kernels.Softmax(in[0], a, kernels.SoftmaxPlain, false))
}
