package kernels

import (
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestRangeLengths(t *testing.T) {
	for _, c := range []struct{ s, l, d, n int64 }{{0, 10, 3, 4}, {10, 1, -3, 3}, {5, 5, 1, 0}, {5, 1, 1, 0}, {1, 5, -1, 0}} {
		r, err := Range(ir.Scalar(ir.Int64, float64(c.s)), ir.Scalar(ir.Int64, float64(c.l)), ir.Scalar(ir.Int64, float64(c.d)))
		if err != nil || r.Numel() != c.n {
			t.Errorf("Range(%d, %d, %d) has %v elements (%v), want %d", c.s, c.l, c.d, r, err, c.n)
		}
	}
	if _, err := Range(ir.Scalar(ir.Int32, 0), ir.Scalar(ir.Int32, 3), ir.Scalar(ir.Int32, 0)); err == nil {
		t.Error("delta 0 accepted")
	}
}

func TestTriluAndTile(t *testing.T) {
	x := ir.FromSlice(ir.Int32, []int64{2, 3}, []int32{1, 2, 3, 4, 5, 6})
	up, _ := Trilu(x, 1, true)
	lo, _ := Trilu(x, -1, false)
	for i, w := range []int32{0, 2, 3, 0, 0, 6} {
		if ir.View[int32](up)[i] != w {
			t.Fatalf("triu k=1: %v", ir.View[int32](up))
		}
	}
	for i, w := range []int32{0, 0, 0, 4, 0, 0} {
		if ir.View[int32](lo)[i] != w {
			t.Fatalf("tril k=-1: %v", ir.View[int32](lo))
		}
	}
	tl, _ := Tile(x, []int64{1, 2})
	if tl.Shape[1] != 6 || ir.View[int32](tl)[3] != 1 || ir.View[int32](tl)[11] != 6 {
		t.Fatalf("tile: %v %v", tl.Shape, ir.View[int32](tl))
	}
}

func TestMappedSliceFillAndStrictErrors(t *testing.T) {
	x := ir.FromSlice(ir.Float32, []int64{3}, []float32{1, 2, 3})
	out, err := MappedSlice(x, [][]int64{{2, Skip, 0}}, ir.Scalar(ir.Float32, -1))
	if err != nil || ir.View[float32](out)[1] != -1 || ir.View[float32](out)[0] != 3 {
		t.Fatalf("mapped slice: %v %v", out, err)
	}
	if _, err := StridedSlice(x, []int64{1}, []int64{3}, []int64{1}); err == nil {
		t.Fatal("out-of-range strided slice accepted")
	}
	if _, err := Gather(x, ir.FromSlice(ir.Int64, []int64{1}, []int64{-1}), 0, false); err == nil {
		t.Fatal("negative index accepted without neg")
	}
	if g, err := Gather(x, ir.FromSlice(ir.Int64, []int64{1}, []int64{-1}), 0, true); err != nil || ir.View[float32](g)[0] != 3 {
		t.Fatalf("negative index: %v %v", g, err)
	}
}
