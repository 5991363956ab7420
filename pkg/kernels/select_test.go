package kernels

import (
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestWhereBroadcastsThreeWays(t *testing.T) {
	cond := ir.FromSlice(ir.Bool, []int64{2, 1}, []uint8{1, 0})
	a := ir.FromSlice(ir.Int64, []int64{3}, []int64{1, 2, 3})
	b := ir.FromSlice(ir.Int64, []int64{}, []int64{-7})
	r, err := Where(cond, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if !ir.S(r.Shape...).Equal(ir.S(2, 3)) {
		t.Fatalf("shape %v", r.Shape)
	}
	want := []int64{1, 2, 3, -7, -7, -7}
	for i, w := range want {
		if g := ir.View[int64](r)[i]; g != w {
			t.Errorf("[%d] = %d, want %d", i, g, w)
		}
	}
	h, _ := Cast(f32(1, 2), ir.Float16)
	h2, _ := Cast(f32(3, 4), ir.Float16)
	r, _ = Where(ir.FromSlice(ir.Bool, []int64{2}, []uint8{0, 1}), h, h2)
	checkFloats(t, "where f16", r, []float64{3, 2}, 0)
	if _, err := Where(a, a, a); err == nil {
		t.Error("non-bool condition should fail")
	}
	if _, err := Where(cond, a, h); err == nil {
		t.Error("mismatched branches should fail")
	}
}
