package cuda

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// The tests in this file need a GPU. Where libcudart or a device is
// missing they skip, unless TRTC_REQUIRE_GPU=1 (as docs/gpu-testing.md
// runs them on the GPU machine), where they fail instead.

func needGPU(t *testing.T) {
	t.Helper()
	if os.Getenv("TRTC_CUDA_TEST_CHILD") == "1" {
		t.Skip("child process of TestLoadFailures")
	}
	skip := t.Skipf
	if os.Getenv("TRTC_REQUIRE_GPU") == "1" {
		skip = t.Fatalf
	}
	if err := Load(); err != nil {
		skip("no CUDA runtime: %v", err)
		return
	}
	n, err := DeviceCount()
	if err != nil || n == 0 {
		skip("no CUDA device (count %d): %v", n, err)
	}
}

func TestGPUVersionsAndProperties(t *testing.T) {
	needGPU(t)
	rv, err := RuntimeVersion()
	if err != nil || rv < 11000 {
		t.Errorf("RuntimeVersion() = %d, %v; want >= 11000", rv, err)
	}
	dv, err := DriverVersion()
	if err != nil || dv < 11000 {
		t.Errorf("DriverVersion() = %d, %v; want >= 11000", dv, err)
	}
	n, _ := DeviceCount()
	t.Logf("%s: runtime %s, driver supports CUDA %s, %d device(s)", Library(), FormatVersion(rv), FormatVersion(dv), n)
	for dev := 0; dev < n; dev++ {
		p, err := Properties(dev)
		if err != nil {
			t.Fatalf("Properties(%d): %v", dev, err)
		}
		t.Logf("device %d: %s, compute capability %d.%d, %d SMs, %d MiB total, %d MiB free", dev, p.Name, p.Major, p.Minor, p.MultiProcessors, p.TotalMem>>20, p.FreeMem>>20)
		if p.Name == "" || p.Major < 3 || p.MultiProcessors < 1 || p.TotalMem == 0 || p.FreeMem > p.TotalMem {
			t.Errorf("Properties(%d) = %+v: implausible", dev, p)
		}
	}
	// An index past the last device is CUDA's error, not a crash.
	_, err = Properties(n)
	var ce *Error
	if !errors.As(err, &ce) || ce.Code != ErrorInvalidDevice || ce.Name != "cudaErrorInvalidDevice" {
		t.Errorf("Properties(%d) = %v, want cudaErrorInvalidDevice", n, err)
	}
	if err := SetDevice(n); !errors.Is(err, &Error{Code: ErrorInvalidDevice}) {
		t.Errorf("SetDevice(%d) = %v, want cudaErrorInvalidDevice", n, err)
	}
}

func TestGPUAllocFree(t *testing.T) {
	needGPU(t)
	b, err := Malloc(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	if b.Ptr() == 0 || b.Size() != 1<<20 {
		t.Errorf("Malloc(1 MiB) = ptr %#x, size %d", b.Ptr(), b.Size())
	}
	if err := b.Free(); err != nil {
		t.Fatal(err)
	}
	if b.Ptr() != 0 {
		t.Errorf("Ptr() = %#x after Free, want 0", b.Ptr())
	}
	// Using freed memory is an error from this package; CUDA never sees it.
	if err := b.Free(); err == nil || !strings.Contains(err.Error(), "freed") {
		t.Errorf("second Free() = %v, want a freed-buffer error", err)
	}
	if err := CopyHtoD(b, []byte{1, 2, 3}); err == nil || !strings.Contains(err.Error(), "freed") {
		t.Errorf("CopyHtoD into freed buffer = %v, want a freed-buffer error", err)
	}
	if err := CopyDtoH(make([]byte, 3), b); err == nil || !strings.Contains(err.Error(), "freed") {
		t.Errorf("CopyDtoH from freed buffer = %v, want a freed-buffer error", err)
	}
}

func TestGPUMallocTooLarge(t *testing.T) {
	needGPU(t)
	_, err := Malloc(1 << 50) // 1 PiB
	var ce *Error
	if !errors.As(err, &ce) || ce.Code != ErrorMemoryAllocation || ce.Name != "cudaErrorMemoryAllocation" {
		t.Fatalf("Malloc(1 PiB) = %v, want cudaErrorMemoryAllocation", err)
	}
	if !strings.HasPrefix(err.Error(), "cudaMalloc(1.0 PiB): cudaErrorMemoryAllocation: ") {
		t.Errorf("error text %q", err)
	}
	t.Logf("Malloc(1 PiB): %v", err)
	// The failure is not sticky: the runtime still allocates.
	b, err := Malloc(256)
	if err != nil {
		t.Fatalf("Malloc(256) after an out-of-memory error: %v", err)
	}
	if err := b.Free(); err != nil {
		t.Error(err)
	}
}

func TestGPUCopySizeChecks(t *testing.T) {
	needGPU(t)
	b, err := Malloc(8)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Free()
	if err := CopyHtoD(b, make([]byte, 9)); err == nil {
		t.Error("CopyHtoD of 9 bytes into 8 succeeded")
	}
	if err := CopyDtoH(make([]byte, 9), b); err == nil {
		t.Error("CopyDtoH of 9 bytes from 8 succeeded")
	}
}

// allDTypes are the dtypes trtc's IR holds tensors of.
var allDTypes = []ir.DType{ir.Float32, ir.Float16, ir.BFloat16, ir.Float64, ir.Int8, ir.Int16, ir.Int32, ir.Int64, ir.Uint8, ir.Bool}

// randomTensor fills a tensor with random bits (0 or 1 for bool).
func randomTensor(r *rand.Rand, dt ir.DType, shape []int64) *ir.Tensor {
	t := ir.NewTensor(dt, shape)
	for i := range t.Data {
		t.Data[i] = byte(r.Uint32())
		if dt == ir.Bool {
			t.Data[i] &= 1
		}
	}
	return t
}

func TestGPURoundTripEveryDType(t *testing.T) {
	needGPU(t)
	r := rand.New(rand.NewPCG(1, 2))
	s, err := NewStream()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Destroy()
	for _, dt := range allDTypes {
		t.Run(dt.String(), func(t *testing.T) {
			src := randomTensor(r, dt, []int64{3, 5, 37})
			n := len(src.Data)
			d1, err := Malloc(n)
			if err != nil {
				t.Fatal(err)
			}
			defer d1.Free()
			d2, err := Malloc(n)
			if err != nil {
				t.Fatal(err)
			}
			defer d2.Free()
			// Synchronous: host -> d1 -> d2 -> host.
			if err := CopyHtoD(d1, src.Data); err != nil {
				t.Fatal(err)
			}
			if err := CopyDtoD(d2, d1, n); err != nil {
				t.Fatal(err)
			}
			got := ir.NewTensor(dt, src.Shape)
			if err := CopyDtoH(got.Data, d2); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Data, src.Data) {
				t.Errorf("%v: synchronous round trip changed the data", dt)
			}
			// Asynchronous through pinned memory, on a stream.
			in, err := HostAlloc(n)
			if err != nil {
				t.Fatal(err)
			}
			defer in.Free()
			out, err := HostAlloc(n)
			if err != nil {
				t.Fatal(err)
			}
			defer out.Free()
			src2 := randomTensor(r, dt, src.Shape)
			copy(in.Bytes(), src2.Data)
			if err := CopyHtoDAsync(d1, in, s); err != nil {
				t.Fatal(err)
			}
			if err := CopyDtoHAsync(out, d1, s); err != nil {
				t.Fatal(err)
			}
			if err := s.Sync(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), src2.Data) {
				t.Errorf("%v: asynchronous round trip changed the data", dt)
			}
		})
	}
}

// TestGPUStreamOrder queues two uploads into one device buffer, each
// followed by a download, on one stream: only in-order execution gives
// each download the upload before it. Events around the work time it.
func TestGPUStreamOrder(t *testing.T) {
	needGPU(t)
	const n = 16 << 20
	s, err := NewStream()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Destroy()
	dev, err := Malloc(n)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Free()
	var host [4]*HostBuffer
	for i := range host {
		if host[i], err = HostAlloc(n); err != nil {
			t.Fatal(err)
		}
		defer host[i].Free()
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 2; i++ {
		b := host[i].Bytes()
		for j := range b {
			b[j] = byte(r.Uint32())
		}
	}
	start, err := NewEvent()
	if err != nil {
		t.Fatal(err)
	}
	defer start.Destroy()
	end, err := NewEvent()
	if err != nil {
		t.Fatal(err)
	}
	defer end.Destroy()
	steps := []func() error{
		func() error { return start.Record(s) },
		func() error { return CopyHtoDAsync(dev, host[0], s) },
		func() error { return CopyDtoHAsync(host[2], dev, s) },
		func() error { return CopyHtoDAsync(dev, host[1], s) },
		func() error { return CopyDtoHAsync(host[3], dev, s) },
		func() error { return end.Record(s) },
		end.Sync,
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if !bytes.Equal(host[2].Bytes(), host[0].Bytes()) {
		t.Error("the first download does not hold the first upload")
	}
	if !bytes.Equal(host[3].Bytes(), host[1].Bytes()) {
		t.Error("the second download does not hold the second upload")
	}
	ms, err := ElapsedMs(start, end)
	if err != nil || ms < 0 {
		t.Fatalf("ElapsedMs = %v, %v; want >= 0", ms, err)
	}
	t.Logf("4 copies of %d MiB: %.3f ms (%.1f GB/s)", n>>20, ms, 4*float64(n)/float64(ms)/1e6)
	if err := end.Destroy(); err != nil {
		t.Fatal(err)
	}
	if err := end.Sync(); err == nil || !strings.Contains(err.Error(), "destroyed") {
		t.Errorf("Sync on a destroyed event = %v, want an error", err)
	}
}

// TestGPURuntime round-trips data through the raw-address API on a stream
// it creates, and reads the compute capability Properties reports.
func TestGPURuntime(t *testing.T) {
	needGPU(t)
	var rt Runtime
	src := []byte("raw device addresses, as the tensorrt runner uses them")
	p, err := rt.Malloc(int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Free(p)
	s, err := rt.StreamCreate()
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.MemcpyHtoD(p, src); err != nil {
		t.Fatal(err)
	}
	if err := rt.StreamSynchronize(s); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(src))
	if err := rt.MemcpyDtoH(got, p); err != nil || !bytes.Equal(got, src) {
		t.Errorf("round trip: %q, %v", got, err)
	}
	if err := rt.StreamDestroy(s); err != nil {
		t.Error(err)
	}
	cc, err := rt.ComputeCapability()
	props, perr := Properties(0)
	if err != nil || perr != nil || cc != fmt.Sprintf("%d.%d", props.Major, props.Minor) {
		t.Errorf("ComputeCapability() = %q, %v; Properties(0) = %+v, %v", cc, err, props, perr)
	}
	if _, err := rt.Malloc(1 << 50); !errors.Is(err, &Error{Code: ErrorMemoryAllocation}) {
		t.Errorf("Malloc(1 PiB) = %v, want cudaErrorMemoryAllocation", err)
	}
}

// TestGPURuntimeEvents times a 64 MiB upload with the raw event API that
// the tensorrt runner's clock uses (trtc bench): events recorded on the
// default stream around a synchronous copy give a positive time, and one
// not yet recorded is an error, not a number.
func TestGPURuntimeEvents(t *testing.T) {
	needGPU(t)
	var rt Runtime
	const n = 64 << 20
	p, err := rt.Malloc(n)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Free(p)
	start, err := rt.EventCreate()
	if err != nil {
		t.Fatal(err)
	}
	end, err := rt.EventCreate()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.EventElapsedMs(start, end); err == nil {
		t.Error("elapsed time of events never recorded: no error")
	}
	if err := rt.EventRecord(start, 0); err != nil {
		t.Fatal(err)
	}
	if err := rt.MemcpyHtoD(p, make([]byte, n)); err != nil {
		t.Fatal(err)
	}
	if err := rt.EventRecord(end, 0); err != nil {
		t.Fatal(err)
	}
	if err := rt.EventSynchronize(end); err != nil {
		t.Fatal(err)
	}
	ms, err := rt.EventElapsedMs(start, end)
	if err != nil || ms <= 0 {
		t.Errorf("64 MiB upload between two events: %g ms, %v", ms, err)
	}
	for _, e := range []uintptr{start, end} {
		if err := rt.EventDestroy(e); err != nil {
			t.Error(err)
		}
	}
}
