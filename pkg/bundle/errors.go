package bundle

import (
	"errors"
	"fmt"
)

// Sentinels classify bundle errors for errors.Is, so that a CLI can map them
// to exit codes. Every error this package returns is an *Error; the ones
// caused by the file's content also match exactly one of these.
var (
	// ErrNotBundle: the file does not start with Magic.
	ErrNotBundle = errors.New("not a trtc bundle")
	// ErrVersion: the file is a bundle of a format version (or with header
	// flags) this trtc does not read.
	ErrVersion = errors.New("unsupported bundle format version")
	// ErrCorrupt: the file is truncated, fails a checksum, or its manifest is
	// inconsistent.
	ErrCorrupt = errors.New("corrupt bundle")
	// ErrInvalid: a writer was given a manifest that breaks the format's
	// rules; nothing was written.
	ErrInvalid = errors.New("invalid bundle manifest")
)

// Error is an error about one bundle file. Its message names the file and
// what is wrong: `bundle model.trtb: blob 3 (engine): sha256 mismatch`.
type Error struct {
	// Path is the bundle's path as the caller gave it.
	Path string
	// Kind is one of the sentinels, or nil for an I/O error.
	Kind error
	// Err says what is wrong.
	Err error
}

func (e *Error) Error() string { return fmt.Sprintf("bundle %s: %v", e.Path, e.Err) }

// Unwrap exposes both the sentinel and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Err}
	}
	return []error{e.Kind, e.Err}
}

func newError(path string, kind error, format string, args ...any) *Error {
	return &Error{Path: path, Kind: kind, Err: fmt.Errorf(format, args...)}
}
