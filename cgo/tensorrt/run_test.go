package tensorrt

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/cgo/cuda"
	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// cgo/cuda provides what the runner needs: its Runtime is the Device that
// the tensorrt build wires (cudadevice.go), and its DeviceBuffers can be
// bound as engine inputs.
var (
	_ Device      = cuda.Runtime{}
	_ addressable = (*cuda.DeviceBuffer)(nil)
)

// fakeDevice simulates device memory in host memory and counts what is
// live, so tests see leaks.
type fakeDevice struct {
	mem        map[uintptr][]byte
	next       uintptr
	streams    int
	failAt     string // "malloc", "htod", "sync"
	htod, dtoh int    // copies made
}

func (d *fakeDevice) Malloc(n int64) (uintptr, error) {
	if d.failAt == "malloc" {
		return 0, errors.New("cudaErrorMemoryAllocation")
	}
	if d.mem == nil {
		d.mem = map[uintptr][]byte{}
	}
	d.next += 256
	d.mem[d.next] = make([]byte, n)
	return d.next, nil
}
func (d *fakeDevice) Free(p uintptr) error {
	if _, ok := d.mem[p]; !ok {
		return fmt.Errorf("free of unknown pointer %#x", p)
	}
	delete(d.mem, p)
	return nil
}
func (d *fakeDevice) MemcpyHtoD(dst uintptr, src []byte) error {
	if d.failAt == "htod" {
		return errors.New("cudaErrorIllegalAddress")
	}
	d.htod++
	copy(d.mem[dst], src)
	return nil
}
func (d *fakeDevice) MemcpyDtoH(dst []byte, src uintptr) error {
	d.dtoh++
	copy(dst, d.mem[src])
	return nil
}
func (d *fakeDevice) StreamCreate() (uintptr, error) { d.streams++; return 7, nil }
func (d *fakeDevice) StreamSynchronize(uintptr) error {
	if d.failAt == "sync" {
		return errors.New("cudaErrorLaunchFailure")
	}
	return nil
}
func (d *fakeDevice) StreamDestroy(uintptr) error        { d.streams--; return nil }
func (d *fakeDevice) ComputeCapability() (string, error) { return "9.0", nil }

// doubler is a fake engine: y = 2*x for float32 x of shape [N, 2], with N
// dynamic; it "runs" by reading and writing the fake device's memory.
type doubler struct {
	dev          *fakeDevice
	shape        []int64
	addr         map[string]uintptr
	closed       bool
	enqueueError error
}

func (e *doubler) io() []ioTensor {
	return []ioTensor{{Name: "x", Input: true, DType: ir.Float32, Shape: []int64{-1, 2}},
		{Name: "y", DType: ir.Float32, Shape: []int64{-1, 2}}}
}
func (e *doubler) setInputShape(name string, dims []int64) error {
	if dims[0] > 4 {
		return errors.New("setInputShape refused: outside the optimization profile")
	}
	e.shape = dims
	return nil
}
func (e *doubler) tensorShape(string) ([]int64, error) { return e.shape, nil }
func (e *doubler) setAddress(name string, p uintptr) error {
	if e.addr == nil {
		e.addr = map[string]uintptr{}
	}
	e.addr[name] = p
	return nil
}
func (e *doubler) enqueue(uintptr) error {
	if e.enqueueError != nil {
		return e.enqueueError
	}
	x := ir.View[float32](&ir.Tensor{DType: ir.Float32, Shape: e.shape, Data: e.dev.mem[e.addr["x"]]})
	y := ir.View[float32](&ir.Tensor{DType: ir.Float32, Shape: e.shape, Data: e.dev.mem[e.addr["y"]]})
	for i := range x {
		y[i] = 2 * x[i]
	}
	return nil
}
func (e *doubler) close() { e.closed = true }
func (e *doubler) setProfile(int, uintptr) error {
	return errors.New("doubler has one profile: setProfile must not be called")
}
func (e *doubler) setHostInput(string, []byte) error {
	return errors.New("doubler has no shape-tensor input")
}

// profiled is a doubler with optimization profiles: setInputShape admits
// only the active profile's range, as TensorRT's does. With shapeInput it
// also has a shape-tensor input "s" (int64 [2], bound from host memory)
// whose values each profile bounds.
type profiled struct {
	doubler
	profs      []ioProfile
	sProfs     []ioProfile
	shapeInput bool
	active     int
	selected   []int
	host       map[string][]int64
}

func (e *profiled) io() []ioTensor {
	ios := e.doubler.io()
	ios[0].Profiles = e.profs
	if e.shapeInput {
		ios = append(ios, ioTensor{Name: "s", Input: true, Host: true, DType: ir.Int64, Shape: []int64{2}, Profiles: e.sProfs})
	}
	return ios
}
func (e *profiled) setProfile(p int, _ uintptr) error {
	e.active = p
	e.selected = append(e.selected, p)
	return nil
}
func (e *profiled) setInputShape(name string, dims []int64) error {
	if name != "x" {
		return nil
	}
	pr := e.profs[e.active]
	if dims[0] < pr.Min[0] || dims[0] > pr.Max[0] {
		return fmt.Errorf("setInputShape refused: %v outside profile %d", dims, e.active)
	}
	e.shape = dims
	return nil
}
func (e *profiled) setAddress(name string, p uintptr) error {
	if name == "s" {
		return errors.New("shape-tensor input bound to a device address")
	}
	return e.doubler.setAddress(name, p)
}
func (e *profiled) setHostInput(name string, data []byte) error {
	if e.host == nil {
		e.host = map[string][]int64{}
	}
	t, err := ir.WrapBytes(ir.Int64, []int64{int64(len(data) / 8)}, data)
	if err != nil {
		return err
	}
	e.host[name] = t.Ints()
	return nil
}

// Finding 11: the runner makes the profile that admits the inputs active
// (setOptimizationProfileAsync); before, profile 0 was always used and an
// input only the second profile admits was refused.
func TestRunnerSelectsProfile(t *testing.T) {
	dev := &fakeDevice{}
	eng := &profiled{doubler: doubler{dev: dev}, profs: []ioProfile{
		{Min: []int64{1, 2}, Opt: []int64{2, 2}, Max: []int64{4, 2}},
		{Min: []int64{5, 2}, Opt: []int64{8, 2}, Max: []int64{16, 2}}}}
	r := &runner{api: eng, dev: dev}
	for _, n := range []int64{8, 2, 16} {
		x := ir.NewTensor(ir.Float32, []int64{n, 2})
		ir.View[float32](x)[1] = 3
		out, err := r.Run(map[string]*ir.Tensor{"x": x})
		if err != nil {
			t.Fatalf("N=%d: %v", n, err)
		}
		if got := ir.View[float32](out["y"])[1]; got != 6 {
			t.Errorf("N=%d: y[1] = %v, want 6", n, got)
		}
	}
	if fmt.Sprint(eng.selected) != "[1 0 1]" {
		t.Errorf("profiles selected %v, want [1 0 1]", eng.selected)
	}
	_, err := r.Run(map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{17, 2})})
	for _, want := range []string{"no optimization profile", "profile 0: input \"x\" has shape [17 2], outside [1 2]..[4 2]", "profile 1:"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("N=17: %v, want %q", err, want)
		}
	}
}

// Finding 1 (runtime side): a shape-tensor input is bound from host memory
// with its values, never to a device address, and its values choose the
// profile.
func TestRunnerBindsShapeTensorFromHost(t *testing.T) {
	dev := &fakeDevice{}
	full := []ioProfile{{Min: []int64{1, 2}, Opt: []int64{2, 2}, Max: []int64{4, 2}}, {Min: []int64{1, 2}, Opt: []int64{2, 2}, Max: []int64{4, 2}}}
	eng := &profiled{doubler: doubler{dev: dev}, profs: full, shapeInput: true, sProfs: []ioProfile{
		{Min: []int64{2}, Max: []int64{2}, MinValues: []int64{1, 1}, MaxValues: []int64{4, 4}},
		{Min: []int64{2}, Max: []int64{2}, MinValues: []int64{5, 1}, MaxValues: []int64{64, 4}}}}
	r := &runner{api: eng, dev: dev}
	in := func(a, b int64) map[string]*ir.Tensor {
		return map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{2, 2}), "s": ir.FromSlice(ir.Int64, []int64{2}, []int64{a, b})}
	}
	if _, err := r.Run(in(9, 2)); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(eng.host["s"]) != "[9 2]" || fmt.Sprint(eng.selected) != "[1]" {
		t.Errorf("host values %v, profiles %v; want [9 2] in profile 1", eng.host["s"], eng.selected)
	}
	if _, err := r.Run(in(3, 4)); err != nil || fmt.Sprint(eng.host["s"]) != "[3 4]" || fmt.Sprint(eng.selected) != "[1 0]" {
		t.Errorf("second run: %v, host %v, profiles %v", err, eng.host["s"], eng.selected)
	}
	_, err := r.Run(in(3, 9))
	if err == nil || !strings.Contains(err.Error(), "input \"s\" has values [3 9], outside [1 1]..[4 4]") {
		t.Errorf("values outside every profile: %v", err)
	}
	// RunDevice with the shape tensor on the host, as pkg/runtime passes it.
	xd, err := r.Alloc(16)
	if err != nil {
		t.Fatal(err)
	}
	s := ir.FromSlice(ir.Int64, []int64{2}, []int64{2, 3})
	douts, err := r.RunDevice(map[string]*backend.DeviceTensor{"x": {DType: ir.Float32, Shape: []int64{2, 2}, Mem: xd},
		"s": {DType: ir.Int64, Shape: []int64{2}, Host: s}})
	if err != nil || fmt.Sprint(eng.host["s"]) != "[2 3]" {
		t.Errorf("RunDevice with a host shape tensor: %v, host %v", err, eng.host["s"])
	}
	for _, o := range douts {
		o.Mem.Free()
	}
	xd.Free()
	bad := map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{2, 2}), "s": ir.NewTensor(ir.Float32, []int64{2})}
	if _, err := r.Run(bad); err == nil || !strings.Contains(err.Error(), "dtype float32, engine expects int64") {
		t.Errorf("float shape tensor: %v", err)
	}
	if len(dev.mem) != 0 {
		t.Errorf("%d device allocations leaked", len(dev.mem))
	}
}

func TestRunnerRuns(t *testing.T) {
	dev := &fakeDevice{}
	eng := &doubler{dev: dev}
	r := &runner{api: eng, dev: dev}
	x := ir.FromSlice(ir.Float32, []int64{3, 2}, []float32{1, 2, 3, 4, 5, 6})
	for range 2 { // the stream is made once and reused
		out, err := r.Run(map[string]*ir.Tensor{"x": x})
		if err != nil {
			t.Fatal(err)
		}
		y := out["y"]
		if got := ir.View[float32](y); fmt.Sprint(y.Shape, got) != "[3 2] [2 4 6 8 10 12]" {
			t.Fatalf("y = %v %v", y.Shape, got)
		}
		if len(dev.mem) != 0 {
			t.Fatalf("%d device buffers leaked", len(dev.mem))
		}
	}
	if dev.streams != 1 {
		t.Errorf("%d streams live, want 1", dev.streams)
	}
	if err := r.Close(); err != nil || !eng.closed || dev.streams != 0 {
		t.Errorf("Close: %v, engine closed %v, %d streams", err, eng.closed, dev.streams)
	}
	if _, err := r.Run(map[string]*ir.Tensor{"x": x}); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Run after Close: %v", err)
	}
}

func TestRunnerErrors(t *testing.T) {
	good := ir.FromSlice(ir.Float32, []int64{1, 2}, []float32{1, 2})
	cases := []struct {
		name   string
		in     map[string]*ir.Tensor
		failAt string
		enq    error
		want   string
	}{
		{"unbound", map[string]*ir.Tensor{}, "", nil, `engine input "x" is not bound`},
		{"dtype", map[string]*ir.Tensor{"x": ir.NewTensor(ir.Int32, []int64{1, 2})}, "", nil, `input "x": dtype int32, engine expects float32`},
		{"rank", map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{2})}, "", nil, "engine expects rank 2"},
		{"static dim", map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{1, 3})}, "", nil, "dim 1 is 3, engine expects 2"},
		{"profile", map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{5, 2})}, "", nil, "outside the optimization profile"},
		{"malloc", map[string]*ir.Tensor{"x": good}, "malloc", nil, "allocating 8 bytes of device memory: cudaErrorMemoryAllocation"},
		{"htod", map[string]*ir.Tensor{"x": good}, "htod", nil, `copying input "x" to the device: cudaErrorIllegalAddress`},
		{"enqueue", map[string]*ir.Tensor{"x": good}, "", errors.New("TensorRT: enqueueV3 failed"), "enqueueV3 failed"},
		{"sync", map[string]*ir.Tensor{"x": good}, "sync", nil, "waiting for the engine: cudaErrorLaunchFailure"},
	}
	for _, c := range cases {
		dev := &fakeDevice{failAt: c.failAt}
		r := &runner{api: &doubler{dev: dev, enqueueError: c.enq}, dev: dev}
		_, err := r.Run(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
		if len(dev.mem) != 0 {
			t.Errorf("%s: %d device buffers leaked", c.name, len(dev.mem))
		}
	}
}

func TestDataTypes(t *testing.T) {
	for dt, v := range DataTypes {
		if got := fromTRT(v); got != dt {
			t.Errorf("fromTRT(toTRT(%v)) = %v", dt, got)
		}
		if DataTypeNames[v] == "" {
			t.Errorf("DataType %d has no name", v)
		}
	}
	if _, err := toTRT(ir.Float64); err == nil || !strings.Contains(err.Error(), "TensorRT has no float64") {
		t.Errorf("float64: %v", err)
	}
	for dt, v := range QuantDataTypes { // the layer-only low-bit types map back too
		if got := fromTRT(v); got != dt {
			t.Errorf("fromTRT(%d) = %v, want %v", v, got, dt)
		}
		if _, err := toTRT(dt); err == nil {
			t.Errorf("%v is accepted as an engine input/output type", dt)
		}
	}
	if fromTRT(11) != ir.Undefined { // kE8M0
		t.Error("E8M0 maps to a trtc dtype")
	}
	if versionString(101600) != "10.16.0" || versionString(110100) != "11.1.0" {
		t.Error("versionString")
	}
	if h, err := hardwareCompat("ampere+"); err != nil || h.Level != 1 || h.Name != "AMPERE_PLUS" {
		t.Errorf("ampere+: %+v %v", h, err)
	}
	if _, err := hardwareCompat("hopper+"); err == nil {
		t.Error("hopper+ accepted")
	}
}

// upload puts a host tensor into device memory from r.
func upload(t *testing.T, r *runner, x *ir.Tensor) *backend.DeviceTensor {
	t.Helper()
	m, err := r.Alloc(len(x.Data))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.CopyFromHost(x.Data); err != nil {
		t.Fatal(err)
	}
	return &backend.DeviceTensor{DType: x.DType, Shape: x.Shape, Mem: m}
}

// Two engines chained on the device: the value between them never
// crosses to the host.
func TestRunnerDeviceChain(t *testing.T) {
	dev := &fakeDevice{}
	r1 := &runner{api: &doubler{dev: dev}, dev: dev}
	r2 := &runner{api: &doubler{dev: dev}, dev: dev}
	x := upload(t, r1, ir.FromSlice(ir.Float32, []int64{3, 2}, []float32{1, 2, 3, 4, 5, 6}))
	mid, err := r1.RunDevice(map[string]*backend.DeviceTensor{"x": x})
	if err != nil {
		t.Fatal(err)
	}
	y := mid["y"]
	if y == nil || y.Mem == x.Mem || fmt.Sprint(y.DType, y.Shape, y.Mem.Size()) != "float32 [3 2] 24" {
		t.Fatalf("first engine's output %+v, want a fresh float32 [3 2] allocation of 24 bytes", y)
	}
	out, err := r2.RunDevice(map[string]*backend.DeviceTensor{"x": y})
	if err != nil {
		t.Fatal(err)
	}
	z := ir.NewTensor(ir.Float32, out["y"].Shape)
	if err := out["y"].Mem.CopyToHost(z.Data); err != nil {
		t.Fatal(err)
	}
	if got := ir.View[float32](z); fmt.Sprint(got) != "[4 8 12 16 20 24]" {
		t.Errorf("z = %v, want 4x", got)
	}
	if dev.htod != 1 || dev.dtoh != 1 {
		t.Errorf("%d host-to-device and %d device-to-host copies, want 1 and 1", dev.htod, dev.dtoh)
	}
	for _, m := range []backend.DeviceMemory{x.Mem, y.Mem, out["y"].Mem} {
		if err := m.Free(); err != nil {
			t.Error(err)
		}
	}
	if len(dev.mem) != 0 {
		t.Errorf("%d device buffers leaked", len(dev.mem))
	}
	if err := x.Mem.Free(); err == nil || !strings.Contains(err.Error(), "freed twice") {
		t.Errorf("double free: %v", err)
	}
	if err := x.Mem.CopyToHost(make([]byte, 4)); err == nil || !strings.Contains(err.Error(), "freed") {
		t.Errorf("copy from freed memory: %v", err)
	}
}

// hostMem is device memory without an address the engine could bind.
type hostMem struct{ b []byte }

func (m *hostMem) Size() int                     { return len(m.b) }
func (m *hostMem) CopyFromHost(src []byte) error { copy(m.b, src); return nil }
func (m *hostMem) CopyToHost(dst []byte) error   { copy(dst, m.b); return nil }
func (m *hostMem) Free() error                   { return nil }

func TestRunnerDeviceErrors(t *testing.T) {
	good := ir.FromSlice(ir.Float32, []int64{1, 2}, []float32{1, 2})
	cases := []struct {
		name string
		in   func(r *runner) *backend.DeviceTensor // nil: unbound
		enq  error
		want string
	}{
		{"unbound", func(*runner) *backend.DeviceTensor { return nil }, nil, `engine input "x" is not bound`},
		{"dtype", func(r *runner) *backend.DeviceTensor {
			d := upload(t, r, good)
			d.DType = ir.Int32
			return d
		}, nil, `input "x": dtype int32, engine expects float32`},
		{"small", func(r *runner) *backend.DeviceTensor {
			d := upload(t, r, good)
			d.Shape = []int64{2, 2}
			return d
		}, nil, `input "x": 8 bytes of device memory for shape [2 2] of float32 (16 bytes)`},
		{"freed", func(r *runner) *backend.DeviceTensor {
			d := upload(t, r, good)
			d.Mem.Free()
			return d
		}, nil, `input "x": its device memory was freed`},
		{"foreign", func(*runner) *backend.DeviceTensor {
			return &backend.DeviceTensor{DType: ir.Float32, Shape: []int64{1, 2}, Mem: &hostMem{make([]byte, 8)}}
		}, nil, "device memory of type *tensorrt.hostMem has no address the engine can bind"},
		{"enqueue", func(r *runner) *backend.DeviceTensor { return upload(t, r, good) }, errors.New("TensorRT: enqueueV3 failed"), "enqueueV3 failed"},
		{"output malloc", func(r *runner) *backend.DeviceTensor {
			d := upload(t, r, good)
			r.dev.(*fakeDevice).failAt = "malloc"
			return d
		}, nil, "allocating 8 bytes of device memory: cudaErrorMemoryAllocation"},
		{"sync", func(r *runner) *backend.DeviceTensor {
			d := upload(t, r, good)
			r.dev.(*fakeDevice).failAt = "sync"
			return d
		}, nil, "waiting for the engine: cudaErrorLaunchFailure"},
	}
	for _, c := range cases {
		dev := &fakeDevice{}
		r := &runner{api: &doubler{dev: dev, enqueueError: c.enq}, dev: dev}
		in := map[string]*backend.DeviceTensor{}
		if x := c.in(r); x != nil {
			in["x"] = x
		}
		live := len(dev.mem)
		out, err := r.RunDevice(in)
		if err == nil || !strings.Contains(err.Error(), c.want) || out != nil {
			t.Errorf("%s: got %v, %v, want %q", c.name, out, err, c.want)
		}
		if len(dev.mem) != live {
			t.Errorf("%s: %d device buffers before the run, %d after", c.name, live, len(dev.mem))
		}
	}
	dev := &fakeDevice{}
	r := &runner{api: &doubler{dev: dev}, dev: dev}
	r.Close()
	if _, err := r.RunDevice(nil); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("RunDevice after Close: %v", err)
	}
}
