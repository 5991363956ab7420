package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestOneHot(t *testing.T) {
	depth := func(v float64) convtest.Input {
		return convtest.Input{Data: ir.FromSlice(ir.Float32, []int64{1}, []float32{float32(v)}), Const: true}
	}
	idx := func(dt ir.DType, s ...int64) convtest.Input {
		// Indices in [-6, 6): negative, in range and out of range for depth 4.
		return convtest.Input{DType: dt, Shape: ir.S(s...), Lo: -6, Hi: 6}
	}
	vals := func(dt ir.DType, isConst bool) convtest.Input {
		v := ir.NewTensor(dt, []int64{2})
		v.SetFloat(0, 2)
		v.SetFloat(1, 7)
		return convtest.Input{Data: v, Const: isConst}
	}
	for _, c := range []struct {
		axis int64
		in   convtest.Input
		vals convtest.Input
	}{
		{-1, idx(ir.Int64, 2, 3), vals(ir.Float32, true)},
		{0, idx(ir.Int32, 5), vals(ir.Int64, true)},
		{1, idx(ir.Float32, 2, 3), vals(ir.Float32, false)}, // float indices truncate
		{-2, idx(ir.Int64, 2, 3), vals(ir.Int32, false)},
		{0, idx(ir.Int64), vals(ir.Float32, true)}, // 0-D indices
	} {
		convtest.Run(t, convtest.Case{Op: "onnx.OneHot", Attrs: map[string]ir.Attr{"axis": aInt(c.axis)}, Inputs: []convtest.Input{c.in, depth(4), c.vals}})
	}
	// Dynamic batch.
	convtest.Run(t, convtest.Case{Op: "onnx.OneHot", Inputs: []convtest.Input{
		{DType: ir.Int64, Shape: ir.Shape{ir.Sym("N"), ir.D(3)}, RunShape: []int64{4, 3}, Lo: -6, Hi: 6}, depth(5), vals(ir.Float32, true),
	}})
	_, err := convtest.Build(convtest.Case{Op: "onnx.OneHot", Inputs: []convtest.Input{idx(ir.Int64, 3), {DType: ir.Int64, Shape: ir.S(1), Lo: 3, Hi: 4}, vals(ir.Float32, true)}})
	if err == nil || !strings.Contains(err.Error(), "depth must be a constant") {
		t.Fatalf("run-time depth: got %v", err)
	}
}

// The OneHot layer is documented for indices in [0, depth) only: the
// converter sends every other index (past Int32 too) to an extra class it
// slices away, so they encode as all off, as ONNX says.
func TestOneHotOutOfRangeIndices(t *testing.T) {
	idx := ir.FromSlice(ir.Int64, []int64{5}, []int64{1 << 40, -(1 << 40) + 1, 3, -1, 4})
	vals := ir.FromSlice(ir.Float32, []int64{2}, []float32{0, 1})
	r := convtest.Run(t, convtest.Case{Op: "onnx.OneHot", Inputs: []convtest.Input{{Data: idx},
		{Data: ir.FromSlice(ir.Int64, []int64{1}, []int64{4}), Const: true}, {Data: vals, Const: true}}})
	want := []float64{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0}
	for i, w := range want {
		if g := r.Engine[0].Float(i); g != w {
			t.Fatalf("one-hot of %v = %v, want %v", idx.Ints(), r.Engine[0].Floats(), want)
		}
	}
}
