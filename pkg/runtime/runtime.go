// Package runtime executes bundles: it opens and validates a bundle, loads
// each engine through its backend and each fallback subgraph with its
// constants, checks the caller's inputs against the graph's declared dtypes
// and shapes, and runs the segments in order, binding tensors by value name.
//
// Intermediate tensors are released after their last reader. Engines own
// their own memory; fallback constants alias the bundle's mapping, so a
// Program must be closed after its last Run.
//
// Engines whose backend runs on device memory (backend.DeviceEngine) get
// device tensors: a value stays on the device from one such engine to the
// next and crosses to the host only where a fallback segment or the caller
// reads it; Transfers counts the bytes that crossed. Before an engine is
// deserialized, its build target (backend version, compute capability,
// compatibility flags) is checked against this machine (CheckTarget).
//
// RunTimed (trtc bench) is Run with each segment timed on its engine's
// backend.Clock (the host's clock for engines without one and for
// fallback segments) and the whole run on the host's clock.
package runtime

import (
	"errors"
	"fmt"
	"github.com/trtc-dev/trtc/internal/sizes"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/bundle"
	"github.com/trtc-dev/trtc/pkg/device"
	"github.com/trtc-dev/trtc/pkg/graphio"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
	bundlepb "github.com/trtc-dev/trtc/proto/bundle"
)

// Value is a graph input or output as the bundle declares it.
type Value struct {
	Name  string
	DType ir.DType
	Shape ir.Shape
	Min   map[string]int64
	Max   map[string]int64
	// Pinned is set for an input whose value every optimization profile
	// pinned at compile time; the bundle is specialized on PinnedValues
	// and refuses any other value.
	Pinned       bool
	PinnedValues []int64
}

// Program is a loaded bundle.
type Program struct {
	b        *bundle.Bundle
	Inputs   []Value
	Outputs  []Value
	segments []segment
	lastUse  map[string]int // value -> index of the last segment reading it
	count    counters
	machine  *machineFacts // probed once, for the first engine with a target to check
	opts     Options
}

type segment interface {
	run(env *env) error
	reads() []string
	describe() string
	close() error
}

// InputError is a caller mistake in the inputs given to Run.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Options configure OpenWith.
type Options struct {
	// GPU is the device engines run on and are checked against (trtc run
	// --device); nil means NVML's device 0.
	GPU *device.GPU
	// OnSegment, if set, is called after each segment of a Run (for a
	// progress display).
	OnSegment func(done, total int)
	// TRTPluginLibs are TensorRT plugin libraries (--trt-plugin-lib). A
	// bundle whose TensorRT engines were built with plugin libraries
	// needs the same files (by sha256); they are loaded into the
	// TensorRT backend before its engines are.
	TRTPluginLibs []string
}

// Open loads a bundle for execution.
func Open(path string) (*Program, error) { return OpenWith(path, Options{}) }

// OpenWith loads a bundle for execution with options.
func OpenWith(path string, o Options) (*Program, error) {
	b, err := bundle.Open(path)
	if err != nil {
		return nil, err
	}
	if err := loadTRTPluginLibs(b.Manifest(), o.TRTPluginLibs); err != nil {
		b.Close()
		return nil, fmt.Errorf("bundle %s: %w", path, err)
	}
	p := &Program{b: b, opts: o}
	if err := p.load(); err != nil {
		p.Close()
		return nil, fmt.Errorf("bundle %s: %w", path, err)
	}
	return p, nil
}

func (p *Program) load() error {
	m := p.b.Manifest()
	if err := CheckPlugins(m); err != nil {
		return err
	}
	p.Inputs = valuesOf(m.Inputs)
	p.Outputs = valuesOf(m.Outputs)
	for i, s := range m.Segments {
		switch k := s.Kind.(type) {
		case *bundlepb.Segment_Engine:
			seg, err := p.loadEngine(i, k.Engine)
			if err != nil {
				return fmt.Errorf("segment %d (engine): %w", i, err)
			}
			p.segments = append(p.segments, seg)
		case *bundlepb.Segment_Fallback:
			seg, err := p.loadFallback(i, k.Fallback)
			if err != nil {
				return fmt.Errorf("segment %d (fallback): %w", i, err)
			}
			p.segments = append(p.segments, seg)
		default:
			return fmt.Errorf("segment %d has no kind", i)
		}
	}
	p.lastUse = map[string]int{}
	for i, s := range p.segments {
		for _, v := range s.reads() {
			p.lastUse[v] = i
		}
	}
	for _, o := range p.Outputs {
		p.lastUse[o.Name] = len(p.segments)
	}
	return nil
}

func valuesOf(gv []*bundlepb.GraphValue) []Value {
	out := make([]Value, len(gv))
	for i, v := range gv {
		val := Value{Name: v.Name, DType: ir.DType(v.Dtype), Shape: make(ir.Shape, len(v.Dims)),
			Min: map[string]int64{}, Max: map[string]int64{}}
		for j, d := range v.Dims {
			if sym, ok := d.Kind.(*bundlepb.Dim_Symbol); ok {
				val.Shape[j] = ir.Sym(sym.Symbol)
			} else {
				val.Shape[j] = ir.D(d.GetSize())
			}
		}
		for _, r := range v.Ranges {
			if r.Min != nil {
				val.Min[r.Symbol] = *r.Min
			}
			if r.Max != nil {
				val.Max[r.Symbol] = *r.Max
			}
		}
		val.Pinned, val.PinnedValues = v.GetPinned(), v.GetPinnedValues()
		out[i] = val
	}
	return out
}

// Close releases engines and the bundle mapping.
func (p *Program) Close() error {
	var errs []error
	for _, s := range p.segments {
		errs = append(errs, s.close())
	}
	if p.b != nil {
		errs = append(errs, p.b.Close())
	}
	return errors.Join(errs...)
}

// Segments describes the segments in order, for inspect and logs.
func (p *Program) Segments() []string {
	out := make([]string, len(p.segments))
	for i, s := range p.segments {
		out[i] = s.describe()
	}
	return out
}

// CheckInputs validates inputs against the declared graph inputs: every
// input bound, no unknown names, dtypes equal, static dims equal, one
// size per symbolic dim, and sizes within the recorded ranges.
func (p *Program) CheckInputs(inputs map[string]*ir.Tensor) error {
	names := inputNames(p.Inputs)
	for _, name := range ir.SortedKeys(inputs) {
		found := false
		for _, n := range names {
			found = found || n == name
		}
		if !found {
			return &InputError{fmt.Errorf("input %q is not an input of the model (its inputs: %s)", name, strings.Join(names, ", "))}
		}
	}
	syms := map[string]int64{}
	for _, in := range p.Inputs {
		t, ok := inputs[in.Name]
		if !ok {
			return &InputError{fmt.Errorf("input %q is missing (the model's inputs: %s)", in.Name, strings.Join(inputNames(p.Inputs), ", "))}
		}
		if t.DType != in.DType {
			return &InputError{fmt.Errorf("input %q: dtype %v, the model expects %v", in.Name, t.DType, in.DType)}
		}
		if len(in.Shape) != len(t.Shape) {
			return &InputError{fmt.Errorf("input %q: shape %v has rank %d, the model expects %v", in.Name, ir.S(t.Shape...), len(t.Shape), in.Shape)}
		}
		for i, d := range in.Shape {
			got := t.Shape[i]
			if d.Static() {
				if got != d.Size {
					return &InputError{fmt.Errorf("input %q: shape %v, the model expects %v (dim %d must be %d)", in.Name, ir.S(t.Shape...), in.Shape, i, d.Size)}
				}
				continue
			}
			if d.Sym == "" {
				continue
			}
			if prev, ok := syms[d.Sym]; ok && prev != got {
				return &InputError{fmt.Errorf("input %q: dim %d (%s) is %d, but %s is %d in another input", in.Name, i, d.Sym, got, d.Sym, prev)}
			}
			syms[d.Sym] = got
			if lo, ok := in.Min[d.Sym]; ok && got < lo {
				return &InputError{fmt.Errorf("input %q: dim %d (%s) is %d, below the compiled range [%d, %d]", in.Name, i, d.Sym, got, lo, in.Max[d.Sym])}
			}
			if hi, ok := in.Max[d.Sym]; ok && got > hi {
				return &InputError{fmt.Errorf("input %q: dim %d (%s) is %d, above the compiled range [%d, %d]", in.Name, i, d.Sym, got, in.Min[d.Sym], hi)}
			}
		}
		if in.Pinned {
			if got := t.Ints(); !slices.Equal(got, in.PinnedValues) {
				return &InputError{fmt.Errorf("input %q: value %v, but the bundle was compiled for %v: every optimization profile pinned this input's value (min = opt = max), so the compile specialized on it; compile again with a profile that admits %v", in.Name, got, in.PinnedValues, got)}
			}
		}
	}
	for _, seg := range p.segments {
		if es, ok := seg.(*engineSegment); ok {
			if err := es.checkProfiles(inputs); err != nil {
				return &InputError{err}
			}
		}
	}
	return nil
}

func inputNames(vs []Value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Name
	}
	return out
}

// Run executes the bundle on inputs (by graph input name) and returns the
// graph outputs by name.
func (p *Program) Run(inputs map[string]*ir.Tensor) (map[string]*ir.Tensor, error) {
	if err := p.CheckInputs(inputs); err != nil {
		return nil, err
	}
	env := newEnv(inputs, &p.count)
	out, err := p.run(env)
	if rerr := env.release(); rerr != nil && err == nil {
		err = rerr
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Timing is how long one Run took: end to end on the host's clock, from
// the check of the inputs to the outputs in host memory, and per segment
// on the segment's clock (backend.Clock): a GPU engine's span covers the
// uploads of its host inputs and its execution, a fallback segment's the
// downloads of its device inputs and its kernels.
type Timing struct {
	Total    time.Duration
	Segments []time.Duration
	// Clocks names each segment's clock ("host", "cuda-event").
	Clocks []string
}

// RunTimed is Run, timed (trtc bench).
func (p *Program) RunTimed(inputs map[string]*ir.Tensor) (map[string]*ir.Tensor, *Timing, error) {
	start := time.Now()
	if err := p.CheckInputs(inputs); err != nil {
		return nil, nil, err
	}
	tm := &Timing{Segments: make([]time.Duration, len(p.segments)), Clocks: make([]string, len(p.segments))}
	env := newEnv(inputs, &p.count)
	out, err := p.runWith(env, tm)
	if rerr := env.release(); rerr != nil && err == nil {
		err = rerr
	}
	if err != nil {
		return nil, nil, err
	}
	tm.Total = time.Since(start)
	return out, tm, nil
}

// SegmentKind is "engine" or "fallback" for segment i.
func (p *Program) SegmentKind(i int) string {
	if _, ok := p.segments[i].(*engineSegment); ok {
		return "engine"
	}
	return "fallback"
}

// OptShape is the dims the first engine profile that binds graph input
// name gives as its opt dims (TensorRT tunes for them; trtexec runs them
// when no shape is given), or false when no profile binds it.
func (p *Program) OptShape(name string) ([]int64, bool) {
	for _, s := range p.segments {
		es, ok := s.(*engineSegment)
		if !ok {
			continue
		}
		for _, b := range es.in {
			if b.Value != name {
				continue
			}
			for _, pr := range es.profiles {
				if d, ok := pr.Opt[b.Tensor]; ok {
					return append([]int64(nil), d...), true
				}
			}
		}
	}
	return nil, false
}

// clock is the clock a segment is timed with.
func (s *engineSegment) clock() backend.Clock {
	if ce, ok := s.eng.(backend.ClockEngine); ok {
		return ce.Clock()
	}
	return backend.HostClock
}

func (p *Program) run(env *env) (map[string]*ir.Tensor, error) { return p.runWith(env, nil) }

// runWith runs every segment; with tm set, each is timed into it.
func (p *Program) runWith(env *env, tm *Timing) (map[string]*ir.Tensor, error) {
	for i, s := range p.segments {
		var span backend.Span
		if tm != nil {
			clock := backend.HostClock
			if es, ok := s.(*engineSegment); ok {
				clock = es.clock()
			}
			tm.Clocks[i] = clock.Name()
			var err error
			if span, err = clock.Start(); err != nil {
				return nil, fmt.Errorf("segment %d (%s): starting its %s clock: %w", i, s.describe(), clock.Name(), err)
			}
		}
		err := runSegment(s, env)
		if span != nil {
			d, serr := span.End()
			if err == nil && serr != nil {
				err = fmt.Errorf("reading its %s clock: %w", tm.Clocks[i], serr)
			}
			tm.Segments[i] = d
		}
		if err != nil {
			return nil, fmt.Errorf("segment %d (%s): %w", i, s.describe(), err)
		}
		for _, v := range s.reads() {
			if p.lastUse[v] == i {
				if err := env.drop(v); err != nil {
					return nil, fmt.Errorf("segment %d (%s): %w", i, s.describe(), err)
				}
			}
		}
		if p.opts.OnSegment != nil {
			p.opts.OnSegment(i+1, len(p.segments))
		}
	}
	out := make(map[string]*ir.Tensor, len(p.Outputs))
	for _, o := range p.Outputs {
		if !env.has(o.Name) {
			return nil, fmt.Errorf("output %q was not produced", o.Name)
		}
		t, err := env.host(o.Name)
		if err != nil {
			return nil, fmt.Errorf("output %q: %w", o.Name, err)
		}
		if t.Validate("") != nil { // named only when it fails
			return nil, t.Validate(fmt.Sprintf("output %q", o.Name))
		}
		out[o.Name] = t
	}
	return out, nil
}

// runSegment runs one segment; an allocation over the memory budget (a
// *sizes.Error panic from ir.NewTensor outside ops.Execute) becomes its error.
func runSegment(s segment, env *env) (err error) {
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*sizes.Error)
			if !ok {
				panic(r)
			}
			err = se
		}
	}()
	return s.run(env)
}

// Transfers is the total of host/device copies over every Run so far.
func (p *Program) Transfers() Transfers { return p.count.snapshot() }

// engineSegment runs one engine.
type engineSegment struct {
	index   int
	backend string
	eng     backend.Engine
	in, out []*bundlepb.Binding
	// profiles are the engine's optimization profiles (profiles.go).
	profiles []backend.Profile
}

func (p *Program) loadEngine(i int, es *bundlepb.EngineSegment) (*engineSegment, error) {
	be, err := backend.Get(es.Backend)
	if err != nil {
		return nil, err
	}
	if es.Target != nil && es.Target.Backend != "" && es.Target.Backend != es.Backend {
		return nil, fmt.Errorf("engine was built by backend %q but is marked %q", es.Target.Backend, es.Backend)
	}
	if err := p.checkTarget(i, be, es.Target); err != nil {
		return nil, err
	}
	var eng backend.Engine
	if tl, ok := be.(backend.TargetLoader); ok && es.Target != nil {
		eng, err = tl.LoadTarget(p.b.Blob(int(es.Blob)), backend.Target{Backend: be.Name(), Version: es.Target.Version,
			ComputeCapability: es.Target.ComputeCapability, HardwareCompat: es.Target.HardwareCompatibility,
			VersionCompatible: es.Target.VersionCompatible})
	} else {
		eng, err = be.Load(p.b.Blob(int(es.Blob)))
	}
	if err != nil {
		return nil, err
	}
	s := &engineSegment{index: i, backend: es.Backend, eng: eng, profiles: profilesOf(es)}
	for _, b := range es.Bindings {
		if b.Direction == bundlepb.Direction_DIRECTION_INPUT {
			s.in = append(s.in, b)
		} else {
			s.out = append(s.out, b)
		}
	}
	return s, nil
}

func (s *engineSegment) run(env *env) error {
	if de, ok := s.eng.(backend.DeviceEngine); ok {
		return s.runDevice(env, de)
	}
	in := make(map[string]*ir.Tensor, len(s.in))
	for _, b := range s.in {
		t, err := env.host(b.Value)
		if err != nil {
			return err
		}
		in[b.Tensor] = t
	}
	out, err := s.eng.Run(in)
	if err != nil {
		return err
	}
	for _, b := range s.out {
		t, ok := out[b.Tensor]
		if !ok {
			return fmt.Errorf("engine did not return tensor %q", b.Tensor)
		}
		if err := env.setHost(b.Value, t); err != nil {
			return err
		}
	}
	return nil
}

// runDevice runs a device engine: inputs are uploaded only where they are
// not on the device yet, and outputs stay there.
func (s *engineSegment) runDevice(env *env, de backend.DeviceEngine) error {
	in := make(map[string]*backend.DeviceTensor, len(s.in))
	for _, b := range s.in {
		if b.ShapeTensor {
			// Shape-tensor inputs are read on the host by TensorRT.
			t, err := env.host(b.Value)
			if err != nil {
				return err
			}
			in[b.Tensor] = &backend.DeviceTensor{DType: t.DType, Shape: t.Shape, Host: t}
			continue
		}
		t, err := env.device(b.Value, de.Alloc)
		if err != nil {
			return err
		}
		in[b.Tensor] = t
	}
	out, err := de.RunDevice(in)
	if err != nil {
		return err
	}
	var errs []error
	bound := map[string]bool{}
	for _, b := range s.out {
		t, ok := out[b.Tensor]
		if !ok {
			errs = append(errs, fmt.Errorf("engine did not return tensor %q", b.Tensor))
			continue
		}
		bound[b.Tensor] = true
		errs = append(errs, env.setDevice(b.Value, t))
	}
	// Outputs bound to no graph value are freed at once.
	for _, name := range ir.SortedKeys(out) {
		if !bound[name] {
			errs = append(errs, out[name].Mem.Free())
		}
	}
	return errors.Join(errs...)
}

func (s *engineSegment) reads() []string {
	out := make([]string, len(s.in))
	for i, b := range s.in {
		out[i] = b.Value
	}
	return out
}

func (s *engineSegment) describe() string { return "engine, " + s.backend }
func (s *engineSegment) close() error     { return s.eng.Close() }

// fallbackSegment runs nodes with the CPU kernels.
type fallbackSegment struct {
	g         *ir.Graph
	consts    map[string]*ir.Tensor
	inputs    []string
	lastLocal map[string]int
	// convs are the Conv nodes prepared at their first run.
	convs convCache
}

func (p *Program) loadFallback(i int, fs *bundlepb.FallbackSegment) (*fallbackSegment, error) {
	g, err := graphio.Unmarshal(p.b.Blob(int(fs.SubgraphBlob)), nil)
	if err != nil {
		return nil, fmt.Errorf("subgraph: %w", err)
	}
	s := &fallbackSegment{g: g, consts: map[string]*ir.Tensor{}, inputs: fs.Inputs, lastLocal: map[string]int{}}
	for _, c := range fs.Constants {
		t, err := ir.WrapBytes(ir.DType(c.Dtype), c.Dims, p.b.Blob(int(c.Blob)))
		if err != nil {
			return nil, fmt.Errorf("constant %q: %w", c.Value, err)
		}
		s.consts[c.Value] = t
	}
	var missing []string
	for _, n := range g.Nodes {
		if _, ok := ops.Lookup(n.Op); !ok {
			missing = append(missing, n.Op)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("this trtc has no CPU kernel for %s", strings.Join(missing, ", "))
	}
	outputs := map[string]bool{}
	for _, o := range fs.Outputs {
		outputs[o] = true
	}
	for ni, n := range g.Nodes {
		for _, in := range n.Inputs {
			if !outputs[in] {
				s.lastLocal[in] = ni
			}
		}
	}
	return s, nil
}

func (s *fallbackSegment) run(env *env) error {
	local := map[string]*ir.Tensor{}
	get := func(name string) (*ir.Tensor, error) {
		if t, ok := local[name]; ok {
			return t, nil
		}
		if t, ok := s.consts[name]; ok {
			return t, nil
		}
		return env.host(name)
	}
	for ni, n := range s.g.Nodes {
		in := make([]*ir.Tensor, len(n.Inputs))
		for i, name := range n.Inputs {
			if name == "" {
				continue
			}
			t, err := get(name)
			if err != nil {
				return fmt.Errorf("node %q: input %q: %w", n.Name, name, err)
			}
			in[i] = t
		}
		out, ok := s.runConv(n, in)
		if !ok {
			var err error
			if out, err = ops.Execute(n, in); err != nil {
				return err
			}
		}
		for i, name := range n.Outputs {
			if name != "" && i < len(out) {
				local[name] = out[i]
			}
		}
		for _, name := range n.Inputs {
			if last, ok := s.lastLocal[name]; ok && last == ni {
				delete(local, name)
			}
		}
	}
	for _, o := range s.g.Outputs {
		t, ok := local[o]
		if !ok {
			return fmt.Errorf("output %q was not produced", o)
		}
		if err := env.setHost(o, t); err != nil {
			return err
		}
	}
	return nil
}

func (s *fallbackSegment) reads() []string { return s.inputs }
func (s *fallbackSegment) describe() string {
	return fmt.Sprintf("fallback, %d node(s)", len(s.g.Nodes))
}
func (s *fallbackSegment) close() error { return nil }
