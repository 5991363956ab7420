package tensorio

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Difference summarizes how one tensor differs from a reference.
type Difference struct {
	OK         bool
	Reason     string // dtype or shape mismatch
	MaxAbs     float64
	MaxRel     float64
	Mismatched int
	Total      int
	FirstIndex int
	Got, Want  float64
	Atol, Rtol float64
}

// Diff compares got with want elementwise: |got-want| <= atol+rtol*|want|,
// NaN equal to NaN. Dtypes and shapes must match.
func Diff(got, want *ir.Tensor, atol, rtol float64) Difference {
	d := Difference{Atol: atol, Rtol: rtol, FirstIndex: -1}
	if got == nil || want == nil {
		d.Reason = "missing tensor"
		return d
	}
	if got.DType != want.DType {
		d.Reason = fmt.Sprintf("dtype %v, expected %v", got.DType, want.DType)
		return d
	}
	if !ir.S(got.Shape...).Equal(ir.S(want.Shape...)) {
		d.Reason = fmt.Sprintf("shape %v, expected %v", ir.S(got.Shape...), ir.S(want.Shape...))
		return d
	}
	d.Total = int(got.Numel())
	for i := 0; i < d.Total; i++ {
		g, w := got.Float(i), want.Float(i)
		if g == w || math.IsNaN(g) && math.IsNaN(w) {
			continue
		}
		abs := math.Abs(g - w)
		if math.IsNaN(abs) {
			abs = math.Inf(1)
		}
		d.MaxAbs = math.Max(d.MaxAbs, abs)
		if w != 0 {
			d.MaxRel = math.Max(d.MaxRel, abs/math.Abs(w))
		}
		if abs > atol+rtol*math.Abs(w) {
			if d.FirstIndex < 0 {
				d.FirstIndex, d.Got, d.Want = i, g, w
			}
			d.Mismatched++
		}
	}
	d.OK = d.Mismatched == 0
	return d
}

func (d Difference) String() string {
	if d.Reason != "" {
		return "MISMATCH: " + d.Reason
	}
	s := fmt.Sprintf("max abs diff %.3g, max rel diff %.3g over %d elements", d.MaxAbs, d.MaxRel, d.Total)
	if d.OK {
		return "ok, " + s
	}
	return fmt.Sprintf("MISMATCH: %d element(s) beyond atol %g + rtol %g; first at %d: %g vs %g; %s",
		d.Mismatched, d.Atol, d.Rtol, d.FirstIndex, d.Got, d.Want, s)
}
