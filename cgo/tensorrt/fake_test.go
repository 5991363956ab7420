//go:build tensorrt && fakenvinfer

package tensorrt

// These tests link against testdata/fake's libnvinfer.so, built by
// `make check-tensorrt`: its entry points fail, so they check the shim's
// error paths. Nothing here runs real TensorRT.

import (
	"errors"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

func TestFakeNullBuilder(t *testing.T) {
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

func TestFakeNullRuntime(t *testing.T) {
	SetDevice(func() (Device, error) { return &fakeDevice{}, nil })
	defer SetDevice(nil)
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
	SetDevice(nil)
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
