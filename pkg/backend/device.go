package backend

import "github.com/trtc-dev/trtc/pkg/ir"

// DeviceMemory is one allocation in an accelerator's memory. Copies are
// synchronous and start at the allocation's first byte. *cuda.DeviceBuffer
// (cgo/cuda) implements it.
type DeviceMemory interface {
	// Size is the allocation's size in bytes.
	Size() int
	// CopyFromHost copies src into the allocation; len(src) <= Size().
	CopyFromHost(src []byte) error
	// CopyToHost fills dst from the allocation; len(dst) <= Size().
	CopyToHost(dst []byte) error
	// Free releases the memory; any later use is an error.
	Free() error
}

// DeviceTensor is a dense, row-major tensor in device memory (the layout
// of ir.Tensor's Data, on the device).
//
// A shape-tensor engine input (Target.ShapeInputs; TensorRT reads its
// values on the host, ICudaEngine::getTensorLocation is kHOST) is passed
// to RunDevice with Host set and Mem nil: the runtime never uploads it,
// and the engine binds the host memory (IExecutionContext::
// setTensorAddress with a host pointer).
type DeviceTensor struct {
	DType ir.DType
	Shape []int64
	Mem   DeviceMemory
	// Host holds a shape-tensor input's values on the host; nil otherwise.
	Host *ir.Tensor
}

// Bytes is the tensor's size in bytes.
func (t *DeviceTensor) Bytes() int { return int(ir.Numel(t.Shape)) * t.DType.Size() }

// DeviceEngine is an Engine that runs on device memory. The runtime prefers
// RunDevice for it: a value one engine segment produces stays on the device
// for the next engine segment, and only values that a fallback segment or
// the caller reads are copied to the host (and host values an engine reads
// are copied to the device), each once per Run.
//
// All device engines of one bundle share one device memory space: a
// DeviceTensor one returns may be passed to another (they all come from the
// tensorrt backend, on the current CUDA device).
type DeviceEngine interface {
	Engine
	// Alloc allocates n bytes (n may be 0) on the engine's device; the
	// runtime uploads host inputs into such allocations and frees them.
	Alloc(n int) (DeviceMemory, error)
	// RunDevice binds inputs by engine tensor name and returns outputs by
	// name. It returns when the outputs are complete. Inputs stay owned by
	// the caller and are not kept; outputs are fresh allocations (never an
	// input's, never shared between outputs) that the caller frees.
	RunDevice(inputs map[string]*DeviceTensor) (map[string]*DeviceTensor, error)
}

// VersionReporter is implemented by backends whose engines are tied to a
// library version (TensorRT's). The runtime compares it with the version
// an engine was built with before deserializing the engine.
type VersionReporter interface {
	// RuntimeVersion is the loaded library's version ("10.8.0"), or why
	// the library cannot be loaded.
	RuntimeVersion() (string, error)
}

// TargetLoader is implemented by backends that load an engine differently
// depending on what it was built for: TensorRT deserializes a
// version-compatible engine only with engine host code allowed. The
// runtime calls LoadTarget instead of Load where a backend has it.
type TargetLoader interface {
	LoadTarget(blob []byte, t Target) (Engine, error)
}
