package compiler_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/backend"
	_ "github.com/trtc-dev/trtc/pkg/backend/reference"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/runtime"
)

// reduceGraph is ReduceSum(x, axes) with axes a graph input of the given
// shape, as the ONNX node suite's reduce cases have it.
func reduceGraph(axesShape ir.Shape, dt ir.DType) *ir.Graph {
	g := ir.NewGraph("pin", "onnx")
	g.Opsets[""] = 18
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2, 3, 4)}
	g.Values["axes"] = &ir.Value{Name: "axes", DType: dt, Shape: axesShape}
	g.Inputs, g.Outputs = []string{"x", "axes"}, []string{"y"}
	g.Nodes = []*ir.Node{{Name: "sum", Op: "onnx.ReduceSum", Inputs: []string{"x", "axes"}, Outputs: []string{"y"},
		Attrs: map[string]ir.Attr{"keepdims": {Kind: ir.AttrInt, I: 0}}}}
	return g
}

// cumsumGraph is CumSum(x, axis) with axis a 0-D int32 graph input.
func cumsumGraph() *ir.Graph {
	g := ir.NewGraph("pin", "onnx")
	g.Opsets[""] = 17
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2, 3)}
	g.Values["axes"] = &ir.Value{Name: "axes", DType: ir.Int32, Shape: ir.S()}
	g.Inputs, g.Outputs = []string{"x", "axes"}, []string{"y"}
	g.Nodes = []*ir.Node{{Name: "cumsum", Op: "onnx.CumSum", Inputs: []string{"x", "axes"}, Outputs: []string{"y"}, Attrs: map[string]ir.Attr{}}}
	return g
}

func compilePinned(t *testing.T, g *ir.Graph, profiles []backend.Profile) (*compiler.Result, error) {
	t.Helper()
	s := &conversion.Settings{MinBlockSize: 1, Backend: "reference"}
	folded, err := compiler.Prepare(g, "pin.onnx", s)
	if err != nil {
		t.Fatal(err)
	}
	return compiler.Compile(g, "pin.onnx", folded, compiler.Options{Settings: s, Registry: converters.Builtin(),
		Build: backend.BuildOptions{Profiles: profiles}})
}

func values(name string, mn, op, mx []int64) backend.Profile {
	return backend.Profile{MinValues: map[string][]int64{name: mn}, OptValues: map[string][]int64{name: op}, MaxValues: map[string][]int64{name: mx}}
}

// An axes input that every profile pins is compiled as a constant: the
// reduce goes into an engine, the bundle records the value, and run takes
// that value and refuses any other with an input error naming the input.
func TestPinnedInputCompiledAsConstant(t *testing.T) {
	g := reduceGraph(ir.S(1), ir.Int64)
	res, err := compilePinned(t, g, []backend.Profile{values("axes", []int64{1}, []int64{1}, []int64{1})})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pinned) != 1 || res.Pinned[0].Name != "axes" || fmt.Sprint(res.Pinned[0].Value.Ints()) != "[1]" {
		t.Fatalf("pinned = %+v, want axes = [1]", res.Pinned)
	}
	if res.Partition.Converted() != 1 {
		t.Fatalf("%d of 1 nodes in engines; the pinned axes should let ReduceSum convert", res.Partition.Converted())
	}
	rep := compiler.BuildReport(res)
	if len(rep.PinnedInputs) != 1 || rep.PinnedInputs[0].Name != "axes" || fmt.Sprint(rep.PinnedInputs[0].Values) != "[1]" {
		t.Errorf("report pinned inputs %+v", rep.PinnedInputs)
	}
	var text strings.Builder
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "pinned:     input axes (int64[1]) = [1]") {
		t.Errorf("text report does not name the pinned input:\n%s", text.String())
	}

	dir := t.TempDir()
	model := filepath.Join(dir, "pin.onnx")
	if err := os.WriteFile(model, []byte("model"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "pin.trtb")
	if err := compiler.WriteBundle(res, model, path); err != nil {
		t.Fatal(err)
	}
	p, err := runtime.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	xs := make([]float32, 24)
	for i := range xs {
		xs[i] = float32(i)
	}
	x := ir.FromSlice(ir.Float32, []int64{2, 3, 4}, xs)
	out, err := p.Run(map[string]*ir.Tensor{"x": x, "axes": ir.FromSlice(ir.Int64, []int64{1}, []int64{1})})
	if err != nil {
		t.Fatal(err)
	}
	// sum over dim 1: y[a][c] = sum_b x[a][b][c]
	if got := fmt.Sprint(out["y"].Shape, ir.View[float32](out["y"])); got != "[2 4] [12 15 18 21 48 51 54 57]" {
		t.Errorf("y = %s", got)
	}
	_, err = p.Run(map[string]*ir.Tensor{"x": x, "axes": ir.FromSlice(ir.Int64, []int64{1}, []int64{2})})
	var ie *runtime.InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), `input "axes": value [2], but the bundle was compiled for [1]`) {
		t.Errorf("another axes value: got %v, want an InputError naming axes and the pinned value", err)
	}
}

// A value is pinned only when every profile fixes it to the same value.
func TestPinnedInputNeedsEveryProfile(t *testing.T) {
	for _, tc := range []struct {
		name     string
		profiles []backend.Profile
	}{
		{"no profile", nil},
		{"a range", []backend.Profile{values("axes", []int64{0}, []int64{1}, []int64{2})}},
		{"profiles differ", []backend.Profile{values("axes", []int64{1}, []int64{1}, []int64{1}), values("axes", []int64{2}, []int64{2}, []int64{2})}},
		{"one profile silent", []backend.Profile{values("axes", []int64{1}, []int64{1}, []int64{1}), {}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := compilePinned(t, reduceGraph(ir.S(1), ir.Int64), tc.profiles)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Pinned) != 0 || res.Partition.Converted() != 0 {
				t.Fatalf("pinned %+v, %d node(s) converted; want neither", res.Pinned, res.Partition.Converted())
			}
			reasons := strings.Join(res.Partition.Nodes[0].Decision.Reasons(), "; ")
			if !strings.Contains(reasons, "axes input must be a constant") {
				t.Errorf("fallback reason %q, want the converter's", reasons)
			}
		})
	}
}

// trtexec's way: an int input whose shape the model fixes takes its values
// from Min/Opt/Max when the list has one number per element; a list of
// another length is its dims and pins nothing.
func TestPinnedInputTrtexecLists(t *testing.T) {
	one := map[string][]int64{"axes": {1}}
	res, err := compilePinned(t, cumsumGraph(), []backend.Profile{{Min: one, Opt: one, Max: one}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pinned) != 1 || res.Pinned[0].Value.DType != ir.Int32 || fmt.Sprint(res.Pinned[0].Value.Shape, res.Pinned[0].Value.Ints()) != "[] [1]" {
		t.Errorf("pinned %+v, want axes = int32 scalar 1", res.Pinned)
	}
	if res.Partition.Converted() != 1 {
		t.Errorf("%d of 1 nodes in engines; the pinned axis should let CumSum convert", res.Partition.Converted())
	}
	dims := map[string][]int64{"axes": {2}}
	res, err = compilePinned(t, reduceGraph(ir.S(2), ir.Int64), []backend.Profile{{Min: dims, Opt: dims, Max: dims}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pinned) != 0 {
		t.Errorf("a dims list pinned %+v", res.Pinned)
	}
}

// Pinned values that do not fit the input are a compile error naming it.
func TestPinnedInputBadValues(t *testing.T) {
	_, err := compilePinned(t, cumsumGraph(), []backend.Profile{values("axes", []int64{1 << 40}, []int64{1 << 40}, []int64{1 << 40})})
	if err == nil || !strings.Contains(err.Error(), `graph input "axes" is int32, but the profiles pin its value 0 to 1099511627776`) {
		t.Errorf("got %v", err)
	}
	_, err = compilePinned(t, reduceGraph(ir.S(1), ir.Int64), []backend.Profile{values("axes", []int64{0, 1}, []int64{0, 1}, []int64{0, 1})})
	if err == nil || !strings.Contains(err.Error(), `graph input "axes" (shape [1]) has 1 element(s), but every profile pins it to 2 value(s)`) {
		t.Errorf("got %v", err)
	}
}
