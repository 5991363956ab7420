package nvml

// The raw binding: one Go function per wrapper in nvmlwrap.h, returning
// NVML's status code untouched. nvml.go checks that the library is loaded
// before calling in.

/*
#cgo LDFLAGS: -ldl
#include <stdlib.h>
#include "nvmlwrap.h"
*/
import "C"

import "unsafe"

// ret is an nvmlReturn_t; 0 is NVML_SUCCESS.
type ret int32

func rawLoad(path string) (ok bool, msg string) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var buf [512]C.char
	if C.trtc_nvml_load(cpath, &buf[0], C.size_t(len(buf))) != 0 {
		return false, C.GoString(&buf[0])
	}
	return true, ""
}

func rawErrorString(r ret) string { return C.GoString(C.trtc_nvmlErrorString(C.int(r))) }
func rawInit() ret                { return ret(C.trtc_nvmlInit()) }
func rawShutdown() ret            { return ret(C.trtc_nvmlShutdown()) }

// Buffer sizes are nvml.h's NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE (80)
// and NVML_DEVICE_NAME_V2_BUFFER_SIZE / NVML_DEVICE_UUID_V2_BUFFER_SIZE (96).

func rawSystemGetDriverVersion() (string, ret) {
	var buf [80]C.char
	r := ret(C.trtc_nvmlSystemGetDriverVersion(&buf[0], C.uint(len(buf))))
	return C.GoString(&buf[0]), r
}

func rawSystemGetCudaDriverVersion() (int, ret) {
	var v C.int
	r := ret(C.trtc_nvmlSystemGetCudaDriverVersion(&v))
	return int(v), r
}

func rawDeviceGetCount() (int, ret) {
	var n C.uint
	r := ret(C.trtc_nvmlDeviceGetCount(&n))
	return int(n), r
}

func rawDeviceGetHandleByIndex(i int) (uintptr, ret) {
	var d C.uintptr_t
	r := ret(C.trtc_nvmlDeviceGetHandleByIndex(C.uint(i), &d))
	return uintptr(d), r
}

func rawDeviceGetName(d uintptr) (string, ret) {
	var buf [96]C.char
	r := ret(C.trtc_nvmlDeviceGetName(C.uintptr_t(d), &buf[0], C.uint(len(buf))))
	return C.GoString(&buf[0]), r
}

func rawDeviceGetUUID(d uintptr) (string, ret) {
	var buf [96]C.char
	r := ret(C.trtc_nvmlDeviceGetUUID(C.uintptr_t(d), &buf[0], C.uint(len(buf))))
	return C.GoString(&buf[0]), r
}

func rawDeviceGetMemoryInfo(d uintptr) (total, free uint64, r ret) {
	var t, f C.ulonglong
	r = ret(C.trtc_nvmlDeviceGetMemoryInfo(C.uintptr_t(d), &t, &f))
	return uint64(t), uint64(f), r
}

func rawDeviceGetCudaComputeCapability(d uintptr) (major, minor int, r ret) {
	var a, b C.int
	r = ret(C.trtc_nvmlDeviceGetCudaComputeCapability(C.uintptr_t(d), &a, &b))
	return int(a), int(b), r
}
