package compiler

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
)

func constant(name string, t *ir.Tensor) *ir.Value {
	return &ir.Value{Name: name, DType: t.DType, Shape: ir.S(t.Shape...), Const: t}
}

// Nodes computing only from constants (weights, static shapes) are folded
// at compile time and count neither as engine nor fallback ops.
func TestConstantFolding(t *testing.T) {
	g := ir.NewGraph("fold", "onnx")
	g.Opsets[""] = 17
	g.Inputs, g.Outputs = []string{"x"}, []string{"y"}
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2, 3, 4)}
	g.Values["a"] = constant("a", ir.FromSlice(ir.Float32, []int64{4}, []float32{1, 2, 3, 4}))
	g.Values["zero"] = constant("zero", ir.FromSlice(ir.Int64, nil, []int64{0}))
	g.Values["minus1"] = constant("minus1", ir.FromSlice(ir.Int64, []int64{1}, []int64{-1}))
	g.Nodes = []*ir.Node{
		// weight arithmetic: a + a
		{Name: "w", Op: "onnx.Add", Inputs: []string{"a", "a"}, Outputs: []string{"w"}},
		// static shape arithmetic: reshape x to [shape(x)[0], -1]
		{Name: "shape", Op: "onnx.Shape", Inputs: []string{"x"}, Outputs: []string{"s"}},
		{Name: "dim0", Op: "onnx.Gather", Inputs: []string{"s", "zero"}, Outputs: []string{"d0"}},
		{Name: "unsq", Op: "onnx.Unsqueeze", Inputs: []string{"d0", "zero"}, Outputs: []string{"d0v"}},
		{Name: "cat", Op: "onnx.Concat", Inputs: []string{"d0v", "minus1"}, Outputs: []string{"newshape"}, Attrs: map[string]ir.Attr{"axis": {Kind: ir.AttrInt, I: 0}}},
		{Name: "mul", Op: "onnx.Mul", Inputs: []string{"x", "w"}, Outputs: []string{"m"}},
		{Name: "reshape", Op: "onnx.Reshape", Inputs: []string{"m", "newshape"}, Outputs: []string{"y"}},
	}
	for _, n := range g.Nodes {
		if n.Attrs == nil {
			n.Attrs = map[string]ir.Attr{}
		}
	}
	if err := g.TopoSort(); err != nil {
		t.Fatal(err)
	}
	s := &conversion.Settings{MinBlockSize: 1, Backend: "reference"}
	folded, err := Prepare(g, "fold", s)
	if err != nil {
		t.Fatal(err)
	}
	if folded != 5 {
		t.Errorf("folded %d nodes, want 5 (w, shape, dim0, unsq, cat)", folded)
	}
	if got := g.Value("y").Shape.String(); got != "[2x12]" {
		t.Errorf("y shape %s", got)
	}
	if w := g.Value("w").Const; w == nil || w.Float(3) != 8 {
		t.Errorf("w not folded to a+a: %v", w)
	}
	res, err := Compile(g, "fold", folded, Options{Settings: s, Registry: converters.Builtin()})
	if err != nil {
		t.Fatal(err)
	}
	rep := BuildReport(res)
	if rep.TotalNodes != 2 || rep.ConvertedNodes != 2 || rep.FoldedNodes != 5 {
		t.Errorf("report: %d total, %d converted, %d folded", rep.TotalNodes, rep.ConvertedNodes, rep.FoldedNodes)
	}
}

// Unknown ops stop the compile before anything is built, all of them listed.
func TestUnsupportedOpsListed(t *testing.T) {
	g := ir.NewGraph("u", "onnx")
	g.Inputs, g.Outputs = []string{"x"}, []string{"z"}
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2)}
	g.Nodes = []*ir.Node{
		{Name: "a", Op: "onnx.Frob", Inputs: []string{"x"}, Outputs: []string{"y"}},
		{Name: "b", Op: "com.example.Zap", Inputs: []string{"y"}, Outputs: []string{"z"}},
	}
	_, err := Prepare(g, "u.onnx", conversion.DefaultSettings())
	var u *UnsupportedOpsError
	if !errors.As(err, &u) || len(u.Ops) != 2 || !strings.Contains(err.Error(), "onnx.Frob: a") || !strings.Contains(err.Error(), "com.example.Zap: b") {
		t.Fatalf("got %v", err)
	}
}

// An opset newer than trtc knows, and a domain it lacks, are refused with
// the op, the domain and the opset named.
func TestNewerOpsetAndUnknownDomain(t *testing.T) {
	g := ir.NewGraph("u", "onnx")
	g.Inputs, g.Outputs = []string{"x"}, []string{"z"}
	g.Opsets[""] = ops.KnownOpsets[""] + 1
	g.Opsets["com.example"] = 3
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2)}
	g.Nodes = []*ir.Node{
		{Name: "a", Op: "onnx.Relu", Inputs: []string{"x"}, Outputs: []string{"y"}},
		{Name: "b", Op: "com.example.Zap", Inputs: []string{"y"}, Outputs: []string{"z"}},
	}
	_, err := Prepare(g, "u.onnx", conversion.DefaultSettings())
	var u *UnsupportedOpsError
	want := []string{
		fmt.Sprintf("onnx.Relu: a (domain ai.onnx, opset %d: newer than the opset %d trtc knows", ops.KnownOpsets[""]+1, ops.KnownOpsets[""]),
		"com.example.Zap: b (domain com.example, opset 3: trtc does not know this domain; and no TensorRT plugin creator Zap version 1 (namespace \"\") is declared",
	}
	if !errors.As(err, &u) || len(u.Ops) != 2 {
		t.Fatalf("got %v", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("message lacks %q:\n%v", w, err)
		}
	}
}

// A graph output that is a constant gets an Identity node, so that some
// segment produces it.
func TestConstantGraphOutput(t *testing.T) {
	g := ir.NewGraph("c", "onnx")
	g.Outputs = []string{"k"}
	g.Values["k"] = constant("k", ir.FromSlice(ir.Float32, []int64{2}, []float32{1, 2}))
	if _, err := Prepare(g, "c", conversion.DefaultSettings()); err != nil {
		t.Fatal(err)
	}
	if len(g.Nodes) != 1 || g.Nodes[0].Op != "onnx.Identity" || g.Nodes[0].Outputs[0] != "k" {
		t.Fatalf("nodes %v", g.Nodes)
	}
}

// An If whose condition folds to a constant is replaced by the branch it
// takes, so the branch's nodes can be converted like any other.
func TestConstantIfInlined(t *testing.T) {
	branch := func(name, op string) *ir.Graph {
		b := ir.NewGraph(name, "onnx")
		b.Nodes = []*ir.Node{{Name: "n", Op: op, Inputs: []string{"x"}, Outputs: []string{"t"}}}
		b.Outputs = []string{"t"}
		return b
	}
	g := ir.NewGraph("if", "onnx")
	g.Inputs, g.Outputs = []string{"x"}, []string{"y"}
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2, 3)}
	g.Values["k"] = &ir.Value{Name: "k", DType: ir.Int64, Shape: ir.S(), Const: ir.FromSlice(ir.Int64, nil, []int64{3})}
	g.Nodes = []*ir.Node{
		{Name: "gt", Op: "onnx.Greater", Inputs: []string{"k", "k"}, Outputs: []string{"c"}}, // false, folded
		{Name: "if", Op: "onnx.If", Inputs: []string{"c"}, Outputs: []string{"y"}, Attrs: map[string]ir.Attr{
			"then_branch": {Kind: ir.AttrGraph, G: branch("then", "onnx.Relu")},
			"else_branch": {Kind: ir.AttrGraph, G: branch("else", "onnx.Neg")}}},
	}
	ir.ExplicitOuterInputs(g)
	if _, err := Prepare(g, "if.onnx", conversion.DefaultSettings()); err != nil {
		t.Fatal(err)
	}
	var opsLeft []string
	for _, n := range g.Nodes {
		opsLeft = append(opsLeft, n.Op)
	}
	if got := strings.Join(opsLeft, " "); got != "onnx.Neg onnx.Identity" {
		t.Errorf("nodes after inlining: %s", got)
	}
	if v := g.Value("y"); v == nil || !v.Shape.Equal(ir.S(2, 3)) {
		t.Errorf("output y = %v", v)
	}
}
