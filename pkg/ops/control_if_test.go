package ops

import (
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// An If whose condition is a constant is replaced by the branch it takes
// (the compiler runs InlineConstantIfs before capability checks), and the
// inlined graph computes what the If's kernel computes.
func TestInlineConstantIfs(t *testing.T) {
	branch := func(name, op string) *ir.Graph {
		b := ir.NewGraph(name, "onnx")
		b.Outputs = []string{"o"}
		b.Values["k"] = &ir.Value{Name: "k", DType: ir.Float32, Shape: ir.S(1), Const: ir.FromSlice(ir.Float32, []int64{1}, []float32{3})}
		b.Nodes = []*ir.Node{{Name: name + "_n", Op: "onnx." + op, Inputs: []string{"x", "k"}, Outputs: []string{"o"}, Attrs: map[string]ir.Attr{}}}
		return b
	}
	for _, cond := range []bool{true, false} {
		g := ir.NewGraph("g", "onnx")
		c := uint8(0)
		if cond {
			c = 1
		}
		g.Inputs, g.Outputs = []string{"x"}, []string{"y"}
		g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2)}
		g.Values["c"] = &ir.Value{Name: "c", DType: ir.Bool, Shape: ir.S(), Const: ir.FromSlice(ir.Bool, []int64{}, []uint8{c})}
		g.Nodes = []*ir.Node{{Name: "if", Op: "onnx.If", Inputs: []string{"c", "x"}, Outputs: []string{"y"},
			Attrs: map[string]ir.Attr{"then_branch": {Kind: ir.AttrGraph, G: branch("then", "Add")},
				"else_branch": {Kind: ir.AttrGraph, G: branch("else", "Mul")}, ir.OuterInputsAttr: {Kind: ir.AttrStrings, Strings: []string{"x"}}}}}
		x := ir.FromSlice(ir.Float32, []int64{2}, []float32{1, -2})
		want, err := Execute(g.Nodes[0], []*ir.Tensor{g.Values["c"].Const, x})
		if err != nil {
			t.Fatal(err)
		}
		if n := InlineConstantIfs(g); n != 1 {
			t.Fatalf("cond %v: %d Ifs inlined, want 1", cond, n)
		}
		for _, n := range g.Nodes {
			if n.Op == "onnx.If" {
				t.Fatalf("cond %v: an If is left", cond)
			}
		}
		got, err := RunGraph(g, map[string]*ir.Tensor{"x": x})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			if got[0].Float(i) != want[0].Float(i) {
				t.Errorf("cond %v: element %d is %v, the If's kernel gives %v", cond, i, got[0].Float(i), want[0].Float(i))
			}
		}
	}
}
