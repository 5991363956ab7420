package reference

import (
	"fmt"
	"github.com/trtc-dev/trtc/internal/sizes"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Engine executes a plan through its steps (exec.go), built once at load.
type Engine struct {
	p     *plan
	steps []step
	// convOut[id] marks tensors that prepared conv steps write; their
	// buffers go back to pool when they die.
	convOut []bool
	pool    bufPool
}

func newEngine(p *plan) *Engine { return newEngineFused(p, true) }

// newEngineFused builds the engine with or without convolution fusion (the
// unfused engine is what tests compare the fused one with).
func newEngineFused(p *plan, fuse bool) *Engine {
	e := &Engine{p: p, steps: buildSteps(p, fuse), convOut: make([]bool, len(p.Tensors))}
	for _, st := range e.steps {
		if st.conv != nil {
			e.convOut[st.conv.out] = true
		}
	}
	return e
}

// InputNames lists the engine's input tensor names.
func (e *Engine) InputNames() []string {
	var out []string
	for _, id := range e.p.Inputs {
		out = append(out, e.p.Tensors[id].Name)
	}
	return out
}

// Close releases nothing: the engine holds only Go memory.
func (e *Engine) Close() error { return nil }

// Run executes the plan.
func (e *Engine) Run(inputs map[string]*ir.Tensor) (map[string]*ir.Tensor, error) {
	vals := make([]*ir.Tensor, len(e.p.Tensors))
	syms := map[string]int64{}
	for _, id := range e.p.Inputs {
		pt := e.p.Tensors[id]
		t, ok := inputs[pt.Name]
		if !ok {
			return nil, fmt.Errorf("engine input %q is not bound", pt.Name)
		}
		if err := checkBinding(pt, t, syms); err != nil {
			return nil, err
		}
		vals[id] = t
	}
	if err := e.checkProfiles(inputs); err != nil {
		return nil, err
	}
	for _, st := range e.steps {
		if st.conv != nil {
			if out, ok := runConvStep(st.conv, &e.pool, vals); ok {
				vals[st.conv.out] = out
				e.free(st.frees, vals)
				continue
			}
		}
		if st.region > 0 {
			if err := e.runRegion(st.region, st.layers, vals); err != nil {
				return nil, err
			}
			e.free(st.frees, vals)
			continue
		}
		for _, li := range st.layers {
			if err := e.runLayer(e.p.Layers[li], vals); err != nil {
				return nil, err
			}
		}
		e.free(st.frees, vals)
	}
	res := make(map[string]*ir.Tensor, len(e.p.Outputs))
	for i, id := range e.p.Outputs {
		res[e.p.OutName[i]] = vals[id]
	}
	return res, nil
}

// free drops dead tensors, recycling conv outputs no live tensor shares.
func (e *Engine) free(ids []int, vals []*ir.Tensor) {
	for _, id := range ids {
		t := vals[id]
		vals[id] = nil
		if e.convOut[id] && t != nil {
			e.pool.recycle(t, vals)
		}
	}
}

// runLayer runs one layer on vals, storing its outputs.
func (e *Engine) runLayer(l *layer, vals []*ir.Tensor) error {
	in := make([]*ir.Tensor, len(l.In))
	for i, id := range l.In {
		if id >= 0 {
			in[i] = vals[id]
			if in[i] == nil {
				return fmt.Errorf("layer %s: input %d was not computed", l.Name, i)
			}
		}
	}
	out, err := runKind(l, in)
	if err != nil {
		return fmt.Errorf("layer %s: %w", l.Name, err)
	}
	if len(out) != len(l.Out) {
		return fmt.Errorf("layer %s: %d outputs, plan has %d", l.Name, len(out), len(l.Out))
	}
	for i, id := range l.Out {
		vals[id] = out[i]
	}
	return nil
}

// runKind runs one layer's kernel; an allocation over the memory budget (a
// *sizes.Error panic from ir.NewTensor) becomes the layer's error, and
// each output's data must match its shape.
func runKind(l *layer, in []*ir.Tensor) (out []*ir.Tensor, err error) {
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*sizes.Error)
			if !ok {
				panic(r)
			}
			out, err = nil, se
		}
	}()
	out, err = kinds[l.Kind].run(l, in)
	for i, t := range out {
		if err == nil && t != nil && i < len(l.Out) {
			err = t.Validate(fmt.Sprintf("output %d", i))
		}
	}
	return out, err
}

// checkBinding checks an input tensor against its declared dtype and shape;
// dynamic dims with the same symbol must agree across inputs.
func checkBinding(pt planTensor, t *ir.Tensor, syms map[string]int64) error {
	if t.DType != pt.DType {
		return fmt.Errorf("input %q: dtype %v, engine expects %v", pt.Name, t.DType, pt.DType)
	}
	if len(t.Shape) != len(pt.Shape) {
		return fmt.Errorf("input %q: shape %v, engine expects rank %d %v", pt.Name, ir.S(t.Shape...), len(pt.Shape), pt.Shape)
	}
	for i, d := range pt.Shape {
		got := t.Shape[i]
		if d.Static() {
			if got != d.Size {
				return fmt.Errorf("input %q: dim %d is %d, engine expects %d (shape %v)", pt.Name, i, got, d.Size, pt.Shape)
			}
			continue
		}
		if d.Sym == "" {
			continue
		}
		if prev, ok := syms[d.Sym]; ok && prev != got {
			return fmt.Errorf("input %q: dim %d (%s) is %d, but %s is %d in another input", pt.Name, i, d.Sym, got, d.Sym, prev)
		}
		syms[d.Sym] = got
	}
	return nil
}
