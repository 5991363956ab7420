package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// distinctIdx is a constant or run-time index tensor with given values.
func distinctIdx(isConst bool, shape []int64, v ...int64) convtest.Input {
	return convtest.Input{Data: ir.FromSlice(ir.Int64, shape, v), Const: isConst}
}

func TestScatterElements(t *testing.T) {
	for _, op := range []string{"onnx.ScatterElements", "onnx.Scatter"} {
		for _, c := range []struct {
			axis    int64
			idx     convtest.Input
			x, upds []int64
		}{
			{0, distinctIdx(true, []int64{2, 3}, 1, 0, 2, 0, 2, 1), []int64{3, 3}, []int64{2, 3}},
			{1, distinctIdx(false, []int64{2, 2}, -1, 0, 1, -3), []int64{2, 3}, []int64{2, 2}}, // negative, run time
			{-1, distinctIdx(true, []int64{1, 2}, -1, -2), []int64{2, 4}, []int64{1, 2}},       // negative, constant
		} {
			convtest.Run(t, convtest.Case{Op: op, Attrs: map[string]ir.Attr{"axis": aInt(c.axis)}, Inputs: []convtest.Input{f32(c.x...), c.idx, f32(c.upds...)}})
		}
	}
	// Dynamic batch, run-time Int64 indices into it.
	convtest.Run(t, convtest.Case{Op: "onnx.ScatterElements", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(2)}, RunShape: []int64{4, 2}},
		distinctIdx(false, []int64{2, 2}, -1, 0, 2, 3), f32(2, 2),
	}})
	_, err := convtest.Build(convtest.Case{Op: "onnx.ScatterElements", Attrs: map[string]ir.Attr{"reduction": aString("add")},
		Inputs: []convtest.Input{f32(3, 3), distinctIdx(true, []int64{1, 3}, 0, 1, 2), f32(1, 3)}})
	if err == nil || !strings.Contains(err.Error(), "reduction \"add\"") {
		t.Fatalf("reduction add: got %v", err)
	}
}

func TestScatterND(t *testing.T) {
	for _, c := range []struct {
		idx     convtest.Input
		x, upds []int64
	}{
		{distinctIdx(true, []int64{2, 1}, 2, 0), []int64{4, 3}, []int64{2, 3}},
		{distinctIdx(false, []int64{3, 2}, 0, 1, -1, -1, 1, -3), []int64{2, 3, 2}, []int64{3, 2}}, // tuples of 2, negative
		{distinctIdx(true, []int64{1, 1, 3}, -1, 0, 1), []int64{2, 3, 2}, []int64{1, 1}},          // whole-element tuples
	} {
		convtest.Run(t, convtest.Case{Op: "onnx.ScatterND", Inputs: []convtest.Input{f32(c.x...), c.idx, f32(c.upds...)}})
	}
	convtest.Run(t, convtest.Case{Op: "onnx.ScatterND", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3)}, RunShape: []int64{5, 3}},
		distinctIdx(false, []int64{2, 1}, -1, 1), f32(2, 3),
	}})
	_, err := convtest.Build(convtest.Case{Op: "onnx.ScatterND", Attrs: map[string]ir.Attr{"reduction": aString("mul")},
		Inputs: []convtest.Input{f32(3, 3), distinctIdx(true, []int64{1, 1}, 0), f32(1, 3)}})
	if err == nil || !strings.Contains(err.Error(), "reduction \"mul\"") {
		t.Fatalf("reduction mul: got %v", err)
	}
}

// Constant indices that write one element (or slice) twice are left to the
// CPU kernel: TensorRT's Scatter layer leaves duplicate writes undefined.
func TestScatterDuplicateConstantIndicesFallBack(t *testing.T) {
	for _, c := range []convtest.Case{
		{Op: "onnx.ScatterElements", Attrs: map[string]ir.Attr{"axis": aInt(1)},
			Inputs: []convtest.Input{f32(2, 3), distinctIdx(true, []int64{2, 2}, 0, -3, 1, 2), f32(2, 2)}}, // row 0 writes column 0 twice
		{Op: "onnx.ScatterND", Inputs: []convtest.Input{f32(4, 3), distinctIdx(true, []int64{2, 1}, 3, -1), f32(2, 3)}}, // rows 3 and -1
	} {
		_, err := convtest.Build(c)
		if err == nil || !strings.Contains(err.Error(), "twice") {
			t.Errorf("%s: got %v, want a rejection for duplicate writes", c.Op, err)
		}
	}
}
