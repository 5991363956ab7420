// Package nvml is trtc's binding of the few NVML (NVIDIA Management
// Library) calls that `trtc devices` and the runtime's target check need.
// libnvidia-ml, which comes with the driver, is loaded with dlopen at
// first use and every function is resolved with dlsym, so trtc builds and
// starts where no driver is installed.
//
// Why not github.com/NVIDIA/go-nvml: its bindings call NVML through
// symbols left unresolved at link time, which needs lazy binding. Go links
// every binary that can load plugins (trtc loads converter plugins) with
// -z now, so a trtc linked with go-nvml stops at start-up with "undefined
// symbol: nvml..." on every machine, with a driver or without; and cgo
// refuses -z lazy in #cgo LDFLAGS. The layering follows go-nvml's: raw.go
// binds the C wrappers one to one, this file turns codes into errors.
package nvml

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// NVML return codes trtc tests for (nvml.h).
const (
	Success              = 0
	ErrorUninitialized   = 1
	ErrorNoPermission    = 4
	ErrorDriverNotLoaded = 9
	ErrorLibraryNotFound = 12
)

// Error is an NVML call's failure.
type Error struct {
	Op   string
	Code int
	Msg  string // nvmlErrorString
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s (NVML error %d)", e.Op, e.Msg, e.Code) }

// LoadError says why libnvidia-ml could not be loaded.
type LoadError struct{ Reasons []string }

func (e *LoadError) Error() string { return strings.Join(e.Reasons, "; ") }

func check(r ret, op string, args ...any) error {
	if r == Success {
		return nil
	}
	if len(args) > 0 {
		op = fmt.Sprintf(op, args...)
	}
	return &Error{Op: op, Code: int(r), Msg: rawErrorString(r)}
}

// Libraries are the names Load tries, in order.
var Libraries = []string{"libnvidia-ml.so.1", "libnvidia-ml.so"}

var (
	loadOnce sync.Once
	loadErr  error
)

// Load loads libnvidia-ml, once; later calls return the first result.
func Load() error {
	loadOnce.Do(func() {
		le := &LoadError{}
		for _, path := range Libraries {
			ok, msg := rawLoad(path)
			if ok {
				return
			}
			le.Reasons = append(le.Reasons, msg)
		}
		loadErr = le
	})
	return loadErr
}

// mu serializes sessions: NVML keeps a reference count of Init calls.
var mu sync.Mutex

// Session is an initialized NVML, from Open until Close.
type Session struct{ closed bool }

// Open loads the library and initializes NVML. An *Error with code
// ErrorDriverNotLoaded means the library is there but the driver is not.
func Open() (*Session, error) {
	if err := Load(); err != nil {
		return nil, err
	}
	mu.Lock()
	if err := check(rawInit(), "nvmlInit"); err != nil {
		mu.Unlock()
		return nil, err
	}
	return &Session{}, nil
}

// Close shuts NVML down.
func (s *Session) Close() error {
	if s.closed {
		return errors.New("nvml: session closed twice")
	}
	s.closed = true
	defer mu.Unlock()
	return check(rawShutdown(), "nvmlShutdown")
}

// DriverVersion is the driver's version ("580.159.04").
func (s *Session) DriverVersion() (string, error) {
	v, r := rawSystemGetDriverVersion()
	return v, check(r, "nvmlSystemGetDriverVersion")
}

// CUDADriverVersion is the newest CUDA version the driver supports,
// 1000*major + 10*minor.
func (s *Session) CUDADriverVersion() (int, error) {
	v, r := rawSystemGetCudaDriverVersion()
	return v, check(r, "nvmlSystemGetCudaDriverVersion")
}

// DeviceCount is the number of GPUs.
func (s *Session) DeviceCount() (int, error) {
	n, r := rawDeviceGetCount()
	return n, check(r, "nvmlDeviceGetCount")
}

// Device is what NVML says of one GPU.
type Device struct {
	Name, UUID   string
	Total, Free  uint64 // bytes
	Major, Minor int    // CUDA compute capability
}

// Device reads GPU i.
func (s *Session) Device(i int) (Device, error) {
	var d Device
	h, r := rawDeviceGetHandleByIndex(i)
	if err := check(r, "nvmlDeviceGetHandleByIndex(%d)", i); err != nil {
		return d, err
	}
	if d.Name, r = rawDeviceGetName(h); r != Success {
		return d, check(r, "nvmlDeviceGetName(%d)", i)
	}
	if d.UUID, r = rawDeviceGetUUID(h); r != Success {
		return d, check(r, "nvmlDeviceGetUUID(%d)", i)
	}
	if d.Total, d.Free, r = rawDeviceGetMemoryInfo(h); r != Success {
		return d, check(r, "nvmlDeviceGetMemoryInfo(%d)", i)
	}
	if d.Major, d.Minor, r = rawDeviceGetCudaComputeCapability(h); r != Success {
		return d, check(r, "nvmlDeviceGetCudaComputeCapability(%d)", i)
	}
	return d, nil
}
