package kernels

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestParallelForRunsEachTaskOnce runs parallelFor from several goroutines at
// once (as concurrent segments do) and checks every task ran exactly once
// and the shared helper slots all came back.
func TestParallelForRunsEachTaskOnce(t *testing.T) {
	SetThreads(4)
	defer SetThreads(0)
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rep := 0; rep < 50; rep++ {
				n := 1 + rep%17
				counts := make([]atomic.Int32, n)
				parallelFor(n, 4, func(task int) { counts[task].Add(1) })
				for i := range counts {
					if c := counts[i].Load(); c != 1 {
						t.Errorf("task %d of %d ran %d times", i, n, c)
					}
				}
			}
		}()
	}
	wg.Wait()
	// Helpers return their slots when they exit, possibly after the call.
	for i := 0; i < 1000 && helpersBusy.Load() != 0; i++ {
		time.Sleep(time.Millisecond)
	}
	if b := helpersBusy.Load(); b != 0 {
		t.Fatalf("%d helper slots still taken", b)
	}
}

// A panic in a task on a helper goroutine is raised on the caller's
// goroutine, after every task has ended, where it can be recovered.
func TestParallelForPanicReachesCaller(t *testing.T) {
	defer SetThreads(0)
	SetThreads(4)
	for range 20 {
		var got any
		func() {
			defer func() { got = recover() }()
			parallelFor(64, 4, func(task int) {
				if task%7 == 3 {
					panic("task failed")
				}
			})
		}()
		if got != "task failed" {
			t.Fatalf("recovered %v", got)
		}
	}
}
