package cli

import (
	"errors"
	"fmt"
)

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
	ExitMismatch    = 9  // trtc run --expect: an output differs from the expected one
	ExitNoGPU       = 10 // no NVIDIA driver or GPU, or a bundle's engines were built for another GPU or TensorRT version
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
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitInternal
}
