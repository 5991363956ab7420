package ops

import (
	"fmt"
	"slices"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// Control flow: If, Loop and Scan (opset 9+) as kernels that run their
// subgraphs with this package's kernels. A subgraph's reads of enclosing
// values arrive as the node's trailing inputs (ir.OuterInputsAttr), bound
// by name. Loop carries its state values and stacks its scan outputs
// along a new first axis; Scan slices its scan inputs along
// scan_input_axes (reversed by scan_input_directions), carries its state
// and stacks its scan outputs along scan_output_axes. Scan-8 (a batch dim
// on every input, optional sequence_lens, directions) runs as Scan-9 per
// batch entry; batch entries whose lengths differ give scan outputs of
// different lengths, which are refused rather than padded.

func init() {
	Register(Op{Key: "onnx.If", Infer: inferIf, Run: runIf})
	Register(Op{Key: "onnx.Loop", Infer: inferLoop, Run: runLoop})
	Register(Op{Key: "onnx.Scan", Infer: inferScan, Run: runScan})
}

// outerBindings maps the node's outer-scope names to its trailing inputs.
func outerBindings[T any](n *ir.Node, in []T) map[string]T {
	m := map[string]T{}
	a, ok := n.Attrs[ir.OuterInputsAttr]
	if !ok {
		return m
	}
	k := n.DeclaredInputs()
	for i, name := range a.Strings {
		if k+i < len(in) {
			m[name] = in[k+i]
		}
	}
	return m
}

func graphAttr(n *ir.Node, name string) (*ir.Graph, error) {
	a, ok := n.Attrs[name]
	if !ok || a.G == nil {
		return nil, fmt.Errorf("attribute %s (a graph) is missing", name)
	}
	return a.G, nil
}

// RunGraph executes g's nodes in order with their kernels. env binds g's
// inputs and the outer-scope values g reads; g's constants are taken from
// g. It returns g's outputs in order.
func RunGraph(g *ir.Graph, env map[string]*ir.Tensor) ([]*ir.Tensor, error) {
	vals := make(map[string]*ir.Tensor, len(env)+len(g.Nodes))
	for k, v := range env {
		vals[k] = v
	}
	get := func(name string) (*ir.Tensor, error) {
		if t, ok := vals[name]; ok {
			return t, nil
		}
		if v := g.Values[name]; v != nil && v.Const != nil {
			return v.Const, nil
		}
		return nil, fmt.Errorf("subgraph %q: value %q is not bound", g.Name, name)
	}
	for _, n := range g.Nodes {
		in := make([]*ir.Tensor, len(n.Inputs))
		for i, name := range n.Inputs {
			if name == "" {
				continue
			}
			t, err := get(name)
			if err != nil {
				return nil, err
			}
			in[i] = t
		}
		out, err := Execute(n, in)
		if err != nil {
			return nil, fmt.Errorf("subgraph %q: %w", g.Name, err)
		}
		for i, name := range n.Outputs {
			if name != "" && i < len(out) {
				vals[name] = out[i]
			}
		}
	}
	res := make([]*ir.Tensor, len(g.Outputs))
	for i, name := range g.Outputs {
		t, err := get(name)
		if err != nil {
			return nil, err
		}
		res[i] = t
	}
	return res, nil
}

// InferSubgraph returns a copy of g (constants folded there, g itself
// untouched) with every value's dtype and shape inferred: g's inputs bound
// to ins (in order; dtype and shape) and outer-scope values to outer.
// Converters of ops with subgraphs use it to see the subgraph's values.
func InferSubgraph(g *ir.Graph, ins []*ir.Value, outer map[string]*ir.Value) (*ir.Graph, error) {
	c := &ir.Graph{Name: g.Name, Format: g.Format, Nodes: append([]*ir.Node{}, g.Nodes...),
		Values: make(map[string]*ir.Value, len(g.Values)), Inputs: g.Inputs, Outputs: g.Outputs, Opsets: g.Opsets}
	for k, v := range g.Values {
		c.Values[k] = v
	}
	for k, v := range outer {
		if v != nil {
			c.Values[k] = v
		}
	}
	for i, name := range g.Inputs {
		if i < len(ins) && ins[i] != nil {
			dv := *ins[i]
			dv.Name, dv.Const = name, nil
			if d := g.Values[name]; d != nil && d.DType != ir.Undefined && d.DType != dv.DType {
				return nil, fmt.Errorf("subgraph %q input %q is %v, bound to %v", g.Name, name, d.DType, dv.DType)
			}
			c.Values[name] = &dv
		}
	}
	_, err := Propagate(c, true) // folding shows nested Ifs' constant conditions
	return c, err
}

// inferGraph infers g's outputs with its inputs bound to ins (in order)
// and outer-scope values to outer (InferSubgraph). Where inference fails,
// the outputs g declares are used.
func inferGraph(g *ir.Graph, ins []*ir.Value, outer map[string]*ir.Value) ([]*ir.Value, error) {
	c, err := InferSubgraph(g, ins, outer)
	if c == nil {
		return nil, err
	}
	outs := make([]*ir.Value, len(g.Outputs))
	for i, name := range g.Outputs {
		v := c.Values[name]
		if err != nil {
			v = g.Values[name]
		}
		if v == nil || v.DType == ir.Undefined {
			if err != nil {
				return nil, fmt.Errorf("subgraph %q: %w", g.Name, err)
			}
			return nil, fmt.Errorf("subgraph %q: output %q has no known type", g.Name, name)
		}
		o := *v
		o.Const, o.ShapeData = nil, nil
		outs[i] = &o
	}
	return outs, nil
}

// mergeShapes keeps the dims two shapes agree on and leaves the rest
// dynamic. Shapes of different ranks cannot be merged: trtc needs every
// value's rank.
func mergeShapes(a, b ir.Shape) (ir.Shape, error) {
	if len(a) != len(b) {
		return nil, fmt.Errorf("shapes %v and %v differ in rank", a, b)
	}
	out := a.Clone()
	for i := range out {
		if !out[i].Same(b[i]) {
			out[i] = ir.Sym("")
		}
	}
	return out, nil
}

func inferIf(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	if in[0].DType != ir.Bool {
		return nil, fmt.Errorf("cond is %v, want bool", in[0].DType)
	}
	th, err := graphAttr(n, "then_branch")
	if err != nil {
		return nil, err
	}
	el, err := graphAttr(n, "else_branch")
	if err != nil {
		return nil, err
	}
	if len(th.Inputs) != 0 || len(el.Inputs) != 0 {
		return nil, fmt.Errorf("If branches take no inputs")
	}
	if len(th.Outputs) != len(el.Outputs) {
		return nil, fmt.Errorf("then_branch has %d outputs, else_branch %d", len(th.Outputs), len(el.Outputs))
	}
	outer := outerBindings(n, in)
	if c := in[0].Const; c != nil && c.Numel() == 1 { // only the branch taken matters
		if c.Float(0) != 0 {
			return inferGraph(th, nil, outer)
		}
		return inferGraph(el, nil, outer)
	}
	to, err := inferGraph(th, nil, outer)
	if err != nil {
		return nil, err
	}
	eo, err := inferGraph(el, nil, outer)
	if err != nil {
		return nil, err
	}
	for i := range to {
		if to[i].DType != eo[i].DType {
			return nil, fmt.Errorf("output %d is %v in then_branch but %v in else_branch", i, to[i].DType, eo[i].DType)
		}
		if to[i].Shape, err = mergeShapes(to[i].Shape, eo[i].Shape); err != nil {
			return nil, fmt.Errorf("output %d: then_branch and else_branch give %w", i, err)
		}
	}
	return to, nil
}

func runIf(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	if in[0].Numel() != 1 {
		return nil, fmt.Errorf("cond has %d elements, want 1", in[0].Numel())
	}
	name := "else_branch"
	if in[0].Float(0) != 0 {
		name = "then_branch"
	}
	g, err := graphAttr(n, name)
	if err != nil {
		return nil, err
	}
	return RunGraph(g, outerBindings(n, in))
}

// Loop inputs: M (optional), cond (optional), v_initial...; body inputs:
// iteration_num, cond_in, v_in...; body outputs: cond_out, v_out...,
// scan_out...

func inferLoop(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	body, err := graphAttr(n, "body")
	if err != nil {
		return nil, err
	}
	k := n.DeclaredInputs()
	if k < 2 {
		return nil, fmt.Errorf("Loop needs inputs M and cond (either may be empty), has %d", k)
	}
	nCarried := k - 2
	if len(body.Inputs) != nCarried+2 {
		return nil, fmt.Errorf("body has %d inputs, want %d (iteration_num, cond, %d loop-carried)", len(body.Inputs), nCarried+2, nCarried)
	}
	if len(body.Outputs) < nCarried+1 {
		return nil, fmt.Errorf("body has %d outputs, want at least %d (cond, %d loop-carried)", len(body.Outputs), nCarried+1, nCarried)
	}
	if m := in[0]; m != nil && m.DType != ir.Int64 {
		return nil, fmt.Errorf("M is %v, want int64", m.DType)
	}
	if c := in[1]; c != nil && c.DType != ir.Bool {
		return nil, fmt.Errorf("cond is %v, want bool", c.DType)
	}
	bins := []*ir.Value{{DType: ir.Int64, Shape: ir.Shape{}}, {DType: ir.Bool, Shape: ir.Shape{}}}
	for i := 0; i < nCarried; i++ {
		if in[2+i] == nil {
			return nil, fmt.Errorf("loop-carried input %d is missing", i)
		}
		v := *in[2+i]
		v.Const, v.ShapeData = nil, nil // may change between iterations
		bins = append(bins, &v)
	}
	bo, err := inferGraph(body, bins, outerBindings(n, in))
	if err != nil {
		return nil, err
	}
	var outs []*ir.Value
	for i := 0; i < nCarried; i++ {
		v := bo[1+i]
		if v.DType != in[2+i].DType {
			return nil, fmt.Errorf("loop-carried value %d enters as %v and leaves the body as %v", i, in[2+i].DType, v.DType)
		}
		if v.Shape, err = mergeShapes(in[2+i].Shape, v.Shape); err != nil {
			return nil, fmt.Errorf("loop-carried value %d: %w", i, err)
		}
		outs = append(outs, v)
	}
	for _, v := range bo[1+nCarried:] {
		outs = append(outs, &ir.Value{DType: v.DType, Shape: append(ir.Shape{ir.Sym("")}, v.Shape...)})
	}
	return outs, nil
}

func runLoop(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	body, err := graphAttr(n, "body")
	if err != nil {
		return nil, err
	}
	k := n.DeclaredInputs()
	nCarried := k - 2
	outer := outerBindings(n, in)
	maxTrip := int64(-1)
	if in[0] != nil {
		maxTrip = in[0].Int(0)
	}
	cond := true
	if in[1] != nil {
		cond = in[1].Float(0) != 0
	}
	carried := append([]*ir.Tensor{}, in[2:2+nCarried]...)
	nScan := len(body.Outputs) - 1 - nCarried
	scans := make([][]*ir.Tensor, nScan)
	for it := int64(0); cond && (maxTrip < 0 || it < maxTrip); it++ {
		if maxTrip < 0 && it >= loopLimit {
			return nil, fmt.Errorf("Loop without a trip count ran %d iterations; trtc stops there", loopLimit)
		}
		env := map[string]*ir.Tensor{}
		for name, t := range outer {
			env[name] = t
		}
		env[body.Inputs[0]] = ir.FromSlice(ir.Int64, nil, []int64{it})
		env[body.Inputs[1]] = ir.FromSlice(ir.Bool, nil, []uint8{boolByte(cond)})
		for i, t := range carried {
			env[body.Inputs[2+i]] = t
		}
		res, err := RunGraph(body, env)
		if err != nil {
			return nil, err
		}
		cond = res[0].Float(0) != 0
		copy(carried, res[1:1+nCarried])
		for i := range scans {
			scans[i] = append(scans[i], res[1+nCarried+i])
		}
	}
	outs := append([]*ir.Tensor{}, carried...)
	for i, s := range scans {
		t, err := stack(s, 0, body.Values[body.Outputs[1+nCarried+i]])
		if err != nil {
			return nil, fmt.Errorf("scan output %d: %w", i, err)
		}
		outs = append(outs, t)
	}
	return outs, nil
}

// loopLimit bounds a Loop with neither trip count nor a condition that
// ever ends it.
const loopLimit = 1 << 24

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// stack stacks equally shaped tensors along a new axis; with none, it
// makes an empty tensor from the declared value (dims unknown are 0).
func stack(ts []*ir.Tensor, axis int, decl *ir.Value) (*ir.Tensor, error) {
	if len(ts) == 0 {
		if decl == nil || decl.DType == ir.Undefined {
			return nil, fmt.Errorf("no iterations ran and the body does not declare the output's type")
		}
		dims := []int64{0}
		for _, d := range decl.Shape {
			if d.Static() {
				dims = append(dims, d.Size)
			} else {
				dims = append(dims, 0)
			}
		}
		return ir.NewTensor(decl.DType, dims), nil
	}
	first := ts[0]
	for i, t := range ts {
		if t.DType != first.DType || !slices.Equal(t.Shape, first.Shape) {
			return nil, fmt.Errorf("iteration %d gives %v, iteration 0 gave %v", i, t, first)
		}
	}
	parts := make([]*ir.Tensor, len(ts))
	for i, t := range ts {
		s := append(append(append([]int64{}, t.Shape[:axis]...), 1), t.Shape[axis:]...)
		parts[i] = t.Reshaped(s)
	}
	return kernels.Concat(parts, axis)
}

// Scan (opset 9+) inputs: N initial states, then M scan inputs.

type scanAttrs struct {
	nState, nScanIn, nScanOut int
	inAxes, inDirs            []int64
	outAxes, outDirs          []int64
}

func scanParams(n *ir.Node, body *ir.Graph) (scanAttrs, error) {
	var s scanAttrs
	m := int(n.AttrInt("num_scan_inputs", -1))
	k := n.DeclaredInputs()
	if m < 1 || m > k {
		return s, fmt.Errorf("num_scan_inputs is %d, node has %d inputs", m, k)
	}
	s.nScanIn, s.nState = m, k-m
	if len(body.Inputs) != k {
		return s, fmt.Errorf("body has %d inputs, want %d", len(body.Inputs), k)
	}
	s.nScanOut = len(body.Outputs) - s.nState
	if s.nScanOut < 0 {
		return s, fmt.Errorf("body has %d outputs, fewer than its %d states", len(body.Outputs), s.nState)
	}
	get := func(name string, count int) ([]int64, error) {
		v := n.AttrInts(name, nil)
		if v == nil {
			return make([]int64, count), nil
		}
		if len(v) != count {
			return nil, fmt.Errorf("%s has %d entries, want %d", name, len(v), count)
		}
		return v, nil
	}
	var err error
	if s.inAxes, err = get("scan_input_axes", m); err != nil {
		return s, err
	}
	if s.inDirs, err = get("scan_input_directions", m); err != nil {
		return s, err
	}
	if s.outAxes, err = get("scan_output_axes", s.nScanOut); err != nil {
		return s, err
	}
	if s.outDirs, err = get("scan_output_directions", s.nScanOut); err != nil {
		return s, err
	}
	return s, nil
}

func isScan8(n *ir.Node) bool {
	a, ok := n.Attrs[OpsetAttr]
	return ok && a.I < 9
}

// scan8As9 is the Scan-9 node that runs one batch entry of a Scan-8 node:
// its declared inputs lose sequence_lens, and directions becomes
// scan_input_directions.
func scan8As9(n *ir.Node) *ir.Node {
	c := &ir.Node{Name: n.Name, Op: n.Op, Outputs: n.Outputs, Attrs: map[string]ir.Attr{}}
	for k, v := range n.Attrs {
		if k != OpsetAttr && k != "directions" {
			c.Attrs[k] = v
		}
	}
	if d, ok := n.Attrs["directions"]; ok {
		c.Attrs["scan_input_directions"] = d
	}
	c.Inputs = n.Inputs[1:]
	return c
}

func inferScan(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if isScan8(n) { // drop sequence_lens and the batch dim, infer as Scan-9, add the batch dim back
		n9 := scan8As9(n)
		in9 := make([]*ir.Value, len(in)-1)
		k := n9.DeclaredInputs()
		batch := ir.Sym("")
		for i, v := range in[1:] {
			if v == nil || i >= k {
				in9[i] = v
				continue
			}
			c := *v
			c.Const, c.ShapeData = nil, nil
			if c.Shape != nil {
				if c.Shape.Rank() == 0 {
					return nil, fmt.Errorf("Scan-8 input %d has no batch dim", i+1)
				}
				batch = c.Shape[0]
				c.Shape = c.Shape[1:].Clone()
			}
			in9[i] = &c
		}
		outs, err := inferScan(n9, in9)
		if err != nil {
			return nil, err
		}
		for _, o := range outs {
			if o.Shape != nil {
				o.Shape = append(ir.Shape{batch}, o.Shape...)
			}
		}
		return outs, nil
	}
	body, err := graphAttr(n, "body")
	if err != nil {
		return nil, err
	}
	s, err := scanParams(n, body)
	if err != nil {
		return nil, err
	}
	var bins []*ir.Value
	seq := ir.Sym("")
	for i := 0; i < s.nState+s.nScanIn; i++ {
		if in[i] == nil {
			return nil, fmt.Errorf("input %d is missing", i)
		}
		v := *in[i]
		v.Const, v.ShapeData = nil, nil
		if i >= s.nState && v.Shape != nil {
			ax := int(s.inAxes[i-s.nState])
			if ax < 0 {
				ax += len(v.Shape)
			}
			if ax < 0 || ax >= len(v.Shape) {
				return nil, fmt.Errorf("scan input %d: axis %d is out of range for %v", i-s.nState, s.inAxes[i-s.nState], v.Shape)
			}
			seq = v.Shape[ax]
			v.Shape = append(v.Shape[:ax:ax], v.Shape[ax+1:]...)
		}
		bins = append(bins, &v)
	}
	bo, err := inferGraph(body, bins, outerBindings(n, in))
	if err != nil {
		return nil, err
	}
	outs := bo[:s.nState]
	for j, v := range bo[s.nState:] {
		o := &ir.Value{DType: v.DType}
		if v.Shape != nil {
			ax := int(s.outAxes[j])
			if ax < 0 {
				ax += len(v.Shape) + 1
			}
			if ax < 0 || ax > len(v.Shape) {
				return nil, fmt.Errorf("scan_output_axes[%d] = %d is out of range", j, s.outAxes[j])
			}
			o.Shape = append(append(append(ir.Shape{}, v.Shape[:ax]...), seq), v.Shape[ax:]...)
		}
		outs = append(outs, o)
	}
	return outs, nil
}

func runScan8(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	n9 := scan8As9(n)
	k := n9.DeclaredInputs()
	m := int(n.AttrInt("num_scan_inputs", 0))
	var batch int64 = -1
	for i := 0; i < k; i++ {
		if t := in[1+i]; t != nil && len(t.Shape) > 0 {
			batch = t.Shape[0]
			break
		}
	}
	if batch < 0 {
		return nil, fmt.Errorf("Scan-8 has no batched input")
	}
	per := make([][]*ir.Tensor, 0, batch)
	for b := int64(0); b < batch; b++ {
		in9 := append([]*ir.Tensor{}, in[1:]...)
		for i := 0; i < k; i++ {
			t := in[1+i]
			if len(t.Shape) == 0 || t.Shape[0] != batch {
				return nil, fmt.Errorf("Scan-8 input %d has shape %v, batch is %d", i+1, t.Shape, batch)
			}
			inner := ir.Numel(t.Shape[1:]) * int64(t.DType.Size())
			sl := &ir.Tensor{DType: t.DType, Shape: append([]int64{}, t.Shape[1:]...), Data: t.Data[b*inner : (b+1)*inner]}
			if i >= k-m && in[0] != nil { // a scan input: cut to the sequence length
				l := in[0].Int(int(b))
				if l < 0 || len(sl.Shape) == 0 || l > sl.Shape[0] {
					return nil, fmt.Errorf("sequence_lens[%d] = %d does not fit %v", b, l, sl.Shape)
				}
				step := ir.Numel(sl.Shape[1:]) * int64(t.DType.Size())
				sl = &ir.Tensor{DType: t.DType, Shape: append([]int64{l}, sl.Shape[1:]...), Data: sl.Data[:l*step]}
			}
			in9[i] = sl.Clone()
		}
		res, err := runScan(n9, in9)
		if err != nil {
			return nil, err
		}
		per = append(per, res)
	}
	outs := make([]*ir.Tensor, len(per[0]))
	for j := range outs {
		parts := make([]*ir.Tensor, len(per))
		for b := range per {
			parts[b] = per[b][j]
		}
		t, err := stack(parts, 0, nil)
		if err != nil {
			return nil, fmt.Errorf("output %d: %w", j, err)
		}
		outs[j] = t
	}
	return outs, nil
}

func runScan(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	if isScan8(n) {
		return runScan8(n, in)
	}
	body, err := graphAttr(n, "body")
	if err != nil {
		return nil, err
	}
	s, err := scanParams(n, body)
	if err != nil {
		return nil, err
	}
	outer := outerBindings(n, in)
	state := append([]*ir.Tensor{}, in[:s.nState]...)
	seq := int64(-1)
	axes := make([]int, s.nScanIn)
	for j := 0; j < s.nScanIn; j++ {
		t := in[s.nState+j]
		ax := int(s.inAxes[j])
		if ax < 0 {
			ax += len(t.Shape)
		}
		if ax < 0 || ax >= len(t.Shape) {
			return nil, fmt.Errorf("scan input %d: axis %d is out of range for %v", j, s.inAxes[j], t.Shape)
		}
		axes[j] = ax
		if seq >= 0 && t.Shape[ax] != seq {
			return nil, fmt.Errorf("scan input %d has %d steps, scan input 0 has %d", j, t.Shape[ax], seq)
		}
		seq = t.Shape[ax]
	}
	scans := make([][]*ir.Tensor, s.nScanOut)
	for it := int64(0); it < seq; it++ {
		env := map[string]*ir.Tensor{}
		for name, t := range outer {
			env[name] = t
		}
		for i, t := range state {
			env[body.Inputs[i]] = t
		}
		for j := 0; j < s.nScanIn; j++ {
			step := it
			if s.inDirs[j] != 0 {
				step = seq - 1 - it
			}
			t := in[s.nState+j]
			start := make([]int64, len(t.Shape))
			size := append([]int64{}, t.Shape...)
			stride := make([]int64, len(t.Shape))
			for d := range stride {
				stride[d] = 1
			}
			start[axes[j]], size[axes[j]] = step, 1
			sl, err := kernels.StridedSlice(t, start, size, stride)
			if err != nil {
				return nil, err
			}
			shape := append(append([]int64{}, t.Shape[:axes[j]]...), t.Shape[axes[j]+1:]...)
			env[body.Inputs[s.nState+j]] = sl.Reshaped(shape)
		}
		res, err := RunGraph(body, env)
		if err != nil {
			return nil, err
		}
		copy(state, res[:s.nState])
		for j := range scans {
			scans[j] = append(scans[j], res[s.nState+j])
		}
	}
	outs := state
	for j, parts := range scans {
		if s.outDirs[j] != 0 {
			for a, b := 0, len(parts)-1; a < b; a, b = a+1, b-1 {
				parts[a], parts[b] = parts[b], parts[a]
			}
		}
		ax := int(s.outAxes[j])
		if len(parts) > 0 && ax < 0 {
			ax += len(parts[0].Shape) + 1
		}
		if ax < 0 {
			ax = 0
		}
		t, err := stack(parts, ax, body.Values[body.Outputs[s.nState+j]])
		if err != nil {
			return nil, fmt.Errorf("scan output %d: %w", j, err)
		}
		outs = append(outs, t)
	}
	return outs, nil
}

// InlineConstantIfs replaces every If of g whose condition is a constant
// by the nodes of the branch it takes (renamed under the If's name so they
// cannot clash), with Identity nodes that give the branch's outputs the
// If's output names; the branch's constants become g's. Branches holding
// Ifs are handled as they are inlined. It returns the number inlined; g
// stays topologically sorted, since a branch reads only values the If
// read. Run Propagate again afterwards.
func InlineConstantIfs(g *ir.Graph) int {
	count := 0
	var out []*ir.Node
	for _, n := range g.Nodes {
		cond := g.Value(n.Input(0))
		if n.Op != "onnx.If" || cond == nil || cond.Const == nil || cond.Const.Numel() != 1 {
			out = append(out, n)
			continue
		}
		name := "else_branch"
		if cond.Const.Float(0) != 0 {
			name = "then_branch"
		}
		b, err := graphAttr(n, name)
		if err != nil || len(b.Outputs) != len(n.Outputs) {
			out = append(out, n)
			continue
		}
		prefix := n.Name + "/" + name + "/"
		local := map[string]string{}
		for k, v := range b.Values {
			if v.Const != nil {
				local[k] = prefix + k
				c := *v
				c.Name = prefix + k
				g.Values[c.Name] = &c
			}
		}
		for _, bn := range b.Nodes {
			for _, o := range bn.Outputs {
				if o != "" {
					local[o] = prefix + o
				}
			}
		}
		rename := func(s string) string {
			if r, ok := local[s]; ok {
				return r
			}
			return s
		}
		for _, bn := range b.Nodes {
			c := *bn
			c.Name = prefix + bn.Name
			c.Inputs = make([]string, len(bn.Inputs))
			for i, s := range bn.Inputs {
				c.Inputs[i] = rename(s)
			}
			c.Outputs = make([]string, len(bn.Outputs))
			for i, s := range bn.Outputs {
				c.Outputs[i] = rename(s)
			}
			// A nested If/Loop/Scan's outer inputs are renamed too: its
			// subgraph binds them by the names in ir.OuterInputsAttr,
			// which stay as the subgraph spells them.
			out = append(out, &c)
		}
		for i, o := range n.Outputs {
			if o != "" {
				out = append(out, &ir.Node{Name: prefix + "output" + fmt.Sprint(i), Op: "onnx.Identity",
					Inputs: []string{rename(b.Outputs[i])}, Outputs: []string{o}, Attrs: map[string]ir.Attr{}})
			}
		}
		count++
	}
	g.Nodes = out
	return count
}
