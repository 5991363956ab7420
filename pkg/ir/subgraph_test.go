package ir

import (
	"fmt"
	"testing"
)

// A subgraph's outer reads, also through a nested subgraph, become the
// holding node's trailing inputs, once.
func TestExplicitOuterInputs(t *testing.T) {
	inner := NewGraph("inner", "onnx")
	inner.Nodes = []*Node{{Name: "i", Op: "onnx.Add", Inputs: []string{"a", "local"}, Outputs: []string{"o"}}}
	inner.Outputs = []string{"o"}
	body := NewGraph("body", "onnx")
	body.Inputs = []string{"local"}
	body.Values["local"] = &Value{Name: "local", DType: Float32}
	body.Nodes = []*Node{
		{Name: "if", Op: "onnx.If", Inputs: []string{"c"}, Outputs: []string{"r"}, Attrs: map[string]Attr{"then_branch": {Kind: AttrGraph, G: inner}}},
		{Name: "m", Op: "onnx.Mul", Inputs: []string{"r", "b"}, Outputs: []string{"y"}},
	}
	body.Outputs = []string{"y", "k"}
	g := NewGraph("main", "onnx")
	g.Nodes = []*Node{{Name: "loop", Op: "onnx.Loop", Inputs: []string{"m", ""}, Outputs: []string{"z"}, Attrs: map[string]Attr{"body": {Kind: AttrGraph, G: body}}}}
	ExplicitOuterInputs(g)
	ExplicitOuterInputs(g) // idempotent
	n := g.Nodes[0]
	if got := fmt.Sprint(n.Inputs, n.DeclaredInputs()); got != "[m  a b c k] 2" {
		t.Errorf("loop inputs = %s", got)
	}
	if got := fmt.Sprint(body.Nodes[0].Inputs); got != "[c a local]" {
		t.Errorf("nested If inputs = %s", got)
	}
}
