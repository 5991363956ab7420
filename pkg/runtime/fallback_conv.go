package runtime

import (
	"slices"
	"sync"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Fallback convolutions with constant weights run as prepared convolutions:
// the weights are packed for the GEMM once (at the first run, and again
// only when the input's spatial shape changes the geometry), where
// ops.Execute's Conv packs them on every run. The result is what the Conv
// op computes (kernels.PreparedConv is checked against kernels.Conv).

// convCache holds a fallback segment's prepared convolutions by node.
type convCache struct {
	mu sync.Mutex
	m  map[*ir.Node]*fallbackConv
}

type fallbackConv struct {
	p  kernels.ConvParams
	pc *kernels.PreparedConv
}

// runConv runs node n as a prepared convolution when it is an ONNX Conv on
// float32 with constant weights (and bias); ok false leaves it to
// ops.Execute, which also reports every error.
func (s *fallbackSegment) runConv(n *ir.Node, in []*ir.Tensor) (out []*ir.Tensor, ok bool) {
	if n.Op != "onnx.Conv" || len(in) < 2 || in[0] == nil || in[1] == nil || in[0].DType != ir.Float32 ||
		in[1].DType != ir.Float32 || len(in[0].Shape) < 3 || len(in[1].Shape) != len(in[0].Shape) || in[0].Numel() == 0 {
		return nil, false
	}
	x, w := in[0], in[1]
	if s.consts[n.Inputs[1]] != w {
		return nil, false
	}
	var b *ir.Tensor
	if len(in) > 2 && in[2] != nil {
		if b = in[2]; s.consts[n.Inputs[2]] != b || b.DType != ir.Float32 {
			return nil, false
		}
	}
	g, err := ops.WindowGeometry(n, x.Shape[2:], w.Shape[2:], false)
	if err != nil {
		return nil, false
	}
	p := kernels.ConvParams{Strides: g.Strides, Dilations: g.Dilations, PadsBegin: g.PadsBegin, PadsEnd: g.PadsEnd, Group: n.AttrInt("group", 1)}
	s.convs.mu.Lock()
	fc := s.convs.m[n]
	s.convs.mu.Unlock()
	if fc == nil || !sameConvParams(fc.p, p) {
		pc, err := kernels.PrepareConv(w, b, p)
		if err != nil {
			return nil, false
		}
		fc = &fallbackConv{p: p, pc: pc}
		s.convs.mu.Lock()
		if s.convs.m == nil {
			s.convs.m = map[*ir.Node]*fallbackConv{}
		}
		s.convs.m[n] = fc
		s.convs.mu.Unlock()
	}
	y, err := fc.pc.Run(x, nil)
	if err != nil {
		return nil, false
	}
	return []*ir.Tensor{y}, true
}

func sameConvParams(a, b kernels.ConvParams) bool {
	return slices.Equal(a.Strides, b.Strides) && slices.Equal(a.Dilations, b.Dilations) && slices.Equal(a.PadsBegin, b.PadsBegin) &&
		slices.Equal(a.PadsEnd, b.PadsEnd) && a.Group == b.Group
}
