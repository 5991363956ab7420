package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Normalization, as INormalizationLayer: x is normalized over the axes in
// the mask, y = (x - mean) / sqrt(var + epsilon) * scale + bias, where scale
// and bias have x's rank and broadcast against it (instance norm: [1, C, 1,
// ...]; layer norm: [1, ..., normalized dims]).

func init() {
	registerKind(network.KindNormalization, kindImpl{infer: inferNorm, run: runNorm})
}

func inferNorm(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 3); err != nil {
		return nil, err
	}
	p := l.Params.(normParams)
	x := in[0]
	if x.DType != ir.Float32 && x.DType != ir.Float16 && x.DType != ir.BFloat16 {
		return nil, fmt.Errorf("normalization of %v is not supported", x.DType)
	}
	if _, err := maskAxes(p.Axes, len(x.Shape)); err != nil {
		return nil, err
	}
	for i, name := range []string{"scale", "bias"} {
		v := in[1+i]
		if v.DType != x.DType {
			return nil, fmt.Errorf("%s is %v, input is %v", name, v.DType, x.DType)
		}
		if len(v.Shape) != len(x.Shape) {
			return nil, fmt.Errorf("%s %v must have the input's rank %d", name, v.Shape, len(x.Shape))
		}
		b, err := ir.Broadcast(x.Shape, v.Shape)
		if err != nil || !b.Equal(x.Shape) && b.IsStatic() {
			return nil, fmt.Errorf("%s %v does not broadcast to the input %v", name, v.Shape, x.Shape)
		}
	}
	return []*ir.Value{{DType: x.DType, Shape: x.Shape.Clone()}}, nil
}

func runNorm(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(normParams)
	return one1(kernels.Normalize(in[0], network.MaskAxes(p.Axes, len(in[0].Shape)), in[1], in[2], p.Epsilon))
}
