package tensorio

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Range is the interval generated values are drawn from: [Lo, Hi) for
// floating-point dtypes, the integers Lo..Hi (both included) for integer
// dtypes; bool draws 0 or 1 whatever the range.
type Range struct{ Lo, Hi float64 }

// DefaultRange is Polygraphy's default for generated inputs: [0, 1) for
// floats, the integers 0 and 1.
var DefaultRange = Range{0, 1}

// IntLimits is the range of values an integer dtype holds (ir.IntLimits).
func IntLimits(dt ir.DType) (lo, hi float64, ok bool) { return ir.IntLimits(dt) }

// CheckRange says whether r suits dtype dt: an integer dtype needs whole
// numbers within its limits, a float dtype finite bounds; Lo <= Hi always.
func CheckRange(dt ir.DType, r Range) error {
	if math.IsNaN(r.Lo) || math.IsNaN(r.Hi) || math.IsInf(r.Lo, 0) || math.IsInf(r.Hi, 0) {
		return fmt.Errorf("bounds must be finite numbers, got %g,%g", r.Lo, r.Hi)
	}
	if r.Lo > r.Hi {
		return fmt.Errorf("low bound %g is above high bound %g", r.Lo, r.Hi)
	}
	if lo, hi, ok := IntLimits(dt); ok {
		if r.Lo != math.Trunc(r.Lo) || r.Hi != math.Trunc(r.Hi) {
			return fmt.Errorf("%v input needs whole-number bounds, got %g,%g", dt, r.Lo, r.Hi)
		}
		if r.Lo < lo || r.Hi > hi {
			return fmt.Errorf("%g,%g is outside %v's range %.0f..%.0f", r.Lo, r.Hi, dt, lo, hi)
		}
	}
	return nil
}

// Generate makes a tensor of dtype dt and a static shape with values
// drawn from r by rng: uniform in [Lo, Hi) for floats (rounded to dt),
// uniform over the integers Lo..Hi for integer dtypes, 0 or 1 for bool,
// and for the low-bit storage types (float8, int4, ...) floats from r
// converted as Cast converts them. r must pass CheckRange. The size is
// checked against the memory budget (ir.NewTensorChecked).
func Generate(what string, dt ir.DType, shape []int64, r Range, rng *rand.Rand) (*ir.Tensor, error) {
	if !comparable(dt) {
		return nil, fmt.Errorf("%s: cannot generate values of dtype %v", what, dt)
	}
	if err := CheckRange(dt, r); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	t, err := ir.NewTensorChecked(what, dt, shape)
	if err != nil {
		return nil, err
	}
	n := int(t.Numel())
	switch {
	case dt == ir.Bool:
		b := ir.View[uint8](t)
		for i := range b {
			b[i] = uint8(rng.IntN(2))
		}
	case dt == ir.Int64:
		v := ir.View[int64](t)
		lo, hi := int64(r.Lo), int64(r.Hi)
		for i := range v {
			v[i] = lo + randSpan(rng, uint64(hi-lo))
		}
	case dt == ir.Uint64:
		v := ir.View[uint64](t)
		lo, hi := uint64(r.Lo), uint64(r.Hi)
		for i := range v {
			v[i] = lo + uint64(randSpan(rng, hi-lo))
		}
	case dt.IsInt():
		lo, hi := int64(r.Lo), int64(r.Hi)
		for i := 0; i < n; i++ {
			t.SetFloat(i, float64(lo+randSpan(rng, uint64(hi-lo))))
		}
	default:
		for i := 0; i < n; i++ {
			t.SetFloat(i, r.Lo+(r.Hi-r.Lo)*rng.Float64())
		}
	}
	return t, nil
}

// randSpan draws uniformly from 0..span (span+1 values; all of uint64
// when span is the maximum).
func randSpan(rng *rand.Rand, span uint64) int64 {
	if span == math.MaxUint64 {
		return int64(rng.Uint64())
	}
	return int64(rng.Uint64N(span + 1))
}
