package runtime_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/runtime"
)

// fakeClock stands for the CUDA-event clock of a device engine: each span
// lasts 7 ms and records the host/device copies made inside it.
type fakeClock struct{ gpu *fakeGPU }

func (fakeClock) Name() string { return "fake-event" }
func (c fakeClock) Start() (backend.Span, error) {
	return &fakeSpan{gpu: c.gpu, copies: c.gpu.copies}, nil
}

type fakeSpan struct {
	gpu    *fakeGPU
	copies int
}

var spanCopies []int // copies inside each ended span, in order

func (s *fakeSpan) End() (time.Duration, error) {
	spanCopies = append(spanCopies, s.gpu.copies-s.copies)
	return 7 * time.Millisecond, nil
}

func (e *fakeEngine) Clock() backend.Clock { return fakeClock{e.gpu} }

var _ backend.ClockEngine = (*fakeEngine)(nil)

// RunTimed times each segment with its engine's clock (the fallback with
// the host's) and the whole run on the host; an engine's span covers the
// upload of its host inputs (x for the first engine, c for the second).
func TestRunTimed(t *testing.T) {
	defer runtime.SetProbeGPU(func() (string, string) { return "9.0", "fake H100" })()
	fake.version = "10.8.0"
	p, err := runtime.Open(buildBundle(t, "fakegpu"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	spanCopies = nil
	x := ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	out, tm, err := p.RunTimed(map[string]*ir.Tensor{"x": x})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ir.View[float32](out["y"])) != fmt.Sprint(wantY()) {
		t.Errorf("y = %v", ir.View[float32](out["y"]))
	}
	if got := strings.Join(tm.Clocks, " "); got != "fake-event host fake-event" {
		t.Errorf("clocks %q", got)
	}
	if tm.Segments[0] != 7*time.Millisecond || tm.Segments[2] != 7*time.Millisecond || tm.Segments[1] <= 0 || tm.Segments[1] > tm.Total {
		t.Errorf("segments %v, total %v", tm.Segments, tm.Total)
	}
	if fmt.Sprint(spanCopies) != "[1 1]" {
		t.Errorf("copies inside the engines' spans: %v, want one upload each", spanCopies)
	}
	if kinds := []string{p.SegmentKind(0), p.SegmentKind(1), p.SegmentKind(2)}; fmt.Sprint(kinds) != "[engine fallback engine]" {
		t.Errorf("kinds %v", kinds)
	}
	if _, _, err := p.RunTimed(map[string]*ir.Tensor{}); err == nil {
		t.Error("RunTimed without inputs succeeded")
	}
}

// A bundle compiled with MarkAllOutputs returns every computed value, the
// engines' intermediate tensors included, with the values the model
// computes.
func TestMarkAllOutputs(t *testing.T) {
	g := ir.NewGraph("t", "onnx")
	g.Opsets[""] = 17
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2, 3)}
	g.Inputs, g.Outputs = []string{"x"}, []string{"y"}
	g.Nodes = []*ir.Node{
		{Name: "add1", Op: "onnx.Add", Inputs: []string{"x", "x"}, Outputs: []string{"a"}},
		{Name: "mul1", Op: "onnx.Mul", Inputs: []string{"a", "x"}, Outputs: []string{"b"}},
		{Name: "relu", Op: "onnx.Relu", Inputs: []string{"b"}, Outputs: []string{"c"}},
		{Name: "add2", Op: "onnx.Add", Inputs: []string{"c", "a"}, Outputs: []string{"y"}},
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "model.onnx")
	os.WriteFile(model, []byte("stands in for the model file"), 0o644)
	s := &conversion.Settings{MinBlockSize: 1, Backend: "reference"}
	folded, err := compiler.Prepare(g, model, s)
	if err != nil {
		t.Fatal(err)
	}
	res, err := compiler.Compile(g, model, folded, compiler.Options{Settings: s, Registry: converters.Builtin(), MarkAllOutputs: true})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.MarkedOutputs) != "[a b c]" || fmt.Sprint(g.Outputs) != "[y a b c]" {
		t.Fatalf("marked %v, outputs %v", res.MarkedOutputs, g.Outputs)
	}
	path := filepath.Join(dir, "model.trtb")
	if err := compiler.WriteBundle(res, model, path); err != nil {
		t.Fatal(err)
	}
	p, err := runtime.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if !strings.HasPrefix(strings.Join(p.Segments(), "|"), "engine") || len(p.Segments()) != 1 {
		t.Errorf("segments %v, want one engine", p.Segments())
	}
	out, err := p.Run(map[string]*ir.Tensor{"x": ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, -2, 3, -4, 5, -6})})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "[2 -4 6 -8 10 -12]", "b": "[2 8 18 32 50 72]", "c": "[2 8 18 32 50 72]", "y": "[4 4 24 24 60 60]"}
	for name, w := range want {
		if got := fmt.Sprint(ir.View[float32](out[name])); got != w {
			t.Errorf("%s = %s, want %s", name, got, w)
		}
	}
}
