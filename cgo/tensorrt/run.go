package tensorrt

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// ioTensor is one engine input or output as the engine declares it.
type ioTensor struct {
	Name  string
	Input bool
	// Host: a shape-tensor input (ICudaEngine::isShapeInferenceIO), bound
	// from host memory.
	Host     bool
	DType    ir.DType
	Shape    []int64     // -1 for a dynamic dim
	Profiles []ioProfile // an input's range in each optimization profile
}

// ioProfile is an input's range in one optimization profile: dims, and for
// a shape-tensor input the values (nil where the profile has none).
type ioProfile struct {
	Min, Opt, Max        []int64
	MinValues, MaxValues []int64
}

// engineAPI is what the runner needs of an execution context; engine.go
// implements it over the shim, tests over a fake.
type engineAPI interface {
	io() []ioTensor
	setProfile(p int, stream uintptr) error
	setInputShape(name string, dims []int64) error
	tensorShape(name string) ([]int64, error)
	setAddress(name string, ptr uintptr) error
	setHostInput(name string, data []byte) error
	enqueue(stream uintptr) error
	close()
}

// runner runs an engine: it sets input shapes and tensor addresses,
// allocates outputs, enqueues on its stream and waits. It is a
// backend.DeviceEngine: RunDevice takes and returns tensors in device
// memory, so the runtime keeps values on the device between engines; Run
// copies host tensors in and out around it. One run at a time (one
// execution context).
type runner struct {
	mu        sync.Mutex
	api       engineAPI
	dev       Device
	stream    uintptr
	hasStream bool
	closed    bool
}

var _ backend.DeviceEngine = (*runner)(nil)

// devMem is an allocation from a Device, as backend.DeviceMemory. Copies
// are synchronous (cudaMemcpy), so they are ordered with the engine's
// stream, which the runner synchronizes before it returns.
type devMem struct {
	dev   Device
	ptr   uintptr
	size  int
	freed bool
}

// addressable is device memory whose address an engine can bind: devMem,
// and cgo/cuda's DeviceBuffer. Ptr is 0 once the memory is freed.
type addressable interface{ Ptr() uintptr }

func (m *devMem) Size() int { return m.size }

func (m *devMem) Ptr() uintptr {
	if m.freed {
		return 0
	}
	return m.ptr
}

func (m *devMem) CopyFromHost(src []byte) error {
	if m.freed {
		return errors.New("copy into freed device memory")
	}
	if len(src) > m.size {
		return fmt.Errorf("copy of %d bytes into %d bytes of device memory", len(src), m.size)
	}
	return m.dev.MemcpyHtoD(m.ptr, src)
}

func (m *devMem) CopyToHost(dst []byte) error {
	if m.freed {
		return errors.New("copy from freed device memory")
	}
	if len(dst) > m.size {
		return fmt.Errorf("copy of %d bytes from %d bytes of device memory", len(dst), m.size)
	}
	return m.dev.MemcpyDtoH(dst, m.ptr)
}

func (m *devMem) Free() error {
	if m.freed {
		return errors.New("device memory freed twice")
	}
	m.freed = true
	return m.dev.Free(m.ptr)
}

// Alloc allocates n bytes on the runner's device.
func (r *runner) Alloc(n int) (backend.DeviceMemory, error) {
	if n < 0 {
		return nil, fmt.Errorf("allocating %d bytes of device memory", n)
	}
	p, err := r.dev.Malloc(int64(max(n, 1))) // TensorRT wants an address even for an empty tensor
	if err != nil {
		return nil, fmt.Errorf("allocating %d bytes of device memory: %w", n, err)
	}
	return &devMem{dev: r.dev, ptr: p, size: n}, nil
}

// RunDevice binds inputs by engine tensor name and returns outputs by name,
// in fresh allocations the caller frees.
func (r *runner) RunDevice(inputs map[string]*backend.DeviceTensor) (map[string]*backend.DeviceTensor, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, errors.New("engine is closed")
	}
	return r.exec(inputs)
}

// Run binds host inputs by engine tensor name and returns host outputs by
// name: each input is copied to the device and each output back, and all
// device memory is freed before it returns.
func (r *runner) Run(inputs map[string]*ir.Tensor) (out map[string]*ir.Tensor, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, errors.New("engine is closed")
	}
	var bufs []backend.DeviceMemory
	defer func() {
		for _, m := range bufs {
			if ferr := m.Free(); ferr != nil && err == nil {
				err = fmt.Errorf("freeing device memory: %w", ferr)
			}
		}
	}()
	dev := make(map[string]*backend.DeviceTensor, len(inputs))
	for _, io := range r.api.io() {
		if !io.Input {
			continue
		}
		t, ok := inputs[io.Name]
		if !ok {
			return nil, fmt.Errorf("engine input %q is not bound", io.Name)
		}
		if err := checkInput(io, t.DType, t.Shape); err != nil {
			return nil, err
		}
		if want := ir.Numel(t.Shape) * int64(t.DType.Size()); int64(len(t.Data)) != want {
			return nil, fmt.Errorf("input %q: %d bytes of data for shape %v of %v (%d bytes)", io.Name, len(t.Data), t.Shape, t.DType, want)
		}
		if io.Host { // shape tensors stay on the host
			dev[io.Name] = &backend.DeviceTensor{DType: t.DType, Shape: t.Shape, Host: t}
			continue
		}
		m, err := r.Alloc(len(t.Data))
		if err != nil {
			return nil, err
		}
		bufs = append(bufs, m)
		if err := m.CopyFromHost(t.Data); err != nil {
			return nil, fmt.Errorf("copying input %q to the device: %w", io.Name, err)
		}
		dev[io.Name] = &backend.DeviceTensor{DType: t.DType, Shape: t.Shape, Mem: m}
	}
	douts, err := r.exec(dev)
	for _, name := range ir.SortedKeys(douts) {
		bufs = append(bufs, douts[name].Mem)
	}
	if err != nil {
		return nil, err
	}
	out = make(map[string]*ir.Tensor, len(douts))
	for _, name := range ir.SortedKeys(douts) {
		d := douts[name]
		t := ir.NewTensor(d.DType, d.Shape)
		if err := d.Mem.CopyToHost(t.Data); err != nil {
			return nil, fmt.Errorf("copying output %q from the device: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// exec runs the engine once on device tensors; r.mu is held. On failure
// it frees the outputs it allocated.
func (r *runner) exec(inputs map[string]*backend.DeviceTensor) (_ map[string]*backend.DeviceTensor, err error) {
	out := map[string]*backend.DeviceTensor{}
	defer func() {
		if err == nil {
			return
		}
		for _, name := range ir.SortedKeys(out) {
			if ferr := out[name].Mem.Free(); ferr != nil {
				err = errors.Join(err, fmt.Errorf("freeing output %q: %w", name, ferr))
			}
		}
	}()
	if !r.hasStream {
		s, err := r.dev.StreamCreate()
		if err != nil {
			return nil, fmt.Errorf("creating a CUDA stream: %w", err)
		}
		r.stream, r.hasStream = s, true
	}
	// Check every input, read shape-tensor inputs to the host, and pick the
	// optimization profile that admits them all.
	shapes := map[string][]int64{}
	host := map[string][]byte{}
	values := map[string][]int64{}
	addrs := map[string]uintptr{}
	for _, io := range r.api.io() {
		if !io.Input {
			continue
		}
		t, ok := inputs[io.Name]
		if !ok || t == nil {
			return nil, fmt.Errorf("engine input %q is not bound", io.Name)
		}
		if err := checkInput(io, t.DType, t.Shape); err != nil {
			return nil, err
		}
		shapes[io.Name] = t.Shape
		if !io.Host {
			if _, err := address(io.Name, t); err != nil {
				return nil, err
			}
		} else {
			data, vals, err := hostValues(io.Name, t)
			if err != nil {
				return nil, err
			}
			host[io.Name], values[io.Name] = data, vals
			continue
		}
		addrs[io.Name], _ = address(io.Name, t)
	}
	if prof, n, err := chooseProfile(r.api.io(), shapes, values); err != nil {
		return nil, err
	} else if n > 1 {
		if err := r.api.setProfile(prof, r.stream); err != nil {
			return nil, err
		}
	}
	for _, io := range r.api.io() {
		if !io.Input {
			continue
		}
		if err := r.api.setInputShape(io.Name, shapes[io.Name]); err != nil {
			return nil, err
		}
		if io.Host {
			if err := r.api.setHostInput(io.Name, host[io.Name]); err != nil {
				return nil, err
			}
			continue
		}
		if err := r.api.setAddress(io.Name, addrs[io.Name]); err != nil {
			return nil, err
		}
	}
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
		t := &backend.DeviceTensor{DType: io.DType, Shape: shape}
		m, err := r.Alloc(t.Bytes())
		if err != nil {
			return nil, err
		}
		t.Mem = m
		out[io.Name] = t
		if err := r.api.setAddress(io.Name, m.(*devMem).ptr); err != nil {
			return nil, err
		}
	}
	if err := r.api.enqueue(r.stream); err != nil {
		return nil, err
	}
	if err := r.dev.StreamSynchronize(r.stream); err != nil {
		return nil, fmt.Errorf("waiting for the engine: %w", err)
	}
	return out, nil
}

// hostValues copies a shape-tensor input to the host: its bytes, which
// TensorRT reads from host memory, and its values (Int32 or Int64), which
// choose the optimization profile.
func hostValues(name string, t *backend.DeviceTensor) ([]byte, []int64, error) {
	if t.DType != ir.Int32 && t.DType != ir.Int64 {
		return nil, nil, fmt.Errorf("shape-tensor input %q is %v; TensorRT shape tensors are int32 or int64", name, t.DType)
	}
	if h := t.Host; h != nil { // the runtime passes shape tensors on the host
		if h.DType != t.DType || int64(len(h.Data)) != int64(t.Bytes()) {
			return nil, nil, fmt.Errorf("shape-tensor input %q: host value %v for %v%v", name, h, t.DType, t.Shape)
		}
		return append([]byte(nil), h.Data...), h.Ints(), nil
	}
	if t.Mem == nil {
		return nil, nil, fmt.Errorf("input %q has no memory", name)
	}
	if t.Mem.Size() < t.Bytes() {
		return nil, nil, fmt.Errorf("input %q: %d bytes of memory for shape %v of %v (%d bytes)", name, t.Mem.Size(), t.Shape, t.DType, t.Bytes())
	}
	data := make([]byte, t.Bytes())
	if err := t.Mem.CopyToHost(data); err != nil {
		return nil, nil, fmt.Errorf("copying shape-tensor input %q to the host: %w", name, err)
	}
	v, err := ir.WrapBytes(t.DType, t.Shape, data)
	if err != nil {
		return nil, nil, fmt.Errorf("shape-tensor input %q: %w", name, err)
	}
	return data, v.Ints(), nil
}

// chooseProfile returns the first optimization profile that admits every
// input's shape (and every shape-tensor input's values), and how many
// profiles the engine has. TensorRT runs only the context's active profile
// (setOptimizationProfileAsync), so inputs outside profile 0 need another.
func chooseProfile(ios []ioTensor, shapes, values map[string][]int64) (int, int, error) {
	n := 0
	for _, io := range ios {
		if io.Input {
			n = max(n, len(io.Profiles))
		}
	}
	if n == 0 {
		return 0, 0, nil
	}
	var why []string
	for p := 0; p < n; p++ {
		reason := ""
		for _, io := range ios {
			if !io.Input || p >= len(io.Profiles) {
				continue
			}
			if r := admits(io.Profiles[p], shapes[io.Name], values[io.Name]); r != "" {
				reason = fmt.Sprintf("input %q %s", io.Name, r)
				break
			}
		}
		if reason == "" {
			return p, n, nil
		}
		why = append(why, fmt.Sprintf("profile %d: %s", p, reason))
	}
	return 0, n, fmt.Errorf("no optimization profile of the engine admits the inputs (%s)", strings.Join(why, "; "))
}

// admits says why profile range pr does not admit shape and values ("" if
// it does).
func admits(pr ioProfile, shape, values []int64) string {
	if len(pr.Min) != len(shape) || len(pr.Max) != len(shape) {
		return fmt.Sprintf("has shape %v, the profile rank %d", shape, len(pr.Min))
	}
	for i, d := range shape {
		if d < pr.Min[i] || d > pr.Max[i] {
			return fmt.Sprintf("has shape %v, outside %v..%v", shape, pr.Min, pr.Max)
		}
	}
	if pr.MinValues == nil {
		return ""
	}
	if len(values) != len(pr.MinValues) || len(values) != len(pr.MaxValues) {
		return fmt.Sprintf("has %d values, the profile %d", len(values), len(pr.MinValues))
	}
	for i, v := range values {
		if v < pr.MinValues[i] || v > pr.MaxValues[i] {
			return fmt.Sprintf("has values %v, outside %v..%v", values, pr.MinValues, pr.MaxValues)
		}
	}
	return ""
}

// address is the device address of an input tensor's memory, after
// checking that the memory holds the tensor.
func address(name string, t *backend.DeviceTensor) (uintptr, error) {
	if t.Mem == nil {
		return 0, fmt.Errorf("input %q has no device memory", name)
	}
	a, ok := t.Mem.(addressable)
	if !ok {
		return 0, fmt.Errorf("input %q: device memory of type %T has no address the engine can bind", name, t.Mem)
	}
	p := a.Ptr()
	if p == 0 {
		return 0, fmt.Errorf("input %q: its device memory was freed", name)
	}
	if t.Mem.Size() < t.Bytes() {
		return 0, fmt.Errorf("input %q: %d bytes of device memory for shape %v of %v (%d bytes)", name, t.Mem.Size(), t.Shape, t.DType, t.Bytes())
	}
	return p, nil
}

// checkInput checks an input's dtype and shape against the engine's
// declaration.
func checkInput(io ioTensor, dt ir.DType, shape []int64) error {
	if dt != io.DType {
		return fmt.Errorf("input %q: dtype %v, engine expects %v", io.Name, dt, io.DType)
	}
	if len(shape) != len(io.Shape) {
		return fmt.Errorf("input %q: shape %v, engine expects rank %d %v", io.Name, shape, len(io.Shape), io.Shape)
	}
	for i, d := range io.Shape {
		if d >= 0 && shape[i] != d {
			return fmt.Errorf("input %q: dim %d is %d, engine expects %d (shape %v)", io.Name, i, shape[i], d, io.Shape)
		}
	}
	return nil
}

// Close releases the stream and the engine. Device tensors that RunDevice
// returned stay valid; their owner frees them.
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
