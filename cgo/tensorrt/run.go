package tensorrt

import (
	"errors"
	"fmt"
	"sync"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// ioTensor is one engine input or output as the engine declares it.
type ioTensor struct {
	Name  string
	Input bool
	DType ir.DType
	Shape []int64 // -1 for a dynamic dim
}

// engineAPI is what the runner needs of an execution context; engine.go
// implements it over the shim, tests over a fake.
type engineAPI interface {
	io() []ioTensor
	setInputShape(name string, dims []int64) error
	tensorShape(name string) ([]int64, error)
	setAddress(name string, ptr uintptr) error
	enqueue(stream uintptr) error
	close()
}

// runner runs an engine on host tensors: copies inputs to device memory,
// sets shapes and addresses, enqueues on its stream, waits, copies outputs
// back, and frees what it allocated. One run at a time (one context).
type runner struct {
	mu        sync.Mutex
	api       engineAPI
	dev       Device
	stream    uintptr
	hasStream bool
	closed    bool
}

// Run binds inputs by engine tensor name and returns outputs by name.
func (r *runner) Run(inputs map[string]*ir.Tensor) (out map[string]*ir.Tensor, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, errors.New("engine is closed")
	}
	var bufs []uintptr
	defer func() {
		for _, p := range bufs {
			if ferr := r.dev.Free(p); ferr != nil && err == nil {
				err = fmt.Errorf("freeing device memory: %w", ferr)
			}
		}
	}()
	alloc := func(n int64) (uintptr, error) {
		p, err := r.dev.Malloc(max(n, 1)) // TensorRT wants an address even for an empty tensor
		if err != nil {
			return 0, fmt.Errorf("allocating %d bytes of device memory: %w", n, err)
		}
		bufs = append(bufs, p)
		return p, nil
	}
	for _, io := range r.api.io() {
		if !io.Input {
			continue
		}
		t, ok := inputs[io.Name]
		if !ok {
			return nil, fmt.Errorf("engine input %q is not bound", io.Name)
		}
		if err := checkInput(io, t); err != nil {
			return nil, err
		}
		if err := r.api.setInputShape(io.Name, t.Shape); err != nil {
			return nil, err
		}
		p, err := alloc(int64(len(t.Data)))
		if err != nil {
			return nil, err
		}
		if err := r.dev.MemcpyHtoD(p, t.Data); err != nil {
			return nil, fmt.Errorf("copying input %q to the device: %w", io.Name, err)
		}
		if err := r.api.setAddress(io.Name, p); err != nil {
			return nil, err
		}
	}
	type pending struct {
		name string
		t    *ir.Tensor
		p    uintptr
	}
	var outs []pending
	for _, io := range r.api.io() {
		if io.Input {
			continue
		}
		shape, err := r.api.tensorShape(io.Name)
		if err != nil {
			return nil, err
		}
		for _, d := range shape {
			if d < 0 {
				return nil, fmt.Errorf("output %q has shape %v, which depends on data: trtc does not yet run such engines (IOutputAllocator)", io.Name, shape)
			}
		}
		if io.DType == ir.Undefined {
			return nil, fmt.Errorf("output %q has a TensorRT type trtc cannot hold", io.Name)
		}
		t := ir.NewTensor(io.DType, shape)
		p, err := alloc(int64(len(t.Data)))
		if err != nil {
			return nil, err
		}
		if err := r.api.setAddress(io.Name, p); err != nil {
			return nil, err
		}
		outs = append(outs, pending{io.Name, t, p})
	}
	if !r.hasStream {
		s, err := r.dev.StreamCreate()
		if err != nil {
			return nil, fmt.Errorf("creating a CUDA stream: %w", err)
		}
		r.stream, r.hasStream = s, true
	}
	if err := r.api.enqueue(r.stream); err != nil {
		return nil, err
	}
	if err := r.dev.StreamSynchronize(r.stream); err != nil {
		return nil, fmt.Errorf("waiting for the engine: %w", err)
	}
	out = make(map[string]*ir.Tensor, len(outs))
	for _, o := range outs {
		if err := r.dev.MemcpyDtoH(o.t.Data, o.p); err != nil {
			return nil, fmt.Errorf("copying output %q from the device: %w", o.name, err)
		}
		out[o.name] = o.t
	}
	return out, nil
}

// checkInput checks a host tensor against the engine's declared input.
func checkInput(io ioTensor, t *ir.Tensor) error {
	if t.DType != io.DType {
		return fmt.Errorf("input %q: dtype %v, engine expects %v", io.Name, t.DType, io.DType)
	}
	if len(t.Shape) != len(io.Shape) {
		return fmt.Errorf("input %q: shape %v, engine expects rank %d %v", io.Name, t.Shape, len(io.Shape), io.Shape)
	}
	for i, d := range io.Shape {
		if d >= 0 && t.Shape[i] != d {
			return fmt.Errorf("input %q: dim %d is %d, engine expects %d (shape %v)", io.Name, i, t.Shape[i], d, io.Shape)
		}
	}
	if want := ir.Numel(t.Shape) * int64(t.DType.Size()); int64(len(t.Data)) != want {
		return fmt.Errorf("input %q: %d bytes of data for shape %v of %v (%d bytes)", io.Name, len(t.Data), t.Shape, t.DType, want)
	}
	return nil
}

// Close releases the stream and the engine.
func (r *runner) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	var err error
	if r.hasStream {
		err = r.dev.StreamDestroy(r.stream)
	}
	r.api.close()
	return err
}
