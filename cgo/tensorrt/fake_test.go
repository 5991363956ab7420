//go:build tensorrt && fakenvinfer

package tensorrt

// These tests link against testdata/fake's libnvinfer.so, built by
// `make check-tensorrt`. With TRTC_FAKE_NVINFER_FAIL=1 its entry points fail,
// so the tests here check the shim's error paths; fake_shim_test.go and
// fake_models_test.go use the recording fake. Nothing here runs real
// TensorRT.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/cgo/cuda"
	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/backend"
	_ "github.com/trtc-dev/trtc/pkg/backend/reference"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/runtime"
)

func TestFakeNullBuilder(t *testing.T) {
	t.Setenv("TRTC_FAKE_NVINFER_FAIL", "1")
	n := NewNetwork()
	err := n.Err()
	if err == nil {
		t.Fatal("NewNetwork over a builder-less libnvinfer reported no error")
	}
	for _, want := range []string{"creating the builder", "createInferBuilder returned null", "error: fake libnvinfer: no CUDA-capable device is detected"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	// Sticky: later calls are no-ops and keep the first error.
	x := n.AddInput("x", ir.Float32, ir.S(1, 2))
	y := n.AddUnary(x, network.UnaryEXP)
	n.MarkOutput(y, "y")
	if n.Err() != err || n.NumLayers() != 0 {
		t.Errorf("error not sticky: %v, %d layers", n.Err(), n.NumLayers())
	}
	if _, _, berr := (Backend{}).Build(n, backend.BuildOptions{}); berr != err {
		t.Errorf("Build returned %v, want the network's error", berr)
	}
}

func TestFakeVersionMismatch(t *testing.T) {
	t.Setenv("TRTC_FAKE_NVINFER_VERSION", "90300")
	err := NewNetwork().Err()
	var e *Error
	if !errors.As(err, &e) || e.Code != 4 || !strings.Contains(e.Msg, "libnvinfer is TensorRT 90300") || !strings.Contains(e.Msg, "rebuild trtc") {
		t.Fatalf("version mismatch: got %v", err)
	}
}

// withDevice sets how engines get their Device for one test and restores
// the wiring the package had (cudadevice.go's) afterwards.
func withDevice(t *testing.T, open func() (Device, error)) {
	deviceMu.Lock()
	old := deviceOpen
	deviceMu.Unlock()
	SetDevice(open)
	t.Cleanup(func() { SetDevice(old) })
}

func TestFakeNullRuntime(t *testing.T) {
	t.Setenv("TRTC_FAKE_NVINFER_FAIL", "1")
	withDevice(t, func() (Device, error) { return &fakeDevice{}, nil })
	_, err := (Backend{}).Load([]byte("not a plan"))
	if err == nil {
		t.Fatal("Load over a runtime-less libnvinfer reported no error")
	}
	msg := err.Error()
	for _, want := range []string{"loading the engine", "createInferRuntime returned null", "warning: fake libnvinfer: CUDA initialization failure"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "not kept") {
		t.Errorf("info-level message reached the status: %q", msg)
	}
}

func TestFakeLoadWithoutDevice(t *testing.T) {
	withDevice(t, nil)
	if _, err := (Backend{}).Load(nil); !errors.Is(err, ErrNoDevice) {
		t.Fatalf("Load without a device: got %v, want ErrNoDevice", err)
	}
}

func TestShimCatchesExceptions(t *testing.T) {
	cases := map[int32]string{1: "C++ exception: trtc_debug_throw", 2: "out of host memory (std::bad_alloc)", 3: "C++ exception of unknown type"}
	for what, want := range cases {
		err := debugThrow(what)
		var e *Error
		if !errors.As(err, &e) || e.Code != 2 || e.Msg != want {
			t.Errorf("debug throw %d: got %v, want code 2 %q", what, err, want)
		}
	}
	if err := debugThrow(9); err == nil || !strings.Contains(err.Error(), "unknown kind 9") {
		t.Errorf("debug throw 9: %v", err)
	}
}

func TestShimNullHandles(t *testing.T) {
	if err := nullBuilderCall(); err == nil || !strings.Contains(err.Error(), "builder is missing") {
		t.Errorf("call on a null builder: %v", err)
	}
	if err := nullEngineCall(); err == nil || !strings.Contains(err.Error(), "engine is missing") {
		t.Errorf("call on a null engine: %v", err)
	}
	for what, err := range nullLayerCalls() {
		if err == nil || !strings.Contains(err.Error(), "builder is missing") {
			t.Errorf("%s on a null builder: %v", what, err)
		}
	}
}

// Layers added after the builder failed keep its error and add nothing,
// even with parameters the shim would refuse.
func TestFakeStickyNewLayers(t *testing.T) {
	t.Setenv("TRTC_FAKE_NVINFER_FAIL", "1")
	n := NewNetwork()
	first := n.Err()
	if first == nil {
		t.Fatal("NewNetwork over a builder-less libnvinfer reported no error")
	}
	x := n.AddInput("x", ir.Float32, ir.S(1, 3, 4, 4))
	i := n.AddInput("i", ir.Int64, ir.S(1, 2))
	outs := []network.Tensor{
		n.AddGatherND(x, i, 1),
		n.AddGatherND(x, i, -1),
		n.AddResize(x, network.ResizeParams{Mode: network.InterpolationLINEAR, Scales: []float32{1, 1, 2, 2}}),
		n.AddResize(x, network.ResizeParams{}),
		n.AddDeconvolutionNd(x, network.DeconvolutionParams{NbOutputMaps: 2, KernelSize: []int64{2, 2},
			Kernel: ir.NewTensor(ir.Float32, []int64{3, 2, 2, 2})}),
		n.AddDeconvolutionNd(x, network.DeconvolutionParams{}),
		n.AddScatter(x, i, x, network.ScatterELEMENT, 1),
	}
	for k, o := range outs {
		if o.Name() != "<error>" {
			t.Errorf("layer %d after a failed builder gave tensor %q", k, o.Name())
		}
	}
	if n.Err() != first || n.NumLayers() != 0 {
		t.Errorf("error not sticky: %v, %d layers", n.Err(), n.NumLayers())
	}
}

func TestLinkedVersion(t *testing.T) {
	linked, compiled, err := libVersion()
	if err != nil || linked != compiled || compiled < 100000 {
		t.Fatalf("libVersion = %d, %d, %v", linked, compiled, err)
	}
	t.Logf("headers: TensorRT %s", versionString(compiled))
}

// The registered backend reports the linked library's version, as
// pkg/runtime asks for it.
func TestFakeRuntimeVersion(t *testing.T) {
	be, err := backend.Get("tensorrt")
	if err != nil {
		t.Fatal(err)
	}
	vr, ok := be.(backend.VersionReporter)
	if !ok {
		t.Fatalf("%T is not a backend.VersionReporter", be)
	}
	_, compiled, _ := libVersion()
	if v, err := vr.RuntimeVersion(); err != nil || v != versionString(compiled) {
		t.Errorf("RuntimeVersion() = %q, %v, want the fake's default %s", v, err, versionString(compiled))
	}
	t.Setenv("TRTC_FAKE_NVINFER_VERSION", "100803")
	if v, err := vr.RuntimeVersion(); err != nil || v != "10.8.3" {
		t.Errorf("RuntimeVersion() = %q, %v, want 10.8.3", v, err)
	}
}

// The tensorrt build runs engines on cgo/cuda's runtime: where libcudart
// loads, that is the Device; where it does not (machines without CUDA),
// Load says why.
func TestFakeCUDAWired(t *testing.T) {
	dev, err := currentDevice()
	if err == nil {
		if _, ok := dev.(cuda.Runtime); !ok {
			t.Fatalf("device is %T, want cuda.Runtime", dev)
		}
		t.Skip("libcudart loaded; the error path is not reachable here")
	}
	if !errors.Is(err, cuda.ErrNoRuntime) || !strings.Contains(err.Error(), "running TensorRT engines needs the CUDA runtime") {
		t.Fatalf("currentDevice() = %v, want cgo/cuda's load error", err)
	}
	if _, lerr := (Backend{}).Load([]byte("plan")); lerr == nil || !errors.Is(lerr, cuda.ErrNoRuntime) {
		t.Errorf("Load without libcudart: %v", lerr)
	}
}

// pkg/runtime checks a bundle's TensorRT engine against the linked
// libnvinfer's version before it deserializes the engine.
func TestFakeTargetCheckUsesLinkedVersion(t *testing.T) {
	t.Setenv("TRTC_FAKE_NVINFER_FAIL", "1")
	withDevice(t, func() (Device, error) { return &fakeDevice{}, nil })
	path := tensorrtBundle(t, "10.3.0")
	_, compiled, _ := libVersion()
	_, err := runtime.Open(path)
	var te *runtime.TargetError
	want := fmt.Sprintf("TensorRT %d.%d is not 10.3, and the engine is not version-compatible", compiled/10000, compiled/100%100)
	if !errors.As(err, &te) || !strings.Contains(err.Error(), want) {
		t.Fatalf("Open = %v, want a TargetError with %q", err, want)
	}
	// With the versions equal the check passes and the engine is loaded,
	// which the fake libnvinfer refuses.
	t.Setenv("TRTC_FAKE_NVINFER_VERSION", "100305")
	_, err = runtime.Open(path)
	if errors.As(err, &te) || err == nil || !strings.Contains(err.Error(), "createInferRuntime returned null") {
		t.Fatalf("Open with TensorRT 10.3.5 linked = %v, want the engine load to fail", err)
	}
}

// tensorrtBundle writes a bundle of one engine segment marked as a
// TensorRT engine built with TensorRT version (its blob is a reference
// plan: nothing here can build a real one).
func tensorrtBundle(t *testing.T, version string) string {
	t.Helper()
	g := ir.NewGraph("t", "onnx")
	g.Opsets[""] = 17
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2, 3)}
	g.Inputs, g.Outputs = []string{"x"}, []string{"y"}
	g.Nodes = []*ir.Node{{Name: "add", Op: "onnx.Add", Inputs: []string{"x", "x"}, Outputs: []string{"y"}}}
	dir := t.TempDir()
	model := filepath.Join(dir, "model.onnx")
	if err := os.WriteFile(model, []byte("stands in for the model file, which the bundle hashes"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &conversion.Settings{MinBlockSize: 1, Backend: "reference"}
	folded, err := compiler.Prepare(g, model, s)
	if err != nil {
		t.Fatal(err)
	}
	res, err := compiler.Compile(g, model, folded, compiler.Options{Settings: s, Registry: converters.Builtin()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Engines) != 1 {
		t.Fatalf("%d engines, want 1", len(res.Engines))
	}
	for _, e := range res.Engines {
		e.Target = backend.Target{Backend: "tensorrt", Version: version}
	}
	path := filepath.Join(dir, "model.trtb")
	if err := compiler.WriteBundle(res, model, path); err != nil {
		t.Fatal(err)
	}
	return path
}
