package lower

import (
	"fmt"
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Error is a node the lowering cannot express. Unsupported distinguishes
// a valid program trtc cannot take (exit 4) from a malformed one (exit 3).
type Error struct {
	Node        string
	Op          string
	Err         error
	Unsupported bool
}

func (e *Error) Error() string { return fmt.Sprintf("node %q (%s): %v", e.Node, e.Op, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Stats counts what a lowering did.
type Stats struct {
	Functionalized int // in-place and out= nodes made functional
	Decomposed     int // composite nodes replaced by core ops
	SymInt         int // symbolic-integer nodes and arguments made shape computations
}

// Run lowers an ATen graph in place: functionalization, decomposition,
// symbolic integers as shape computations, then removal of nodes nobody
// reads. Graphs of other formats are left alone.
func Run(g *ir.Graph) (Stats, error) {
	var st Stats
	if g.Format != "aten" {
		return st, nil
	}
	dropAssertions(g)
	r := newRewriter(g)
	n, err := functionalize(r)
	if err != nil {
		return st, err
	}
	st.Functionalized = n
	if n, err = decompose(r); err != nil {
		return st, err
	}
	st.Decomposed = n
	if n, err = lowerSymInts(r); err != nil {
		return st, err
	}
	st.SymInt = n
	removeDead(g)
	return st, nil
}

// assertions are the export's run-time checks of tracing assumptions
// (dtype and device metadata, symbolic ranges); the compiled program checks
// input shapes against the ranges itself, so they go.
var assertions = map[string]bool{
	"aten._assert_tensor_metadata.default": true, "aten._assert_async.msg": true, "aten._assert_async.default": true,
	"aten._assert_scalar.default": true, "aten.sym_constrain_range.default": true,
	"aten.sym_constrain_range_for_size.default": true, "aten._functional_assert_async.msg": true,
}

func dropAssertions(g *ir.Graph) {
	kept := g.Nodes[:0]
	for _, n := range g.Nodes {
		if assertions[n.Op] {
			continue
		}
		kept = append(kept, n)
	}
	g.Nodes = kept
}

// rewriter builds a new node list for g, stamping every node it emits with
// the exported node it stands for.
type rewriter struct {
	g     *ir.Graph
	out   []*ir.Node
	orig  *ir.Node // the exported node being rewritten
	names map[string]bool
	seq   int
}

func newRewriter(g *ir.Graph) *rewriter {
	r := &rewriter{g: g, names: map[string]bool{}}
	r.reset()
	return r
}

// reset collects every value and node name in use.
func (r *rewriter) reset() {
	for name := range r.g.Values {
		r.names[name] = true
	}
	for _, n := range r.g.Nodes {
		r.names[n.Name] = true
		for _, o := range n.Outputs {
			r.names[o] = true
		}
	}
}

// fresh returns an unused name derived from base.
func (r *rewriter) fresh(base string) string {
	for {
		r.seq++
		name := fmt.Sprintf("%s.%d", base, r.seq)
		if !r.names[name] {
			r.names[name] = true
			return name
		}
	}
}

// stamp records on n the exported node it was lowered from.
func stamp(n, orig *ir.Node) {
	if n.Attrs == nil {
		n.Attrs = map[string]ir.Attr{}
	}
	name, op := orig.Origin()
	n.Attrs[ir.AttrOriginNode] = ir.Attr{Kind: ir.AttrString, S: name}
	n.Attrs[ir.AttrOriginOp] = ir.Attr{Kind: ir.AttrString, S: op}
}

// emit appends a node for the exported node being rewritten. outs names its
// outputs ("" entries get fresh names); it returns the output names.
func (r *rewriter) emit(op string, attrs map[string]ir.Attr, inputs []string, outs ...string) []string {
	if len(outs) == 0 {
		outs = []string{""}
	}
	outs = append([]string(nil), outs...)
	for i, o := range outs {
		if o == "" {
			outs[i] = r.fresh(r.orig.Name + "/" + shortOp(op))
		}
	}
	if attrs == nil {
		attrs = map[string]ir.Attr{}
	}
	n := &ir.Node{Name: r.fresh(r.orig.Name + "/" + shortOp(op)), Op: op, Inputs: inputs, Outputs: outs, Attrs: attrs}
	stamp(n, r.orig)
	r.out = append(r.out, n)
	return outs
}

// emit1 is emit for one output.
func (r *rewriter) emit1(op string, attrs map[string]ir.Attr, inputs ...string) string {
	return r.emit(op, attrs, inputs)[0]
}

// konst adds a constant value and returns its name.
func (r *rewriter) konst(t *ir.Tensor) string {
	name := r.fresh(r.orig.Name + "/const")
	r.g.Values[name] = &ir.Value{Name: name, DType: t.DType, Shape: ir.S(t.Shape...), Const: t}
	return name
}

func (r *rewriter) ints(v ...int64) string {
	return r.konst(ir.FromSlice(ir.Int64, []int64{int64(len(v))}, v))
}

func (r *rewriter) scalarI(v int64) string { return r.konst(ir.Scalar(ir.Int64, float64(v))) }

func shortOp(op string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(op, "aten."), "onnx.")
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	return s
}

// value returns the named value (from the exported metadata), or nil.
func (r *rewriter) value(name string) *ir.Value { return r.g.Value(name) }

// removeDead drops nodes none of whose outputs is read (the sym_size and
// view nodes a lowering made redundant), keeping graph outputs.
func removeDead(g *ir.Graph) {
	for {
		used := map[string]bool{}
		for _, o := range g.Outputs {
			used[o] = true
		}
		for _, n := range g.Nodes {
			for _, in := range n.Inputs {
				used[in] = true
			}
		}
		kept := g.Nodes[:0]
		removed := false
		for _, n := range g.Nodes {
			live := false
			for _, o := range n.Outputs {
				live = live || (o != "" && used[o])
			}
			if !live && removable(n) {
				removed = true
				for _, o := range n.Outputs {
					delete(g.Values, o)
				}
				continue
			}
			kept = append(kept, n)
		}
		g.Nodes = kept
		if !removed {
			return
		}
	}
}

// removable: nodes whose results nobody reads go, except ops with effects
// (there are none in a functional inference graph) and nodes with no
// outputs at all, which are kept so that a later check names them.
func removable(n *ir.Node) bool { return len(n.Outputs) > 0 }

func attrInt(v int64) ir.Attr     { return ir.Attr{Kind: ir.AttrInt, I: v} }
func attrInts(v ...int64) ir.Attr { return ir.Attr{Kind: ir.AttrInts, Ints: append([]int64{}, v...)} }
func attrFloat(v float64) ir.Attr { return ir.Attr{Kind: ir.AttrFloat, F: float32(v)} }
func attrStr(s string) ir.Attr    { return ir.Attr{Kind: ir.AttrString, S: s} }

// staticDims returns v's dims when all are static.
func staticDims(v *ir.Value) ([]int64, bool) {
	if v == nil {
		return nil, false
	}
	return v.Shape.Ints()
}
