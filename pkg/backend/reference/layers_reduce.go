package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Reduce, as IReduceLayer: SUM, PROD, MAX, MIN or AVG over the axes in the
// mask (at least one, each below the rank), keeping them as 1s when
// keepDims.

func init() {
	registerKind(network.KindReduce, kindImpl{infer: inferReduce, run: runReduce})
}

var reduceKernel = map[network.ReduceOperation]kernels.ReduceOp{
	network.ReduceSUM: kernels.ReduceSum, network.ReducePROD: kernels.ReduceProd,
	network.ReduceMAX: kernels.ReduceMax, network.ReduceMIN: kernels.ReduceMin,
	network.ReduceAVG: kernels.ReduceMean,
}

// maskAxes checks an axes mask against a rank.
func maskAxes(mask uint32, rank int) ([]int, error) {
	if mask == 0 {
		return nil, fmt.Errorf("axes mask is empty")
	}
	if rank < 32 && mask>>uint(rank) != 0 {
		return nil, fmt.Errorf("axes mask %#b names dims beyond rank %d", mask, rank)
	}
	return network.MaskAxes(mask, rank), nil
}

func inferReduce(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 1); err != nil {
		return nil, err
	}
	p := l.Params.(reduceParams)
	x := in[0]
	if _, ok := reduceKernel[p.Op]; !ok {
		return nil, fmt.Errorf("unknown ReduceOperation %d", p.Op)
	}
	switch x.DType {
	case ir.Float32, ir.Float16, ir.BFloat16, ir.Int32, ir.Int64:
	default:
		return nil, fmt.Errorf("reduce of %v is not supported", x.DType)
	}
	axes, err := maskAxes(p.Axes, len(x.Shape))
	if err != nil {
		return nil, err
	}
	j := 0
	out := ir.Shape{}
	for d, dim := range x.Shape {
		if j < len(axes) && axes[j] == d {
			j++
			if p.KeepDims {
				out = append(out, ir.D(1))
			}
			continue
		}
		out = append(out, dim)
	}
	return []*ir.Value{{DType: x.DType, Shape: out}}, nil
}

func runReduce(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(reduceParams)
	return one1(kernels.Reduce(in[0], reduceKernel[p.Op], network.MaskAxes(p.Axes, len(in[0].Shape)), p.KeepDims))
}
