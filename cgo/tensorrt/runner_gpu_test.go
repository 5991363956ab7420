package tensorrt

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/trtc-dev/trtc/cgo/cuda"
	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// The tests in this file run the engine runner on cgo/cuda's runtime, as a
// tensorrt build does, with a stand-in engine (no TensorRT here). They
// need a GPU: where libcudart or a device is missing they skip, unless
// TRTC_REQUIRE_GPU=1 (docs/gpu-testing.md), where they fail.

func needGPU(t *testing.T) {
	t.Helper()
	skip := t.Skipf
	if os.Getenv("TRTC_REQUIRE_GPU") == "1" {
		skip = t.Fatalf
	}
	if err := cuda.Load(); err != nil {
		skip("no CUDA runtime: %v", err)
		return
	}
	if n, err := cuda.DeviceCount(); err != nil || n == 0 {
		skip("no CUDA device (count %d): %v", n, err)
	}
}

// gpuDoubler is an engine y = 2*x (float32 [N, 2]) whose "kernel" reads
// and writes the bound device addresses through the CUDA runtime, so the
// runner's allocations, addresses and stream are real.
type gpuDoubler struct {
	dev   Device
	shape []int64
	addr  map[string]uintptr
	runs  int
}

func (e *gpuDoubler) io() []ioTensor {
	return []ioTensor{{Name: "x", Input: true, DType: ir.Float32, Shape: []int64{-1, 2}},
		{Name: "y", DType: ir.Float32, Shape: []int64{-1, 2}}}
}
func (e *gpuDoubler) setInputShape(_ string, dims []int64) error { e.shape = dims; return nil }
func (e *gpuDoubler) tensorShape(string) ([]int64, error)        { return e.shape, nil }
func (e *gpuDoubler) setProfile(int, uintptr) error              { return errors.New("one profile") }
func (e *gpuDoubler) setHostInput(string, []byte) error          { return errors.New("no shape-tensor input") }
func (e *gpuDoubler) setAddress(name string, p uintptr) error {
	if e.addr == nil {
		e.addr = map[string]uintptr{}
	}
	e.addr[name] = p
	return nil
}
func (e *gpuDoubler) enqueue(uintptr) error {
	e.runs++
	x := ir.NewTensor(ir.Float32, e.shape)
	if err := e.dev.MemcpyDtoH(x.Data, e.addr["x"]); err != nil {
		return err
	}
	for i, v := range ir.View[float32](x) {
		ir.View[float32](x)[i] = 2 * v
	}
	return e.dev.MemcpyHtoD(e.addr["y"], x.Data)
}
func (e *gpuDoubler) close() {}

func TestGPURunnerOnCUDA(t *testing.T) {
	needGPU(t)
	var dev Device = cuda.Runtime{} // what cudadevice.go sets in a tensorrt build
	r1 := &runner{api: &gpuDoubler{dev: dev}, dev: dev}
	r2 := &runner{api: &gpuDoubler{dev: dev}, dev: dev}
	defer r1.Close()
	defer r2.Close()

	vals := make([]float32, 1<<20) // 4 MiB
	for i := range vals {
		vals[i] = rand.Float32()
	}
	x := ir.FromSlice(ir.Float32, []int64{int64(len(vals) / 2), 2}, vals)

	// Host run: in and out through device memory.
	out, err := r1.Run(map[string]*ir.Tensor{"x": x})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float32, len(vals))
	for i, v := range vals {
		want[i] = 2 * v
	}
	if !slices.Equal(ir.View[float32](out["y"]), want) {
		t.Fatal("host run: y != 2x")
	}

	// Device run: two engines chained through device memory, x uploaded
	// into a cgo/cuda DeviceBuffer.
	buf, err := cuda.Malloc(len(x.Data))
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Free()
	if err := buf.CopyFromHost(x.Data); err != nil {
		t.Fatal(err)
	}
	mid, err := r1.RunDevice(map[string]*backend.DeviceTensor{"x": {DType: ir.Float32, Shape: x.Shape, Mem: buf}})
	if err != nil {
		t.Fatal(err)
	}
	defer mid["y"].Mem.Free()
	end, err := r2.RunDevice(map[string]*backend.DeviceTensor{"x": mid["y"]})
	if err != nil {
		t.Fatal(err)
	}
	z := ir.NewTensor(ir.Float32, end["y"].Shape)
	if err := end["y"].Mem.CopyToHost(z.Data); err != nil {
		t.Fatal(err)
	}
	if err := end["y"].Mem.Free(); err != nil {
		t.Error(err)
	}
	for i, v := range ir.View[float32](z) {
		if v != 4*vals[i] {
			t.Fatalf("chained device run: z[%d] = %v, want %v", i, v, 4*vals[i])
		}
	}
	cc, _ := dev.ComputeCapability()
	t.Logf("compute capability %s: host run and a chain of two device runs over %s of float32", cc, fmt.Sprintf("%d MiB", len(x.Data)>>20))

	// An empty tensor still gets an address.
	empty := ir.NewTensor(ir.Float32, []int64{0, 2})
	if out, err := r1.Run(map[string]*ir.Tensor{"x": empty}); err != nil || len(out["y"].Data) != 0 {
		t.Errorf("empty input: %v, %v", out, err)
	}
}

// TestGPURunnerEventClock: on cgo/cuda's runtime the runner's clock is
// CUDA events, and a span around an upload and a run is positive and no
// longer than the host's wall time for the same work.
func TestGPURunnerEventClock(t *testing.T) {
	needGPU(t)
	var dev Device = cuda.Runtime{}
	r := &runner{api: &gpuDoubler{dev: dev}, dev: dev}
	defer r.Close()
	clock := r.Clock()
	if clock.Name() != "cuda-event" {
		t.Fatalf("clock %q on cuda.Runtime, want cuda-event", clock.Name())
	}
	x := ir.NewTensor(ir.Float32, []int64{1 << 19, 2}) // 4 MiB
	host, _ := backend.HostClock.Start()
	span, err := clock.Start()
	if err != nil {
		t.Fatal(err)
	}
	mem, err := r.Alloc(len(x.Data))
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Free()
	if err := mem.CopyFromHost(x.Data); err != nil {
		t.Fatal(err)
	}
	out, err := r.RunDevice(map[string]*backend.DeviceTensor{"x": {DType: ir.Float32, Shape: x.Shape, Mem: mem}})
	if err != nil {
		t.Fatal(err)
	}
	defer out["y"].Mem.Free()
	d, err := span.End()
	wall, _ := host.End()
	if err != nil || d <= 0 || d > wall {
		t.Errorf("event span %v (%v), host wall time %v", d, err, wall)
	}
}
