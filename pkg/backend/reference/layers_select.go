package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Select: ISelectLayer. A Bool condition and two branches of one dtype, all
// of equal rank (TensorRT does not unsqueeze), dims equal or 1.

func init() {
	registerKind(network.KindSelect, kindImpl{infer: inferSelect, run: runSelect})
}

func inferSelect(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 3); err != nil {
		return nil, err
	}
	c, a, b := in[0], in[1], in[2]
	if c.DType != ir.Bool {
		return nil, fmt.Errorf("condition is %v, want bool", c.DType)
	}
	if a.DType != b.DType {
		return nil, fmt.Errorf("then is %v but else is %v (TensorRT needs a Cast)", a.DType, b.DType)
	}
	if len(c.Shape) != len(a.Shape) || len(a.Shape) != len(b.Shape) {
		return nil, fmt.Errorf("inputs have ranks %d, %d and %d; TensorRT broadcasting needs equal ranks", len(c.Shape), len(a.Shape), len(b.Shape))
	}
	s, err := ir.Broadcast(c.Shape, a.Shape, b.Shape)
	if err != nil {
		return nil, err
	}
	return []*ir.Value{{DType: a.DType, Shape: s}}, nil
}

func runSelect(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	out, err := kernels.Where(in[0], in[1], in[2])
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{out}, nil
}
