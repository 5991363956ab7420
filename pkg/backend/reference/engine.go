package reference

import (
	"fmt"
	"github.com/trtc-dev/trtc/internal/sizes"
	"sync"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Engine executes a plan through its steps (exec.go) and memory plan
// (arena.go), both built once at load.
type Engine struct {
	p     *plan
	steps []step
	mp    *memPlan
	// opt is whether the engine runs the optimized plan (fusion, constants
	// evaluated at load, the arena); the baseline runs layer by layer.
	opt bool
	// states are the run states not in use; a run takes one (or makes one
	// when all are in use) and gives it back.
	mu     sync.Mutex
	states []*runState
}

func newEngine(p *plan) *Engine { return newEngineFused(p, true) }

// newEngineFused builds the engine with or without the optimized plan (the
// layer-by-layer engine is what tests compare the optimized one with).
func newEngineFused(p *plan, fuse bool) *Engine {
	// Plans with loops or conditionals run layer by layer: a loop body's
	// layers run once per iteration, which the memory plan does not model.
	opt := fuse && len(p.Regions) == 0
	steps := buildSteps(p, opt)
	return &Engine{p: p, steps: steps, mp: planMemory(p, steps, opt), opt: opt}
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

func (e *Engine) takeState() *runState {
	e.mu.Lock()
	defer e.mu.Unlock()
	if n := len(e.states); n > 0 {
		s := e.states[n-1]
		e.states = e.states[:n-1]
		return s
	}
	s := newRunState(e.p, e.mp)
	for id, c := range e.mp.consts {
		if c != nil {
			s.vals[id] = c
		}
	}
	return s
}

func (e *Engine) giveState(s *runState) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.states = append(e.states, s)
}

// Run executes the plan.
func (e *Engine) Run(inputs map[string]*ir.Tensor) (map[string]*ir.Tensor, error) {
	s := e.takeState()
	defer e.giveState(s)
	vals := s.vals
	var syms map[string]int64
	for _, id := range e.p.Inputs {
		pt := e.p.Tensors[id]
		t, ok := inputs[pt.Name]
		if !ok {
			e.clear(s)
			return nil, fmt.Errorf("engine input %q is not bound", pt.Name)
		}
		if syms == nil && !pt.Shape.IsStatic() {
			syms = map[string]int64{}
		}
		if err := checkBinding(pt, t, syms); err != nil {
			e.clear(s)
			return nil, err
		}
		vals[id] = t
	}
	if err := e.checkProfiles(inputs); err != nil {
		e.clear(s)
		return nil, err
	}
	for si := range e.steps {
		if err := e.runStep(si, s); err != nil {
			e.clear(s)
			return nil, err
		}
		for _, id := range e.mp.frees[si] {
			vals[id] = nil
		}
	}
	res := make(map[string]*ir.Tensor, len(e.p.Outputs))
	for i, id := range e.p.Outputs {
		res[e.p.OutName[i]] = vals[id]
		vals[id] = nil
	}
	if s.dirty {
		s.layout()
	}
	return res, nil
}

// clear drops what a failed run left in its state (constants stay).
func (e *Engine) clear(s *runState) {
	for id := range s.vals {
		if e.mp.consts[id] == nil {
			s.vals[id] = nil
		}
	}
}

// runStep runs step si: skipped when evaluated at load, a prepared
// convolution, an into layer, or its layers one by one.
func (e *Engine) runStep(si int, s *runState) error {
	st := &e.steps[si]
	if e.mp.skip[si] {
		return nil
	}
	vals := s.vals
	if st.region > 0 {
		return e.runRegion(st.region, st.layers, vals)
	}
	if st.conv != nil {
		s.cur = st.conv.out
		if out, ok := runConvStep(st.conv, s); ok {
			vals[st.conv.out] = out
			return nil
		}
	} else if e.opt && len(st.layers) == 1 {
		l := e.p.Layers[st.layers[0]]
		if l.Kind == network.KindShuffle && !freshLayer(l) {
			in, err := e.inputs(st.layers[0], s)
			if err != nil {
				return err
			}
			if t, ok := viewShuffle(l, in, s); ok {
				vals[l.Out[0]] = t
				return nil
			}
		} else if f := intoKinds[l.Kind]; f != nil && freshLayer(l) {
			in, err := e.inputs(st.layers[0], s)
			if err != nil {
				return err
			}
			s.cur = l.Out[0]
			t, ok, err := e.runInto(f, l, in, s)
			if err != nil {
				return err
			}
			if ok {
				vals[l.Out[0]] = t
				return nil
			}
		}
	}
	s.cur = -1
	for _, li := range st.layers {
		if err := e.runLayerAt(li, s); err != nil {
			return err
		}
	}
	return nil
}

// inputs gathers layer li's inputs into its slice of the run state.
func (e *Engine) inputs(li int, s *runState) ([]*ir.Tensor, error) {
	l := e.p.Layers[li]
	in := s.ins[li]
	for i, id := range l.In {
		in[i] = nil
		if id >= 0 {
			in[i] = s.vals[id]
			if in[i] == nil {
				return nil, fmt.Errorf("layer %s: input %d was not computed", l.Name, i)
			}
		}
	}
	return in, nil
}

// runLayer runs layer li through its allocating kernel, storing its
// outputs.
func (e *Engine) runLayerAt(li int, s *runState) error {
	l := e.p.Layers[li]
	in, err := e.inputs(li, s)
	if err != nil {
		return err
	}
	out, err := runKind(l, in)
	if err != nil {
		return fmt.Errorf("layer %s: %w", l.Name, err)
	}
	if len(out) != len(l.Out) {
		return fmt.Errorf("layer %s: %d outputs, plan has %d", l.Name, len(out), len(l.Out))
	}
	for i, id := range l.Out {
		s.vals[id] = out[i]
	}
	return nil
}

// runLayer runs one layer on vals, storing its outputs (the loops and
// conditionals of layers_loop.go run their bodies through it).
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
		// (Named only when it fails: the name costs an allocation.)
		if err == nil && t != nil && i < len(l.Out) && t.Validate("") != nil {
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
