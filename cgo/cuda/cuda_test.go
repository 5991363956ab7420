package cuda

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/backend"
)

// A device buffer is what the runtime hands device engines.
var _ backend.DeviceMemory = (*DeviceBuffer)(nil)

// These tests need no GPU and no CUDA: they run in CI.

func TestErrorFormat(t *testing.T) {
	e := &Error{Op: "cudaMalloc(1.0 PiB)", Code: ErrorMemoryAllocation, Name: "cudaErrorMemoryAllocation", Msg: "out of memory"}
	if got, want := e.Error(), "cudaMalloc(1.0 PiB): cudaErrorMemoryAllocation: out of memory"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(e, &Error{Code: ErrorMemoryAllocation}) {
		t.Error("errors.Is does not match an Error by code")
	}
	if errors.Is(e, &Error{Code: ErrorInvalidValue}) {
		t.Error("errors.Is matches an Error with another code")
	}
	if errors.Is(e, ErrNoRuntime) {
		t.Error("a CUDA error matches ErrNoRuntime")
	}
}

func TestByteSize(t *testing.T) {
	for n, want := range map[int]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 3 << 20: "3.0 MiB", 1 << 50: "1.0 PiB"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCandidates(t *testing.T) {
	t.Setenv("TRTC_CUDART", "")
	c := candidates()
	if len(c) == 0 || c[0] != "libcudart.so" {
		t.Fatalf("candidates() = %v, want libcudart.so first", c)
	}
	for _, want := range []string{"libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0", "/usr/local/cuda/lib64/libcudart.so.12"} {
		found := false
		for _, p := range c {
			found = found || p == want
		}
		if !found {
			t.Errorf("candidates() = %v, missing %s", c, want)
		}
	}
	t.Setenv("TRTC_CUDART", "/opt/x/libcudart.so.12")
	if c := candidates(); len(c) != 1 || c[0] != "/opt/x/libcudart.so.12" {
		t.Errorf("with TRTC_CUDART, candidates() = %v, want only that path", c)
	}
}

// TestLoadFailures loads a missing file, a file that is no library, and a
// library without CUDA's symbols. Load runs once per process, so each case
// runs in a child process (this test binary, selecting TestLoadFailureChild).
func TestLoadFailures(t *testing.T) {
	notELF := filepath.Join(t.TempDir(), "libcudart.so")
	if err := os.WriteFile(notELF, []byte("not a shared library"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ path, want string }{
		{"/nonexistent/libcudart.so.99", "libcudart.so not found: /nonexistent/libcudart.so.99: cannot open shared object file"},
		{notELF, "libcudart.so could not be loaded: " + notELF},
		{"libc.so.6", "libcudart.so could not be loaded: libc.so.6 has no symbol cudaGetErrorName"},
	}
	for _, c := range cases {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLoadFailureChild$", "-test.v")
		cmd.Env = append(os.Environ(), "TRTC_CUDART="+c.path, "TRTC_CUDA_TEST_CHILD=1", "TRTC_CUDA_TEST_WANT="+c.want)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestLoadFailureChild") {
			t.Errorf("TRTC_CUDART=%s: child failed (%v):\n%s", c.path, err, out)
		}
	}
}

// TestLoadFailureChild checks, in a process whose TRTC_CUDART cannot load,
// that Load's message is the expected one and that every function returns
// an error matching ErrNoRuntime instead of panicking.
func TestLoadFailureChild(t *testing.T) {
	if os.Getenv("TRTC_CUDA_TEST_CHILD") != "1" {
		t.Skip("run by TestLoadFailures in a child process")
	}
	err := Load()
	if err == nil {
		t.Fatal("Load succeeded with TRTC_CUDART=" + os.Getenv("TRTC_CUDART"))
	}
	want := os.Getenv("TRTC_CUDA_TEST_WANT")
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "set TRTC_CUDART") {
		t.Errorf("Load() = %q, want it to contain %q and the TRTC_CUDART hint", err, want)
	}
	var le *LoadError
	if !errors.As(err, &le) || len(le.Tried) != 1 {
		t.Errorf("Load() error %#v, want a *LoadError with one path tried", err)
	}
	if Library() != "" {
		t.Errorf("Library() = %q after a failed load", Library())
	}
	calls := map[string]func() error{
		"RuntimeVersion":            func() error { _, err := RuntimeVersion(); return err },
		"DriverVersion":             func() error { _, err := DriverVersion(); return err },
		"DeviceCount":               func() error { _, err := DeviceCount(); return err },
		"SetDevice":                 func() error { return SetDevice(0) },
		"Properties":                func() error { _, err := Properties(0); return err },
		"Malloc":                    func() error { _, err := Malloc(16); return err },
		"HostAlloc":                 func() error { _, err := HostAlloc(16); return err },
		"NewStream":                 func() error { _, err := NewStream(); return err },
		"NewEvent":                  func() error { _, err := NewEvent(); return err },
		"CopyHtoD":                  func() error { return CopyHtoD(&DeviceBuffer{size: 4}, []byte{1, 2}) },
		"CopyDtoH":                  func() error { return CopyDtoH(make([]byte, 2), &DeviceBuffer{size: 4}) },
		"CopyDtoD":                  func() error { return CopyDtoD(&DeviceBuffer{size: 4}, &DeviceBuffer{size: 4}, 4) },
		"CopyHtoDAsync":             func() error { return CopyHtoDAsync(&DeviceBuffer{size: 4}, &HostBuffer{size: 4}, nil) },
		"CopyDtoHAsync":             func() error { return CopyDtoHAsync(&HostBuffer{size: 4}, &DeviceBuffer{size: 4}, nil) },
		"DeviceBuffer.Free":         func() error { return (&DeviceBuffer{size: 4}).Free() },
		"HostBuffer.Free":           func() error { return (&HostBuffer{size: 4}).Free() },
		"Stream.Sync":               func() error { return (&Stream{}).Sync() },
		"Stream.Destroy":            func() error { return (&Stream{}).Destroy() },
		"Event.Record":              func() error { return (&Event{}).Record(nil) },
		"Event.Sync":                func() error { return (&Event{}).Sync() },
		"Event.Destroy":             func() error { return (&Event{}).Destroy() },
		"ElapsedMs":                 func() error { _, err := ElapsedMs(&Event{}, &Event{}); return err },
		"Runtime.Malloc":            func() error { _, err := Runtime{}.Malloc(16); return err },
		"Runtime.Free":              func() error { return Runtime{}.Free(0x1000) },
		"Runtime.MemcpyHtoD":        func() error { return Runtime{}.MemcpyHtoD(0x1000, []byte{1}) },
		"Runtime.MemcpyDtoH":        func() error { return Runtime{}.MemcpyDtoH(make([]byte, 1), 0x1000) },
		"Runtime.StreamCreate":      func() error { _, err := Runtime{}.StreamCreate(); return err },
		"Runtime.StreamSynchronize": func() error { return Runtime{}.StreamSynchronize(0) },
		"Runtime.StreamDestroy":     func() error { return Runtime{}.StreamDestroy(0x1000) },
		"Runtime.ComputeCapability": func() error { _, err := Runtime{}.ComputeCapability(); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, ErrNoRuntime) {
			t.Errorf("%s() = %v, want the load error", name, err)
		}
	}
}
