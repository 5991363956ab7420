package compiler

import (
	"fmt"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// MarkAllOutputs adds the computed values in node order, once each, and
// leaves out graph inputs, values already outputs, unnamed optional
// outputs and constants (folded values no segment computes).
func TestMarkAllOutputsChoosesComputedValues(t *testing.T) {
	g := ir.NewGraph("t", "onnx")
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2)}
	g.Values["w"] = &ir.Value{Name: "w", DType: ir.Float32, Shape: ir.S(2), Const: ir.FromSlice(ir.Float32, []int64{2}, []float32{1, 2})}
	g.Values["folded"] = &ir.Value{Name: "folded", DType: ir.Float32, Shape: ir.S(2), Const: ir.FromSlice(ir.Float32, []int64{2}, []float32{3, 4})}
	for _, v := range []string{"a", "b", "y"} {
		g.Values[v] = &ir.Value{Name: v, DType: ir.Float32, Shape: ir.S(2)}
	}
	g.Inputs, g.Outputs = []string{"x"}, []string{"y"}
	g.Nodes = []*ir.Node{
		{Name: "c", Op: "onnx.Constant", Outputs: []string{"folded"}},
		{Name: "n1", Op: "onnx.Add", Inputs: []string{"x", "w"}, Outputs: []string{"a"}},
		{Name: "n2", Op: "onnx.Dropout", Inputs: []string{"a"}, Outputs: []string{"b", ""}},
		{Name: "n3", Op: "onnx.Add", Inputs: []string{"b", "folded"}, Outputs: []string{"y"}},
	}
	added := MarkAllOutputs(g)
	if fmt.Sprint(added) != "[a b]" || fmt.Sprint(g.Outputs) != "[y a b]" {
		t.Errorf("added %v, outputs %v", added, g.Outputs)
	}
	if again := MarkAllOutputs(g); len(again) != 0 || len(g.Outputs) != 3 {
		t.Errorf("second call added %v", again)
	}
}
