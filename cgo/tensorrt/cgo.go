//go:build tensorrt

package tensorrt

// #cgo CXXFLAGS: -std=c++17
// #cgo LDFLAGS: -lnvinfer
// #include <stdlib.h>
// #include "shim.h"
import "C"

import (
	"fmt"
	"unsafe"
)

// Error is a failed shim call: what trtc was doing, and the shim's message
// (which includes what TensorRT logged during the call).
type Error struct {
	Op   string
	Code int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("TensorRT: %s: %s", e.Op, e.Msg) }

// check turns a status into an error.
func check(st C.trtc_status, op string) error {
	if st.code == C.TRTC_OK {
		return nil
	}
	return &Error{Op: op, Code: int(st.code), Msg: C.GoString(&st.msg[0])}
}

// cdims converts dims; nil gives nb -1 ("absent"). A rank over 8 keeps its
// count so that the shim rejects it.
func cdims(ds []int64) C.trtc_dims {
	var out C.trtc_dims
	out.nb = -1
	if ds == nil {
		return out
	}
	out.nb = C.int32_t(len(ds))
	for i := 0; i < len(ds) && i < C.TRTC_MAX_DIMS; i++ {
		out.d[i] = C.int64_t(ds[i])
	}
	return out
}

func cdimsInt(ds []int) C.trtc_dims {
	if ds == nil {
		return cdims(nil)
	}
	out := make([]int64, len(ds))
	for i, d := range ds {
		out[i] = int64(d)
	}
	return cdims(out)
}

// godims converts dims TensorRT gave. nbDims -1 (TensorRT could not say)
// and ranks over 8 are errors: never a rank-0 shape.
func godims(d C.trtc_dims, what string) ([]int64, error) {
	if d.nb < 0 || d.nb > C.TRTC_MAX_DIMS {
		return nil, fmt.Errorf("TensorRT gave no shape for %s (nbDims %d)", what, int(d.nb))
	}
	out := make([]int64, 0, int(d.nb))
	for i := 0; i < int(d.nb); i++ {
		out = append(out, int64(d.d[i]))
	}
	return out, nil
}

// bytesPtr gives C a Go slice's memory for the duration of one call.
func bytesPtr(b []byte) (unsafe.Pointer, C.int64_t) {
	if len(b) == 0 {
		return nil, 0
	}
	return unsafe.Pointer(&b[0]), C.int64_t(len(b))
}

func cbool(b bool) C.int32_t {
	if b {
		return 1
	}
	return 0
}

// libVersion is the linked libnvinfer's version and the headers'.
func libVersion() (linked, compiled int32, err error) {
	var l, c C.int32_t
	if err := check(C.trtc_version(&l, &c), "reading the TensorRT version"); err != nil {
		return 0, 0, err
	}
	return int32(l), int32(c), nil
}
