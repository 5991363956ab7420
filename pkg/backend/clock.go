package backend

import "time"

// Clock times spans of work where the work runs. The runtime times each
// segment of a bundle (trtc bench) with the clock of the engine that runs
// it, and fallback segments with HostClock.
//
// A span starts with Start and ends with Span.End, which returns the time
// between the two once all work issued before End has completed. The
// reference backend computes on the CPU and returns only when it is done,
// so the host's monotonic clock (HostClock) times it exactly. A GPU engine
// returns once its stream is synchronized, but its clock records CUDA
// events on the stream instead (cudaEventRecord, cudaEventElapsedTime:
// cgo/tensorrt), so that the span measures the device's time for the
// copies and kernels between the two marks, as trtexec's GPU compute time
// does.
type Clock interface {
	// Name says what the clock measures: "host" or "cuda-event".
	Name() string
	// Start marks the beginning of a span.
	Start() (Span, error)
}

// Span is one started measurement.
type Span interface {
	// End marks the end of the span, waits until the work issued before
	// the mark has completed, and returns the span's length. A span ends
	// once; it releases what it holds whether or not End fails.
	End() (time.Duration, error)
}

// ClockEngine is an Engine with its own Clock (device engines whose work
// runs asynchronously on a stream). The runtime times other engines with
// HostClock.
type ClockEngine interface {
	Engine
	Clock() Clock
}

// HostClock times spans with the host's monotonic clock.
var HostClock Clock = hostClock{}

type hostClock struct{}

func (hostClock) Name() string { return "host" }

func (hostClock) Start() (Span, error) { return hostSpan(time.Now()), nil }

type hostSpan time.Time

func (s hostSpan) End() (time.Duration, error) { return time.Since(time.Time(s)), nil }
