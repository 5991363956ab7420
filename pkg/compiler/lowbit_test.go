package compiler

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
	"github.com/trtc-dev/trtc/pkg/runtime"
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

// Quantized conv weights (a DequantizeLinear of a constant int8 tensor,
// per output channel) are not folded: the engine keeps the int8 constant,
// a dequantize layer and the convolution taking its output as the kernel,
// for 2-D and 1-D (reshaped kernel) convolutions, and the bundle's result
// equals the CPU kernels'.
func TestQuantizedConvWeights(t *testing.T) {
	for _, rank := range []int{3, 4} {
		xs, ws := []int64{1, 2, 5}, []int64{3, 2, 3}
		if rank == 4 {
			xs, ws = []int64{1, 2, 5, 5}, []int64{3, 2, 3, 3}
		}
		g := ir.NewGraph("qw", "onnx")
		g.Opsets[""] = 21
		g.Inputs, g.Outputs = []string{"x"}, []string{"y"}
		g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(xs...)}
		w := ir.NewTensor(ir.Int8, ws)
		for i, v := 0, ir.View[int8](w); i < len(v); i++ {
			v[i] = int8(i*29%255 - 127)
		}
		g.Values["w"] = constant("w", w)
		g.Values["ws"] = constant("ws", ir.FromSlice(ir.Float32, []int64{3}, []float32{0.01, 0.02, 0.005}))
		g.Values["wz"] = constant("wz", ir.NewTensor(ir.Int8, []int64{3}))
		g.Nodes = []*ir.Node{
			{Name: "dq", Op: "onnx.DequantizeLinear", Inputs: []string{"w", "ws", "wz"}, Outputs: []string{"wf"},
				Attrs: map[string]ir.Attr{"axis": {Kind: ir.AttrInt, I: 0}}},
			{Name: "conv", Op: "onnx.Conv", Inputs: []string{"x", "wf"}, Outputs: []string{"y"}, Attrs: map[string]ir.Attr{}},
		}
		if err := g.TopoSort(); err != nil {
			t.Fatal(err)
		}
		s := &conversion.Settings{MinBlockSize: 1, Backend: "reference"}
		folded, err := Prepare(g, "qw", s)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Compile(g, "qw", folded, Options{Settings: s, Registry: converters.Builtin()})
		if err != nil {
			t.Fatal(err)
		}
		if rep := BuildReport(res); folded != 0 || rep.ConvertedNodes != 2 {
			t.Fatalf("rank %d: %d folded, %d of %d nodes in engines, want the DequantizeLinear kept and both in engines: %+v", rank, folded, rep.ConvertedNodes, rep.TotalNodes, rep.Unsupported)
		}
		path := filepath.Join(t.TempDir(), "m.trtb")
		if err := WriteBundle(res, filepath.Join("..", "..", "testdata", "models", "cnn_resnet", "model.onnx"), path); err != nil {
			t.Fatal(err)
		}
		prog, err := runtime.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		x := ir.NewTensor(ir.Float32, xs)
		for i, v := 0, ir.View[float32](x); i < len(v); i++ {
			v[i] = float32(i%7) - 3
		}
		out, err := prog.Run(map[string]*ir.Tensor{"x": x})
		prog.Close()
		if err != nil {
			t.Fatal(err)
		}
		wf, err := ops.Execute(g.Nodes[0], []*ir.Tensor{w, g.Values["ws"].Const, g.Values["wz"].Const})
		if err != nil {
			t.Fatal(err)
		}
		want, err := ops.Execute(g.Nodes[1], []*ir.Tensor{x, wf[0]})
		if err != nil {
			t.Fatal(err)
		}
		for i := range int(want[0].Numel()) {
			if d := out["y"].Float(i) - want[0].Float(i); d > 1e-5 || d < -1e-5 {
				t.Fatalf("rank %d: y[%d] = %g, the kernels give %g", rank, i, out["y"].Float(i), want[0].Float(i))
			}
		}
	}
}

// Quantized weights of a ConvTranspose (whose layer takes kernel weights,
// not a tensor) fold to float weights as before: the node stays in an
// engine.
func TestQuantizedDeconvWeightsFold(t *testing.T) {
	g := ir.NewGraph("qd", "onnx")
	g.Opsets[""] = 21
	g.Inputs, g.Outputs = []string{"x"}, []string{"y"}
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(1, 2, 4, 4)}
	g.Values["w"] = constant("w", ir.FromSlice(ir.Int8, []int64{2, 1, 2, 2}, []int8{1, -2, 3, -4, 5, -6, 7, -8}))
	g.Values["ws"] = constant("ws", ir.FromSlice(ir.Float32, nil, []float32{0.5}))
	g.Nodes = []*ir.Node{
		{Name: "dq", Op: "onnx.DequantizeLinear", Inputs: []string{"w", "ws"}, Outputs: []string{"wf"}, Attrs: map[string]ir.Attr{}},
		{Name: "deconv", Op: "onnx.ConvTranspose", Inputs: []string{"x", "wf"}, Outputs: []string{"y"}, Attrs: map[string]ir.Attr{}},
	}
	if err := g.TopoSort(); err != nil {
		t.Fatal(err)
	}
	s := &conversion.Settings{MinBlockSize: 1, Backend: "reference"}
	folded, err := Prepare(g, "qd", s)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Compile(g, "qd", folded, Options{Settings: s, Registry: converters.Builtin()})
	if err != nil {
		t.Fatal(err)
	}
	if rep := BuildReport(res); folded != 1 || rep.ConvertedNodes != 1 || rep.TotalNodes != 1 {
		t.Errorf("%d folded, %d of %d in engines: want the DequantizeLinear folded and the ConvTranspose in an engine", folded, rep.ConvertedNodes, rep.TotalNodes)
	}
}
