package cuda

// The raw binding: one Go function per C wrapper in cudart.h, returning
// CUDA's status code untouched. Nothing here checks that the library is
// loaded; the idiomatic layer (cuda.go) does that before calling in.

/*
#cgo LDFLAGS: -ldl
#include <stdlib.h>
#include "cudart.h"
*/
import "C"

import "unsafe"

// status is a cudaError_t; 0 is cudaSuccess.
type status int32

func rawLoad(path string) (ok bool, msg string) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var buf [512]C.char
	if C.trtc_cuda_load(cpath, &buf[0], C.size_t(len(buf))) != 0 {
		return false, C.GoString(&buf[0])
	}
	return true, ""
}

func rawErrorName(s status) string   { return C.GoString(C.trtc_cudaGetErrorName(C.int(s))) }
func rawErrorString(s status) string { return C.GoString(C.trtc_cudaGetErrorString(C.int(s))) }

func rawRuntimeGetVersion() (int, status) {
	var v C.int
	s := status(C.trtc_cudaRuntimeGetVersion(&v))
	return int(v), s
}

func rawDriverGetVersion() (int, status) {
	var v C.int
	s := status(C.trtc_cudaDriverGetVersion(&v))
	return int(v), s
}

func rawGetDeviceCount() (int, status) {
	var n C.int
	s := status(C.trtc_cudaGetDeviceCount(&n))
	return int(n), s
}

func rawSetDevice(dev int) status { return status(C.trtc_cudaSetDevice(C.int(dev))) }

func rawGetDevice() (int, status) {
	var d C.int
	s := status(C.trtc_cudaGetDevice(&d))
	return int(d), s
}

func rawDeviceGetAttribute(attr, dev int) (int, status) {
	var v C.int
	s := status(C.trtc_cudaDeviceGetAttribute(&v, C.int(attr), C.int(dev)))
	return int(v), s
}

func rawGetDeviceName(dev int) (string, status) {
	var buf [257]C.char
	s := status(C.trtc_cudaGetDeviceName(C.int(dev), &buf[0], C.size_t(len(buf))))
	return C.GoString(&buf[0]), s
}

func rawMemGetInfo() (free, total uint64, s status) {
	var f, t C.size_t
	s = status(C.trtc_cudaMemGetInfo(&f, &t))
	return uint64(f), uint64(t), s
}

func rawMalloc(n int) (uintptr, status) {
	var p C.uintptr_t
	s := status(C.trtc_cudaMalloc(&p, C.size_t(n)))
	return uintptr(p), s
}

func rawFree(p uintptr) status { return status(C.trtc_cudaFree(C.uintptr_t(p))) }

// rawHostAlloc returns C memory: not a Go pointer, never moved or collected.
func rawHostAlloc(n int) (unsafe.Pointer, status) {
	var p unsafe.Pointer
	s := status(C.trtc_cudaHostAlloc(&p, C.size_t(n)))
	return p, s
}

func rawFreeHost(p unsafe.Pointer) status { return status(C.trtc_cudaFreeHost(p)) }

// rawMemcpyHtoD and rawMemcpyDtoH are synchronous: C uses src or dst only
// until they return, as cgo's pointer rules require of Go memory.
func rawMemcpyHtoD(dst uintptr, src unsafe.Pointer, n int) status {
	return status(C.trtc_cudaMemcpyHtoD(C.uintptr_t(dst), src, C.size_t(n)))
}

func rawMemcpyDtoH(dst unsafe.Pointer, src uintptr, n int) status {
	return status(C.trtc_cudaMemcpyDtoH(dst, C.uintptr_t(src), C.size_t(n)))
}

func rawMemcpyDtoD(dst, src uintptr, n int) status {
	return status(C.trtc_cudaMemcpyDtoD(C.uintptr_t(dst), C.uintptr_t(src), C.size_t(n)))
}

// The asynchronous copies take only pinned C memory (rawHostAlloc).
func rawMemcpyHtoDAsync(dst uintptr, src unsafe.Pointer, n int, stream uintptr) status {
	return status(C.trtc_cudaMemcpyHtoDAsync(C.uintptr_t(dst), src, C.size_t(n), C.uintptr_t(stream)))
}

func rawMemcpyDtoHAsync(dst unsafe.Pointer, src uintptr, n int, stream uintptr) status {
	return status(C.trtc_cudaMemcpyDtoHAsync(dst, C.uintptr_t(src), C.size_t(n), C.uintptr_t(stream)))
}

func rawStreamCreate() (uintptr, status) {
	var h C.uintptr_t
	s := status(C.trtc_cudaStreamCreate(&h))
	return uintptr(h), s
}

func rawStreamDestroy(h uintptr) status { return status(C.trtc_cudaStreamDestroy(C.uintptr_t(h))) }
func rawStreamSynchronize(h uintptr) status {
	return status(C.trtc_cudaStreamSynchronize(C.uintptr_t(h)))
}

func rawEventCreate() (uintptr, status) {
	var h C.uintptr_t
	s := status(C.trtc_cudaEventCreate(&h))
	return uintptr(h), s
}

func rawEventDestroy(h uintptr) status { return status(C.trtc_cudaEventDestroy(C.uintptr_t(h))) }
func rawEventRecord(h, stream uintptr) status {
	return status(C.trtc_cudaEventRecord(C.uintptr_t(h), C.uintptr_t(stream)))
}
func rawEventSynchronize(h uintptr) status {
	return status(C.trtc_cudaEventSynchronize(C.uintptr_t(h)))
}

func rawEventElapsedTime(start, end uintptr) (float32, status) {
	var ms C.float
	s := status(C.trtc_cudaEventElapsedTime(&ms, C.uintptr_t(start), C.uintptr_t(end)))
	return float32(ms), s
}
