// Package sizes is the one place where sizes read from files enter trtc:
// every dim, element count, offset, stride and byte length that comes from a
// model, bundle or tensor file (or is computed from one) goes through its
// checked arithmetic, and every tensor allocation is checked against the
// memory budget before it is made.
//
// Two limits apply to an allocation of n bytes:
//   - the per-tensor limit (TensorLimit, default: the whole budget): no single
//     tensor may be larger;
//   - the run's memory budget (Budget, --max-memory, TRTC_MAX_MEMORY,
//     config max-memory; default DefaultBudget(), a fraction of the memory
//     the process may use): the Go heap in use plus n must stay under it.
//
// A failed check is an *Error naming the tensor, its shape and the bytes it
// would need. Code that allocates without returning an error (ir.NewTensor,
// called by every kernel) panics with the *Error; ops.Execute, the runtime
// and the CLI recover it into an ordinary error (exit code 11).
package sizes

import (
	"fmt"
	"math"
	"math/bits"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
)

// Error is a size that overflows int64 or does not fit a limit.
type Error struct {
	What  string  // the tensor or field: `tensor "w"`, "storage_offset"
	Shape []int64 // the dims involved, when there are some
	DType string  // element type, when known
	Bytes int64   // bytes needed; -1 when the size overflows int64
	Limit int64   // the limit it exceeds (0 for an overflow)
	Kind  string  // "overflow", "tensor limit", "memory budget", "fold limit"
}

func (e *Error) Error() string {
	what := e.What
	if what == "" {
		what = "tensor"
	}
	shape := ""
	if e.Shape != nil {
		shape = " " + e.DType + fmtShape(e.Shape)
	}
	if e.Kind == "negative dim" {
		return fmt.Sprintf("%s%s: negative dim", what, shape)
	}
	if e.Bytes < 0 || e.Kind == "overflow" {
		return fmt.Sprintf("%s%s: size overflows int64", what, shape)
	}
	return fmt.Sprintf("%s%s needs %s, over the %s of %s", what, shape, Human(e.Bytes), e.Kind, Human(e.Limit))
}

// OverBudget reports whether err is a memory budget or tensor limit error
// (as opposed to a malformed size).
func (e *Error) OverBudget() bool { return e.Kind == "memory budget" || e.Kind == "tensor limit" }

func fmtShape(dims []int64) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, d := range dims {
		if i > 0 {
			b.WriteByte('x')
		}
		b.WriteString(strconv.FormatInt(d, 10))
	}
	b.WriteByte(']')
	return b.String()
}

// Human prints a byte count with a binary unit.
func Human(n int64) string {
	const u = 1024
	switch {
	case n >= u*u*u*u:
		return fmt.Sprintf("%.1f TiB (%d bytes)", float64(n)/(u*u*u*u), n)
	case n >= u*u*u:
		return fmt.Sprintf("%.1f GiB (%d bytes)", float64(n)/(u*u*u), n)
	case n >= u*u:
		return fmt.Sprintf("%.1f MiB (%d bytes)", float64(n)/(u*u), n)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Mul returns a*b for non-negative a, b, or ok false on overflow.
func Mul(a, b int64) (int64, bool) {
	if a < 0 || b < 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}

// Add returns a+b for non-negative a, b, or ok false on overflow.
func Add(a, b int64) (int64, bool) {
	if a < 0 || b < 0 || a > math.MaxInt64-b {
		return 0, false
	}
	return a + b, true
}

// Numel is the element count of dims, checked: a negative dim or an
// overflowing product is an error naming what.
func Numel(what string, dims []int64) (int64, error) {
	n := int64(1)
	zero := false
	for _, d := range dims {
		if d < 0 {
			return 0, &Error{What: orTensor(what), Shape: dims, Bytes: -1, Kind: "negative dim"}
		}
		zero = zero || d == 0
	}
	if zero {
		return 0, nil // empty, however large the other dims
	}
	for _, d := range dims {
		var ok bool
		if n, ok = Mul(n, d); !ok {
			return 0, &Error{What: orTensor(what), Shape: dims, Bytes: -1, Kind: "overflow"}
		}
	}
	return n, nil
}

// Bytes is the byte length of dims elements of elemSize bytes, checked.
func Bytes(what string, dims []int64, elemSize int, dtype string) (int64, error) {
	n, err := Numel(what, dims)
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.DType = dtype
		}
		return 0, err
	}
	b, ok := Mul(n, int64(elemSize))
	if !ok {
		return 0, &Error{What: orTensor(what), Shape: dims, DType: dtype, Bytes: -1, Kind: "overflow"}
	}
	return b, nil
}

func orTensor(what string) string {
	if what == "" {
		return "tensor"
	}
	return what
}

var (
	budget      atomic.Int64 // 0: not set yet (DefaultBudget)
	tensorLimit atomic.Int64 // 0: the budget
)

// heapCheckFrom is the allocation size from which the heap in use is read
// (reading it costs about a microsecond; small tensors only meet the
// per-tensor limit).
const heapCheckFrom = 1 << 20

// SetBudget sets the run's memory budget in bytes (<= 0: DefaultBudget) and
// tells the Go runtime to collect harder as the heap nears it.
func SetBudget(n int64) {
	if n <= 0 {
		n = DefaultBudget()
	}
	budget.Store(n)
	debug.SetMemoryLimit(n)
}

// Budget is the run's memory budget in bytes.
func Budget() int64 {
	if b := budget.Load(); b > 0 {
		return b
	}
	b := DefaultBudget()
	budget.CompareAndSwap(0, b)
	return budget.Load()
}

// SetTensorLimit sets the largest single tensor in bytes (<= 0: the budget).
func SetTensorLimit(n int64) { tensorLimit.Store(max(n, 0)) }

// TensorLimit is the largest single tensor in bytes.
func TensorLimit() int64 {
	if l := tensorLimit.Load(); l > 0 {
		return min(l, Budget())
	}
	return Budget()
}

// DefaultBudget is 3/4 of the memory the process may use: the machine's
// physical memory, or less where a cgroup memory limit or an address-space
// limit (RLIMIT_AS, ulimit -v) says so. An address-space limit counts half,
// since the Go runtime and mapped files take address space beyond the heap.
func DefaultBudget() int64 {
	avail := int64(math.MaxInt64)
	if m := memTotal(); m > 0 {
		avail = m
	}
	if c := cgroupLimit(); c > 0 && c < avail {
		avail = c
	}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &rl); err == nil && rl.Cur != math.MaxUint64 && rl.Cur < uint64(math.MaxInt64) {
		if half := int64(rl.Cur) / 2; half < avail {
			avail = half
		}
	}
	if avail == math.MaxInt64 {
		return 8 << 30
	}
	return avail / 4 * 3
}

func memTotal() int64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return kb * 1024
				}
			}
		}
	}
	return 0
}

func cgroupLimit() int64 {
	for _, p := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64); err == nil && n > 0 && n < 1<<60 {
			return n
		}
	}
	return 0
}

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

// heapInUse is the bytes of live and not yet swept heap objects.
func heapInUse() int64 {
	s := []metrics.Sample{heapSample[0]}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 {
		return int64(s[0].Value.Uint64())
	}
	return 0
}

// Check checks that a tensor of n bytes may be allocated now.
func Check(what string, dims []int64, dtype string, n int64) error {
	if lim := TensorLimit(); n > lim {
		kind := "memory budget"
		if tensorLimit.Load() > 0 && lim < Budget() {
			kind = "tensor limit"
		}
		return &Error{What: orTensor(what), Shape: dims, DType: dtype, Bytes: n, Limit: lim, Kind: kind}
	}
	if n >= heapCheckFrom {
		b := Budget()
		used := heapInUse()
		if used+n > b {
			// The count includes garbage not yet collected: collect
			// once before refusing.
			runtime.GC()
			used = heapInUse()
		}
		if used+n > b {
			return &Error{What: orTensor(what) + fmt.Sprintf(" (with %s already in use)", Human(used)), Shape: dims, DType: dtype, Bytes: n, Limit: b, Kind: "memory budget"}
		}
	}
	return nil
}

// Alloc checks dims of elemSize-byte elements (overflow, limits) and returns
// their byte length.
func Alloc(what string, dims []int64, elemSize int, dtype string) (int64, error) {
	n, err := Bytes(what, dims, elemSize, dtype)
	if err != nil {
		return 0, err
	}
	return n, Check(what, dims, dtype, n)
}

// ParseBytes reads a byte count: a plain number or one with a unit (KiB,
// MiB, GiB, TiB; KB, MB, GB, TB in powers of 1000; K, M, G, T as binary).
func ParseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mul    int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40}, {"B", 1}}
	mul := int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mul = strings.TrimSpace(rest), u.mul
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f <= 0 {
		return 0, fmt.Errorf("%q is not a positive byte count (e.g. 4GiB, 512MiB or bytes)", s)
	}
	v := f * float64(mul)
	if v >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return int64(v), nil
}
