package precision_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
	"github.com/trtc-dev/trtc/pkg/precision"
)

// smallGraph: x -> Mul(w) -> Relu -> Softmax -> y, with a Resize whose
// scales must stay float32 (z -> Resize -> r).
func smallGraph(t *testing.T) *ir.Graph {
	t.Helper()
	g := ir.NewGraph("small", "onnx")
	g.Opsets[""] = 18
	g.Inputs, g.Outputs = []string{"x", "z"}, []string{"y", "r"}
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2, 8)}
	g.Values["z"] = &ir.Value{Name: "z", DType: ir.Float32, Shape: ir.S(1, 1, 2, 2)}
	w := ir.FromSlice(ir.Float32, []int64{8}, []float32{1, 2, 3, 4, 5, 6, 7, 8})
	g.Values["w"] = &ir.Value{Name: "w", DType: ir.Float32, Shape: ir.S(8), Const: w}
	sc := ir.FromSlice(ir.Float32, []int64{4}, []float32{1, 1, 2, 2})
	g.Values["scales"] = &ir.Value{Name: "scales", DType: ir.Float32, Shape: ir.S(4), Const: sc}
	n := func(name, op string, in []string, out ...string) *ir.Node {
		return &ir.Node{Name: name, Op: "onnx." + op, Inputs: in, Outputs: out, Attrs: map[string]ir.Attr{}}
	}
	g.Nodes = []*ir.Node{
		n("mul", "Mul", []string{"x", "w"}, "m"),
		n("relu", "Relu", []string{"m"}, "a"),
		n("soft", "Softmax", []string{"a"}, "y"),
		n("resize", "Resize", []string{"z", "", "scales"}, "r"),
	}
	if _, err := ops.Propagate(g, false); err != nil {
		t.Fatal(err)
	}
	return g
}

func decisions(r *precision.Result) map[string]precision.Decision {
	out := map[string]precision.Decision{}
	for _, d := range r.Decisions {
		out[d.Node] = d
	}
	return out
}

func TestAutocastRewrite(t *testing.T) {
	g := smallGraph(t)
	res, err := precision.Autocast(g, precision.Options{FP16: true, KeepFP32: []string{"relu", "Nonesuch"}}, precision.Env{})
	if err != nil {
		t.Fatal(err)
	}
	d := decisions(res)
	if d["mul"].Precision != "fp16" || d["relu"].Precision != "fp32" || d["relu"].Rule != "keep-fp32" ||
		d["soft"].Precision != "fp16" || d["soft"].Rule != "statistics-fp32" || d["resize"].Precision != "fp16" {
		t.Errorf("decisions: %+v", res.Decisions)
	}
	// Graph inputs and outputs keep their dtypes.
	for _, name := range append(append([]string{}, g.Inputs...), g.Outputs...) {
		if dt := g.Value(name).DType; dt != ir.Float32 {
			t.Errorf("%s is %v after autocast, want float32", name, dt)
		}
	}
	byName := map[string]*ir.Node{}
	for _, n := range g.Nodes {
		byName[n.Name] = n
	}
	// The weight is converted once, at build time; the Resize's scales stay
	// float32 (Resize takes float scales only).
	if wv := g.Value(byName["mul"].Inputs[1]); wv.Const == nil || wv.DType != ir.Float16 || wv.Const.Float(7) != 8 {
		t.Errorf("Mul's weight: %+v", wv)
	}
	if sv := g.Value(byName["resize"].Inputs[2]); sv.DType != ir.Float32 || byName["resize"].Inputs[2] != "scales" {
		t.Errorf("Resize's scales: %q %v", byName["resize"].Inputs[2], sv.DType)
	}
	if res.Weights != 1 {
		t.Errorf("%d weights converted, want 1", res.Weights)
	}
	// x->fp16, m->fp32 for relu, a->fp16 for softmax, y->fp32, z->fp16, r->fp32.
	if res.Casts != 6 {
		t.Errorf("%d casts, want 6; nodes: %v", res.Casts, g.Nodes)
	}
	if len(res.Unmatched) != 1 || res.Unmatched[0].Name != "Nonesuch" || res.Unmatched[0].Flag != "keep-fp32" {
		t.Fatalf("unmatched: %+v", res.Unmatched)
	}
	// The graph still infers and runs.
	if _, err := ops.Propagate(g, false); err != nil {
		t.Fatal(err)
	}
}

func TestConstraintsPrecedence(t *testing.T) {
	g := smallGraph(t)
	o := precision.Options{FP16: true, Constraints: []precision.Constraint{
		{Name: "*", Type: ir.Float32}, {Name: "Relu", Type: ir.Float16}, {Name: "mul", Type: ir.Float16}}}
	res, err := precision.Autocast(g, o, precision.Env{})
	if err != nil {
		t.Fatal(err)
	}
	d := decisions(res)
	if d["mul"].Precision != "fp16" || d["relu"].Precision != "fp16" || d["soft"].Precision != "fp32" || d["resize"].Precision != "fp32" {
		t.Errorf("node name > op > *: %+v", res.Decisions)
	}
	if dt, ok := o.NodeType(&ir.Node{Name: "other", Op: "onnx.Relu"}); !ok || dt != ir.Float16 {
		t.Errorf("NodeType of a Relu: %v %v", dt, ok)
	}
}

func TestFallbackNodesStayFloat32(t *testing.T) {
	g := smallGraph(t)
	res, err := precision.Autocast(g, precision.Options{BF16: true},
		precision.Env{Convertible: func(n *ir.Node, in, _ []*ir.Value) bool {
			// soft never converts; relu converts in float32 only.
			return n.Name != "soft" && (n.Name != "relu" || in[0].DType == ir.Float32)
		}})
	if err != nil {
		t.Fatal(err)
	}
	if d := decisions(res)["soft"]; d.Precision != "fp32" || d.Rule != "fallback" {
		t.Errorf("soft: %+v", d)
	}
	if d := decisions(res)["mul"]; d.Precision != "bf16" {
		t.Errorf("mul: %+v", d)
	}
	if d := decisions(res)["relu"]; d.Precision != "fp32" || d.Rule != "dtype" {
		t.Errorf("relu, whose converter refuses bf16: %+v", d)
	}
}

func TestClosest(t *testing.T) {
	got := precision.Closest("Softmx", []string{"Relu", "Softmax", "soft", "MatMul"}, 2)
	if strings.Join(got, ",") != "Softmax,soft" {
		t.Errorf("closest: %v", got)
	}
}

// TestRulesDocumented: docs/precision.md lists every rule of the table
// with its ops.
func TestRulesDocumented(t *testing.T) {
	doc := readDoc(t)
	for _, r := range precision.Rules {
		if !strings.Contains(doc, "| `"+r.Name+"` |") {
			t.Errorf("docs/precision.md has no row for rule %s", r.Name)
		}
		for _, op := range r.Ops {
			if !strings.Contains(doc, op) {
				t.Errorf("docs/precision.md: rule %s does not list %s", r.Name, op)
			}
		}
	}
	for _, op := range precision.StatisticsOps {
		if !strings.Contains(doc, op) {
			t.Errorf("docs/precision.md does not list statistics op %s", op)
		}
	}
}

// TestPartialObservation: a node the generated inputs do not fit (a
// Reshape whose shape is a graph input, generated as zeros) is skipped;
// the rest of the graph is still observed, and the overflow rule keeps
// the Mul whose output reaches 1e5.
func TestPartialObservation(t *testing.T) {
	g := ir.NewGraph("partial", "onnx")
	g.Opsets[""] = 18
	g.Inputs, g.Outputs = []string{"x", "shape"}, []string{"r", "big"}
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2, 8)}
	g.Values["shape"] = &ir.Value{Name: "shape", DType: ir.Int64, Shape: ir.S(3)}
	g.Values["k"] = &ir.Value{Name: "k", DType: ir.Float32, Shape: ir.S(), Const: ir.FromSlice(ir.Float32, nil, []float32{1e5})}
	g.Nodes = []*ir.Node{
		{Name: "reshape", Op: "onnx.Reshape", Inputs: []string{"x", "shape"}, Outputs: []string{"r"}, Attrs: map[string]ir.Attr{}},
		{Name: "mul", Op: "onnx.Mul", Inputs: []string{"x", "k"}, Outputs: []string{"big"}, Attrs: map[string]ir.Attr{}},
	}
	if _, err := ops.Propagate(g, false); err != nil {
		t.Fatal(err)
	}
	res, err := precision.Autocast(g, precision.Options{FP16: true}, precision.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Observed || !strings.Contains(res.ObserveError, "1 of 2 nodes not observed") {
		t.Errorf("observed %v, error %q", res.Observed, res.ObserveError)
	}
	if d := decisions(res)["mul"]; d.Rule != "overflow" {
		t.Errorf("mul: %+v, want kept by the overflow rule", d)
	}
}
