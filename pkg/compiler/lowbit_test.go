package compiler

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// A float8 tensor never crosses an engine boundary: the Q/DQ pair whose
// float8 stays inside converts to quantize/dequantize layers, while the
// quantize node whose float8 output is a graph output falls back, its
// decision naming the rule.
func TestLowBitStaysInsideEngines(t *testing.T) {
	g := ir.NewGraph("fp8", "onnx")
	g.Opsets[""] = 21
	g.Inputs, g.Outputs = []string{"x"}, []string{"y", "q2"}
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2, 3)}
	g.Values["s"] = constant("s", ir.FromSlice(ir.Float32, nil, []float32{0.25}))
	g.Values["zp"] = constant("zp", ir.NewTensor(ir.Float8E4M3FN, nil))
	g.Nodes = []*ir.Node{
		{Name: "q", Op: "onnx.QuantizeLinear", Inputs: []string{"x", "s", "zp"}, Outputs: []string{"q"}},
		{Name: "dq", Op: "onnx.DequantizeLinear", Inputs: []string{"q", "s", "zp"}, Outputs: []string{"d"}},
		{Name: "relu", Op: "onnx.Relu", Inputs: []string{"d"}, Outputs: []string{"y"}},
		{Name: "q2", Op: "onnx.QuantizeLinear", Inputs: []string{"d", "s", "zp"}, Outputs: []string{"q2"}},
	}
	for _, n := range g.Nodes {
		n.Attrs = map[string]ir.Attr{}
	}
	if err := g.TopoSort(); err != nil {
		t.Fatal(err)
	}
	s := &conversion.Settings{MinBlockSize: 1, Backend: "reference"}
	folded, err := Prepare(g, "fp8", s)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Compile(g, "fp8", folded, Options{Settings: s, Registry: converters.Builtin()})
	if err != nil {
		t.Fatal(err)
	}
	rep := BuildReport(res)
	if rep.TotalNodes != 4 || rep.ConvertedNodes != 3 {
		t.Errorf("%d of %d nodes in engines, want 3 of 4 (q2 falls back)", rep.ConvertedNodes, rep.TotalNodes)
	}
	found := false
	for _, u := range rep.Unsupported {
		if u.Node == "q2" {
			found = strings.Contains(strings.Join(u.Reasons, " "), "cannot be an engine input or output")
		} else {
			t.Errorf("%s falls back: %v", u.Node, u.Reasons)
		}
	}
	if !found {
		t.Errorf("q2's fallback reason does not name the engine boundary rule: %+v", rep.Unsupported)
	}
}
