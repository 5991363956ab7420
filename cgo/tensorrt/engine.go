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
// allowHostCode lets TensorRT deserialize engine host code, which
// version-compatible engines carry.
func newEngine(plan []byte, allowHostCode bool) (*engine, error) {
	var e *C.trtc_engine
	p, n := bytesPtr(plan)
	err := check(C.trtc_engine_create(p, n, cbool(allowHostCode), &e), "loading the engine")
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
	var nbProfiles C.int32_t
	if err := check(C.trtc_engine_nb_profiles(e, &nbProfiles), "counting optimization profiles"); err != nil {
		eng.close()
		return nil, err
	}
	for i := 0; i < int(nb); i++ {
		var name *C.char
		var isInput, isHost, dtype C.int32_t
		var dims C.trtc_dims
		if err := check(C.trtc_engine_io(e, C.int32_t(i), &name, &isInput, &isHost, &dtype, &dims), fmt.Sprintf("reading engine tensor %d", i)); err != nil {
			eng.close()
			return nil, err
		}
		io := ioTensor{Name: C.GoString(name), Input: isInput != 0, Host: isHost != 0, DType: fromTRT(int32(dtype))}
		if io.Shape, err = godims(dims, "engine tensor "+io.Name); err != nil {
			eng.close()
			return nil, err
		}
		if io.Input {
			for p := 0; p < int(nbProfiles); p++ {
				pr, err := eng.profile(name, io, p)
				if err != nil {
					eng.close()
					return nil, err
				}
				io.Profiles = append(io.Profiles, pr)
			}
		}
		eng.ios = append(eng.ios, io)
	}
	return eng, nil
}

// profile reads input io's range in profile p: its dims, and for a
// shape-tensor input its values.
func (e *engine) profile(name *C.char, io ioTensor, p int) (ioProfile, error) {
	var mn, op, mx C.trtc_dims
	if err := check(C.trtc_engine_profile_shape(e.e, name, C.int32_t(p), &mn, &op, &mx),
		fmt.Sprintf("reading profile %d of input %s", p, io.Name)); err != nil {
		return ioProfile{}, err
	}
	var pr ioProfile
	var err error
	what := fmt.Sprintf("input %s in profile %d", io.Name, p)
	if pr.Min, err = godims(mn, what); err != nil {
		return ioProfile{}, err
	}
	if pr.Opt, err = godims(op, what); err != nil {
		return ioProfile{}, err
	}
	if pr.Max, err = godims(mx, what); err != nil {
		return ioProfile{}, err
	}
	// A shape tensor is a scalar or a 1-D tensor of static length.
	n := 1
	switch {
	case !io.Host:
		return pr, nil
	case len(io.Shape) == 1 && io.Shape[0] >= 0 && io.Shape[0] <= 64:
		n = int(io.Shape[0])
	case len(io.Shape) != 0:
		return ioProfile{}, fmt.Errorf("shape-tensor input %s has shape %v; TensorRT's are scalars or 1-D of static length", io.Name, io.Shape)
	}
	buf := make([]C.int64_t, 3*n+3)
	var found C.int32_t
	if err := check(C.trtc_engine_profile_values(e.e, name, C.int32_t(p), C.int32_t(n), &buf[0], &buf[n+1], &buf[2*n+2], &found),
		fmt.Sprintf("reading the shape values of input %s in profile %d", io.Name, p)); err != nil {
		return ioProfile{}, err
	}
	if found != 0 {
		for i := 0; i < n; i++ {
			pr.MinValues = append(pr.MinValues, int64(buf[i]))
			pr.MaxValues = append(pr.MaxValues, int64(buf[2*n+2+i]))
		}
	}
	return pr, nil
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
	if err != nil {
		return nil, err
	}
	return godims(d, "tensor "+name)
}

func (e *engine) setAddress(name string, ptr uintptr) error {
	return check(withName(name, func(c *C.char) C.trtc_status { return C.trtc_engine_set_address(e.e, c, C.uintptr_t(ptr)) }),
		"binding "+name)
}

func (e *engine) setProfile(p int, stream uintptr) error {
	return check(C.trtc_engine_set_profile(e.e, C.int32_t(p), C.uintptr_t(stream)), fmt.Sprintf("selecting optimization profile %d", p))
}

// setHostInput binds a shape-tensor input's values: the shim copies them
// into memory it owns (TensorRT reads them at enqueue).
func (e *engine) setHostInput(name string, data []byte) error {
	return check(withName(name, func(c *C.char) C.trtc_status {
		p, n := bytesPtr(data)
		return C.trtc_engine_set_host_input(e.e, c, p, n)
	}), "binding shape-tensor input "+name+" from host memory")
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
