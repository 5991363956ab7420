package precision

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/trtc-dev/trtc/internal/editdist"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Decision is the autocast verdict for one node that computes on float32
// data.
type Decision struct {
	Node string   `json:"node"`
	Op   string   `json:"op"`
	Type ir.DType `json:"-"`
	// Precision is Type's short name: fp16, bf16 or fp32.
	Precision string `json:"precision"`
	// Rule says why the node stays float32 (a Rules name, "keep-fp32",
	// "constraint", "fallback" or "dtype"), or why it was lowered
	// ("statistics-fp32" for StatisticsOps, "constraint"); "" for a node
	// lowered by default.
	Rule   string `json:"rule,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// Result is what Autocast did.
type Result struct {
	Type      ir.DType   `json:"-"`
	Decisions []Decision `json:"decisions"`
	// Casts counts the Cast nodes inserted, Weights the constants converted
	// to the low type (once, here, at build time).
	Casts   int `json:"casts"`
	Weights int `json:"weights"`
	// Observed says whether the magnitude rule had observed values;
	// ObserveError says why not, or which nodes were not observed.
	Observed     bool   `json:"observed"`
	ObserveError string `json:"observe_error,omitempty"`
	// Unmatched are --keep-fp32 and --precision-constraints names that
	// match no node or op in the model, each with the closest names.
	Unmatched []Unmatched `json:"unmatched,omitempty"`
}

// Unmatched is a name from the flags that matches nothing.
type Unmatched struct {
	Flag    string   `json:"flag"`
	Name    string   `json:"name"`
	Closest []string `json:"closest"`
}

// Lowered counts the decisions in the low type.
func (r *Result) Lowered() int {
	n := 0
	for _, d := range r.Decisions {
		if d.Type != ir.Float32 {
			n++
		}
	}
	return n
}

// Env is what the pass needs from the compiler.
type Env struct {
	// Convertible says whether a node will become engine layers with
	// inputs and outputs in and out (its own values, or the lowered ones the
	// pass tries); nodes that fall back stay float32 (the CPU fallback
	// computes in float32), and so do nodes whose converter refuses the low
	// type. nil: every node.
	Convertible func(n *ir.Node, in, out []*ir.Value) bool
	// Inputs are the values the float32 graph is observed on (the magnitude
	// rule); missing inputs are generated (see Observe).
	Inputs map[string]*ir.Tensor
	// Seed seeds generated inputs.
	Seed uint64
}

// Autocast lowers g's float32 compute to o.LowType() for a strongly typed
// network: every float32 node that converts and that no rule, --keep-fp32
// or --precision-constraints entry keeps in float32 reads and writes the
// low type; Cast nodes convert at the boundaries between the two; float32
// constants a lowered node reads are converted once, here. Graph inputs and
// outputs keep their dtypes. g must be prepared (compiler.Prepare:
// inferred, topologically sorted). Without --fp16/--bf16 it does nothing.
func Autocast(g *ir.Graph, o Options, env Env) (*Result, error) {
	low := o.LowType()
	res := &Result{Type: low}
	if low == ir.Undefined {
		return res, nil
	}
	res.Unmatched = FindUnmatched(g, o)
	var observed map[string]float64
	inputs := env.Inputs
	if inputs == nil {
		inputs = o.Calibration
	}
	if err := checkCalibration(g, inputs); err != nil {
		return res, &CalibrationError{err}
	}
	if !o.rulesOff {
		var err error
		observed, err = Observe(g, inputs, env.Seed)
		var partial *PartialError
		switch {
		case errors.As(err, &partial):
			res.ObserveError, res.Observed = err.Error(), true
		case err != nil:
			res.ObserveError, observed = err.Error(), nil
		default:
			res.Observed = true
		}
	}
	lowName := TypeName(low)
	// lowOf maps a float32 value to its low-typed twin (a converted
	// constant, a cast, or a lowered node's output).
	lowOf := map[string]string{}
	// movedOut marks values whose producer now writes lowOf[v] instead:
	// float32 readers need a cast back.
	movedOut := map[string]bool{}
	fresh := func(base string) string {
		name := base
		for i := 1; g.Values[name] != nil; i++ {
			name = fmt.Sprintf("%s_%d", base, i)
		}
		return name
	}
	castNode := func(from, to string, dt ir.DType) *ir.Node {
		res.Casts++
		return &ir.Node{Name: fresh("autocast/" + to), Op: "onnx.Cast", Inputs: []string{from}, Outputs: []string{to},
			Attrs: map[string]ir.Attr{"to": {Kind: ir.AttrInt, I: int64(dt)}}}
	}
	converted := map[string]*ir.Tensor{} // constant name -> low copy (trial and rewrite)
	lowConst := func(v *ir.Value) (*ir.Tensor, error) {
		if t, ok := converted[v.Name]; ok {
			return t, nil
		}
		t, err := kernels.Cast(v.Const, low)
		if err != nil {
			return nil, err
		}
		converted[v.Name] = t
		return t, nil
	}
	gi := newGraphInfo(g) // before any rewrite: rules see the model's graph
	var out []*ir.Node
	for _, n := range g.Nodes {
		in := make([]*ir.Value, len(n.Inputs))
		for i, name := range n.Inputs {
			if name != "" {
				in[i] = g.Values[name]
			}
		}
		outs := make([]*ir.Value, len(n.Outputs))
		for i, name := range n.Outputs {
			if name != "" {
				outs[i] = g.Values[name]
			}
		}
		lowerIn, lowOut := []int(nil), []*ir.Value(nil)
		if candidate(n, in, outs) {
			d := Decision{Node: n.Name, Op: n.Op, Type: ir.Float32}
			t, rule, detail := decide(n, in, outs, o, low, observed, gi, env.Convertible)
			d.Type, d.Rule, d.Detail = t, rule, detail
			if t != ir.Float32 {
				var err error
				if lowerIn, lowOut, err = trial(n, in, t, lowConst); err != nil {
					d.Type, d.Rule, d.Detail = ir.Float32, "dtype", err.Error()
				} else if env.Convertible != nil && !env.Convertible(n, loweredIn(in, lowerIn, t), lowOut) {
					lowerIn, lowOut = nil, nil
					d.Type, d.Rule, d.Detail = ir.Float32, "dtype", "no converter takes it in "+TypeName(t)+" (it would fall back); float32 converts"
				}
			}
			d.Precision = TypeName(d.Type)
			res.Decisions = append(res.Decisions, d)
		}
		if lowerIn == nil {
			// A float32 node: read the float32 values.
			for _, name := range n.Inputs {
				if movedOut[name] {
					out = append(out, castNode(lowOf[name], name, ir.Float32))
					delete(movedOut, name)
				}
			}
			out = append(out, n)
			continue
		}
		for _, i := range lowerIn {
			name := n.Inputs[i]
			if ln, ok := lowOf[name]; ok {
				n.Inputs[i] = ln
				continue
			}
			v := g.Values[name]
			ln := fresh(name + "/" + lowName)
			if v.Const != nil {
				t, err := lowConst(v)
				if err != nil {
					return res, fmt.Errorf("autocast: constant %q: %w", name, err)
				}
				g.Values[ln] = &ir.Value{Name: ln, DType: low, Shape: v.Shape.Clone(), Const: t}
				res.Weights++
			} else {
				g.Values[ln] = &ir.Value{Name: ln, DType: low, Shape: v.Shape.Clone(), Min: v.Min, Max: v.Max}
				out = append(out, castNode(name, ln, low))
			}
			lowOf[name] = ln
			n.Inputs[i] = ln
		}
		for i, name := range n.Outputs {
			if name == "" || outs[i] == nil || outs[i].DType != ir.Float32 || i >= len(lowOut) || lowOut[i] == nil || lowOut[i].DType != low {
				continue // not a float32 output, or one that stays float32 (LayerNormalization's Mean)
			}
			ln := fresh(name + "/" + lowName)
			g.Values[ln] = &ir.Value{Name: ln, DType: low, Shape: outs[i].Shape.Clone(), Min: outs[i].Min, Max: outs[i].Max}
			n.Outputs[i] = ln
			lowOf[name], movedOut[name] = ln, true
		}
		out = append(out, n)
	}
	for _, name := range g.Outputs {
		if movedOut[name] {
			out = append(out, castNode(lowOf[name], name, ir.Float32))
			delete(movedOut, name)
		}
	}
	g.Nodes = out
	if _, err := ops.Propagate(g, false); err != nil {
		return res, fmt.Errorf("autocast to %s: %w", lowName, err)
	}
	return res, nil
}

// candidate says whether n computes on float32 data: it reads a float32
// value and some input is not constant, and it is not an op whose
// float32-ness is not compute (Shape, Size, Cast, CastLike) nor one with
// subgraphs.
func candidate(n *ir.Node, in, out []*ir.Value) bool {
	switch n.OpType() {
	case "Shape", "Size", "Cast", "CastLike", "If", "Loop", "Scan":
		return false
	}
	if len(n.Subgraphs()) > 0 {
		return false
	}
	f32, nonConst := false, false
	for _, v := range in {
		if v == nil {
			continue
		}
		f32 = f32 || v.DType == ir.Float32
		nonConst = nonConst || v.Const == nil
	}
	if !f32 || !nonConst {
		return false
	}
	for _, v := range out {
		if v != nil && v.DType.IsFloat() && v.DType != ir.Float32 {
			return false // writes another float type: its own cast
		}
	}
	return true
}

// decide picks n's compute type and the reason.
func decide(n *ir.Node, in, out []*ir.Value, o Options, low ir.DType, observed map[string]float64, gi *graphInfo, convertible func(*ir.Node, []*ir.Value, []*ir.Value) bool) (ir.DType, string, string) {
	if convertible != nil && !convertible(n, in, out) {
		return ir.Float32, "fallback", "runs as CPU fallback, in float32"
	}
	if c, ok := constraintFor(n, o.Constraints); ok {
		if c.Type == ir.Float32 {
			return ir.Float32, "constraint", "--precision-constraints " + c.String()
		}
		return low, "constraint", "--precision-constraints " + c.String()
	}
	for _, k := range o.KeepFP32 {
		if matches(n, k) {
			return ir.Float32, "keep-fp32", "--keep-fp32 " + k
		}
	}
	if o.rulesOff {
		return low, "", ""
	}
	c := &ruleCtx{n: n, in: in, out: out, low: low, observed: observed, graph: gi}
	op := opName(n)
	for _, r := range Rules {
		if r.Ops != nil && !inList(r.Ops, op) {
			continue
		}
		if keep, why := r.keep(c); keep {
			return ir.Float32, r.Name, why
		}
	}
	if inList(StatisticsOps, op) {
		return low, "statistics-fp32", "tensors in " + TypeName(low) + ", statistics computed in float32"
	}
	return low, "", ""
}

// loweredIn is in with the inputs at idx in the low type.
func loweredIn(in []*ir.Value, idx []int, low ir.DType) []*ir.Value {
	out := append([]*ir.Value(nil), in...)
	for _, i := range idx {
		c := *in[i]
		c.DType = low
		out[i] = &c
	}
	return out
}

// fixedFloat32 are inputs that ONNX types as float32 whatever the data's
// type (Resize's roi and scales, Upsample's scales): they stay float32.
var fixedFloat32 = map[string][]string{"Resize": {"1", "2"}, "Upsample": {"1"}}

// trial checks that n's op accepts the low type: first with every float32
// input lowered, then with only the non-constant ones (Resize's scales,
// say, must stay float32). It returns the inputs to lower and the
// outputs inferred with them; every output the node writes that was float32
// must become low, except statistics outputs (LayerNormalization's Mean and
// InvStdDev, in stash_type).
func trial(n *ir.Node, in []*ir.Value, low ir.DType, lowConst func(*ir.Value) (*ir.Tensor, error)) ([]int, []*ir.Value, error) {
	op, ok := ops.Lookup(n.Op)
	if !ok {
		return nil, nil, fmt.Errorf("op %s unknown", n.Op)
	}
	var firstErr error
	for _, constsToo := range []bool{true, false} {
		var idx []int
		tv := make([]*ir.Value, len(in))
		for i, v := range in {
			tv[i] = v
			if v == nil || v.DType != ir.Float32 || (v.Const != nil && !constsToo) || inList(fixedFloat32[opName(n)], fmt.Sprint(i)) {
				continue
			}
			c := *v
			c.DType = low
			if v.Const != nil {
				t, err := lowConst(v)
				if err != nil {
					return nil, nil, err
				}
				c.Const = t
			}
			tv[i] = &c
			idx = append(idx, i)
		}
		if len(idx) == 0 {
			continue
		}
		outs, err := inferSafe(op, n, tv)
		if err == nil && (len(outs) == 0 || len(n.Outputs) == 0 || n.Outputs[0] == "" || outs[0] == nil ||
			(outs[0].DType.IsFloat() && outs[0].DType != low)) {
			err = fmt.Errorf("%s does not write %s with %s inputs", n.Op, TypeName(low), TypeName(low))
		}
		if err == nil {
			return idx, outs, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("no input to lower")
	}
	return nil, nil, fmt.Errorf("%s does not take %s: %v", n.Op, TypeName(low), firstErr)
}

func inferSafe(op *ops.Op, n *ir.Node, in []*ir.Value) (out []*ir.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("inference failed: %v", r)
		}
	}()
	return op.Infer(n, in)
}

// matches says whether a --keep-fp32 or constraint name names n: its node
// name, its op key (onnx.Softmax, aten.softmax.int), its op type
// (Softmax) or its ATen op name (softmax).
func matches(n *ir.Node, name string) bool {
	return name == n.Name || name == n.Op || name == n.OpType() || name == opName(n)
}

// constraintFor finds n's constraint: one naming the node wins over one
// naming its op, which wins over "*"; later entries win among equals.
func constraintFor(n *ir.Node, cs []Constraint) (Constraint, bool) {
	best, rank := Constraint{}, 0
	for _, c := range cs {
		r := 0
		switch {
		case c.Name == n.Name:
			r = 3
		case matches(n, c.Name):
			r = 2
		case c.Name == "*":
			r = 1
		}
		if r > 0 && r >= rank {
			best, rank = c, r
		}
	}
	return best, rank > 0
}

// FindUnmatched lists the --keep-fp32 and --precision-constraints names
// that match no node or op of g, each with the closest names.
func FindUnmatched(g *ir.Graph, o Options) []Unmatched {
	var names []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			names = append(names, s)
		}
	}
	for _, n := range g.Nodes {
		add(n.Name)
		add(n.OpType())
		add(opName(n))
	}
	var out []Unmatched
	check := func(flag, name string) {
		if name == "*" {
			return
		}
		for _, n := range g.Nodes {
			if matches(n, name) {
				return
			}
		}
		out = append(out, Unmatched{Flag: flag, Name: name, Closest: Closest(name, names, 3)})
	}
	for _, k := range o.KeepFP32 {
		check("keep-fp32", k)
	}
	for _, c := range o.Constraints {
		check("precision-constraints", c.Name)
	}
	return out
}

// Closest returns up to k names nearest to s by edit distance (case
// folded), nearest first, ties in name order.
func Closest(s string, names []string, k int) []string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, n := range names {
		cs = append(cs, cand{n, editdist.Levenshtein(strings.ToLower(s), strings.ToLower(n))})
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].name < cs[j].name
	})
	var out []string
	for i := 0; i < len(cs) && i < k; i++ {
		out = append(out, cs[i].name)
	}
	return out
}

// NodeType is the type --precision-constraints or --keep-fp32 pins n to,
// if any (constraints first, as in the autocast pass): what a weakly typed
// network's layers for n get as their precision.
func (o Options) NodeType(n *ir.Node) (ir.DType, bool) {
	if c, ok := constraintFor(n, o.Constraints); ok {
		return c.Type, true
	}
	for _, k := range o.KeepFP32 {
		if matches(n, k) {
			return ir.Float32, true
		}
	}
	return ir.Undefined, false
}

// CalibrationError is a calibration input that does not fit the model: a
// bad input file, not a failure of the pass.
type CalibrationError struct{ Err error }

func (e *CalibrationError) Error() string { return e.Err.Error() }
func (e *CalibrationError) Unwrap() error { return e.Err }

// checkCalibration refuses calibration inputs that name no graph input or
// whose dtype or rank is not the input's.
func checkCalibration(g *ir.Graph, inputs map[string]*ir.Tensor) error {
	for _, name := range ir.SortedKeys(inputs) {
		t := inputs[name]
		var v *ir.Value
		for _, in := range g.Inputs {
			if in == name {
				v = g.Value(in)
			}
		}
		if v == nil {
			return fmt.Errorf("--calibration-input %s: not a graph input (inputs: %s)", name, strings.Join(g.Inputs, ", "))
		}
		if t.DType != v.DType || len(t.Shape) != len(v.Shape) {
			return fmt.Errorf("--calibration-input %s: %v%v, but the input is %v%v", name, t.DType, ir.S(t.Shape...), v.DType, v.Shape)
		}
		for i, d := range v.Shape {
			if d.Static() && d.Size != t.Shape[i] {
				return fmt.Errorf("--calibration-input %s: dim %d is %d, but the input fixes it at %d", name, i, t.Shape[i], d.Size)
			}
		}
	}
	return nil
}
