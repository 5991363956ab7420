package tensorrt

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trtc-dev/trtc/cgo/cuda"
	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// cgo/cuda's Runtime records events: a trtc built with TensorRT times its
// engines with CUDA events.
var _ EventDevice = cuda.Runtime{}

// eventFake is a fakeDevice with events: a record stamps the event with
// the device's "time", which each copy advances by a millisecond and each
// stream synchronization by ten, so the span shows which work it covered.
type eventFake struct {
	fakeDevice
	now    float32
	events map[uintptr]float32 // recorded time; -1 created, not recorded
	nextEv uintptr
	calls  []string
	fail   string
}

func (d *eventFake) MemcpyHtoD(dst uintptr, src []byte) error {
	d.now++
	return d.fakeDevice.MemcpyHtoD(dst, src)
}
func (d *eventFake) StreamSynchronize(s uintptr) error {
	d.now += 10
	return d.fakeDevice.StreamSynchronize(s)
}
func (d *eventFake) EventCreate() (uintptr, error) {
	if d.events == nil {
		d.events = map[uintptr]float32{}
	}
	d.nextEv++
	d.events[d.nextEv] = -1
	return d.nextEv, nil
}
func (d *eventFake) EventRecord(e, stream uintptr) error {
	d.calls = append(d.calls, fmt.Sprintf("record %d on %d", e, stream))
	if d.fail == "record" {
		return errors.New("cudaErrorInvalidResourceHandle")
	}
	d.events[e] = d.now
	return nil
}
func (d *eventFake) EventSynchronize(e uintptr) error {
	d.calls = append(d.calls, fmt.Sprintf("sync %d", e))
	return nil
}
func (d *eventFake) EventElapsedMs(a, b uintptr) (float32, error) {
	if d.events[a] < 0 || d.events[b] < 0 {
		return 0, errors.New("cudaErrorInvalidResourceHandle: event not recorded")
	}
	return d.events[b] - d.events[a], nil
}
func (d *eventFake) EventDestroy(e uintptr) error {
	if _, ok := d.events[e]; !ok {
		return fmt.Errorf("destroy of unknown event %d", e)
	}
	delete(d.events, e)
	return nil
}

// The runner's clock records two events on the default stream around the
// work, waits for the second, and returns the device time between them:
// here the upload of x (1 ms) and the run (10 ms), not the download that
// follows. Events are released after the span.
func TestRunnerEventClock(t *testing.T) {
	dev := &eventFake{}
	r := &runner{api: &doubler{dev: &dev.fakeDevice}, dev: dev}
	clock := r.Clock()
	if clock.Name() != "cuda-event" {
		t.Fatalf("clock %q, want cuda-event", clock.Name())
	}
	span, err := clock.Start()
	if err != nil {
		t.Fatal(err)
	}
	x := ir.FromSlice(ir.Float32, []int64{1, 2}, []float32{1, 2})
	mem, err := r.Alloc(8)
	if err != nil {
		t.Fatal(err)
	}
	if err := mem.CopyFromHost(x.Data); err != nil {
		t.Fatal(err)
	}
	out, err := r.RunDevice(map[string]*backend.DeviceTensor{"x": {DType: ir.Float32, Shape: []int64{1, 2}, Mem: mem}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := span.End()
	if err != nil {
		t.Fatal(err)
	}
	if d != 11*time.Millisecond {
		t.Errorf("span %v, want 11ms (one upload, one run)", d)
	}
	if got := strings.Join(dev.calls, "; "); got != "record 1 on 0; record 2 on 0; sync 2" {
		t.Errorf("calls %q", got)
	}
	if len(dev.events) != 0 {
		t.Errorf("%d event(s) leaked", len(dev.events))
	}
	if _, err := span.End(); err == nil {
		t.Error("a second End succeeded")
	}
	mem.Free()
	out["y"].Mem.Free()
}

// A failed record is the span's error, and the events are still released;
// a Device without events times with the host clock.
func TestRunnerEventClockErrors(t *testing.T) {
	dev := &eventFake{fail: "record"}
	r := &runner{api: &doubler{dev: &dev.fakeDevice}, dev: dev}
	if _, err := r.Clock().Start(); err == nil || !strings.Contains(err.Error(), "InvalidResourceHandle") {
		t.Errorf("Start: %v", err)
	}
	if len(dev.events) != 0 {
		t.Errorf("%d event(s) leaked", len(dev.events))
	}
	plain := &runner{api: &doubler{dev: &fakeDevice{}}, dev: &fakeDevice{}}
	if plain.Clock() != backend.HostClock {
		t.Errorf("a Device without events: clock %q, want host", plain.Clock().Name())
	}
}
