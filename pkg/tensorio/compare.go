package tensorio

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Comparison is how one tensor differs from a reference, in the form
// Polygraphy's comparisons report: element-wise absolute and relative
// error with their maximum and mean, and a pass/fail against
// |a-b| <= atol + rtol*|b|, b being the reference.
type Comparison struct {
	// Reason, when set, says why the tensors could not be compared
	// element by element (a missing tensor, a shape mismatch); Passed is
	// then false.
	Reason string
	// Elements is the element count compared; Mismatched how many are
	// beyond the tolerance.
	Elements, Mismatched int
	// MaxAbs and MeanAbs are over every element; MaxRel and MeanRel over
	// the elements whose reference is not 0 (|a-b|/|b| is undefined
	// there). A NaN where the reference has none counts as an infinite
	// error; NaN against NaN as none.
	MaxAbs, MeanAbs, MaxRel, MeanRel float64
	// MaxAbsIndex is the flat index of the largest absolute error (-1
	// when every element is equal).
	MaxAbsIndex int
	Atol, Rtol  float64
	Passed      bool
}

// Compare compares got with the reference want element by element. The
// dtypes may differ (a reduced-precision output against a float32
// reference): elements are compared as float64 values. Shapes must be
// equal.
func Compare(got, want *ir.Tensor, atol, rtol float64) Comparison {
	c := Comparison{Atol: atol, Rtol: rtol, MaxAbsIndex: -1}
	switch {
	case got == nil || want == nil:
		c.Reason = "missing tensor"
		return c
	case !ir.S(got.Shape...).Equal(ir.S(want.Shape...)):
		c.Reason = fmt.Sprintf("shape %v, the reference has %v", ir.S(got.Shape...), ir.S(want.Shape...))
		return c
	case !comparable(got.DType) || !comparable(want.DType):
		c.Reason = fmt.Sprintf("dtype %v against %v cannot be compared as numbers", got.DType, want.DType)
		return c
	}
	c.Elements = int(got.Numel())
	var sumAbs, sumRel float64
	relCount := 0
	for i := 0; i < c.Elements; i++ {
		a, b := got.Float(i), want.Float(i)
		var abs float64
		switch {
		case a == b, math.IsNaN(a) && math.IsNaN(b):
			abs = 0
		default:
			abs = math.Abs(a - b)
			if math.IsNaN(abs) {
				abs = math.Inf(1)
			}
		}
		if abs > c.MaxAbs || c.MaxAbsIndex < 0 && abs > 0 {
			c.MaxAbs, c.MaxAbsIndex = abs, i
		}
		sumAbs += abs
		if b != 0 && !math.IsNaN(b) {
			rel := abs / math.Abs(b)
			c.MaxRel = math.Max(c.MaxRel, rel)
			sumRel += rel
			relCount++
		}
		if abs > atol+rtol*math.Abs(b) || math.IsInf(abs, 1) {
			c.Mismatched++
		}
	}
	if c.Elements > 0 {
		c.MeanAbs = sumAbs / float64(c.Elements)
	}
	if relCount > 0 {
		c.MeanRel = sumRel / float64(relCount)
	}
	c.Passed = c.Mismatched == 0
	return c
}

// comparable says whether elements of dt read as numbers (ir.Tensor.Float).
func comparable(dt ir.DType) bool {
	return dt.IsFloat() || dt.IsInt() || dt == ir.Bool || dt.IsLowBit()
}
