package tensorio

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestCompareStats(t *testing.T) {
	want := ir.FromSlice(ir.Float32, []int64{4}, []float32{1, -2, 0, 4})
	got := ir.FromSlice(ir.Float32, []int64{4}, []float32{1.5, -2, 0.25, 4})
	c := Compare(got, want, 0.1, 0.1)
	// abs errors 0.5, 0, 0.25, 0: max 0.5 at 0, mean 0.1875; rel errors
	// (reference not 0) 0.5, 0, 0: max 0.5, mean 1/6. Element 0 exceeds
	// 0.1+0.1*1, element 2 exceeds 0.1+0.
	if c.MaxAbs != 0.5 || c.MaxAbsIndex != 0 || c.MeanAbs != 0.1875 || c.MaxRel != 0.5 || math.Abs(c.MeanRel-1.0/6) > 1e-12 {
		t.Errorf("stats %+v", c)
	}
	if c.Passed || c.Mismatched != 2 || c.Elements != 4 {
		t.Errorf("verdict %+v", c)
	}
	// Polygraphy's form: |a-b| <= atol + rtol*|b| passes at equality.
	if c := Compare(got, want, 0.25, 0.25); !c.Passed {
		t.Errorf("atol 0.25 rtol 0.25: %+v", c)
	}
}

// A float16 result compares with a float32 reference by value; NaN
// against NaN is equal, NaN against a number an infinite error.
func TestCompareDTypesAndNaN(t *testing.T) {
	want := ir.FromSlice(ir.Float32, []int64{3}, []float32{1, float32(math.NaN()), 2})
	got := ir.NewTensor(ir.Float16, []int64{3})
	got.SetFloat(0, 1)
	got.SetFloat(1, math.NaN())
	got.SetFloat(2, 2)
	if c := Compare(got, want, 0, 0); !c.Passed || c.MaxAbs != 0 {
		t.Errorf("float16 against float32: %+v", c)
	}
	got.SetFloat(2, math.NaN())
	if c := Compare(got, want, 1e9, 1e9); c.Passed || !math.IsInf(c.MaxAbs, 1) || c.MaxAbsIndex != 2 {
		t.Errorf("NaN against 2: %+v", c)
	}
	if c := Compare(got, ir.NewTensor(ir.Float32, []int64{4}), 1, 1); c.Passed || !strings.Contains(c.Reason, "shape") {
		t.Errorf("shape mismatch: %+v", c)
	}
	if c := Compare(nil, want, 1, 1); c.Passed || c.Reason == "" {
		t.Errorf("missing: %+v", c)
	}
}

func TestGenerateWithinRange(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		dt ir.DType
		r  Range
	}{
		{ir.Float32, Range{-2, 3}}, {ir.Float16, Range{0, 1}}, {ir.BFloat16, Range{-1, 1}}, {ir.Float64, Range{5, 6}},
		{ir.Int64, Range{0, 50256}}, {ir.Int32, Range{-3, 3}}, {ir.Uint8, Range{0, 255}}, {ir.Int8, Range{-128, 127}},
		{ir.Int64, Range{math.MinInt64, math.Nextafter(math.MaxInt64, 0)}}, {ir.Bool, DefaultRange},
		{ir.Float8E4M3FN, Range{-4, 4}},
	} {
		g, err := Generate("x", c.dt, []int64{64, 64}, c.r, rng)
		if err != nil {
			t.Fatalf("%v %v: %v", c.dt, c.r, err)
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		distinct := map[float64]bool{}
		for i := 0; i < int(g.Numel()); i++ {
			v := g.Float(i)
			lo, hi = math.Min(lo, v), math.Max(hi, v)
			distinct[v] = true
		}
		if g.DType != c.dt || lo < c.r.Lo || hi > c.r.Hi && c.dt != ir.Bool {
			t.Errorf("%v in %v: values in [%g, %g]", c.dt, c.r, lo, hi)
		}
		if len(distinct) < 2 {
			t.Errorf("%v in %v: one value only", c.dt, c.r)
		}
		if c.dt.IsInt() && c.r.Hi-c.r.Lo < 300 && (lo != c.r.Lo || hi != c.r.Hi) {
			t.Errorf("%v in %v: integer bounds are included, got [%g, %g]", c.dt, c.r, lo, hi)
		}
	}
	// The same seed gives the same tensor.
	a, _ := Generate("x", ir.Float32, []int64{8}, DefaultRange, rand.New(rand.NewPCG(7, 7)))
	b, _ := Generate("x", ir.Float32, []int64{8}, DefaultRange, rand.New(rand.NewPCG(7, 7)))
	if string(a.Data) != string(b.Data) {
		t.Error("same seed, different values")
	}
}

func TestCheckRange(t *testing.T) {
	for _, c := range []struct {
		dt   ir.DType
		r    Range
		want string
	}{
		{ir.Float32, Range{1, 0}, "above high bound"},
		{ir.Float32, Range{math.NaN(), 0}, "finite"},
		{ir.Float32, Range{0, math.Inf(1)}, "finite"},
		{ir.Int64, Range{0.5, 3}, "whole-number"},
		{ir.Uint8, Range{-1, 3}, "outside uint8's range 0..255"},
		{ir.Int8, Range{0, 200}, "outside int8's range"},
	} {
		if err := CheckRange(c.dt, c.r); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v: %v, want %q", c.dt, c.r, err, c.want)
		}
	}
	if err := CheckRange(ir.Int64, Range{-5, 5}); err != nil {
		t.Error(err)
	}
	if _, err := Generate("x", ir.String, []int64{1}, DefaultRange, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("string tensor generated")
	}
}
