package kernels

import (
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestPadModes(t *testing.T) {
	x := f32(1, 2, 3)
	for _, c := range []struct {
		mode      PadMode
		pre, post int64
		want      []float64
	}{
		{PadConstant, 2, 1, []float64{9, 9, 1, 2, 3, 9}},
		{PadEdge, 2, 2, []float64{1, 1, 1, 2, 3, 3, 3}},
		{PadReflect, 2, 2, []float64{3, 2, 1, 2, 3, 2, 1}},
		// Longer than the dim: reflection repeats with period 2*(dim-1).
		{PadReflect, 5, 3, []float64{2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2}},
		{PadWrap, 4, 2, []float64{3, 1, 2, 3, 1, 2, 3, 1, 2}},
		// Negative pads crop.
		{PadConstant, -1, 1, []float64{2, 3, 9}},
		{PadReflect, -2, -1, nil},
	} {
		got, err := Pad(x, []int64{c.pre}, []int64{c.post}, c.mode, ir.Scalar(ir.Float32, 9))
		if err != nil {
			t.Fatalf("%v %d %d: %v", c.mode, c.pre, c.post, err)
		}
		checkFloats(t, c.mode.String(), got, c.want, 0)
	}
	// Reflect of a single element repeats it.
	got, err := Pad(f32(4), []int64{2}, []int64{1}, PadReflect, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkFloats(t, "reflect 1", got, []float64{4, 4, 4, 4}, 0)
}

func TestPad2DAndDTypes(t *testing.T) {
	x := ir.FromSlice(ir.Int64, []int64{2, 2}, []int64{1, 2, 3, 4})
	got, err := Pad(x, []int64{1, 0}, []int64{0, 1}, PadConstant, ir.Scalar(ir.Float32, -1)) // value is cast
	if err != nil {
		t.Fatal(err)
	}
	if !ir.S(got.Shape...).Equal(ir.S(3, 3)) || got.DType != ir.Int64 {
		t.Fatalf("shape %v dtype %v", got.Shape, got.DType)
	}
	checkFloats(t, "2d", got, []float64{-1, -1, -1, 1, 2, -1, 3, 4, -1}, 0)
	got, err = Pad(x, []int64{0, 1}, []int64{1, 0}, PadEdge, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkFloats(t, "2d edge", got, []float64{1, 1, 2, 3, 3, 4, 3, 3, 4}, 0)
}

func TestPadEdgeCases(t *testing.T) {
	empty := ir.NewTensor(ir.Float32, []int64{0, 2})
	got, err := Pad(empty, []int64{1, 0}, []int64{0, 0}, PadConstant, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkFloats(t, "pad empty", got, []float64{0, 0}, 0)
	if _, err := Pad(empty, []int64{1, 0}, []int64{0, 0}, PadReflect, nil); err == nil {
		t.Error("reflect-padding an empty dim succeeded")
	}
	if _, err := Pad(f32(1, 2), []int64{-2}, []int64{-1}, PadConstant, nil); err == nil {
		t.Error("cropping below zero succeeded")
	}
	if _, err := Pad(f32(1, 2), []int64{1}, nil, PadConstant, nil); err == nil {
		t.Error("pads of the wrong rank accepted")
	}
	if _, err := Pad(f32(1, 2), []int64{1}, []int64{1}, PadConstant, f32(1, 2)); err == nil {
		t.Error("a 2-element constant value accepted")
	}
	if _, err := ParsePadMode("mirror"); err == nil {
		t.Error("unknown mode parsed")
	}
	for s, want := range map[string]PadMode{"": PadConstant, "replicate": PadEdge, "circular": PadWrap, "reflect": PadReflect} {
		if m, err := ParsePadMode(s); err != nil || m != want {
			t.Errorf("ParsePadMode(%q) = %v, %v", s, m, err)
		}
	}
}
