package onnx_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
)

func TestTopK(t *testing.T) {
	x := convtest.Input{DType: ir.Float32, Shape: ir.S(3, 5)}
	k := func(v int64) convtest.Input { return convtest.Input{Const: true, Data: ints(v)} }
	for _, a := range []map[string]ir.Attr{nil, {"largest": iattr(0)}, {"axis": iattr(0)}, {"axis": iattr(-2), "sorted": iattr(0)}} {
		convtest.Run(t, convtest.Case{Op: "onnx.TopK", Attrs: a, Inputs: []convtest.Input{x, k(2)}, NumOutputs: 2})
	}
	// Opset 1 takes k as an attribute; integer input with ties.
	convtest.Run(t, convtest.Case{Op: "onnx.TopK", Opset: 1, Attrs: map[string]ir.Attr{"k": iattr(3)},
		Inputs: []convtest.Input{{DType: ir.Int32, Shape: ir.S(2, 6), Lo: 0, Hi: 3}}, NumOutputs: 2})
	// Dynamic batch.
	convtest.Run(t, convtest.Case{Op: "onnx.TopK", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(7)}, RunShape: []int64{4, 7}}, k(7)}, NumOutputs: 2})
	for _, c := range []convtest.Case{
		{Op: "onnx.TopK", Inputs: []convtest.Input{x, {DType: ir.Int64, Shape: ir.S(1), Data: ints(2)}}, NumOutputs: 2},
		{Op: "onnx.TopK", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 4000)}, k(3841)}, NumOutputs: 2},
		{Op: "onnx.TopK", Inputs: []convtest.Input{{DType: ir.Float64, Shape: ir.S(2, 3)}, k(1)}, NumOutputs: 2},
	} {
		if _, err := convtest.Build(c); err == nil {
			t.Errorf("TopK %v converted", c.Inputs)
		}
	}
}

// TensorRT's TopK reduces one of the last four dims only; an earlier axis
// is moved last by a transpose and back (finding 7 of issue 8).
func TestTopKEarlyAxis(t *testing.T) {
	x := convtest.Input{DType: ir.Float32, Shape: ir.S(5, 2, 3, 2, 2, 3)}
	for _, axis := range []int64{0, 1, -5, 2} {
		convtest.Run(t, convtest.Case{Op: "onnx.TopK", Attrs: map[string]ir.Attr{"axis": iattr(axis)},
			Inputs: []convtest.Input{x, {Const: true, Data: ints(2)}}, NumOutputs: 2})
	}
	convtest.Run(t, convtest.Case{Op: "onnx.ArgMax", Attrs: map[string]ir.Attr{"axis": iattr(0), "keepdims": iattr(0)},
		Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(4, 2, 1, 2, 3)}}})
}

func TestArgMaxArgMin(t *testing.T) {
	for _, op := range []string{"onnx.ArgMax", "onnx.ArgMin"} {
		for _, a := range []map[string]ir.Attr{nil, {"axis": iattr(1)}, {"axis": iattr(-1), "keepdims": iattr(0)},
			{"select_last_index": iattr(1)}, {"axis": iattr(2), "keepdims": iattr(0), "select_last_index": iattr(1)}} {
			// Small integers make ties, where select_last_index matters.
			convtest.Run(t, convtest.Case{Op: op, Attrs: a, Inputs: []convtest.Input{{DType: ir.Int32, Shape: ir.S(3, 4, 5), Lo: 0, Hi: 3}}})
			convtest.Run(t, convtest.Case{Op: op, Attrs: a, Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(3, 4, 5)}}})
		}
		// Dynamic dims, including the reduced one.
		for _, a := range []map[string]ir.Attr{{"axis": iattr(1), "keepdims": iattr(0)}, {"axis": iattr(1), "select_last_index": iattr(1)}} {
			convtest.Run(t, convtest.Case{Op: op, Attrs: a, Inputs: []convtest.Input{
				{DType: ir.Int64, Shape: ir.Shape{ir.Sym("N"), ir.Sym("M")}, RunShape: []int64{3, 6}, Lo: 0, Hi: 2}}})
		}
		convtest.Run(t, convtest.Case{Op: op, Attrs: map[string]ir.Attr{"keepdims": iattr(0)}, Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(5)}}})
	}
}

func TestHardmax(t *testing.T) {
	for _, opset := range []int64{11, 13} {
		for _, a := range []map[string]ir.Attr{{}, {"axis": iattr(0)}, {"axis": iattr(1)}} {
			a[ops.OpsetAttr] = iattr(opset) // as the ONNX frontend stamps it
			convtest.Run(t, convtest.Case{Op: "onnx.Hardmax", Opset: opset, Attrs: a, Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 3, 4)}}})
		}
	}
	// Ties: the first maximum wins.
	convtest.Run(t, convtest.Case{Op: "onnx.Hardmax", Inputs: []convtest.Input{{Data: ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, 3, 3, 2, 2, 0})}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Hardmax", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.Sym("C")}, RunShape: []int64{2, 5}}}})
	if _, err := convtest.Build(convtest.Case{Op: "onnx.Hardmax", Opset: 11, Attrs: map[string]ir.Attr{"axis": iattr(1), ops.OpsetAttr: iattr(11)},
		Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.D(2), ir.Sym("C"), ir.D(3)}, RunShape: []int64{2, 2, 3}}}}); err == nil {
		t.Error("opset-11 Hardmax over dynamic trailing dims converted")
	}
}

func TestTrilu(t *testing.T) {
	x := convtest.Input{DType: ir.Float32, Shape: ir.S(2, 4, 5)}
	for _, upper := range []int64{0, 1} {
		for _, k := range []int64{-5, -1, 0, 2, 7} {
			convtest.Run(t, convtest.Case{Op: "onnx.Trilu", Attrs: map[string]ir.Attr{"upper": iattr(upper)},
				Inputs: []convtest.Input{x, {Const: true, Data: ir.Scalar(ir.Int64, float64(k))}}})
		}
		convtest.Run(t, convtest.Case{Op: "onnx.Trilu", Attrs: map[string]ir.Attr{"upper": iattr(upper)}, Inputs: []convtest.Input{x}})
		// Run-time k, dynamic matrix dims, Int64 and Bool data.
		convtest.Run(t, convtest.Case{Op: "onnx.Trilu", Attrs: map[string]ir.Attr{"upper": iattr(upper)},
			Inputs: []convtest.Input{{DType: ir.Int64, Shape: ir.Shape{ir.Sym("R"), ir.Sym("C")}, RunShape: []int64{3, 6}},
				{DType: ir.Int64, Shape: ir.S(), Data: ir.Scalar(ir.Int64, -1)}}})
		convtest.Run(t, convtest.Case{Op: "onnx.Trilu", Attrs: map[string]ir.Attr{"upper": iattr(upper)},
			Inputs: []convtest.Input{{DType: ir.Bool, Shape: ir.S(3, 3)}, {DType: ir.Int64, Shape: ir.S(), Data: ir.Scalar(ir.Int64, 1)}}})
	}
}

func TestGatherND(t *testing.T) {
	idx := func(shape []int64, v ...int64) *ir.Tensor { return ir.FromSlice(ir.Int64, shape, v) }
	data := convtest.Input{DType: ir.Float32, Shape: ir.S(2, 3, 4)}
	for _, c := range []struct {
		b   int64
		idx *ir.Tensor
	}{
		{0, idx([]int64{2, 1}, 1, 0)},
		{0, idx([]int64{2, 2}, 1, -1, 0, 2)},
		{0, idx([]int64{1, 3}, -1, 2, -4)},
		{1, idx([]int64{2, 1}, 2, -3)},
		{1, idx([]int64{2, 2, 2}, 0, 1, -1, 3, 2, 0, 1, -4)},
		{2, idx([]int64{2, 3, 1}, 0, 1, 2, 3, -1, -2)},
	} {
		a := map[string]ir.Attr{"batch_dims": iattr(c.b)}
		convtest.Run(t, convtest.Case{Op: "onnx.GatherND", Attrs: a, Inputs: []convtest.Input{data, {Const: true, Data: c.idx}}})
		convtest.Run(t, convtest.Case{Op: "onnx.GatherND", Attrs: a, Inputs: []convtest.Input{data, {DType: ir.Int64, Shape: ir.S(c.idx.Shape...), Data: c.idx}}})
		// Dynamic data dims with run-time negative indices.
		convtest.Run(t, convtest.Case{Op: "onnx.GatherND", Attrs: a, Inputs: []convtest.Input{
			{DType: ir.Float32, Shape: ir.Shape{ir.D(2), ir.Sym("H"), ir.Sym("W")}, RunShape: []int64{2, 3, 4}},
			{DType: ir.Int64, Shape: ir.S(c.idx.Shape...), Data: c.idx}}})
	}
}
