package reference

import (
	"fmt"
	"math/bits"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// TopK is ITopKLayer: the k largest (MAX) or smallest (MIN) elements along
// the one axis set in the mask, sorted, and their Int32 indices.

// maxTopK is TensorRT's documented limit on k.
const maxTopK = 3840

func init() {
	registerKind(network.KindTopK, kindImpl{infer: inferTopK, run: runTopK})
}

func topKAxis(mask uint32, rank int) (int, error) {
	if bits.OnesCount32(mask) != 1 {
		return 0, fmt.Errorf("axes mask %#x must have exactly one bit set", mask)
	}
	a := bits.TrailingZeros32(mask)
	if a >= rank {
		return 0, fmt.Errorf("axis %d out of range for rank %d", a, rank)
	}
	return a, nil
}

func inferTopK(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 1); err != nil {
		return nil, err
	}
	p := l.Params.(topKParams)
	x := in[0]
	if p.Op != network.TopKMAX && p.Op != network.TopKMIN {
		return nil, fmt.Errorf("unknown TopKOperation %d", p.Op)
	}
	switch x.DType {
	case ir.Float32, ir.Float16, ir.BFloat16, ir.Int32, ir.Int64:
	default:
		return nil, fmt.Errorf("input dtype %v is not supported", x.DType)
	}
	axis, err := topKAxis(p.Axes, len(x.Shape))
	if err != nil {
		return nil, err
	}
	if p.K < 1 || p.K > maxTopK {
		return nil, fmt.Errorf("k=%d outside [1, %d]", p.K, maxTopK)
	}
	if d := x.Shape[axis]; d.Static() && p.K > d.Size {
		return nil, fmt.Errorf("k=%d exceeds dim %d of size %d", p.K, axis, d.Size)
	}
	s := x.Shape.Clone()
	s[axis] = ir.D(p.K)
	return []*ir.Value{{DType: x.DType, Shape: s}, {DType: ir.Int32, Shape: s.Clone()}}, nil
}

func runTopK(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(topKParams)
	axis, err := topKAxis(p.Axes, len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	v, i, err := kernels.TopK(in[0], axis, p.K, p.Op == network.TopKMAX)
	if err != nil {
		return nil, err
	}
	i32, err := kernels.Cast(i, ir.Int32)
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{v, i32}, nil
}
