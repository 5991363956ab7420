package cuda

import (
	"errors"
	"fmt"
	"strings"
)

// Codes of cudaError_t that trtc tests for (driver_types.h).
const (
	Success                 = 0
	ErrorInvalidValue       = 1
	ErrorMemoryAllocation   = 2
	ErrorInitialization     = 3
	ErrorInsufficientDriver = 35
	ErrorNoDevice           = 100
	ErrorInvalidDevice      = 101
)

// Error is a CUDA runtime error: the call that failed, CUDA's code, and
// the name and message libcudart gives for it.
type Error struct {
	Op   string // the CUDA call, with its key argument: "cudaMalloc(1 PiB)"
	Code int    // cudaError_t
	Name string // "cudaErrorMemoryAllocation"
	Msg  string // "out of memory"
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s: %s", e.Op, e.Name, e.Msg)
}

// Is matches another *Error by code, so errors.Is(err, &cuda.Error{Code:
// cuda.ErrorMemoryAllocation}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// ErrNoRuntime is matched (errors.Is) by every error that comes from the
// CUDA runtime library being absent or unusable.
var ErrNoRuntime = errors.New("CUDA runtime not available")

// LoadError says why libcudart could not be loaded: each candidate tried
// and what the dynamic linker said about it.
type LoadError struct {
	Tried   []string
	Reasons []string
}

func (e *LoadError) Error() string {
	head := "libcudart.so not found: "
	for _, r := range e.Reasons {
		if !strings.Contains(r, "cannot open shared object file") {
			head = "libcudart.so could not be loaded: "
		}
	}
	// The dynamic linker's messages already start with the file's name.
	return head + strings.Join(e.Reasons, "; ") +
		" (install the CUDA runtime, or set TRTC_CUDART to libcudart's path)"
}

// Is makes errors.Is(err, ErrNoRuntime) true.
func (e *LoadError) Is(target error) bool { return target == ErrNoRuntime }

// check turns a status into an error naming the call.
func check(s status, op string, args ...any) error {
	if s == Success {
		return nil
	}
	if len(args) > 0 {
		op = fmt.Sprintf(op, args...)
	}
	return &Error{Op: op, Code: int(s), Name: rawErrorName(s), Msg: rawErrorString(s)}
}
