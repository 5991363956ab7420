package runtime_test

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
	"github.com/trtc-dev/trtc/pkg/device"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/runtime"
)

// fakeGPU is a backend whose engines run on "device" memory that is host
// memory in disguise: it builds with the reference backend and records a
// GPU target, so the runtime's device path, transfer counting and target
// check run without a GPU.
type fakeGPU struct {
	version string // what RuntimeVersion reports
	loads   int    // engines deserialized
	live    int    // device allocations not yet freed
	// hostInputs lists the inputs RunDevice got in host memory.
	hostInputs []string
	// copies counts host/device copies, both ways.
	copies int
}

var fake = &fakeGPU{version: "10.8.0"}

func init() { backend.Register(fake) }

func ref() backend.Backend {
	b, err := backend.Get("reference")
	if err != nil {
		panic(err)
	}
	return b
}

func (f *fakeGPU) Name() string                    { return "fakegpu" }
func (f *fakeGPU) NewNetwork() network.Network     { return ref().NewNetwork() }
func (f *fakeGPU) RuntimeVersion() (string, error) { return f.version, nil }

func (f *fakeGPU) Build(net network.Network, opts backend.BuildOptions) ([]byte, backend.Target, error) {
	blob, rt, err := ref().Build(net, opts)
	return blob, backend.Target{Backend: "fakegpu", Version: "10.8.0", ComputeCapability: "9.0",
		Profiles: rt.Profiles, ShapeInputs: rt.ShapeInputs}, err
}

func (f *fakeGPU) Load(blob []byte) (backend.Engine, error) {
	f.loads++
	e, err := ref().Load(blob)
	if err != nil {
		return nil, err
	}
	return &fakeEngine{ref: e, gpu: f}, nil
}

type fakeEngine struct {
	ref backend.Engine
	gpu *fakeGPU
}

func (e *fakeEngine) Run(map[string]*ir.Tensor) (map[string]*ir.Tensor, error) {
	return nil, errors.New("the runtime called Run on a device engine")
}
func (e *fakeEngine) Close() error { return e.ref.Close() }

func (e *fakeEngine) Alloc(n int) (backend.DeviceMemory, error) {
	e.gpu.live++
	return &fakeMem{data: make([]byte, n), gpu: e.gpu}, nil
}

// RunDevice "computes on the device": it reads its inputs' memory
// directly, which is not a host/device crossing.
func (e *fakeEngine) RunDevice(in map[string]*backend.DeviceTensor) (map[string]*backend.DeviceTensor, error) {
	host := map[string]*ir.Tensor{}
	for name, dt := range in {
		if dt.Host != nil {
			if dt.Mem != nil {
				return nil, fmt.Errorf("input %q has both host and device memory", name)
			}
			e.gpu.hostInputs = append(e.gpu.hostInputs, name)
			host[name] = dt.Host
			continue
		}
		m := dt.Mem.(*fakeMem)
		if m.freed {
			return nil, fmt.Errorf("input %q is freed device memory", name)
		}
		t, err := ir.WrapBytes(dt.DType, dt.Shape, append([]byte{}, m.data[:dt.Bytes()]...))
		if err != nil {
			return nil, err
		}
		host[name] = t
	}
	out, err := e.ref.Run(host)
	if err != nil {
		return nil, err
	}
	res := map[string]*backend.DeviceTensor{}
	for name, t := range out {
		mem, _ := e.Alloc(len(t.Data))
		copy(mem.(*fakeMem).data, t.Data)
		res[name] = &backend.DeviceTensor{DType: t.DType, Shape: t.Shape, Mem: mem}
	}
	return res, nil
}

type fakeMem struct {
	data  []byte
	freed bool
	gpu   *fakeGPU
}

func (m *fakeMem) Size() int { return len(m.data) }
func (m *fakeMem) CopyFromHost(src []byte) error {
	if m.freed || len(src) > len(m.data) {
		return errors.New("bad CopyFromHost")
	}
	m.gpu.copies++
	copy(m.data, src)
	return nil
}
func (m *fakeMem) CopyToHost(dst []byte) error {
	if m.freed || len(dst) > len(m.data) {
		return errors.New("bad CopyToHost")
	}
	m.gpu.copies++
	copy(dst, m.data)
	return nil
}
func (m *fakeMem) Free() error {
	if m.freed {
		return errors.New("double free")
	}
	m.freed = true
	m.gpu.live--
	return nil
}

// buildBundle compiles x[2,3] -> engine{a = x+x; b = a*x} -> fallback{c =
// relu(b)} -> engine{d = c+a; y = d*x} for backend be and writes it.
func buildBundle(t *testing.T, be string) string {
	t.Helper()
	g := ir.NewGraph("t", "onnx")
	g.Opsets[""] = 17
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2, 3)}
	g.Inputs, g.Outputs = []string{"x"}, []string{"y"}
	g.Nodes = []*ir.Node{
		{Name: "add1", Op: "onnx.Add", Inputs: []string{"x", "x"}, Outputs: []string{"a"}},
		{Name: "mul1", Op: "onnx.Mul", Inputs: []string{"a", "x"}, Outputs: []string{"b"}},
		{Name: "relu", Op: "onnx.Relu", Inputs: []string{"b"}, Outputs: []string{"c"}},
		{Name: "add2", Op: "onnx.Add", Inputs: []string{"c", "a"}, Outputs: []string{"d"}},
		{Name: "mul2", Op: "onnx.Mul", Inputs: []string{"d", "x"}, Outputs: []string{"y"}},
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "model.onnx")
	if err := os.WriteFile(model, []byte("stands in for the model file, which the bundle hashes"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &conversion.Settings{MinBlockSize: 1, FallbackOps: []string{"onnx.Relu"}, Backend: be}
	folded, err := compiler.Prepare(g, model, s)
	if err != nil {
		t.Fatal(err)
	}
	res, err := compiler.Compile(g, model, folded, compiler.Options{Settings: s, Registry: converters.Builtin()})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "model.trtb")
	if err := compiler.WriteBundle(res, model, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func runBundle(t *testing.T, path string) (*runtime.Program, []float32) {
	t.Helper()
	p, err := runtime.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	if got := strings.Join(p.Segments(), " | "); !strings.HasPrefix(got, "engine") || !strings.Contains(got, "fallback") {
		t.Fatalf("segments %s, want engine | fallback | engine", got)
	}
	x := ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	out, err := p.Run(map[string]*ir.Tensor{"x": x})
	if err != nil {
		t.Fatal(err)
	}
	return p, ir.View[float32](out["y"])
}

// wantY is y = (relu(2x*x) + 2x) * x for x = 1..6.
func wantY() []float32 {
	var y []float32
	for x := float32(1); x <= 6; x++ {
		y = append(y, (2*x*x+2*x)*x)
	}
	return y
}

func TestDeviceEngineCrossings(t *testing.T) {
	defer runtime.SetProbeGPU(func() (string, string) { return "9.0", "fake H100" })()
	fake.version = "10.8.0"
	p, y := runBundle(t, buildBundle(t, "fakegpu"))
	if fmt.Sprint(y) != fmt.Sprint(wantY()) {
		t.Errorf("y = %v, want %v", y, wantY())
	}
	// Crossings: x up (24 bytes) for the first engine and kept for the
	// second; b down for the fallback; c up for the second engine; a stays
	// on the device between the engines; y down for the caller.
	want := runtime.Transfers{H2D: 48, D2H: 48, Copies: 4}
	if got := p.Transfers(); got != want {
		t.Errorf("Transfers() = %+v, want %+v", got, want)
	}
	if got := p.Transfers().String(); got != "bytes crossed: H2D 48, D2H 48 (4 copies)" {
		t.Errorf("String() = %q", got)
	}
	if fake.live != 0 {
		t.Errorf("%d device allocation(s) left after Run", fake.live)
	}
}

func TestReferenceEnginesDoNotCross(t *testing.T) {
	p, y := runBundle(t, buildBundle(t, "reference"))
	if fmt.Sprint(y) != fmt.Sprint(wantY()) {
		t.Errorf("y = %v, want %v", y, wantY())
	}
	if got := p.Transfers(); got != (runtime.Transfers{}) {
		t.Errorf("Transfers() = %+v on the reference backend, want zero", got)
	}
}

// A target mismatch is found before any engine is deserialized.
func TestTargetCheckedBeforeLoad(t *testing.T) {
	path := buildBundle(t, "fakegpu")
	cases := []struct {
		cc, version, want string
	}{
		{"8.0", "10.8.0", "engine segment 0 was built for compute capability 9.0 with fakegpu 10.8.0; this machine has 8.0 (compared against fake GPU) and fakegpu 10.8.0: compute capability 8.0 is not 9.0"},
		{"9.0", "10.3.0", "fakegpu 10.3 is not 10.8, and the engine is not version-compatible"},
		{"", "10.8.0", "this machine has no GPU (no NVIDIA driver found: test) and fakegpu 10.8.0"},
	}
	for _, c := range cases {
		restore := runtime.SetProbeGPU(func() (string, string) {
			if c.cc == "" {
				return "", "no NVIDIA driver found: test"
			}
			return c.cc, "fake GPU"
		})
		fake.version, fake.loads = c.version, 0
		_, err := runtime.Open(path)
		restore()
		var te *runtime.TargetError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CC %q, version %s: Open = %v, want a TargetError with %q", c.cc, c.version, err, c.want)
		}
		if fake.loads != 0 {
			t.Errorf("CC %q, version %s: %d engine(s) deserialized before the check failed", c.cc, c.version, fake.loads)
		}
	}
	fake.version = "10.8.0"
}

// A shape-tensor input of a device engine is bound from host memory: it is
// never uploaded, and the engine gets its values on the host.
func TestShapeTensorInputBoundOnHost(t *testing.T) {
	defer runtime.SetProbeGPU(func() (string, string) { return "9.0", "fake H100" })()
	fake.version, fake.hostInputs = "10.8.0", nil
	g := ir.NewGraph("t", "onnx")
	g.Opsets[""] = 17
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2, 3)}
	g.Values["s"] = &ir.Value{Name: "s", DType: ir.Int64, Shape: ir.S(2)}
	g.Inputs, g.Outputs = []string{"x", "s"}, []string{"y"}
	g.Nodes = []*ir.Node{
		{Name: "relu", Op: "onnx.Relu", Inputs: []string{"x"}, Outputs: []string{"r"}},
		{Name: "reshape", Op: "onnx.Reshape", Inputs: []string{"r", "s"}, Outputs: []string{"y"}},
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "model.onnx")
	if err := os.WriteFile(model, []byte("model"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &conversion.Settings{MinBlockSize: 1, Backend: "fakegpu"}
	folded, err := compiler.Prepare(g, model, s)
	if err != nil {
		t.Fatal(err)
	}
	// A range of values: pinned to one value (min = opt = max), s would be
	// compiled as a constant (compiler.PinInputs) and be no engine input.
	mn, op, mx := map[string][]int64{"s": {2, 2}}, map[string][]int64{"s": {3, 2}}, map[string][]int64{"s": {3, 3}}
	res, err := compiler.Compile(g, model, folded, compiler.Options{Settings: s, Registry: converters.Builtin(),
		Build: backend.BuildOptions{Profiles: []backend.Profile{{Min: mn, Opt: op, Max: mx}}}})
	if err != nil {
		t.Fatal(err)
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
	x := ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, -2, 3, -4, 5, -6})
	out, err := p.Run(map[string]*ir.Tensor{"x": x, "s": ir.FromSlice(ir.Int64, []int64{2}, []int64{3, 2})})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(out["y"].Shape, ir.View[float32](out["y"])) != "[3 2] [1 0 3 0 5 0]" {
		t.Errorf("y = %v %v", out["y"].Shape, ir.View[float32](out["y"]))
	}
	if fmt.Sprint(fake.hostInputs) != "[s]" {
		t.Errorf("host-bound inputs %v, want [s]", fake.hostInputs)
	}
	// Only x crosses to the device (24 bytes), y back (24 bytes).
	if got := p.Transfers(); got.H2D != 24 || got.D2H != 24 {
		t.Errorf("Transfers() = %+v, want 24 bytes each way", got)
	}
}

// With Options.GPU (trtc run --device) the target check compares against
// that GPU and names it, and the default probe is not used.
func TestTargetCheckedAgainstSelectedGPU(t *testing.T) {
	path := buildBundle(t, "fakegpu")
	restore := runtime.SetProbeGPU(func() (string, string) {
		t.Error("the default GPU probe ran although a GPU was selected")
		return "9.0", "probe"
	})
	defer restore()
	gpu := &device.GPU{Index: 1, Name: "NVIDIA A100-SXM4-40GB", UUID: "GPU-11111111-2222-3333-4444-555555555555", ComputeCapability: "8.0"}
	_, err := runtime.OpenWith(path, runtime.Options{GPU: gpu})
	var te *runtime.TargetError
	want := "this machine has 8.0 (compared against GPU 1 (NVIDIA A100-SXM4-40GB, GPU-11111111-2222-3333-4444-555555555555, compute capability 8.0)) and fakegpu 10.8.0: compute capability 8.0 is not 9.0"
	if !errors.As(err, &te) || !strings.Contains(err.Error(), want) {
		t.Errorf("Open = %v\nwant a TargetError with %q", err, want)
	}
	gpu.ComputeCapability = "9.0"
	p, err := runtime.OpenWith(path, runtime.Options{GPU: gpu})
	if err != nil {
		t.Fatalf("matching GPU: %v", err)
	}
	p.Close()
}
