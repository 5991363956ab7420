package cuda

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"unsafe"
)

var (
	loadOnce sync.Once
	loadErr  error
	loaded   string
)

// candidates lists the libraries Load tries, in order.
func candidates() []string {
	if p := os.Getenv("TRTC_CUDART"); p != "" {
		return []string{p}
	}
	names := []string{"libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0"}
	out := append([]string{}, names...)
	for _, n := range names {
		out = append(out, "/usr/local/cuda/lib64/"+n)
	}
	return out
}

// Load loads libcudart, once; later calls return the first call's result.
// Every other function calls it, so calling it first is optional: it is
// there to ask whether CUDA is usable.
func Load() error {
	loadOnce.Do(func() {
		le := &LoadError{}
		for _, path := range candidates() {
			ok, msg := rawLoad(path)
			if ok {
				loaded = path
				return
			}
			le.Tried = append(le.Tried, path)
			le.Reasons = append(le.Reasons, msg)
		}
		loadErr = le
	})
	return loadErr
}

// Library returns the path Load opened, or "" if none.
func Library() string {
	if Load() != nil {
		return ""
	}
	return loaded
}

// RuntimeVersion is libcudart's version, 1000*major + 10*minor (12080 is 12.8).
func RuntimeVersion() (int, error) {
	if err := Load(); err != nil {
		return 0, err
	}
	v, s := rawRuntimeGetVersion()
	return v, check(s, "cudaRuntimeGetVersion")
}

// DriverVersion is the newest CUDA version the installed driver supports,
// encoded as RuntimeVersion's; 0 when no driver is installed.
func DriverVersion() (int, error) {
	if err := Load(); err != nil {
		return 0, err
	}
	v, s := rawDriverGetVersion()
	return v, check(s, "cudaDriverGetVersion")
}

// FormatVersion writes a CUDA version number as "12.8".
func FormatVersion(v int) string { return fmt.Sprintf("%d.%d", v/1000, v%1000/10) }

// DeviceCount is the number of CUDA devices visible to this process.
func DeviceCount() (int, error) {
	if err := Load(); err != nil {
		return 0, err
	}
	n, s := rawGetDeviceCount()
	return n, check(s, "cudaGetDeviceCount")
}

// SetDevice makes dev the calling OS thread's current device (see the
// package doc on threads).
func SetDevice(dev int) error {
	if err := Load(); err != nil {
		return err
	}
	return check(rawSetDevice(dev), "cudaSetDevice(%d)", dev)
}

// Props are the properties of one device that trtc uses.
type Props struct {
	Name            string
	Major, Minor    int // compute capability
	MultiProcessors int
	TotalMem        uint64 // bytes
	FreeMem         uint64 // bytes, when Properties was called
}

// cudaDeviceAttr values (driver_types.h).
const (
	attrMultiProcessorCount    = 16
	attrComputeCapabilityMajor = 75
	attrComputeCapabilityMinor = 76
)

// Properties reads device dev's properties. The compute capability comes
// from attribute queries; the memory sizes from cudaMemGetInfo, which
// creates a context on dev if there is none.
func Properties(dev int) (Props, error) {
	if err := Load(); err != nil {
		return Props{}, err
	}
	var p Props
	var s status
	if p.Major, s = rawDeviceGetAttribute(attrComputeCapabilityMajor, dev); s != Success {
		return p, check(s, "cudaDeviceGetAttribute(ComputeCapabilityMajor, device %d)", dev)
	}
	if p.Minor, s = rawDeviceGetAttribute(attrComputeCapabilityMinor, dev); s != Success {
		return p, check(s, "cudaDeviceGetAttribute(ComputeCapabilityMinor, device %d)", dev)
	}
	if p.MultiProcessors, s = rawDeviceGetAttribute(attrMultiProcessorCount, dev); s != Success {
		return p, check(s, "cudaDeviceGetAttribute(MultiProcessorCount, device %d)", dev)
	}
	if p.Name, s = rawGetDeviceName(dev); s != Success {
		return p, check(s, "cudaGetDeviceProperties(device %d)", dev)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	prev, s := rawGetDevice()
	if s != Success {
		return p, check(s, "cudaGetDevice")
	}
	if s = rawSetDevice(dev); s != Success {
		return p, check(s, "cudaSetDevice(%d)", dev)
	}
	p.FreeMem, p.TotalMem, s = rawMemGetInfo()
	err := check(s, "cudaMemGetInfo(device %d)", dev)
	if s := rawSetDevice(prev); s != Success && err == nil {
		err = check(s, "cudaSetDevice(%d)", prev)
	}
	return p, err
}

// DeviceBuffer is device memory from Malloc.
type DeviceBuffer struct {
	ptr   uintptr
	size  int
	freed bool
}

// Malloc allocates n bytes of device memory.
func Malloc(n int) (*DeviceBuffer, error) {
	if err := Load(); err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, fmt.Errorf("cuda.Malloc: negative size %d", n)
	}
	p, s := rawMalloc(n)
	if err := check(s, "cudaMalloc(%s)", byteSize(n)); err != nil {
		return nil, err
	}
	return &DeviceBuffer{ptr: p, size: n}, nil
}

// Ptr is the device address, for APIs that take one (TensorRT's
// setTensorAddress). It is 0 after Free.
func (b *DeviceBuffer) Ptr() uintptr {
	if b == nil || b.freed {
		return 0
	}
	return b.ptr
}

// Size is the buffer's size in bytes.
func (b *DeviceBuffer) Size() int { return b.size }

// Free releases the memory. Freeing twice is an error, not a crash.
func (b *DeviceBuffer) Free() error {
	if err := b.usable("Free"); err != nil {
		return err
	}
	b.freed = true
	return check(rawFree(b.ptr), "cudaFree(%#x)", b.ptr)
}

func (b *DeviceBuffer) usable(op string) error {
	if err := Load(); err != nil {
		return err
	}
	if b == nil {
		return fmt.Errorf("cuda: %s on a nil device buffer", op)
	}
	if b.freed {
		return fmt.Errorf("cuda: %s on device buffer %#x (%s), which was freed", op, b.ptr, byteSize(b.size))
	}
	return nil
}

// CopyHtoD copies src into the start of dst and waits for the copy.
func CopyHtoD(dst *DeviceBuffer, src []byte) error {
	if err := dst.usable("CopyHtoD"); err != nil {
		return err
	}
	if len(src) > dst.size {
		return fmt.Errorf("cuda.CopyHtoD: %s into a device buffer of %s", byteSize(len(src)), byteSize(dst.size))
	}
	if len(src) == 0 {
		return nil
	}
	return check(rawMemcpyHtoD(dst.ptr, unsafe.Pointer(&src[0]), len(src)), "cudaMemcpy(HostToDevice, %s)", byteSize(len(src)))
}

// CopyDtoH fills dst from the start of src and waits for the copy.
func CopyDtoH(dst []byte, src *DeviceBuffer) error {
	if err := src.usable("CopyDtoH"); err != nil {
		return err
	}
	if len(dst) > src.size {
		return fmt.Errorf("cuda.CopyDtoH: %s from a device buffer of %s", byteSize(len(dst)), byteSize(src.size))
	}
	if len(dst) == 0 {
		return nil
	}
	return check(rawMemcpyDtoH(unsafe.Pointer(&dst[0]), src.ptr, len(dst)), "cudaMemcpy(DeviceToHost, %s)", byteSize(len(dst)))
}

// CopyFromHost is CopyHtoD(b, src); with CopyToHost it makes
// *DeviceBuffer a backend.DeviceMemory.
func (b *DeviceBuffer) CopyFromHost(src []byte) error { return CopyHtoD(b, src) }

// CopyToHost is CopyDtoH(dst, b).
func (b *DeviceBuffer) CopyToHost(dst []byte) error { return CopyDtoH(dst, b) }

// CopyDtoD copies n bytes from the start of src to the start of dst.
func CopyDtoD(dst, src *DeviceBuffer, n int) error {
	if err := dst.usable("CopyDtoD"); err != nil {
		return err
	}
	if err := src.usable("CopyDtoD"); err != nil {
		return err
	}
	if n < 0 || n > dst.size || n > src.size {
		return fmt.Errorf("cuda.CopyDtoD: %d bytes between device buffers of %s and %s", n, byteSize(src.size), byteSize(dst.size))
	}
	return check(rawMemcpyDtoD(dst.ptr, src.ptr, n), "cudaMemcpy(DeviceToDevice, %s)", byteSize(n))
}

// HostBuffer is pinned (page-locked) host memory from HostAlloc, the only
// host memory the asynchronous copies take.
type HostBuffer struct {
	p     unsafe.Pointer // C memory
	size  int
	freed bool
}

// HostAlloc allocates n bytes of pinned host memory.
func HostAlloc(n int) (*HostBuffer, error) {
	if err := Load(); err != nil {
		return nil, err
	}
	if n <= 0 {
		return nil, fmt.Errorf("cuda.HostAlloc: size %d, must be positive", n)
	}
	p, s := rawHostAlloc(n)
	if err := check(s, "cudaHostAlloc(%s)", byteSize(n)); err != nil {
		return nil, err
	}
	return &HostBuffer{p: p, size: n}, nil
}

// Bytes is the memory as a slice, valid until Free.
func (h *HostBuffer) Bytes() []byte {
	if h == nil || h.freed {
		return nil
	}
	return unsafe.Slice((*byte)(h.p), h.size)
}

// Size is the buffer's size in bytes.
func (h *HostBuffer) Size() int { return h.size }

// Free releases the memory; Bytes slices taken before must not be used.
func (h *HostBuffer) Free() error {
	if err := h.usable("Free"); err != nil {
		return err
	}
	h.freed = true
	return check(rawFreeHost(h.p), "cudaFreeHost")
}

func (h *HostBuffer) usable(op string) error {
	if err := Load(); err != nil {
		return err
	}
	if h == nil {
		return fmt.Errorf("cuda: %s on a nil host buffer", op)
	}
	if h.freed {
		return fmt.Errorf("cuda: %s on a pinned host buffer (%s) that was freed", op, byteSize(h.size))
	}
	return nil
}

// CopyHtoDAsync queues a copy of all of src into the start of dst on s
// (nil: the default stream). src must stay allocated and unchanged until
// s is synchronized.
func CopyHtoDAsync(dst *DeviceBuffer, src *HostBuffer, s *Stream) error {
	if err := dst.usable("CopyHtoDAsync"); err != nil {
		return err
	}
	if err := src.usable("CopyHtoDAsync"); err != nil {
		return err
	}
	h, err := s.handle("CopyHtoDAsync")
	if err != nil {
		return err
	}
	if src.size > dst.size {
		return fmt.Errorf("cuda.CopyHtoDAsync: %s into a device buffer of %s", byteSize(src.size), byteSize(dst.size))
	}
	return check(rawMemcpyHtoDAsync(dst.ptr, src.p, src.size, h), "cudaMemcpyAsync(HostToDevice, %s)", byteSize(src.size))
}

// CopyDtoHAsync queues a copy filling all of dst from the start of src on
// s (nil: the default stream). dst holds the data once s is synchronized.
func CopyDtoHAsync(dst *HostBuffer, src *DeviceBuffer, s *Stream) error {
	if err := dst.usable("CopyDtoHAsync"); err != nil {
		return err
	}
	if err := src.usable("CopyDtoHAsync"); err != nil {
		return err
	}
	h, err := s.handle("CopyDtoHAsync")
	if err != nil {
		return err
	}
	if dst.size > src.size {
		return fmt.Errorf("cuda.CopyDtoHAsync: %s from a device buffer of %s", byteSize(dst.size), byteSize(src.size))
	}
	return check(rawMemcpyDtoHAsync(dst.p, src.ptr, dst.size, h), "cudaMemcpyAsync(DeviceToHost, %s)", byteSize(dst.size))
}

// Stream is a CUDA stream. A nil *Stream means the default stream wherever
// one is taken.
type Stream struct {
	h         uintptr
	destroyed bool
}

// NewStream creates a stream.
func NewStream() (*Stream, error) {
	if err := Load(); err != nil {
		return nil, err
	}
	h, s := rawStreamCreate()
	if err := check(s, "cudaStreamCreate"); err != nil {
		return nil, err
	}
	return &Stream{h: h}, nil
}

// Handle is the cudaStream_t, for APIs that take one (TensorRT's
// enqueueV3); 0 for the default stream.
func (s *Stream) Handle() uintptr {
	if s == nil || s.destroyed {
		return 0
	}
	return s.h
}

func (s *Stream) handle(op string) (uintptr, error) {
	if s == nil {
		return 0, nil
	}
	if s.destroyed {
		return 0, fmt.Errorf("cuda: %s on a destroyed stream", op)
	}
	return s.h, nil
}

// Sync waits until everything queued on the stream has finished.
func (s *Stream) Sync() error {
	if err := Load(); err != nil {
		return err
	}
	h, err := s.handle("Sync")
	if err != nil {
		return err
	}
	return check(rawStreamSynchronize(h), "cudaStreamSynchronize")
}

// Destroy releases the stream; the default stream cannot be destroyed.
func (s *Stream) Destroy() error {
	if err := Load(); err != nil {
		return err
	}
	if s == nil {
		return errors.New("cuda: the default stream cannot be destroyed")
	}
	h, err := s.handle("Destroy")
	if err != nil {
		return err
	}
	s.destroyed = true
	return check(rawStreamDestroy(h), "cudaStreamDestroy")
}

// Event is a CUDA event, for ordering and timing work on streams.
type Event struct {
	h         uintptr
	destroyed bool
}

// NewEvent creates an event (with timing enabled).
func NewEvent() (*Event, error) {
	if err := Load(); err != nil {
		return nil, err
	}
	h, s := rawEventCreate()
	if err := check(s, "cudaEventCreate"); err != nil {
		return nil, err
	}
	return &Event{h: h}, nil
}

func (e *Event) handle(op string) (uintptr, error) {
	if err := Load(); err != nil {
		return 0, err
	}
	if e == nil {
		return 0, fmt.Errorf("cuda: %s on a nil event", op)
	}
	if e.destroyed {
		return 0, fmt.Errorf("cuda: %s on a destroyed event", op)
	}
	return e.h, nil
}

// Record marks the event at the current end of stream s (nil: default).
func (e *Event) Record(s *Stream) error {
	h, err := e.handle("Record")
	if err != nil {
		return err
	}
	sh, err := s.handle("Event.Record")
	if err != nil {
		return err
	}
	return check(rawEventRecord(h, sh), "cudaEventRecord")
}

// Sync waits until the work before the event's last Record has finished.
func (e *Event) Sync() error {
	h, err := e.handle("Sync")
	if err != nil {
		return err
	}
	return check(rawEventSynchronize(h), "cudaEventSynchronize")
}

// Destroy releases the event.
func (e *Event) Destroy() error {
	h, err := e.handle("Destroy")
	if err != nil {
		return err
	}
	e.destroyed = true
	return check(rawEventDestroy(h), "cudaEventDestroy")
}

// ElapsedMs is the time in milliseconds between two recorded, completed
// events.
func ElapsedMs(start, end *Event) (float32, error) {
	a, err := start.handle("ElapsedMs")
	if err != nil {
		return 0, err
	}
	b, err := end.handle("ElapsedMs")
	if err != nil {
		return 0, err
	}
	ms, s := rawEventElapsedTime(a, b)
	return ms, check(s, "cudaEventElapsedTime")
}

// byteSize writes n bytes for messages: "512 B", "3.0 MiB", "1.0 PiB".
func byteSize(n int) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, i := float64(n), -1
	for f >= unit && i < 5 {
		f /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", f, "KMGTPE"[i])
}
