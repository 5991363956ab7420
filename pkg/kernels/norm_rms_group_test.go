package kernels

import (
	"math"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func near(t *testing.T, got *ir.Tensor, want []float64, tol float64) {
	t.Helper()
	if int(got.Numel()) != len(want) {
		t.Fatalf("got %d elements, want %d", got.Numel(), len(want))
	}
	for i, w := range want {
		if math.Abs(got.Float(i)-w) > tol {
			t.Fatalf("element %d = %g, want %g (all %v)", i, got.Float(i), w, got.Floats())
		}
	}
}

func TestRMSNorm(t *testing.T) {
	// Rows [3, 4] and [0, 2]: RMS 3.5355 and 1.4142; scale [1, 2].
	x := ir.FromSlice(ir.Float32, []int64{2, 2}, []float32{3, 4, 0, 2})
	y, err := RMSNorm(x, 1, ir.FromSlice(ir.Float32, []int64{2}, []float32{1, 2}), 0)
	if err != nil {
		t.Fatal(err)
	}
	r := math.Sqrt(12.5)
	near(t, y, []float64{3 / r, 8 / r, 0, 2 * 2 / math.Sqrt(2)}, 1e-6)
	// axis 0 normalizes everything; eps inside the root.
	y, _ = RMSNorm(x, 0, ir.FromSlice(ir.Float32, []int64{}, []float32{1}), 1)
	r = math.Sqrt((9+16+0+4)/4.0 + 1)
	near(t, y, []float64{3 / r, 4 / r, 0, 2 / r}, 1e-6)
	if _, err := RMSNorm(x, 1, ir.FromSlice(ir.Float32, []int64{3}, []float32{1, 1, 1}), 0); err == nil {
		t.Fatal("a scale of the wrong size was accepted")
	}
}

func TestGroupNorm(t *testing.T) {
	// N=1, C=4, 2 groups of 2 channels with 1 element each: group {1, 3}
	// has mean 2 and variance 1, group {5, 5} is constant.
	x := ir.FromSlice(ir.Float32, []int64{1, 4, 1}, []float32{1, 3, 5, 5})
	perC := ir.FromSlice(ir.Float32, []int64{4}, []float32{1, 2, 3, 4})
	biasC := ir.FromSlice(ir.Float32, []int64{4}, []float32{0, 0, 1, -1})
	y, err := GroupNorm(x, 2, perC, biasC, 0)
	if err != nil {
		t.Fatal(err)
	}
	near(t, y, []float64{-1, 2, 1, -1}, 1e-6)
	// Per group (opset 18): scale [10, 1], bias [0, 7].
	y, err = GroupNorm(x, 2, ir.FromSlice(ir.Float32, []int64{2}, []float32{10, 1}), ir.FromSlice(ir.Float32, []int64{2}, []float32{0, 7}), 0)
	if err != nil {
		t.Fatal(err)
	}
	near(t, y, []float64{-10, 10, 7, 7}, 1e-6)
	if _, err := GroupNorm(x, 3, perC, biasC, 0); err == nil {
		t.Fatal("3 groups of 4 channels were accepted")
	}
}

func TestOneHot(t *testing.T) {
	idx := ir.FromSlice(ir.Int64, []int64{4}, []int64{0, -1, 3, 2})
	vals := ir.FromSlice(ir.Float32, []int64{2}, []float32{-1, 5})
	y, err := OneHot(idx, 3, vals, 1)
	if err != nil {
		t.Fatal(err)
	}
	// -1 is the last position; 3 is out of range (all off).
	near(t, y, []float64{5, -1, -1, -1, -1, 5, -1, -1, -1, -1, -1, 5}, 0)
	y, _ = OneHot(idx, 3, vals, 0)
	if !ir.S(y.Shape...).Equal(ir.S(3, 4)) {
		t.Fatalf("axis 0 shape %v, want [3, 4]", y.Shape)
	}
	near(t, y, []float64{5, -1, -1, -1, -1, -1, -1, -1, -1, 5, -1, 5}, 0)
}
