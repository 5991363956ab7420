package tensorrt

import (
	"errors"
	"sync"
)

// Device is the CUDA runtime the engine runner needs: device memory,
// copies, and a stream. Pointers and streams are integers (cudaMalloc's
// void*, cudaStream_t), never Go pointers. cgo/cuda's Runtime (libcudart
// loaded with dlopen) implements it, and a trtc built with the tensorrt tag
// uses it (cudadevice.go). Tests set a fake with SetDevice; with none set,
// Load says so (ErrNoDevice).
type Device interface {
	Malloc(size int64) (uintptr, error)
	Free(ptr uintptr) error
	// MemcpyHtoD and MemcpyDtoH copy len(host) bytes; host is read or
	// written during the call only.
	MemcpyHtoD(dst uintptr, src []byte) error
	MemcpyDtoH(dst []byte, src uintptr) error
	StreamCreate() (uintptr, error)
	StreamSynchronize(stream uintptr) error
	StreamDestroy(stream uintptr) error
	// ComputeCapability is the current GPU's, as "9.0".
	ComputeCapability() (string, error)
}

// ErrNoDevice is what loading an engine says while no Device is set.
var ErrNoDevice = errors.New("running TensorRT engines needs the CUDA runtime layer (cgo/cuda), and this trtc has none wired (tensorrt.SetDevice)")

var (
	deviceMu   sync.Mutex
	deviceOpen func() (Device, error)
)

// SetDevice sets how engines get their Device; nil unsets it.
func SetDevice(open func() (Device, error)) {
	deviceMu.Lock()
	defer deviceMu.Unlock()
	deviceOpen = open
}

// currentDevice opens the Device, or says why there is none.
func currentDevice() (Device, error) {
	deviceMu.Lock()
	open := deviceOpen
	deviceMu.Unlock()
	if open == nil {
		return nil, ErrNoDevice
	}
	return open()
}
