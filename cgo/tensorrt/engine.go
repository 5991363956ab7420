//go:build tensorrt

package tensorrt

// #include <stdlib.h>
// #include "shim.h"
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"
)

// engine is an ICudaEngine with one IExecutionContext, as engineAPI.
type engine struct {
	e   *C.trtc_engine
	ios []ioTensor
}

// newEngine deserializes a plan; the plan is read during the call only.
func newEngine(plan []byte) (*engine, error) {
	var e *C.trtc_engine
	p, n := bytesPtr(plan)
	err := check(C.trtc_engine_create(p, n, &e), "loading the engine")
	runtime.KeepAlive(plan)
	if err != nil {
		return nil, err
	}
	eng := &engine{e: e}
	var nb C.int32_t
	if err := check(C.trtc_engine_nb_io(e, &nb), "listing engine tensors"); err != nil {
		eng.close()
		return nil, err
	}
	for i := 0; i < int(nb); i++ {
		var name *C.char
		var isInput, dtype C.int32_t
		var dims C.trtc_dims
		if err := check(C.trtc_engine_io(e, C.int32_t(i), &name, &isInput, &dtype, &dims), fmt.Sprintf("reading engine tensor %d", i)); err != nil {
			eng.close()
			return nil, err
		}
		eng.ios = append(eng.ios, ioTensor{Name: C.GoString(name), Input: isInput != 0, DType: fromTRT(int32(dtype)), Shape: godims(dims)})
	}
	return eng, nil
}

func (e *engine) io() []ioTensor { return e.ios }

// withName passes a C copy of name to f.
func withName(name string, f func(*C.char) C.trtc_status) C.trtc_status {
	c := C.CString(name)
	defer C.free(unsafe.Pointer(c))
	return f(c)
}

func (e *engine) setInputShape(name string, dims []int64) error {
	return check(withName(name, func(c *C.char) C.trtc_status { return C.trtc_engine_set_input_shape(e.e, c, cdims(dims)) }),
		fmt.Sprintf("setting the shape of input %s to %v", name, dims))
}

func (e *engine) tensorShape(name string) ([]int64, error) {
	var d C.trtc_dims
	err := check(withName(name, func(c *C.char) C.trtc_status { return C.trtc_engine_tensor_shape(e.e, c, &d) }),
		"reading the shape of "+name)
	return godims(d), err
}

func (e *engine) setAddress(name string, ptr uintptr) error {
	return check(withName(name, func(c *C.char) C.trtc_status { return C.trtc_engine_set_address(e.e, c, C.uintptr_t(ptr)) }),
		"binding "+name)
}

func (e *engine) enqueue(stream uintptr) error {
	return check(C.trtc_engine_enqueue(e.e, C.uintptr_t(stream)), "enqueueing the engine (enqueueV3)")
}

func (e *engine) close() {
	if e.e != nil {
		C.trtc_engine_destroy(e.e)
		e.e = nil
	}
}
