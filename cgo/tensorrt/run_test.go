package tensorrt

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// fakeDevice simulates device memory in host memory and counts what is
// live, so tests see leaks.
type fakeDevice struct {
	mem     map[uintptr][]byte
	next    uintptr
	streams int
	failAt  string // "malloc", "htod", "sync"
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
	copy(d.mem[dst], src)
	return nil
}
func (d *fakeDevice) MemcpyDtoH(dst []byte, src uintptr) error { copy(dst, d.mem[src]); return nil }
func (d *fakeDevice) StreamCreate() (uintptr, error)           { d.streams++; return 7, nil }
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
	if fromTRT(dtFP8) != ir.Undefined {
		t.Error("FP8 maps to a trtc dtype")
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
