package cuda

import (
	"fmt"
	"unsafe"
)

// Runtime is the layer with raw device addresses and stream handles, for
// callers that keep their own bookkeeping of sizes and lifetimes: the
// tensorrt engine runner (its tensorrt.Device interface), which hands
// addresses to setTensorAddress and streams to enqueueV3. Unlike
// DeviceBuffer, nothing here can check a size or catch a use after free:
// the caller must. The zero value is ready to use.
type Runtime struct{}

// Malloc allocates size bytes and returns the device address.
func (Runtime) Malloc(size int64) (uintptr, error) {
	if err := Load(); err != nil {
		return 0, err
	}
	if size < 0 {
		return 0, fmt.Errorf("cuda.Malloc: negative size %d", size)
	}
	p, s := rawMalloc(int(size))
	return p, check(s, "cudaMalloc(%s)", byteSize(int(size)))
}

// Free releases memory from Malloc.
func (Runtime) Free(ptr uintptr) error {
	if err := Load(); err != nil {
		return err
	}
	return check(rawFree(ptr), "cudaFree(%#x)", ptr)
}

// MemcpyHtoD copies len(src) bytes to dst and waits; src is read during
// the call only.
func (Runtime) MemcpyHtoD(dst uintptr, src []byte) error {
	if err := Load(); err != nil || len(src) == 0 {
		return err
	}
	return check(rawMemcpyHtoD(dst, unsafe.Pointer(&src[0]), len(src)), "cudaMemcpy(HostToDevice, %s)", byteSize(len(src)))
}

// MemcpyDtoH fills dst from src and waits.
func (Runtime) MemcpyDtoH(dst []byte, src uintptr) error {
	if err := Load(); err != nil || len(dst) == 0 {
		return err
	}
	return check(rawMemcpyDtoH(unsafe.Pointer(&dst[0]), src, len(dst)), "cudaMemcpy(DeviceToHost, %s)", byteSize(len(dst)))
}

// StreamCreate creates a stream and returns its cudaStream_t.
func (Runtime) StreamCreate() (uintptr, error) {
	if err := Load(); err != nil {
		return 0, err
	}
	h, s := rawStreamCreate()
	return h, check(s, "cudaStreamCreate")
}

// StreamSynchronize waits for the stream's work.
func (Runtime) StreamSynchronize(stream uintptr) error {
	if err := Load(); err != nil {
		return err
	}
	return check(rawStreamSynchronize(stream), "cudaStreamSynchronize")
}

// StreamDestroy releases the stream.
func (Runtime) StreamDestroy(stream uintptr) error {
	if err := Load(); err != nil {
		return err
	}
	return check(rawStreamDestroy(stream), "cudaStreamDestroy")
}

// ComputeCapability is the calling thread's current device's, as "9.0".
func (Runtime) ComputeCapability() (string, error) {
	if err := Load(); err != nil {
		return "", err
	}
	dev, s := rawGetDevice()
	if s != Success {
		return "", check(s, "cudaGetDevice")
	}
	major, s := rawDeviceGetAttribute(attrComputeCapabilityMajor, dev)
	if s != Success {
		return "", check(s, "cudaDeviceGetAttribute(ComputeCapabilityMajor, device %d)", dev)
	}
	minor, s := rawDeviceGetAttribute(attrComputeCapabilityMinor, dev)
	if s != Success {
		return "", check(s, "cudaDeviceGetAttribute(ComputeCapabilityMinor, device %d)", dev)
	}
	return fmt.Sprintf("%d.%d", major, minor), nil
}

// EventCreate creates an event with timing enabled.
func (Runtime) EventCreate() (uintptr, error) {
	if err := Load(); err != nil {
		return 0, err
	}
	h, s := rawEventCreate()
	return h, check(s, "cudaEventCreate")
}

// EventRecord marks event at the current end of stream (0: the default
// stream).
func (Runtime) EventRecord(event, stream uintptr) error {
	if err := Load(); err != nil {
		return err
	}
	return check(rawEventRecord(event, stream), "cudaEventRecord")
}

// EventSynchronize waits for the work before the event's last record.
func (Runtime) EventSynchronize(event uintptr) error {
	if err := Load(); err != nil {
		return err
	}
	return check(rawEventSynchronize(event), "cudaEventSynchronize")
}

// EventElapsedMs is the time between two completed events, in ms.
func (Runtime) EventElapsedMs(start, end uintptr) (float32, error) {
	if err := Load(); err != nil {
		return 0, err
	}
	ms, s := rawEventElapsedTime(start, end)
	return ms, check(s, "cudaEventElapsedTime")
}

// EventDestroy releases an event.
func (Runtime) EventDestroy(event uintptr) error {
	if err := Load(); err != nil {
		return err
	}
	return check(rawEventDestroy(event), "cudaEventDestroy")
}
