// Package cuda is trtc's small CUDA runtime layer: device memory, host and
// device copies, streams, events and device properties, over libcudart
// loaded with dlopen at first use. trtc builds (with cgo and gcc, as the
// rest of trtc does) and runs where CUDA is absent; there every function
// returns the load error, which says which libraries were tried and why
// each failed.
//
// The package has two layers, as go-nvml has: raw.go binds the C wrappers
// in cudart.h one to one and returns CUDA's status codes; the rest is the
// Go API, which loads the library, checks arguments and turns status codes
// into *Error values that carry CUDA's own name and message
// ("cudaMalloc(1 PiB): cudaErrorMemoryAllocation: out of memory").
//
// Finding the library: TRTC_CUDART names a path to use and nothing else;
// otherwise libcudart.so, libcudart.so.13, .12 and .11.0 are tried through
// the dynamic linker's search path (LD_LIBRARY_PATH, ld.so.cache), then the
// same names under /usr/local/cuda/lib64.
//
// Invariants:
//   - No Go pointer is kept by C. Synchronous copies (CopyHtoD, CopyDtoH)
//     pass a Go slice's address for the duration of the call only.
//     Asynchronous copies take only pinned host memory from HostAlloc,
//     which is C memory: the caller must keep it allocated and unmodified
//     (for host-to-device copies) or unread (for device-to-host copies)
//     until the stream is synchronized.
//   - Sizes are checked in Go before CUDA sees a call: a copy larger than
//     either side is an error, and so is any use of a freed buffer, stream
//     or event (no call reaches CUDA with a dangling handle).
//   - Buffers, streams and events are not safe for concurrent use; the
//     package functions are.
//   - Every call acts on the calling OS thread's current device, 0 unless
//     SetDevice changed it. CUDA keeps the current device per thread, so a
//     caller that uses a device other than 0 must runtime.LockOSThread.
package cuda
