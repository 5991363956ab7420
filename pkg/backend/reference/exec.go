package reference

import (
	"github.com/trtc-dev/trtc/internal/sizes"
	"slices"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// The execution plan. At load the engine turns the plan's layers into steps:
// most steps run one layer; a float32 convolution becomes a prepared step
// (weights packed for the GEMM once) that also runs, in its epilogue, the
// layers that only consume its output when the network allows it: an
// elementwise SUM with a tensor of the same shape computed earlier (a
// residual), and an activation, in the order the network has them. The fused
// step computes exactly what the separate layers compute (the same kernels'
// operations, in the same order); where the shapes seen at run time do not
// fit the fusion, the step runs the layers one by one.

// step is one unit of execution.
type step struct {
	layers []int // plan layer indices: one, or a conv and the layers fused into it
	conv   *preparedConv
	// region is the loop or conditional the step runs (layers are then
	// all of its layers), 0 for none.
	region int
}

// preparedConv is a convolution with its fused epilogue.
type preparedConv struct {
	pc       *kernels.PreparedConv
	x        int // input tensor id
	residual int // tensor id added to the output, or -1
	act      *network.ActivationParams
	out      int // the tensor id the step produces
}

// buildSteps plans the layers; fuse enables convolution fusion.
func buildSteps(p *plan, fuse bool) []step {
	if len(p.Regions) > 0 {
		return regionSteps(p) // run as they are: no fusion, no arena (engine.go)
	}
	nt := len(p.Tensors)
	producer := make([]int, nt)
	consumers := make([]int, nt)
	for i := range producer {
		producer[i] = -1
	}
	for li, l := range p.Layers {
		for _, id := range l.Out {
			producer[id] = li
		}
		for _, id := range l.In {
			if id >= 0 {
				consumers[id]++
			}
		}
	}
	isOutput := make([]bool, nt)
	for _, id := range p.Outputs {
		isOutput[id] = true
	}
	// consumerOf is the single layer after li reading tensor id, or -1.
	consumerOf := func(id, after int) int {
		if consumers[id] != 1 || isOutput[id] {
			return -1
		}
		for li := after + 1; li < len(p.Layers); li++ {
			for _, in := range p.Layers[li].In {
				if in == id {
					return li
				}
			}
		}
		return -1
	}
	var steps []step
	skip := make([]bool, len(p.Layers))
	for li, l := range p.Layers {
		if skip[li] {
			continue
		}
		st := step{layers: []int{li}}
		if fuse {
			if pc := prepareConv(p, l); pc != nil {
				pc.residual = -1
				cur, t := li, l.Out[0]
				// An elementwise SUM with a residual produced before the conv.
				if c := consumerOf(t, cur); c >= 0 && p.Layers[c].Kind == network.KindElementWise {
					cl := p.Layers[c]
					if ep, ok := cl.Params.(elementWiseParams); ok && ep.Op == network.ElementWiseSUM && len(cl.In) == 2 {
						other := cl.In[0]
						if other == t {
							other = cl.In[1]
						}
						if other >= 0 && other != t && (producer[other] < li) && p.Tensors[other].DType == ir.Float32 &&
							p.Tensors[other].Shape.Equal(p.Tensors[t].Shape) && p.Tensors[cl.Out[0]].Shape.Equal(p.Tensors[t].Shape) {
							pc.residual = other
							st.layers = append(st.layers, c)
							cur, t = c, cl.Out[0]
						}
					}
				}
				if c := consumerOf(t, cur); c >= 0 && p.Layers[c].Kind == network.KindActivation {
					if ap, ok := p.Layers[c].Params.(network.ActivationParams); ok {
						if _, known := activationKernel[ap.Type]; known {
							pc.act = &ap
							st.layers = append(st.layers, c)
							t = p.Layers[c].Out[0]
						}
					}
				}
				pc.out = t
				st.conv = pc
				for _, f := range st.layers[1:] {
					skip[f] = true
				}
			}
		}
		steps = append(steps, st)
	}
	return steps
}

// prepareConv packs a float32 convolution layer's weights, or returns nil
// where the layer does not qualify (other dtypes, weights as inputs).
func prepareConv(p *plan, l *layer) *preparedConv {
	if l.Kind != network.KindConvolution || len(l.In) < 1 || l.In[0] < 0 || len(l.Out) != 1 {
		return nil
	}
	cp, ok := l.Params.(network.ConvolutionParams)
	if !ok || cp.Kernel == nil || cp.Kernel.DType != ir.Float32 || p.Tensors[l.In[0]].DType != ir.Float32 {
		return nil
	}
	pc, err := kernels.PrepareConv(cp.Kernel, cp.Bias, kernels.ConvParams{
		Strides: cp.Stride, Dilations: cp.Dilation, PadsBegin: cp.PrePadding, PadsEnd: cp.PostPadding, Group: max(cp.NbGroups, 1),
	})
	if err != nil {
		return nil // the layer runs unprepared and reports its own error
	}
	return &preparedConv{pc: pc, x: l.In[0]}
}

// runConvStep runs a prepared step; ok is false when the tensors at run time
// do not fit it or the kernel fails (the caller then runs its layers one by
// one, which report their own errors).
func runConvStep(pc *preparedConv, s *runState) (out *ir.Tensor, ok bool) {
	// An output over the memory budget (s.out panics with a *sizes.Error):
	// the plain layer runs, and its allocation fails with an error naming
	// the layer.
	defer func() {
		if r := recover(); r != nil {
			if _, isSize := r.(*sizes.Error); !isSize {
				panic(r)
			}
			out, ok = nil, false
		}
	}()
	vals := s.vals
	x := vals[pc.x]
	if x == nil || x.DType != ir.Float32 {
		return nil, false
	}
	if len(x.Shape) > 8 {
		return nil, false
	}
	var osa [8]int64
	os := osa[:len(x.Shape)]
	if err := pc.pc.OutShapeTo(x.Shape, os); err != nil {
		return nil, false
	}
	var epv kernels.Epilogue
	var ep *kernels.Epilogue
	if pc.residual >= 0 || pc.act != nil {
		ep = &epv
	}
	if pc.residual >= 0 {
		r := vals[pc.residual]
		if r == nil || r.DType != ir.Float32 || !slices.Equal(r.Shape, os) {
			return nil, false
		}
		ep.Residual = ir.View[float32](r)
	}
	if pc.act != nil {
		ep.HasAct, ep.Act = true, activationKernel[pc.act.Type]
		ep.Alpha, ep.Beta = float64(pc.act.Alpha), float64(pc.act.Beta)
	}
	out = s.out(ir.Float32, os)
	return out, pc.pc.RunInto(x, ep, out) == nil
}
