//go:build tensorrt && fakenvinfer

package tensorrt

// Tests of the shim's TensorRT calls (issue 8, findings 1, 2 and 8-12)
// through the recording fake of TensorRT (testdata/fake): each one failed
// against the shim before the fix. They check what the shim asks of
// TensorRT, not what TensorRT does with it.

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/runtime"
)

func hasEvent(events []string, prefix string) bool {
	return slices.ContainsFunc(events, func(e string) bool { return strings.HasPrefix(e, prefix) })
}

// noUnexpected fails on any TensorRT call the fake does not implement and
// on any lifetime error it saw.
func noUnexpected(t *testing.T, events []string) {
	t.Helper()
	for _, e := range events {
		if strings.HasPrefix(e, "unexpected call") || strings.HasPrefix(e, "error:") {
			t.Errorf("fake TensorRT: %s", e)
		}
	}
}

// unaryNet is x [N,4] -> exp -> y, with one profile N in 1..8.
func unaryNet(t *testing.T) (*Network, backend.BuildOptions) {
	t.Helper()
	n := NewNetwork()
	x := n.AddInput("x", ir.Float32, ir.Shape{ir.Sym("N"), {Size: 4}})
	n.BeginNode("onnx.Exp", "exp")
	n.MarkOutput(n.AddUnary(x, network.UnaryEXP), "y")
	if n.Err() != nil {
		t.Fatal(n.Err())
	}
	r := func(v int64) map[string][]int64 { return map[string][]int64{"x": {v, 4}} }
	return n, backend.BuildOptions{Profiles: []backend.Profile{{Min: r(1), Opt: r(4), Max: r(8)}}}
}

// Finding 8: TensorRT keeps one logger per process; every builder and
// runtime must get the same one.
func TestFakeOneLoggerPerProcess(t *testing.T) {
	withDevice(t, func() (Device, error) { return &fakeDevice{}, nil })
	fakeEvents()
	n1, opts := unaryNet(t)
	n2, _ := unaryNet(t)
	blob, _, err := (Backend{}).Build(n1, opts)
	if err != nil {
		t.Fatal(err)
	}
	n2.release()
	eng, err := (Backend{}).Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	eng.Close()
	var loggers []string
	events := fakeEvents()
	for _, e := range events {
		if i := strings.Index(e, " logger "); i >= 0 {
			loggers = append(loggers, e[i+len(" logger "):])
		}
	}
	if len(loggers) != 3 {
		t.Fatalf("want 2 builders and 1 runtime, got events %q", events)
	}
	if loggers[0] != loggers[1] || loggers[1] != loggers[2] {
		t.Errorf("loggers %v: TensorRT keeps one logger per process, the shim must pass the same one", loggers)
	}
	noUnexpected(t, events)
}

// Finding 9: the builder config references the timing cache until it is
// destroyed, so the cache must outlive it.
func TestFakeTimingCacheOutlivesConfig(t *testing.T) {
	fakeEvents()
	n, opts := unaryNet(t)
	opts.TimingCache = filepath.Join(t.TempDir(), "cache")
	if err := os.WriteFile(opts.TimingCache, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := (Backend{}).Build(n, opts); err != nil {
		t.Fatal(err)
	}
	noUnexpected(t, fakeEvents())
	// The fake's cache serializes as what it was created from, plus "+".
	if b, err := os.ReadFile(opts.TimingCache); err != nil || string(b) != "old+" {
		t.Errorf("timing cache file: %q, %v", b, err)
	}
}

// Finding 10: a version-compatible engine loads only with engine host code
// allowed; LoadTarget allows it for such engines and Load does not.
func TestFakeVersionCompatibleLoads(t *testing.T) {
	withDevice(t, func() (Device, error) { return &fakeDevice{}, nil })
	fakeEvents()
	n, opts := unaryNet(t)
	opts.VersionCompatible = true
	blob, target, err := (Backend{}).Build(n, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !target.VersionCompatible {
		t.Error("target does not record version compatibility")
	}
	eng, err := (Backend{}).LoadTarget(blob, target)
	if err != nil {
		t.Fatalf("loading a version-compatible engine: %v", err)
	}
	eng.Close()
	events := fakeEvents()
	if !hasEvent(events, "setEngineHostCodeAllowed true") {
		t.Errorf("host code was not allowed: %q", events)
	}
	noUnexpected(t, events)
	if _, err := (Backend{}).Load(blob); err == nil || !strings.Contains(err.Error(), "does not allow it") {
		t.Errorf("Load without host code: %v, want TensorRT's refusal", err)
	}
	if hasEvent(fakeEvents(), "setEngineHostCodeAllowed") {
		t.Error("Load allowed host code for an engine not known to be version-compatible")
	}
}

// Finding 11: the engine's second profile is made active for inputs only
// it admits.
func TestFakeSelectsProfile(t *testing.T) {
	dev := &fakeDevice{}
	withDevice(t, func() (Device, error) { return dev, nil })
	n, opts := unaryNet(t)
	r := func(v int64) map[string][]int64 { return map[string][]int64{"x": {v, 4}} }
	opts.Profiles = append(opts.Profiles, backend.Profile{Min: r(9), Opt: r(16), Max: r(32)})
	blob, _, err := (Backend{}).Build(n, opts)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := (Backend{}).Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	fakeEvents()
	if _, err := eng.Run(map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{20, 4})}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Run(map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{2, 4})}); err != nil {
		t.Fatal(err)
	}
	events := fakeEvents()
	want := []string{"setOptimizationProfileAsync 1", "enqueueV3 profile 1", "setOptimizationProfileAsync 0", "enqueueV3 profile 0"}
	if !slices.Equal(events, want) {
		t.Errorf("events %q, want %q", events, want)
	}
}

// Finding 12: APIs added after 10.0 are called only when the loaded
// library has them (major and minor), whatever the headers have.
func TestFakeMinorVersionChecks(t *testing.T) {
	_, compiled, err := libVersion()
	if err != nil {
		t.Fatal(err)
	}
	major := compiled / 10000
	build := func() (*Network, error) {
		n := NewNetwork()
		x := n.AddInput("x", ir.Float32, ir.S(2, 8))
		ax := n.AddConstant(ir.FromSlice(ir.Int32, []int64{}, []int32{1}))
		n.BeginNode("onnx.TopK", "topk")
		v, _ := n.AddTopK(x, network.TopKMAX, 3, 2)
		n.MarkOutput(v, "v")
		sc := n.AddConstant(ir.FromSlice(ir.Float32, []int64{1, 8}, make([]float32, 8)))
		n.MarkOutput(n.AddNormalization(x, sc, sc, 2, 1e-5), "n")
		n.BeginNode("onnx.CumSum", "cumsum")
		n.MarkOutput(n.AddCumulative(x, ax, network.CumulativeSUM, false, false), "c")
		return n, n.Err()
	}
	// The headers' own version: the newest forms where the headers have them.
	fakeEvents()
	_, err = build()
	events := fakeEvents()
	if compiled >= 100800 || major > 10 {
		if err != nil {
			t.Fatalf("headers %d, library %d: %v", compiled, compiled, err)
		}
		if !hasEvent(events, "addCumulative") {
			t.Errorf("addCumulative not called: %q", events)
		}
	} else if err == nil || !strings.Contains(err.Error(), "addCumulative needs TensorRT 10.8") {
		t.Errorf("10.%d headers: cumulative: %v", compiled/100%100, err)
	}
	if got, want := hasEvent(events, "addTopKV2"), compiled >= 101400 || major > 10; got != want {
		t.Errorf("headers %d: addTopKV2 called %v, want %v", compiled, got, want)
	}
	if got, want := hasEvent(events, "addNormalizationV2"), compiled >= 101500 || major > 10; got != want {
		t.Errorf("headers %d: addNormalizationV2 called %v, want %v", compiled, got, want)
	}
	noUnexpected(t, events)
	if major > 10 {
		return // every 11.x library has every 10.x API
	}
	// A 10.0 library under newer headers: the old forms, and cumulative
	// refused with both versions named.
	t.Setenv("TRTC_FAKE_NVINFER_VERSION", "100001")
	_, err = build()
	events = fakeEvents()
	var e *Error
	if !errors.As(err, &e) || e.Code != 4 || !strings.Contains(e.Msg, "addCumulative needs TensorRT 10.8 or newer (loaded libnvinfer 10.0") {
		t.Errorf("cumulative on a 10.0 library: %v", err)
	}
	if hasEvent(events, "addTopKV2") || hasEvent(events, "addNormalizationV2") || hasEvent(events, "addCumulative") {
		t.Errorf("a 10.0 library was asked for a newer API: %q", events)
	}
	noUnexpected(t, events)
	// Same-compute-capability hardware compatibility needs 10.9.
	n, opts := unaryNet(t)
	opts.HardwareCompatibility = "same-compute-capability"
	if _, _, err := (Backend{}).Build(n, opts); err == nil || !strings.Contains(err.Error(), "kSAME_COMPUTE_CAPABILITY needs TensorRT 10.9") {
		t.Errorf("same-compute-capability on 10.0: %v", err)
	}
	fakeEvents()
}

// Finding 2: a layer TensorRT cannot shape (nbDims -1) or returns null for
// is an error naming the layer, never a rank-0 tensor, and the compiler
// sends its node to fallback with that reason.
func TestFakeUnshapedLayer(t *testing.T) {
	for env, want := range map[string]string{
		"TRTC_FAKE_UNSHAPED": "TensorRT could not infer the shape of output 0 (nbDims -1)",
		"TRTC_FAKE_NULL_ADD": "INetworkDefinition::addUnary failed",
	} {
		t.Run(env, func(t *testing.T) {
			val := "onnx.Exp"
			if env == "TRTC_FAKE_NULL_ADD" {
				val = "addUnary"
			}
			t.Setenv(env, val)
			n := NewNetwork()
			x := n.AddInput("x", ir.Float32, ir.S(2, 3))
			n.BeginNode("onnx.Exp", "exp")
			y := n.AddUnary(x, network.UnaryEXP)
			var ne *network.Error
			if !errors.As(n.Err(), &ne) || !strings.Contains(ne.Layer, "[onnx.Exp]-[exp]") || !strings.Contains(n.Err().Error(), want) {
				t.Fatalf("network error %v, want one naming the exp layer and %q", n.Err(), want)
			}
			if y.Name() != "<error>" || n.NumLayers() != 0 {
				t.Errorf("got tensor %q (shape %v), %d layers", y.Name(), y.Shape(), n.NumLayers())
			}
			// Through the compiler: exp falls back, relu stays in an engine.
			res := compileTiny(t)
			var reason error
			for node, err := range res.ConvertFailures {
				if node.Name == "exp" {
					reason = err
				}
			}
			if reason == nil || !strings.Contains(reason.Error(), want) {
				t.Errorf("exp's fallback reason: %v, want %q", reason, want)
			}
			if len(res.Engines) != 1 {
				t.Errorf("%d engines, want 1 (relu)", len(res.Engines))
			}
			// The compile report carries the reason on the node.
			inReport := false
			for _, seg := range compiler.BuildReport(res).Segments {
				for _, nr := range seg.Nodes {
					for _, rj := range nr.Rejected {
						inReport = inReport || nr.Name == "exp" && seg.Kind == "fallback" && strings.Contains(rj.Reason, want)
					}
				}
			}
			if !inReport {
				t.Errorf("the report does not show exp in fallback with %q", want)
			}
			fakeEvents()
		})
	}
}

// compileTiny compiles x -> Relu -> Exp with the tensorrt backend over the
// fake.
func compileTiny(t *testing.T) *compiler.Result {
	t.Helper()
	g := ir.NewGraph("t", "onnx")
	g.Opsets[""] = 17
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2, 3)}
	g.Inputs, g.Outputs = []string{"x"}, []string{"z"}
	g.Nodes = []*ir.Node{
		{Name: "relu", Op: "onnx.Relu", Inputs: []string{"x"}, Outputs: []string{"y"}},
		{Name: "exp", Op: "onnx.Exp", Inputs: []string{"y"}, Outputs: []string{"z"}},
	}
	model := filepath.Join(t.TempDir(), "model.onnx")
	if err := os.WriteFile(model, []byte("model"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &conversion.Settings{MinBlockSize: 1, Backend: "tensorrt"}
	folded, err := compiler.Prepare(g, model, s)
	if err != nil {
		t.Fatal(err)
	}
	res, err := compiler.Compile(g, model, folded, compiler.Options{Settings: s, Registry: converters.Builtin()})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Finding 1: a shape-tensor input gets its values in every profile
// (setShapeValues, or setShapeValuesV2 from 10.11), a build without them is
// refused naming the input, and at run time it is bound from host memory
// (the fake reads the values through the bound pointer, under ASan).
func TestFakeShapeTensorInput(t *testing.T) {
	dev := &fakeDevice{}
	withDevice(t, func() (Device, error) { return dev, nil })
	net := func() *Network {
		n := NewNetwork()
		x := n.AddInput("x", ir.Float32, ir.S(4, 6))
		s := n.AddInput("s", ir.Int64, ir.S(2))
		n.BeginNode("onnx.Reshape", "reshape")
		n.MarkOutput(n.AddShuffle(x, network.ShuffleParams{ReshapeTensor: s}), "y")
		if n.Err() != nil {
			t.Fatal(n.Err())
		}
		return n
	}
	fakeEvents()
	_, _, err := (Backend{}).Build(net(), backend.BuildOptions{})
	var se *backend.ShapeInputError
	if !errors.As(err, &se) || se.Input != "s" || se.Profile != -1 {
		t.Errorf("build without shape values: %v, want a ShapeInputError for s", err)
	}
	v := func(a, b int64) map[string][]int64 { return map[string][]int64{"s": {a, b}} }
	// trtexec's form: a shape-tensor input's --min/opt/max-shapes entry is
	// its values.
	if _, _, err := (Backend{}).Build(net(), backend.BuildOptions{Profiles: []backend.Profile{{Min: v(1, 1), Opt: v(4, 6), Max: v(24, 24)}}}); err != nil {
		t.Fatalf("values given as --min/opt/max-shapes: %v", err)
	}
	fakeEvents()
	opts := backend.BuildOptions{Profiles: []backend.Profile{{MinValues: v(1, 1), OptValues: v(4, 6), MaxValues: v(24, 24)}}}
	blob, _, err := (Backend{}).Build(net(), opts)
	if err != nil {
		t.Fatal(err)
	}
	_, compiled, _ := libVersion()
	call := "setShapeValuesV2 s"
	if compiled < 101100 {
		call = "setShapeValues s"
	}
	events := fakeEvents()
	if n := len(slices.DeleteFunc(slices.Clone(events), func(e string) bool { return e != call })); n != 3 {
		t.Errorf("%d calls of %s (min, opt, max), events %q", n, call, events)
	}
	noUnexpected(t, events)
	eng, err := (Backend{}).Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	in := map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{4, 6}), "s": ir.FromSlice(ir.Int64, []int64{2}, []int64{3, 8})}
	if _, err := eng.Run(in); err != nil {
		t.Fatal(err)
	}
	events = fakeEvents()
	if !slices.Contains(events, "host shape input s [3,8]") || !slices.Contains(events, "enqueueV3 reads shape input s [3,8]") {
		t.Errorf("shape input not read from host memory: %q", events)
	}
	noUnexpected(t, events)
	in["s"] = ir.FromSlice(ir.Int64, []int64{2}, []int64{30, 8})
	if _, err := eng.Run(in); err == nil || !strings.Contains(err.Error(), `input "s" has values [30 8], outside [1 1]..[24 24]`) {
		t.Errorf("values outside the profile: %v", err)
	}
}

// Finding 10 end to end: a bundle whose engine was built version-compatible
// loads through pkg/runtime, which passes the target to LoadTarget.
func TestFakeVersionCompatibleBundle(t *testing.T) {
	withDevice(t, func() (Device, error) { return &fakeDevice{}, nil })
	g := ir.NewGraph("t", "onnx")
	g.Opsets[""] = 17
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2, 3)}
	g.Inputs, g.Outputs = []string{"x"}, []string{"y"}
	g.Nodes = []*ir.Node{{Name: "exp", Op: "onnx.Exp", Inputs: []string{"x"}, Outputs: []string{"y"}}}
	dir := t.TempDir()
	model := filepath.Join(dir, "model.onnx")
	if err := os.WriteFile(model, []byte("model"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &conversion.Settings{MinBlockSize: 1, Backend: "tensorrt"}
	folded, err := compiler.Prepare(g, model, s)
	if err != nil {
		t.Fatal(err)
	}
	res, err := compiler.Compile(g, model, folded, compiler.Options{Settings: s, Registry: converters.Builtin(),
		Build: backend.BuildOptions{VersionCompatible: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Engines {
		if !e.Target.VersionCompatible {
			t.Fatalf("engine target %+v is not version-compatible", e.Target)
		}
		e.Target.ComputeCapability = "" // this machine has no GPU to match
	}
	path := filepath.Join(dir, "model.trtb")
	if err := compiler.WriteBundle(res, model, path); err != nil {
		t.Fatal(err)
	}
	fakeEvents()
	p, err := runtime.Open(path)
	if err != nil {
		t.Fatalf("opening a version-compatible bundle: %v", err)
	}
	p.Close()
	if events := fakeEvents(); !hasEvent(events, "setEngineHostCodeAllowed true") || !hasEvent(events, "deserializeCudaEngine") {
		t.Errorf("events %q", events)
	}
}
