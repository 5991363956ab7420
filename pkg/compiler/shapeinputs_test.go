package compiler

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/partition"
	"github.com/trtc-dev/trtc/pkg/runtime"
)

// reshapeGraph is y = Reshape(Relu(x), s) with s a graph input: s is a
// shape-tensor input of the engine.
func reshapeGraph(t *testing.T) *ir.Graph {
	g := ir.NewGraph("rs", "onnx")
	g.Opsets[""] = 17
	g.Inputs, g.Outputs = []string{"x", "s"}, []string{"y"}
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2, 3)}
	g.Values["s"] = &ir.Value{Name: "s", DType: ir.Int64, Shape: ir.S(2)}
	g.Nodes = []*ir.Node{
		{Name: "relu", Op: "onnx.Relu", Inputs: []string{"x"}, Outputs: []string{"r"}, Attrs: map[string]ir.Attr{}},
		{Name: "reshape", Op: "onnx.Reshape", Inputs: []string{"r", "s"}, Outputs: []string{"y"}, Attrs: map[string]ir.Attr{}},
	}
	if err := g.TopoSort(); err != nil {
		t.Fatal(err)
	}
	return g
}

func compileGraph(t *testing.T, g *ir.Graph, s *conversion.Settings, b backend.BuildOptions) *Result {
	t.Helper()
	folded, err := Prepare(g, "m", s)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Compile(g, "m", folded, Options{Settings: s, Registry: converters.Builtin(), Build: b})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func engineOf(res *Result, node string) *Engine {
	for seg, e := range res.Engines {
		for _, n := range seg.Nodes {
			if n.Name == node {
				return e
			}
		}
	}
	return nil
}

// A graph input used as reshape dims needs values in a profile, as
// TensorRT needs them; without, the Reshape node falls back with that
// reason; with them (trtexec's syntax: "s:3x2" is the value list), it stays
// in the engine, the bundle marks s a shape-tensor input with its values,
// and the runtime refuses values outside them.
func TestShapeTensorGraphInput(t *testing.T) {
	s := &conversion.Settings{MinBlockSize: 1, Backend: "reference"}
	res := compileGraph(t, reshapeGraph(t), s, backend.BuildOptions{})
	if engineOf(res, "reshape") != nil {
		t.Fatal("reshape was converted although its shape input has no profile values")
	}
	var reasons []string
	for _, ni := range res.Partition.Nodes {
		if ni.Node.Name == "reshape" {
			reasons = ni.Decision.Reasons()
		}
	}
	if !strings.Contains(strings.Join(reasons, "; "), "setShapeValues") {
		t.Errorf("fallback reasons %q do not name TensorRT's rule", reasons)
	}

	prof := backend.Profile{Min: map[string][]int64{"s": {1, 1}}, Opt: map[string][]int64{"s": {3, 2}}, Max: map[string][]int64{"s": {6, 6}}}
	res = compileGraph(t, reshapeGraph(t), s, backend.BuildOptions{Profiles: []backend.Profile{prof}})
	e := engineOf(res, "reshape")
	if e == nil || !slices.Equal(e.Target.ShapeInputs, []string{"s"}) {
		t.Fatalf("reshape not in an engine with shape input s: %+v", e)
	}
	path := filepath.Join(t.TempDir(), "m.trtb")
	if err := WriteBundle(res, filepath.Join("..", "..", "testdata", "models", "cnn_resnet", "model.onnx"), path); err != nil {
		t.Fatal(err)
	}
	prog, err := runtime.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	x := ir.NewTensor(ir.Float32, []int64{2, 3})
	out, err := prog.Run(map[string]*ir.Tensor{"x": x, "s": ir.FromSlice(ir.Int64, []int64{2}, []int64{3, 2})})
	if err != nil || !slices.Equal(out["y"].Shape, []int64{3, 2}) {
		t.Fatalf("run: %v %v", out, err)
	}
	_, err = prog.Run(map[string]*ir.Tensor{"x": x, "s": ir.FromSlice(ir.Int64, []int64{2}, []int64{-1, 6})})
	var ie *runtime.InputError
	if err == nil || !strings.Contains(err.Error(), `input "s": shape-tensor value 0 is -1, outside optimization profile 0's range [1, 6]`) || !errors.As(err, &ie) {
		t.Fatalf("value outside the profile: got %v", err)
	}
}

// A shape value computed by a fallback node and read by an engine gets
// its profile values from shape inference: s = Shape(x) is [N, 3], so
// under a profile N in 1..4 its values are [1,3]..[4,3].
func TestDerivedShapeValues(t *testing.T) {
	g := ir.NewGraph("d", "onnx")
	g.Opsets[""] = 17
	g.Inputs, g.Outputs = []string{"x"}, []string{"y"}
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3)}}
	g.Nodes = []*ir.Node{
		{Name: "shape", Op: "onnx.Shape", Inputs: []string{"x"}, Outputs: []string{"s"}, Attrs: map[string]ir.Attr{}},
		{Name: "relu", Op: "onnx.Relu", Inputs: []string{"x"}, Outputs: []string{"r"}, Attrs: map[string]ir.Attr{}},
		{Name: "reshape", Op: "onnx.Reshape", Inputs: []string{"r", "s"}, Outputs: []string{"y"}, Attrs: map[string]ir.Attr{}},
	}
	if err := g.TopoSort(); err != nil {
		t.Fatal(err)
	}
	s := &conversion.Settings{MinBlockSize: 1, Backend: "reference", FallbackOps: []string{"onnx.Shape"}}
	prof := backend.Profile{Min: map[string][]int64{"x": {1, 3}}, Opt: map[string][]int64{"x": {2, 3}}, Max: map[string][]int64{"x": {4, 3}}}
	res := compileGraph(t, g, s, backend.BuildOptions{Profiles: []backend.Profile{prof}})
	e := engineOf(res, "reshape")
	if e == nil {
		t.Fatal("reshape fell back")
	}
	var seg *partition.Segment = e.Segment
	if !slices.Contains(seg.Inputs, "s") || !slices.Equal(e.Target.ShapeInputs, []string{"s"}) {
		t.Fatalf("engine inputs %v, shape inputs %v", seg.Inputs, e.Target.ShapeInputs)
	}
	p := e.Target.Profiles[0]
	if !slices.Equal(p.MinValues["s"], []int64{1, 3}) || !slices.Equal(p.OptValues["s"], []int64{2, 3}) || !slices.Equal(p.MaxValues["s"], []int64{4, 3}) {
		t.Errorf("derived values %v %v %v", p.MinValues["s"], p.OptValues["s"], p.MaxValues["s"])
	}
}
