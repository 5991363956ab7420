package runtime

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// Transfers counts the bytes that crossed between host and device memory.
// Only engine/fallback boundaries (and graph inputs and outputs read by
// device engines) cross: a value passed from one device engine to the next
// stays on the device, and the reference backend, which runs on host
// memory, never crosses.
type Transfers struct {
	H2D, D2H int64 // bytes
	Copies   int64 // number of copies, both directions
}

func (t Transfers) String() string {
	return fmt.Sprintf("bytes crossed: H2D %d, D2H %d (%d copies)", t.H2D, t.D2H, t.Copies)
}

// counters accumulate Transfers across runs; safe for concurrent Runs.
type counters struct{ h2d, d2h, copies atomic.Int64 }

func (c *counters) snapshot() Transfers {
	return Transfers{H2D: c.h2d.Load(), D2H: c.d2h.Load(), Copies: c.copies.Load()}
}

// slot is one graph value during a run: on the host, on the device, or
// both once it has crossed (each copy is made at most once).
type slot struct {
	host *ir.Tensor
	dev  *backend.DeviceTensor
}

// env binds value names to tensors for one Run and owns the device memory
// in it.
type env struct {
	slots map[string]*slot
	count *counters
}

func newEnv(inputs map[string]*ir.Tensor, c *counters) *env {
	e := &env{slots: make(map[string]*slot, len(inputs)), count: c}
	for k, v := range inputs {
		e.slots[k] = &slot{host: v}
	}
	return e
}

func (e *env) has(name string) bool { _, ok := e.slots[name]; return ok }

// host returns the value on the host, copying it from the device the first
// time it is asked for there.
func (e *env) host(name string) (*ir.Tensor, error) {
	s, ok := e.slots[name]
	if !ok {
		return nil, fmt.Errorf("value %q is not available", name)
	}
	if s.host == nil {
		t := ir.NewTensor(s.dev.DType, s.dev.Shape)
		if err := s.dev.Mem.CopyToHost(t.Data); err != nil {
			return nil, fmt.Errorf("copying %q (%v%v) to the host: %w", name, s.dev.DType, ir.S(s.dev.Shape...), err)
		}
		e.count.d2h.Add(int64(len(t.Data)))
		e.count.copies.Add(1)
		s.host = t
	}
	return s.host, nil
}

// device returns the value on the device, copying it there with memory
// from alloc the first time it is asked for there.
func (e *env) device(name string, alloc func(int) (backend.DeviceMemory, error)) (*backend.DeviceTensor, error) {
	s, ok := e.slots[name]
	if !ok {
		return nil, fmt.Errorf("value %q is not available", name)
	}
	if s.dev == nil {
		n := len(s.host.Data)
		mem, err := alloc(n)
		if err != nil {
			return nil, fmt.Errorf("device memory for %q (%d bytes): %w", name, n, err)
		}
		if err := mem.CopyFromHost(s.host.Data); err != nil {
			return nil, errors.Join(fmt.Errorf("copying %q (%v%v) to the device: %w", name, s.host.DType, ir.S(s.host.Shape...), err), mem.Free())
		}
		e.count.h2d.Add(int64(n))
		e.count.copies.Add(1)
		s.dev = &backend.DeviceTensor{DType: s.host.DType, Shape: append([]int64{}, s.host.Shape...), Mem: mem}
	}
	return s.dev, nil
}

func (e *env) setHost(name string, t *ir.Tensor) error {
	err := e.drop(name)
	e.slots[name] = &slot{host: t}
	return err
}

func (e *env) setDevice(name string, t *backend.DeviceTensor) error {
	err := e.drop(name)
	e.slots[name] = &slot{dev: t}
	return err
}

// drop forgets a value and frees its device memory.
func (e *env) drop(name string) error {
	s, ok := e.slots[name]
	if !ok {
		return nil
	}
	delete(e.slots, name)
	if s.dev != nil {
		if err := s.dev.Mem.Free(); err != nil {
			return fmt.Errorf("freeing device memory of %q: %w", name, err)
		}
	}
	return nil
}

// release frees all device memory left (at the end of a run, or after a
// failure).
func (e *env) release() error {
	var errs []error
	for _, name := range ir.SortedKeys(e.slots) {
		errs = append(errs, e.drop(name))
	}
	return errors.Join(errs...)
}
