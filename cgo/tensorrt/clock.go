package tensorrt

import (
	"errors"
	"fmt"
	"time"

	"github.com/trtc-dev/trtc/pkg/backend"
)

// EventDevice is a Device that records CUDA events: cgo/cuda's Runtime
// (cudaEventCreate, cudaEventRecord, cudaEventSynchronize,
// cudaEventElapsedTime, cudaEventDestroy from the libcudart it loads). The
// runner times itself with them (Clock) when its Device has them.
type EventDevice interface {
	Device
	EventCreate() (uintptr, error)
	// EventRecord marks the event at the current end of stream (0: the
	// legacy default stream).
	EventRecord(event, stream uintptr) error
	EventSynchronize(event uintptr) error
	// EventElapsedMs is the time between two completed events, in ms.
	EventElapsedMs(start, end uintptr) (float32, error)
	EventDestroy(event uintptr) error
}

// Clock is the runner's clock for trtc bench (backend.ClockEngine): CUDA
// events where the Device records them, else the host's clock.
//
// The events are recorded on the legacy default stream (0). The runner's
// stream is a blocking stream (cudaStreamCreate) and its copies are
// synchronous cudaMemcpy calls, both ordered with the default stream, so a
// span from Start to End covers every upload of the segment's inputs and
// the engine's whole execution, as the GPU ran them, without the host's
// launch and wake-up latency. This path needs a GPU and runs only in the
// GPU tests (docs/gpu-testing.md); here it is checked against a fake
// Device that records the calls (clock_test.go).
func (r *runner) Clock() backend.Clock {
	if ed, ok := r.dev.(EventDevice); ok {
		return eventClock{ed}
	}
	return backend.HostClock
}

var _ backend.ClockEngine = (*runner)(nil)

type eventClock struct{ dev EventDevice }

func (eventClock) Name() string { return "cuda-event" }

func (c eventClock) Start() (backend.Span, error) {
	start, err := c.dev.EventCreate()
	if err != nil {
		return nil, err
	}
	end, err := c.dev.EventCreate()
	if err != nil {
		return nil, errors.Join(err, c.dev.EventDestroy(start))
	}
	s := &eventSpan{dev: c.dev, start: start, end: end}
	if err := c.dev.EventRecord(start, 0); err != nil {
		return nil, errors.Join(err, s.release())
	}
	return s, nil
}

type eventSpan struct {
	dev        EventDevice
	start, end uintptr
	done       bool
}

func (s *eventSpan) End() (time.Duration, error) {
	if s.done {
		return 0, errors.New("cuda-event span ended twice")
	}
	s.done = true
	ms, err := s.elapsed()
	return time.Duration(float64(ms) * float64(time.Millisecond)), errors.Join(err, s.release())
}

func (s *eventSpan) elapsed() (float32, error) {
	if err := s.dev.EventRecord(s.end, 0); err != nil {
		return 0, err
	}
	if err := s.dev.EventSynchronize(s.end); err != nil {
		return 0, err
	}
	ms, err := s.dev.EventElapsedMs(s.start, s.end)
	if err != nil {
		return 0, err
	}
	if ms < 0 {
		return 0, fmt.Errorf("cudaEventElapsedTime gave %g ms", ms)
	}
	return ms, nil
}

func (s *eventSpan) release() error {
	return errors.Join(s.dev.EventDestroy(s.start), s.dev.EventDestroy(s.end))
}
