package cli

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/trtc-dev/trtc/internal/sizes"
)

// recovered turns a panic value into the error Main reports: an allocation
// over the memory budget (a *sizes.Error that no stage recovered) is exit 11
// with its message; anything else is a bug in trtc, exit 1, reported as an
// internal error with where it happened (the innermost trtc frame) rather
// than a goroutine dump.
func recovered(r any, stack []byte) error {
	if se, ok := r.(*sizes.Error); ok {
		return &ExitError{Code: ExitMemory, Err: se}
	}
	where := panicSite(stack)
	return &ExitError{Code: ExitInternal, Err: fmt.Errorf("internal error: %v%s (this is a bug in trtc; please report it with the command line; TRTC_TRACEBACK=1 prints the full stack)", r, where)}
}

// panicSite finds the first frame below the innermost panic that is trtc's
// own code (a deferred function that re-panics shows up above the original
// panic, which is the one that says where the bug is).
func panicSite(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	last := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "panic(") {
			last = i
		}
	}
	for i, l := range lines {
		if i <= last || last < 0 || !strings.Contains(l, "trtc-dev/trtc/") || strings.Contains(l, "pkg/cli.Main") || i+1 >= len(lines) {
			continue
		}
		fn := l
		if j := strings.LastIndex(fn, "("); j > 0 {
			fn = fn[:j]
		}
		loc := strings.TrimSpace(lines[i+1])
		if j := strings.LastIndex(loc, " +0x"); j > 0 {
			loc = loc[:j]
		}
		return fmt.Sprintf(" in %s at %s", fn[strings.LastIndex(fn, "/")+1:], loc)
	}
	return ""
}

// stack is the current goroutine's stack (a variable so that tests can
// check panicSite on a real one).
var stack = debug.Stack

// Exit codes. They are an interface for CI scripts: README.md documents
// them, and they change only with a major version.
const (
	ExitOK          = 0
	ExitInternal    = 1  // a bug in trtc
	ExitUsage       = 2  // bad flags or arguments
	ExitInput       = 3  // a model, bundle or tensor file is missing, unreadable or malformed
	ExitUnsupported = 4  // unsupported ops (no kernel, newer opset, unknown domain) or dtypes
	ExitFallback    = 5  // --require-full-compilation and some node falls back
	ExitBuild       = 6  // conversion or engine build failed, or the backend is unavailable
	ExitRun         = 7  // a bundle failed to run (input binding, execution)
	ExitPlugin      = 8  // a plugin failed to load or register, a plugin op misbehaved, or run lacks a bundle's plugin
	ExitMismatch    = 9  // an output differs beyond the tolerance: run --expect from the expected file, compare from the float32 oracle
	ExitNoGPU       = 10 // no NVIDIA driver or GPU, or a bundle's engines were built for another GPU or TensorRT version
	ExitMemory      = 11 // a tensor would exceed the memory budget (--max-memory) or the per-tensor limit
)

// ExitError carries an exit code with an error.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// withCode wraps err with an exit code, keeping an inner code if present.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return err
	}
	return &ExitError{Code: code, Err: err}
}

// usageErrorf makes an ExitUsage error.
func usageErrorf(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// exitCode maps an error to its code; errors without one are internal.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	// Over the memory budget wins over the code of the stage it happened
	// in: the model may be fine, the machine (or the budget) too small.
	var se *sizes.Error
	if errors.As(err, &se) && se.OverBudget() {
		return ExitMemory
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitInternal
}
