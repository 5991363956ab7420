package reference

import (
	"fmt"
	"slices"

	"github.com/trtc-dev/trtc/internal/sizes"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Loops (ILoop) and if-conditionals (IIfConditional).
//
// A network's loops and conditionals are its regions (plan.Regions; region
// ids start at 1, 0 is the network's top level). Every layer and tensor
// has a scope: the region it belongs to. A layer's scope is the one of its
// inputs that is not the top level (inputs from two regions are an error);
// boundary layers set theirs: IRecurrenceLayer and IIteratorLayer outputs
// and IIfConditionalInputLayer outputs are in their region, ILoopOutputLayer
// and IIfConditionalOutputLayer outputs at the top level. Layers whose
// inputs all come from outside (weights) stay outside, as TensorRT
// computes them: once, before the loop. trtc nests no region in another.
//
// A conditional's layers belong to the branch (true, false, or both) whose
// output they feed (layer.Branch, marked by AddIfOutput); at run time only
// the taken branch's layers run, as TensorRT's lazy evaluation does.
//
// The engine runs a region as one step (exec.go): at the place of the
// region in a topological order of the top-level layers and regions.

const (
	regionLoop = iota
	regionConditional
)

// planRegion is one loop or conditional.
type planRegion struct {
	Kind int
	Name string
}

// Branch bits of a conditional's layers.
const (
	branchTrue  = 1
	branchFalse = 2
)

type (
	tripLimitParams struct {
		Region int
		Kind   network.TripLimit
	}
	recurrenceParams struct{ Region int }
	iteratorParams   struct {
		Region  int
		Axis    int
		Reverse bool
	}
	loopOutputParams struct {
		Region int
		Kind   network.LoopOutput
		Axis   int
	}
	conditionParams  struct{ Region int }
	condInputParams  struct{ Region int }
	condOutputParams struct{ Region int }
)

// regionOf is the region a boundary layer belongs to (0 for other layers).
func regionOf(l *layer) int {
	switch p := l.Params.(type) {
	case tripLimitParams:
		return p.Region
	case recurrenceParams:
		return p.Region
	case iteratorParams:
		return p.Region
	case loopOutputParams:
		return p.Region
	case conditionParams:
		return p.Region
	case condInputParams:
		return p.Region
	case condOutputParams:
		return p.Region
	}
	return 0
}

// maxLoopIterations bounds a loop without a kCOUNT limit, so that a
// condition that never turns false is an error instead of a hang.
const maxLoopIterations = 1 << 24

func init() {
	boundary := func(infer func(l *layer, in []*ir.Value) ([]*ir.Value, error)) kindImpl {
		return kindImpl{infer: infer, noFold: true, run: func(l *layer, _ []*ir.Tensor) ([]*ir.Tensor, error) {
			return nil, fmt.Errorf("%s is a boundary layer of a loop or conditional and runs only with it", l.Kind)
		}}
	}
	registerKind(network.KindTripLimit, boundary(func(*layer, []*ir.Value) ([]*ir.Value, error) { return nil, nil }))
	registerKind(network.KindRecurrence, boundary(func(_ *layer, in []*ir.Value) ([]*ir.Value, error) {
		return []*ir.Value{{DType: in[0].DType, Shape: in[0].Shape.Clone()}}, nil
	}))
	registerKind(network.KindIterator, boundary(func(l *layer, in []*ir.Value) ([]*ir.Value, error) {
		p := l.Params.(iteratorParams)
		s := in[0].Shape
		out := append(s[:p.Axis:p.Axis].Clone(), s[p.Axis+1:]...)
		return []*ir.Value{{DType: in[0].DType, Shape: out}}, nil
	}))
	registerKind(network.KindLoopOutput, boundary(func(l *layer, in []*ir.Value) ([]*ir.Value, error) {
		p := l.Params.(loopOutputParams)
		s := in[0].Shape
		if p.Kind == network.LoopOutputLAST_VALUE {
			return []*ir.Value{{DType: in[0].DType, Shape: s.Clone()}}, nil
		}
		d := ir.Sym("")
		if n := in[1]; n.Const != nil && n.Const.Numel() == 1 {
			d = ir.D(n.Const.Int(0))
		} else if len(n.ShapeData) == 1 {
			d = n.ShapeData[0]
		}
		out := append(append(s[:p.Axis:p.Axis].Clone(), d), s[p.Axis:]...)
		return []*ir.Value{{DType: in[0].DType, Shape: out}}, nil
	}))
	registerKind(network.KindCondition, boundary(func(*layer, []*ir.Value) ([]*ir.Value, error) { return nil, nil }))
	registerKind(network.KindIfConditionalInput, boundary(func(_ *layer, in []*ir.Value) ([]*ir.Value, error) {
		return []*ir.Value{{DType: in[0].DType, Shape: in[0].Shape.Clone()}}, nil
	}))
	registerKind(network.KindIfConditionalOutput, boundary(func(_ *layer, in []*ir.Value) ([]*ir.Value, error) {
		a, b := in[0].Shape, in[1].Shape
		out := make(ir.Shape, len(a))
		for i := range a {
			if a[i] == b[i] {
				out[i] = a[i]
			} else {
				out[i] = ir.Sym("")
			}
		}
		return []*ir.Value{{DType: in[0].DType, Shape: out}}, nil
	}))
}

// loopHandle and condHandle are the network.Loop and network.Conditional
// of this backend.
type loopHandle struct {
	n    *Network
	id   int
	name string
}

func (h *loopHandle) LoopName() string { return h.name }

type condHandle struct {
	n    *Network
	id   int
	name string
}

func (h *condHandle) ConditionalName() string { return h.name }

// scopeOf is a tensor's region (0 for absent tensors and the top level).
func (n *Network) scopeOf(id int) int {
	if id < 0 || id >= len(n.tensors) {
		return 0
	}
	return n.tensors[id].scope
}

func (n *Network) regionName(r int) string {
	if r <= 0 || r > len(n.regions) {
		return "the network's top level"
	}
	return n.regions[r-1].Name
}

func (n *Network) loopID(op string, l network.Loop) (int, bool) {
	h, ok := l.(*loopHandle)
	if !ok || h == nil || h.n != n {
		n.fail(n.namer.Name(network.LayerKind(op)), fmt.Errorf("the loop is not one of this network's"))
		return 0, false
	}
	return h.id, true
}

func (n *Network) condID(op string, c network.Conditional) (int, bool) {
	h, ok := c.(*condHandle)
	if !ok || h == nil || h.n != n {
		n.fail(n.namer.Name(network.LayerKind(op)), fmt.Errorf("the conditional is not one of this network's"))
		return 0, false
	}
	return h.id, true
}

// addBoundary adds a boundary layer of region r and sets the scopes of the
// layer (r) and of its outputs (outScope).
func (n *Network) addBoundary(kind network.LayerKind, params any, r, outScope int, inputs ...network.Tensor) []network.Tensor {
	before := len(n.layers)
	res := n.add(kind, params, inputs...)
	if n.err != nil || len(n.layers) == before {
		return res
	}
	l := n.layers[len(n.layers)-1]
	l.Scope = r
	for _, id := range l.Out {
		n.tensors[id].scope = outScope
	}
	return res
}

// AddLoop starts a loop.
func (n *Network) AddLoop() network.Loop {
	name := n.namer.Name("Loop")
	n.regions = append(n.regions, planRegion{Kind: regionLoop, Name: name})
	return &loopHandle{n: n, id: len(n.regions), name: name}
}

func (n *Network) AddTripLimit(loop network.Loop, t network.Tensor, kind network.TripLimit) {
	if r, ok := n.loopID("TripLimit", loop); ok {
		n.addBoundary(network.KindTripLimit, tripLimitParams{r, kind}, r, r, t)
	}
}

func (n *Network) AddRecurrence(loop network.Loop, initial network.Tensor) network.Tensor {
	r, ok := n.loopID("Recurrence", loop)
	if !ok {
		return poisoned
	}
	return one(n.addBoundary(network.KindRecurrence, recurrenceParams{r}, r, r, initial, nil))
}

// SetRecurrenceInput sets input 1 of the recurrence whose output is rec,
// checking the layer's rules again with both inputs.
func (n *Network) SetRecurrenceInput(rec, next network.Tensor) {
	if n.err != nil {
		return
	}
	rt, err := n.own(rec)
	if err != nil {
		n.fail("SetRecurrenceInput", err)
		return
	}
	var l *layer
	for _, cand := range n.layers {
		if cand.Kind == network.KindRecurrence && len(cand.Out) == 1 && cand.Out[0] == rt.id {
			l = cand
		}
	}
	if l == nil {
		n.fail("SetRecurrenceInput", fmt.Errorf("tensor %q is not the output of a recurrence layer", rt.val.Name))
		return
	}
	nt, err := n.own(next)
	if err != nil {
		n.fail(l.Name, fmt.Errorf("input 1: %w", err))
		return
	}
	if l.In[1] >= 0 {
		n.fail(l.Name, fmt.Errorf("input 1 is already set"))
		return
	}
	vals := []*ir.Value{&n.tensors[l.In[0]].val, &nt.val}
	l.In[1] = nt.id
	if err := n.checkRules(l, vals); err != nil {
		l.In[1] = -1
		n.fail(l.Name, err)
	}
}

func (n *Network) AddIterator(loop network.Loop, t network.Tensor, axis int, reverse bool) network.Tensor {
	r, ok := n.loopID("Iterator", loop)
	if !ok {
		return poisoned
	}
	return one(n.addBoundary(network.KindIterator, iteratorParams{r, axis, reverse}, r, r, t))
}

func (n *Network) AddLoopOutput(loop network.Loop, t network.Tensor, kind network.LoopOutput, axis int, length network.Tensor) network.Tensor {
	r, ok := n.loopID("LoopOutput", loop)
	if !ok {
		return poisoned
	}
	return one(n.addBoundary(network.KindLoopOutput, loopOutputParams{r, kind, axis}, r, 0, t, length))
}

// AddIfConditional starts a conditional.
func (n *Network) AddIfConditional() network.Conditional {
	name := n.namer.Name("Conditional")
	n.regions = append(n.regions, planRegion{Kind: regionConditional, Name: name})
	return &condHandle{n: n, id: len(n.regions), name: name}
}

func (n *Network) SetCondition(c network.Conditional, cond network.Tensor) {
	if r, ok := n.condID("Condition", c); ok {
		n.addBoundary(network.KindCondition, conditionParams{r}, r, r, cond)
	}
}

func (n *Network) AddIfInput(c network.Conditional, t network.Tensor) network.Tensor {
	r, ok := n.condID("IfConditionalInput", c)
	if !ok {
		return poisoned
	}
	return one(n.addBoundary(network.KindIfConditionalInput, condInputParams{r}, r, r, t))
}

// AddIfOutput adds an output of the conditional and marks the layers of
// each branch: those in the conditional that trueOut (falseOut) depends on.
func (n *Network) AddIfOutput(c network.Conditional, trueOut, falseOut network.Tensor) network.Tensor {
	r, ok := n.condID("IfConditionalOutput", c)
	if !ok {
		return poisoned
	}
	out := one(n.addBoundary(network.KindIfConditionalOutput, condOutputParams{r}, r, 0, trueOut, falseOut))
	if n.err != nil {
		return out
	}
	l := n.layers[len(n.layers)-1]
	producer := map[int]*layer{}
	for _, p := range n.layers {
		for _, o := range p.Out {
			producer[o] = p
		}
	}
	for side, bit := range []uint8{branchTrue, branchFalse} {
		stack := []int{l.In[side]}
		for len(stack) > 0 {
			id := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			p := producer[id]
			if p == nil || p.Scope != r || p.Branch&bit != 0 {
				continue
			}
			p.Branch |= bit
			for _, in := range p.In {
				if in >= 0 {
					stack = append(stack, in)
				}
			}
		}
	}
	return out
}

// Rule checks of the boundary layers (kinddef); in is the layer's inputs.

func checkTripLimitDType(_ *Network, l *layer, in []*ir.Value) error {
	p := l.Params.(tripLimitParams)
	switch {
	case p.Kind == network.TripLimitCOUNT && in[0].DType != ir.Int32 && in[0].DType != ir.Int64:
		return fmt.Errorf("a kCOUNT trip limit is %v; it must be Int32 or Int64", in[0].DType)
	case p.Kind == network.TripLimitWHILE && in[0].DType != ir.Bool:
		return fmt.Errorf("a kWHILE trip limit is %v; it must be Bool", in[0].DType)
	case p.Kind != network.TripLimitCOUNT && p.Kind != network.TripLimitWHILE:
		return fmt.Errorf("trip limit kind %d is neither kCOUNT nor kWHILE", p.Kind)
	}
	return nil
}

func checkTripLimitScope(n *Network, l *layer, _ []*ir.Value) error {
	p := l.Params.(tripLimitParams)
	for _, o := range n.layers {
		if q, ok := o.Params.(tripLimitParams); ok && o.Kind == network.KindTripLimit && q.Region == p.Region && q.Kind == p.Kind {
			return fmt.Errorf("loop %s already has a %s trip limit (%s)", n.regionName(p.Region), p.Kind, o.Name)
		}
	}
	s := n.scopeOf(l.In[0])
	if p.Kind == network.TripLimitCOUNT && s != 0 {
		return fmt.Errorf("the kCOUNT limit is computed in %s; it must be available before the loop starts", n.regionName(s))
	}
	if p.Kind == network.TripLimitWHILE && s != p.Region {
		return fmt.Errorf("the kWHILE limit is computed in %s, not in the body of loop %s", n.regionName(s), n.regionName(p.Region))
	}
	return nil
}

func checkRecurrenceInitial(n *Network, l *layer, _ []*ir.Value) error {
	if s := n.scopeOf(l.In[0]); s != 0 {
		return fmt.Errorf("the initial value is computed in %s; it must come from outside the loop", n.regionName(s))
	}
	return nil
}

func checkRecurrenceNext(n *Network, l *layer, in []*ir.Value) error {
	if len(in) < 2 || in[1] == nil {
		return nil // set later by SetRecurrenceInput, checked then
	}
	r := l.Params.(recurrenceParams).Region
	if s := n.scopeOf(l.In[1]); s != r && s != 0 {
		return fmt.Errorf("the next value is computed in %s, not in loop %s", n.regionName(s), n.regionName(r))
	}
	a, b := in[0], in[1]
	if a.DType != b.DType || len(a.Shape) != len(b.Shape) {
		return fmt.Errorf("the next value is %v %v, the initial value %v %v", b.DType, b.Shape, a.DType, a.Shape)
	}
	for i := range a.Shape {
		if a.Shape[i].Static() && b.Shape[i].Static() && a.Shape[i] != b.Shape[i] {
			return fmt.Errorf("the next value has shape %v, the initial value %v", b.Shape, a.Shape)
		}
	}
	return nil
}

func checkIteratorAxis(n *Network, l *layer, in []*ir.Value) error {
	p := l.Params.(iteratorParams)
	if p.Axis < 0 || p.Axis >= len(in[0].Shape) {
		return fmt.Errorf("axis %d is outside [0, %d)", p.Axis, len(in[0].Shape))
	}
	if s := n.scopeOf(l.In[0]); s != 0 {
		return fmt.Errorf("the iterated tensor is computed in %s; it must come from outside the loop", n.regionName(s))
	}
	return nil
}

func checkLoopOutputInside(n *Network, l *layer, _ []*ir.Value) error {
	r := l.Params.(loopOutputParams).Region
	if s := n.scopeOf(l.In[0]); s != r {
		return fmt.Errorf("input 0 is computed in %s, not in loop %s", n.regionName(s), n.regionName(r))
	}
	if len(l.In) > 1 && l.In[1] >= 0 && n.scopeOf(l.In[1]) != 0 {
		return fmt.Errorf("the length is computed in %s; it must be defined before the loop", n.regionName(n.scopeOf(l.In[1])))
	}
	return nil
}

func checkLoopOutputKind(n *Network, l *layer, in []*ir.Value) error {
	p := l.Params.(loopOutputParams)
	hasLen := len(in) > 1 && in[1] != nil
	switch p.Kind {
	case network.LoopOutputLAST_VALUE:
		if hasLen {
			return fmt.Errorf("a kLAST_VALUE output takes a single input")
		}
		for _, o := range n.layers {
			if o.Kind == network.KindRecurrence && o.Out[0] == l.In[0] && regionOf(o) == p.Region {
				return nil
			}
		}
		return fmt.Errorf("a kLAST_VALUE output's input must be the output of a recurrence layer of the same loop")
	case network.LoopOutputCONCATENATE, network.LoopOutputREVERSE:
		if !hasLen {
			return fmt.Errorf("a %s output needs the concatenation length as input 1", p.Kind)
		}
		if p.Axis < 0 || p.Axis > len(in[0].Shape) {
			return fmt.Errorf("axis %d is outside [0, %d]", p.Axis, len(in[0].Shape))
		}
		return nil
	}
	return fmt.Errorf("loop output kind %d is not kLAST_VALUE, kCONCATENATE or kREVERSE", p.Kind)
}

func checkConditionOnce(n *Network, l *layer, _ []*ir.Value) error {
	r := l.Params.(conditionParams).Region
	for _, o := range n.layers {
		if o.Kind == network.KindCondition && regionOf(o) == r {
			return fmt.Errorf("conditional %s already has a condition (%s)", n.regionName(r), o.Name)
		}
	}
	if s := n.scopeOf(l.In[0]); s != 0 {
		return fmt.Errorf("the condition is computed in %s; it must come from outside the conditional", n.regionName(s))
	}
	return nil
}

func checkCondInputOutside(n *Network, l *layer, _ []*ir.Value) error {
	if s := n.scopeOf(l.In[0]); s != 0 {
		return fmt.Errorf("the input is computed in %s; a conditional input comes from outside", n.regionName(s))
	}
	return nil
}

func checkCondOutputMatch(n *Network, l *layer, in []*ir.Value) error {
	r := l.Params.(condOutputParams).Region
	for i, side := range []string{"true", "false"} {
		if s := n.scopeOf(l.In[i]); s != r {
			return fmt.Errorf("the %s output is computed in %s, not in conditional %s (route outside values through a conditional input)", side, n.regionName(s), n.regionName(r))
		}
	}
	a, b := in[0], in[1]
	if a.DType != b.DType || len(a.Shape) != len(b.Shape) {
		return fmt.Errorf("the true output is %v of rank %d, the false output %v of rank %d", a.DType, len(a.Shape), b.DType, len(b.Shape))
	}
	for i := range a.Shape {
		if a.Shape[i].Static() && b.Shape[i].Static() && a.Shape[i] != b.Shape[i] {
			return fmt.Errorf("the true output has shape %v, the false output %v", a.Shape, b.Shape)
		}
	}
	return nil
}

// checkRegions applies, to a complete network, the structure rules that
// only it shows.
func (n *Network) checkRegions() error {
	type info struct {
		count, while, conds, outs int
		reverseIter               string
	}
	infos := make([]info, len(n.regions)+1)
	for _, l := range n.layers {
		r := regionOf(l)
		switch p := l.Params.(type) {
		case tripLimitParams:
			if p.Kind == network.TripLimitCOUNT {
				infos[r].count++
			} else {
				infos[r].while++
			}
		case iteratorParams:
			if p.Reverse {
				infos[r].reverseIter = l.Name
			}
		case recurrenceParams:
			if len(l.In) < 2 || l.In[1] < 0 {
				return &network.Error{Layer: l.Name, Err: &RuleError{"Recurrence.next", "input 1 (the next value) was never set",
					ruleSource{"NvInfer.h", "The 2nd input must be added, via method"}}}
			}
		case conditionParams:
			infos[r].conds++
		case condOutputParams:
			infos[r].outs++
		}
	}
	for i, g := range n.regions {
		in := infos[i+1]
		if g.Kind == regionLoop {
			if in.count+in.while == 0 {
				return &network.Error{Layer: g.Name, Err: &RuleError{"Loop.trip_limit", "the loop has no trip limit",
					ruleSource{"NvInfer.h", "It is an error to not add at least one trip limiter."}}}
			}
			if in.reverseIter != "" && in.count == 0 {
				return &network.Error{Layer: in.reverseIter, Err: &RuleError{"Iterator.reverse", "a reverse iterator needs a kCOUNT trip limit on its loop",
					ruleSource{"NvInfer.h", "For reverse=true, the layer is equivalent to addGather(tensor, M-1-I, 0) where M is the trip count"}}}
			}
			continue
		}
		if in.conds == 0 || in.outs == 0 {
			return &network.Error{Layer: g.Name, Err: &RuleError{"Conditional.structure", fmt.Sprintf("the conditional has %d condition(s) and %d output(s); it needs a condition and at least one output", in.conds, in.outs),
				ruleSource{"NvInfer.h", "Both the trueSubgraph and falseSubgraph must be defined."}}}
		}
	}
	return nil
}

// runRegion runs region r, whose layers (in add order) are ids. As in
// runKind, an allocation over the memory budget (a *sizes.Error panic from
// ir.NewTensor: a loop output's length comes from run-time values) becomes
// the region's error.
func (e *Engine) runRegion(r int, ids []int, vals []*ir.Tensor) (err error) {
	defer func() {
		if p := recover(); p != nil {
			se, ok := p.(*sizes.Error)
			if !ok {
				panic(p)
			}
			err = fmt.Errorf("%s: %w", e.p.Regions[r-1].Name, se)
		}
	}()
	if e.p.Regions[r-1].Kind == regionConditional {
		return e.runConditional(r, ids, vals)
	}
	return e.runLoop(r, ids, vals)
}

func (e *Engine) runConditional(r int, ids []int, vals []*ir.Tensor) error {
	name := e.p.Regions[r-1].Name
	bit := uint8(branchFalse)
	for _, li := range ids {
		l := e.p.Layers[li]
		if l.Kind == network.KindCondition {
			c := vals[l.In[0]]
			if c == nil || c.Numel() != 1 {
				return fmt.Errorf("%s: the condition was not computed", name)
			}
			if c.Int(0) != 0 {
				bit = branchTrue
			}
		}
	}
	for _, li := range ids {
		l := e.p.Layers[li]
		switch {
		case l.Kind == network.KindCondition:
		case l.Kind == network.KindIfConditionalInput:
			vals[l.Out[0]] = vals[l.In[0]]
		case l.Kind == network.KindIfConditionalOutput:
			side := l.In[0]
			if bit == branchFalse {
				side = l.In[1]
			}
			if vals[side] == nil {
				return fmt.Errorf("layer %s: the taken branch's output was not computed", l.Name)
			}
			vals[l.Out[0]] = vals[side]
		case l.Branch&bit != 0:
			if err := e.runLayer(l, vals); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *Engine) runLoop(r int, ids []int, vals []*ir.Tensor) error {
	name := e.p.Regions[r-1].Name
	var (
		count          int64 = -1
		while                = -1 // tensor id of the kWHILE condition
		recs, iters    []*layer
		outs, body     []*layer
		whileBody      []*layer
		inWhileSlice   = map[*layer]bool{}
		producer       = map[int]*layer{}
		iterationLimit = int64(maxLoopIterations)
	)
	for _, li := range ids {
		l := e.p.Layers[li]
		for _, o := range l.Out {
			producer[o] = l
		}
		switch p := l.Params.(type) {
		case tripLimitParams:
			if p.Kind == network.TripLimitCOUNT {
				t := vals[l.In[0]]
				if t == nil || t.Numel() != 1 {
					return fmt.Errorf("%s: the trip count was not computed", name)
				}
				if count = t.Int(0); count < 0 {
					count = 0
				}
			} else {
				while = l.In[0]
			}
			continue
		case recurrenceParams:
			recs = append(recs, l)
			continue
		case iteratorParams:
			iters = append(iters, l)
			continue
		case loopOutputParams:
			outs = append(outs, l)
			continue
		}
		body = append(body, l)
	}
	if count >= 0 {
		iterationLimit = count
	}
	if while >= 0 { // the layers the condition depends on run first
		stack := []int{while}
		for len(stack) > 0 {
			p := producer[stack[len(stack)-1]]
			stack = stack[:len(stack)-1]
			if p == nil || inWhileSlice[p] || p.Kind == network.KindRecurrence || p.Kind == network.KindIterator {
				continue
			}
			inWhileSlice[p] = true
			for _, in := range p.In {
				if in >= 0 {
					stack = append(stack, in)
				}
			}
		}
		for _, l := range body {
			if inWhileSlice[l] {
				whileBody = append(whileBody, l)
			}
		}
	}
	cur := make([]*ir.Tensor, len(recs))
	for i, l := range recs {
		if cur[i] = vals[l.In[0]]; cur[i] == nil {
			return fmt.Errorf("layer %s: the initial value was not computed", l.Name)
		}
	}
	parts := make([][]*ir.Tensor, len(outs))
	var i int64
	for ; i < iterationLimit; i++ {
		for k, l := range recs {
			vals[l.Out[0]] = cur[k]
		}
		for _, l := range iters {
			p := l.Params.(iteratorParams)
			x := vals[l.In[0]]
			if x == nil || p.Axis >= len(x.Shape) {
				return fmt.Errorf("layer %s: the iterated tensor was not computed or has rank below %d", l.Name, p.Axis+1)
			}
			ext := x.Shape[p.Axis]
			idx := i
			if p.Reverse {
				idx = count - 1 - i
			}
			if idx < 0 || idx >= ext {
				if while >= 0 {
					vals[l.Out[0]] = nil // read only if the condition holds
					continue
				}
				return fmt.Errorf("layer %s: iteration %d reads slice %d of an axis of extent %d", l.Name, i, idx, ext)
			}
			s, err := kernels.Gather(x, ir.Scalar(ir.Int64, float64(idx)), p.Axis, false)
			if err != nil {
				return fmt.Errorf("layer %s: %w", l.Name, err)
			}
			vals[l.Out[0]] = s
		}
		if while >= 0 {
			for _, l := range whileBody {
				if err := e.runLayer(l, vals); err != nil {
					return err
				}
			}
			c := vals[while]
			if c == nil || c.Numel() != 1 {
				return fmt.Errorf("%s: the kWHILE condition was not computed", name)
			}
			if c.Int(0) == 0 {
				break
			}
			if i == maxLoopIterations-1 && count < 0 {
				return fmt.Errorf("%s: the kWHILE condition still holds after %d iterations", name, maxLoopIterations)
			}
		}
		for _, l := range body {
			if !inWhileSlice[l] {
				if err := e.runLayer(l, vals); err != nil {
					return err
				}
			}
		}
		for k, l := range outs {
			if l.Params.(loopOutputParams).Kind != network.LoopOutputLAST_VALUE {
				parts[k] = append(parts[k], vals[l.In[0]])
			}
		}
		next := make([]*ir.Tensor, len(recs))
		for k, l := range recs {
			t := vals[l.In[1]]
			if t == nil {
				return fmt.Errorf("layer %s: the next value was not computed", l.Name)
			}
			if !slices.Equal(t.Shape, cur[k].Shape) {
				return fmt.Errorf("layer %s: the next value has shape %v, the initial value %v", l.Name, ir.S(t.Shape...), ir.S(cur[k].Shape...))
			}
			next[k] = t
		}
		cur = next
	}
	for k, l := range outs {
		p := l.Params.(loopOutputParams)
		if p.Kind == network.LoopOutputLAST_VALUE {
			for ri, rl := range recs {
				if rl.Out[0] == l.In[0] {
					vals[l.Out[0]] = cur[ri]
				}
			}
			continue
		}
		lt := vals[l.In[1]]
		if lt == nil || lt.Numel() != 1 {
			return fmt.Errorf("layer %s: the concatenation length was not computed", l.Name)
		}
		out, err := stackIterations(e.p.Tensors[l.In[0]], parts[k], p, lt.Int(0))
		if err != nil {
			return fmt.Errorf("layer %s: %w", l.Name, err)
		}
		vals[l.Out[0]] = out
	}
	return nil
}

// stackIterations concatenates the per-iteration values of a loop output
// along a new axis of extent length: iteration i at i (kCONCATENATE) or at
// length-1-i (kREVERSE); positions no iteration reached are zero.
func stackIterations(pt planTensor, parts []*ir.Tensor, p loopOutputParams, length int64) (*ir.Tensor, error) {
	if length < int64(len(parts)) {
		return nil, fmt.Errorf("the loop ran %d iterations, more than the concatenation length %d", len(parts), length)
	}
	var elem []int64
	if len(parts) > 0 {
		elem = parts[0].Shape
	} else {
		dims, ok := pt.Shape.Ints()
		if !ok {
			dims = make([]int64, len(pt.Shape)) // zero iterations of a dynamic shape: empty
		}
		elem = dims
	}
	for _, t := range parts {
		if !slices.Equal(t.Shape, elem) {
			return nil, fmt.Errorf("iterations produced shapes %v and %v", ir.S(elem...), ir.S(t.Shape...))
		}
	}
	shape := append(append(append([]int64{}, elem[:p.Axis]...), length), elem[p.Axis:]...)
	out := ir.NewTensor(pt.DType, shape)
	es := int64(pt.DType.Size())
	outer := ir.Numel(elem[:p.Axis])
	inner := ir.Numel(elem[p.Axis:]) * es
	for i, t := range parts {
		pos := int64(i)
		if p.Kind == network.LoopOutputREVERSE {
			pos = length - 1 - int64(i)
		}
		for o := int64(0); o < outer; o++ {
			copy(out.Data[(o*length+pos)*inner:(o*length+pos+1)*inner], t.Data[o*inner:(o+1)*inner])
		}
	}
	return out, nil
}

func init() {
	for name, c := range map[string]ruleCheck{
		"trip_limit_kind_dtype":      checkTripLimitDType,
		"trip_limit_scope":           checkTripLimitScope,
		"recurrence_initial_outside": checkRecurrenceInitial,
		"recurrence_next_dims":       checkRecurrenceNext,
		"iterator_axis":              checkIteratorAxis,
		"loop_output_inside":         checkLoopOutputInside,
		"loop_output_kind":           checkLoopOutputKind,
		"condition_once":             checkConditionOnce,
		"cond_input_outside":         checkCondInputOutside,
		"cond_output_match":          checkCondOutputMatch,
	} {
		ruleChecks[name] = c
	}
}

// regionSteps orders the top-level layers and the regions (each one step
// running all of its layers) topologically, earliest added first: a
// region's consumers may have been added before its last boundary layer.
func regionSteps(p *plan) []step {
	type item struct {
		layers []int
		region int
	}
	var items []item
	regionItem := make([]int, len(p.Regions)+1)
	for i := range regionItem {
		regionItem[i] = -1
	}
	layerItem := make([]int, len(p.Layers))
	for li, l := range p.Layers {
		r := l.Scope
		if b := regionOf(l); b != 0 {
			r = b
		}
		if r == 0 {
			layerItem[li] = len(items)
			items = append(items, item{layers: []int{li}})
			continue
		}
		if regionItem[r] < 0 {
			regionItem[r] = len(items)
			items = append(items, item{region: r})
		}
		it := regionItem[r]
		items[it].layers = append(items[it].layers, li)
		layerItem[li] = it
	}
	producer := make([]int, len(p.Tensors))
	for i := range producer {
		producer[i] = -1
	}
	for li, l := range p.Layers {
		for _, o := range l.Out {
			producer[o] = layerItem[li]
		}
	}
	indeg := make([]int, len(items))
	users := make([][]int, len(items))
	for it, item := range items {
		seen := map[int]bool{}
		for _, li := range item.layers {
			for _, in := range p.Layers[li].In {
				if in < 0 {
					continue
				}
				if d := producer[in]; d >= 0 && d != it && !seen[d] {
					seen[d] = true
					indeg[it]++
					users[d] = append(users[d], it)
				}
			}
		}
	}
	// Items are numbered in add order; a min-heap of ready items keeps
	// that order wherever the dependencies allow.
	ready := &ir.IndexHeap{}
	for it := range items {
		if indeg[it] == 0 {
			ready.Push(it)
		}
	}
	var steps []step
	for ready.Len() > 0 {
		it := ready.Pop()
		steps = append(steps, step{layers: items[it].layers, region: items[it].region})
		for _, u := range users[it] {
			if indeg[u]--; indeg[u] == 0 {
				ready.Push(u)
			}
		}
	}
	return steps
}

// checkRegionLayers checks a loaded plan's boundary layers, so that running
// one cannot index outside its inputs.
func checkRegionLayers(p *plan) error {
	for _, l := range p.Layers {
		r := regionOf(l)
		if r == 0 {
			continue
		}
		want := map[network.LayerKind]int{network.KindTripLimit: 1, network.KindRecurrence: 2, network.KindIterator: 1,
			network.KindCondition: 1, network.KindIfConditionalInput: 1, network.KindIfConditionalOutput: 2}[l.Kind]
		if lp, ok := l.Params.(loopOutputParams); ok {
			want = 1
			if lp.Kind != network.LoopOutputLAST_VALUE {
				want = 2
			}
		}
		if len(l.In) < want {
			return fmt.Errorf("layer %s: %d inputs, a %s layer has %d", l.Name, len(l.In), l.Kind, want)
		}
		for i := 0; i < want; i++ {
			if l.In[i] < 0 {
				return fmt.Errorf("layer %s: input %d is absent", l.Name, i)
			}
		}
		if want := map[network.LayerKind]int{network.KindRecurrence: 1, network.KindIterator: 1, network.KindLoopOutput: 1,
			network.KindIfConditionalInput: 1, network.KindIfConditionalOutput: 1}[l.Kind]; len(l.Out) != want {
			return fmt.Errorf("layer %s: %d outputs, a %s layer has %d", l.Name, len(l.Out), l.Kind, want)
		}
		wantRegion := regionLoop
		switch l.Kind {
		case network.KindCondition, network.KindIfConditionalInput, network.KindIfConditionalOutput:
			wantRegion = regionConditional
		}
		if p.Regions[r-1].Kind != wantRegion {
			return fmt.Errorf("layer %s: a %s layer in region %s of another kind", l.Name, l.Kind, p.Regions[r-1].Name)
		}
		if ip, ok := l.Params.(iteratorParams); ok && (ip.Axis < 0 || ip.Axis >= len(p.Tensors[l.In[0]].Shape)) {
			return fmt.Errorf("layer %s: iterator axis %d out of range", l.Name, ip.Axis)
		}
		if op, ok := l.Params.(loopOutputParams); ok && op.Kind != network.LoopOutputLAST_VALUE && (op.Axis < 0 || op.Axis > len(p.Tensors[l.In[0]].Shape)) {
			return fmt.Errorf("layer %s: loop output axis %d out of range", l.Name, op.Axis)
		}
	}
	return nil
}
