package cli

import (
	"testing"
	"time"
)

// Nearest-rank percentiles and the median of an even count, on 1..100 ms
// given out of order, and on two values.
func TestLatencyStats(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	s := latencyStats(ds)
	want := LatencyStats{Min: 1, Mean: 50.5, Median: 50.5, P90: 90, P99: 99, Max: 100}
	if s != want {
		t.Errorf("1..100: %+v, want %+v", s, want)
	}
	s = latencyStats([]time.Duration{3 * time.Millisecond, time.Millisecond})
	if s.Median != 2 || s.P90 != 3 || s.P99 != 3 || s.Min != 1 || s.Max != 3 {
		t.Errorf("1, 3: %+v", s)
	}
	if s := latencyStats([]time.Duration{1500 * time.Microsecond}); s.Median != 1.5 || s.P99 != 1.5 {
		t.Errorf("one value: %+v", s)
	}
	if s := latencyStats(nil); s != (LatencyStats{}) {
		t.Errorf("none: %+v", s)
	}
}
