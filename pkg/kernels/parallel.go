package kernels

import (
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
)

// Threading. Large kernels split their work into tasks run by the calling
// goroutine and up to Threads()-1 helper goroutines. Helpers are counted
// process-wide: when several segments run kernels at once they share the
// same Threads()-1 helpers instead of each starting its own, so concurrent
// callers never put more than Threads() busy goroutines of kernel work on
// the cores beyond the callers themselves.

var (
	threadSetting atomic.Int32 // 0: GOMAXPROCS
	helpersBusy   atomic.Int32
)

// SetThreads sets how many threads large kernels use (n <= 0: GOMAXPROCS).
func SetThreads(n int) {
	if n < 0 {
		n = 0
	}
	threadSetting.Store(int32(n))
}

// Threads is the number of threads large kernels use.
func Threads() int {
	if n := int(threadSetting.Load()); n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// acquireHelpers reserves up to want helper slots and returns how many it got.
func acquireHelpers(want int) int {
	limit := int32(Threads() - 1)
	for {
		busy := helpersBusy.Load()
		got := min(int32(want), limit-busy)
		if got <= 0 {
			return 0
		}
		if helpersBusy.CompareAndSwap(busy, busy+got) {
			return int(got)
		}
	}
}

// parallelFor runs fn(task) for task in [0, n), on the calling goroutine and
// on as many helpers as are free, at most maxWorkers in all. fn must be safe
// to run concurrently for distinct tasks.
func parallelFor(n, maxWorkers int, fn func(task int)) {
	if n <= 0 {
		return
	}
	helpers := 0
	if n > 1 && maxWorkers > 1 {
		helpers = acquireHelpers(min(n, maxWorkers) - 1)
	}
	if helpers == 0 {
		for t := 0; t < n; t++ {
			fn(t)
		}
		return
	}
	// Tasks go to whoever asks next: the caller and helpers, which are
	// long-lived worker goroutines handed the job through a channel (so a
	// parallel loop starts no goroutine and allocates only the job). The
	// caller waits for tasks to finish, not for helpers: a helper that
	// gets the job late finds no task left and only returns its slot.
	startWorkers()
	j := &parallelJob{fn: fn, n: int64(n)}
	for h := 0; h < helpers; h++ {
		jobs <- j
	}
	j.work()
	for j.done.Load() < int64(n) {
		runtime.Gosched()
	}
	if j.panicVal != nil {
		panic(j.panicVal)
	}
}

// parallelJob is one parallelFor loop.
type parallelJob struct {
	fn         func(int)
	n          int64
	next, done atomic.Int64
	// A panic in a task (a tensor over the memory budget, a bug) must not
	// end the process from a helper goroutine, where nothing can recover
	// it: the first one is kept and raised again on the caller's goroutine
	// once every task has ended, so ops.Execute, the reference engine and
	// trtc's main recover it as they would a panic of the caller.
	panicOnce sync.Once
	panicVal  any
}

func (j *parallelJob) work() {
	for {
		t := j.next.Add(1) - 1
		if t >= j.n {
			return
		}
		j.run(int(t))
	}
}

func (j *parallelJob) run(t int) {
	defer func() {
		if r := recover(); r != nil {
			j.panicOnce.Do(func() { j.panicVal = r })
		}
		j.done.Add(1)
	}()
	j.fn(t)
}

// jobs hands parallel loops to the worker goroutines. At most Threads()-1
// helper slots are taken at once and each send holds one, so the buffer
// never fills while the slot count stays under its capacity.
var (
	jobs        = make(chan *parallelJob, 1024)
	workersMu   sync.Mutex
	workerCount int
)

// startWorkers makes sure there is a worker for every helper slot.
func startWorkers() {
	want := Threads() - 1
	workersMu.Lock()
	defer workersMu.Unlock()
	for ; workerCount < want; workerCount++ {
		go func() {
			for j := range jobs {
				j.work()
				helpersBusy.Add(-1)
			}
		}()
	}
}

// f32Pools recycle scratch buffers (packed GEMM panels, im2col columns) so
// that steady-state kernels do not allocate: pool c holds buffers of
// capacity 1<<c, so any buffer taken from the class of n fits n.
var f32Pools [64]sync.Pool

// getF32 returns a scratch buffer of length n (contents undefined).
func getF32(n int) *[]float32 {
	c := bits.Len(uint(max(n, 1) - 1))
	if v := f32Pools[c].Get(); v != nil {
		p := v.(*[]float32)
		*p = (*p)[:n]
		return p
	}
	s := make([]float32, n, 1<<c)
	return &s
}

// putF32 gives a buffer from getF32 back.
func putF32(p *[]float32) {
	c := bits.Len(uint(max(cap(*p), 1) - 1))
	if cap(*p) != 1<<c {
		return // not from getF32
	}
	f32Pools[c].Put(p)
}
