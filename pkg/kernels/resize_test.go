package kernels

import (
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestResizeNearestRepeatsAndKeepsDType(t *testing.T) {
	x := ir.FromSlice(ir.Int64, []int64{2, 2}, []int64{1, 2, 3, 4})
	got, err := Resize(x, []int64{4, 6}, []float64{2, 3}, ResizeSpec{Coord: CoordAsymmetric, Nearest: RoundFloor})
	if err != nil {
		t.Fatal(err)
	}
	if got.DType != ir.Int64 {
		t.Fatalf("dtype %v", got.DType)
	}
	checkFloats(t, "nearest", got, []float64{
		1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}, 0)
}

func TestResizeLinearHalfPixel(t *testing.T) {
	// [1, 2] to 4 with half-pixel centres: coordinates -0.25, 0.25, 0.75,
	// 1.25, clamped at the edges.
	got, err := Resize(f32(1, 2), []int64{4}, nil, ResizeSpec{Mode: ResizeLinear})
	if err != nil {
		t.Fatal(err)
	}
	checkFloats(t, "linear", got, []float64{1, 1.25, 1.75, 2}, 1e-7)
	// align_corners hits both ends exactly.
	got, _ = Resize(f32(1, 2, 4), []int64{5}, nil, ResizeSpec{Mode: ResizeLinear, Coord: CoordAlignCorners})
	checkFloats(t, "align", got, []float64{1, 1.5, 2, 3, 4}, 1e-7)
}

func TestResizeCubicIdentityAndExclude(t *testing.T) {
	x := f32(3, -1, 4, 1, 5)
	for _, ex := range []bool{false, true} {
		got, err := Resize(x, []int64{5}, nil, ResizeSpec{Mode: ResizeCubic, ExcludeOutside: ex})
		if err != nil {
			t.Fatal(err)
		}
		checkFloats(t, "cubic identity", got, []float64{3, -1, 4, 1, 5}, 1e-6)
	}
	// A constant signal stays constant: weights sum to 1, also renormalized.
	got, _ := Resize(f32(2, 2, 2), []int64{7}, nil, ResizeSpec{Mode: ResizeCubic, ExcludeOutside: true})
	checkFloats(t, "cubic const", got, []float64{2, 2, 2, 2, 2, 2, 2}, 1e-6)
}

func TestResizeNearestRounding(t *testing.T) {
	for _, c := range []struct {
		v    float64
		r    NearestRound
		want int64
	}{
		{1.5, RoundPreferFloor, 1}, {1.5, RoundPreferCeil, 2}, {1.2, RoundCeil, 2}, {1.8, RoundFloor, 1},
		{-0.5, RoundPreferFloor, 0}, {9.5, RoundPreferCeil, 3}, {2, RoundCeil, 2},
	} {
		if got := NearestIndex(c.v, 4, c.r); got != c.want {
			t.Errorf("NearestIndex(%v, %v) = %d, want %d", c.v, c.r, got, c.want)
		}
	}
}

func TestResizeErrors(t *testing.T) {
	if _, err := Resize(ir.NewTensor(ir.Float32, []int64{0}), []int64{2}, nil, ResizeSpec{}); err == nil {
		t.Error("resized an empty dim to 2")
	}
	if _, err := Resize(f32(1, 2), []int64{-1}, nil, ResizeSpec{}); err == nil {
		t.Error("negative output dim accepted")
	}
	if _, err := Resize(ir.FromSlice(ir.Int32, []int64{2}, []int32{1, 2}), []int64{4}, nil, ResizeSpec{Mode: ResizeLinear}); err == nil {
		t.Error("linear resize of int32 accepted")
	}
	if _, err := Resize(f32(1, 2), []int64{4}, nil, ResizeSpec{Coord: CoordTFCropAndResize}); err == nil {
		t.Error("tf_crop_and_resize without a roi accepted")
	}
	// Outside the roi, tf_crop_and_resize gives the extrapolation value.
	got, err := Resize(f32(1, 2), []int64{3}, nil, ResizeSpec{Mode: ResizeLinear, Coord: CoordTFCropAndResize, Roi: []float64{0.5, 1.5}, Extrapolation: -9})
	if err != nil {
		t.Fatal(err)
	}
	checkFloats(t, "crop", got, []float64{1.5, 2, -9}, 1e-7)
}
