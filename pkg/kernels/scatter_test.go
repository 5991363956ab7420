package kernels

import (
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestScatterElementsReductions(t *testing.T) {
	data := f32(1, 2, 3)
	idx := ir.FromSlice(ir.Int64, []int64{3}, []int64{0, -1, 0}) // 0 twice, -1 is 2
	upd := f32(10, 20, 30)
	for r, want := range map[ScatterReduction][]float64{
		ScatterNone: {30, 2, 20}, // the later update wins
		ScatterAdd:  {41, 2, 23},
		ScatterMul:  {300, 2, 60},
		ScatterMax:  {30, 2, 20},
		ScatterMin:  {1, 2, 3},
	} {
		got, err := ScatterElements(data, idx, upd, 0, r)
		if err != nil {
			t.Fatal(err)
		}
		checkFloats(t, "scatter elements", got, want, 0)
	}
	checkFloats(t, "data untouched", data, []float64{1, 2, 3}, 0)
	// Axis 1 of a 2x3 with 2x1 indices.
	d2 := ir.FromSlice(ir.Int32, []int64{2, 3}, []int32{0, 0, 0, 0, 0, 0})
	got, err := ScatterElements(d2, ir.FromSlice(ir.Int64, []int64{2, 1}, []int64{2, 1}), ir.FromSlice(ir.Int32, []int64{2, 1}, []int32{5, 6}), 1, ScatterNone)
	if err != nil {
		t.Fatal(err)
	}
	checkFloats(t, "axis 1", got, []float64{0, 0, 5, 0, 6, 0}, 0)
	if _, err := ScatterElements(data, ir.FromSlice(ir.Int64, []int64{1}, []int64{3}), f32(1), 0, ScatterNone); err == nil {
		t.Error("index 3 of 3 accepted")
	}
	if _, err := ScatterElements(data, idx, f32(1, 2), 0, ScatterNone); err == nil {
		t.Error("updates of another shape accepted")
	}
}

func TestScatterND(t *testing.T) {
	data := ir.FromSlice(ir.Float32, []int64{2, 2}, []float32{1, 2, 3, 4})
	// Whole rows, then single elements.
	got, err := ScatterND(data, ir.FromSlice(ir.Int64, []int64{1, 1}, []int64{-1}), ir.FromSlice(ir.Float32, []int64{1, 2}, []float32{7, 8}), ScatterNone)
	if err != nil {
		t.Fatal(err)
	}
	checkFloats(t, "rows", got, []float64{1, 2, 7, 8}, 0)
	got, err = ScatterND(data, ir.FromSlice(ir.Int64, []int64{2, 2}, []int64{0, 1, 0, 1}), f32(5, 6), ScatterAdd)
	if err != nil {
		t.Fatal(err)
	}
	checkFloats(t, "add twice", got, []float64{1, 13, 3, 4}, 0)
	if _, err := ScatterND(data, ir.FromSlice(ir.Int64, []int64{1, 3}, []int64{0, 0, 0}), f32(1), ScatterNone); err == nil {
		t.Error("3-tuples into rank 2 accepted")
	}
	if _, err := ScatterND(data, ir.FromSlice(ir.Int64, []int64{1, 1}, []int64{2}), ir.FromSlice(ir.Float32, []int64{1, 2}, []float32{1, 1}), ScatterNone); err == nil {
		t.Error("row 2 of 2 accepted")
	}
	if _, err := ParseScatterReduction("avg"); err == nil {
		t.Error("unknown reduction parsed")
	}
}
