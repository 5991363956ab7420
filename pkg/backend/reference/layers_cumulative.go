package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Cumulative is ICumulativeLayer: a running SUM along one axis, which is a
// 0-D Int32/Int64 tensor that must be a build-time constant.

func init() {
	registerKind(network.KindCumulative, kindImpl{infer: inferCumulative, run: runCumulative})
}

func cumulativeAxis(v *ir.Tensor, rank int) (int, error) {
	if v.Numel() != 1 || len(v.Shape) != 0 {
		return 0, fmt.Errorf("axis must be a 0-D tensor, got %v", v)
	}
	a := v.Int(0)
	if a < 0 || a >= int64(rank) {
		return 0, fmt.Errorf("axis %d out of range for rank %d", a, rank)
	}
	return int(a), nil
}

func inferCumulative(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 2); err != nil {
		return nil, err
	}
	p := l.Params.(cumulativeParams)
	if p.Op != network.CumulativeSUM {
		return nil, fmt.Errorf("unknown CumulativeOperation %d", p.Op)
	}
	x, ax := in[0], in[1]
	switch x.DType {
	case ir.Float32, ir.Float16, ir.BFloat16, ir.Int32, ir.Int64:
	default:
		return nil, fmt.Errorf("input dtype %v is not supported", x.DType)
	}
	if len(x.Shape) == 0 {
		return nil, fmt.Errorf("input must have rank >= 1")
	}
	if ax.DType != ir.Int32 && ax.DType != ir.Int64 || ax.Const == nil {
		return nil, fmt.Errorf("axis must be a build-time constant Int32/Int64 tensor")
	}
	if _, err := cumulativeAxis(ax.Const, len(x.Shape)); err != nil {
		return nil, err
	}
	return []*ir.Value{{DType: x.DType, Shape: x.Shape.Clone()}}, nil
}

func runCumulative(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(cumulativeParams)
	axis, err := cumulativeAxis(in[1], len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	out, err := kernels.Cumulative(in[0], axis, kernels.CumSum, p.Exclusive, p.Reverse)
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{out}, nil
}
