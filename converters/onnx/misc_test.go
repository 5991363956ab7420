package onnx_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestConstant(t *testing.T) {
	for _, a := range []map[string]ir.Attr{
		{"value": {Kind: ir.AttrTensor, T: ir.FromSlice(ir.Float32, []int64{2, 2}, []float32{1, 2, 3, 4})}},
		{"value_float": {Kind: ir.AttrFloat, F: 2.5}},
		{"value_floats": {Kind: ir.AttrFloats, Floats: []float32{1, -1}}},
		{"value_int": iattr(7)},
		{"value_ints": iattrs(3, 4, 5)},
	} {
		convtest.Run(t, convtest.Case{Op: "onnx.Constant", Attrs: a})
	}
}

func TestConstantOfShape(t *testing.T) {
	convtest.Run(t, convtest.Case{Op: "onnx.ConstantOfShape", Inputs: []convtest.Input{{Const: true, Data: ints(2, 3)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.ConstantOfShape", Attrs: map[string]ir.Attr{"value": {Kind: ir.AttrTensor, T: ir.FromSlice(ir.Int32, []int64{1}, []int32{5})}},
		Inputs: []convtest.Input{{Const: true, Data: ints(4)}}})
	// A run-time shape.
	convtest.Run(t, convtest.Case{Op: "onnx.ConstantOfShape", Attrs: map[string]ir.Attr{"value": {Kind: ir.AttrTensor, T: ir.FromSlice(ir.Float32, []int64{1}, []float32{1.5})}},
		Inputs: []convtest.Input{{DType: ir.Int64, Shape: ir.S(2), Data: ints(3, 2)}}})
}

func TestDropout(t *testing.T) {
	x := convtest.Input{DType: ir.Float32, Shape: ir.S(2, 3)}
	convtest.Run(t, convtest.Case{Op: "onnx.Dropout", Inputs: []convtest.Input{x}, NumOutputs: 2})
	convtest.Run(t, convtest.Case{Op: "onnx.Dropout", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3)}, RunShape: []int64{4, 3}},
		{Const: true, Data: ir.Scalar(ir.Float32, 0.3)},
		{Const: true, Data: ir.Scalar(ir.Bool, 0)}}, NumOutputs: 2})
	_, err := convtest.Build(convtest.Case{Op: "onnx.Dropout", Inputs: []convtest.Input{x,
		{Const: true, Data: ir.Scalar(ir.Float32, 0.3)}, {Const: true, Data: ir.Scalar(ir.Bool, 1)}}})
	if err == nil {
		t.Fatal("training-mode Dropout converted")
	}
}

func TestCumSum(t *testing.T) {
	for _, a := range []map[string]ir.Attr{nil, {"exclusive": iattr(1)}, {"reverse": iattr(1)}, {"exclusive": iattr(1), "reverse": iattr(1)}} {
		convtest.Run(t, convtest.Case{Op: "onnx.CumSum", Attrs: a, Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(3, 4)}, {Const: true, Data: ir.Scalar(ir.Int64, -1)}}})
	}
	convtest.Run(t, convtest.Case{Op: "onnx.CumSum", Inputs: []convtest.Input{
		{DType: ir.Int32, Shape: ir.Shape{ir.Sym("N"), ir.D(4)}, RunShape: []int64{3, 4}}, {Const: true, Data: ir.FromSlice(ir.Int32, []int64{1}, []int32{0})}}})
}

func TestRange(t *testing.T) {
	sc := func(dt ir.DType, v float64) convtest.Input {
		return convtest.Input{Const: true, Data: ir.Scalar(dt, v)}
	}
	convtest.Run(t, convtest.Case{Op: "onnx.Range", Inputs: []convtest.Input{sc(ir.Float32, 1), sc(ir.Float32, 4.5), sc(ir.Float32, 0.5)}})
	convtest.Run(t, convtest.Case{Op: "onnx.Range", Inputs: []convtest.Input{sc(ir.Int32, 10), sc(ir.Int32, 1), sc(ir.Int32, -3)}})
	// Run-time limit (the length comes from shape arithmetic).
	for _, d := range []float64{1, 3, -2} {
		convtest.Run(t, convtest.Case{Op: "onnx.Range", Inputs: []convtest.Input{
			{DType: ir.Int64, Shape: ir.S(), Data: ir.Scalar(ir.Int64, 2)}, {DType: ir.Int64, Shape: ir.S(), Data: ir.Scalar(ir.Int64, 9)}, sc(ir.Int64, d)}})
	}
	// Int64 values past 2^53, which a double start/delta (IFillLayer's
	// setAlpha/setBeta) cannot hold: start and delta go in as tensors and
	// the fill is exact (finding 13 of issue 8).
	big := int64(1)<<60 + 3
	i64 := func(v int64) *ir.Tensor { return ir.FromSlice(ir.Int64, []int64{}, []int64{v}) }
	r := convtest.Run(t, convtest.Case{Op: "onnx.Range", Inputs: []convtest.Input{
		{DType: ir.Int64, Shape: ir.S(), Data: i64(big)}, {DType: ir.Int64, Shape: ir.S(), Data: i64(big + 10)},
		{Const: true, Data: i64(1<<54 + 1)}}})
	if g := ir.View[int64](r.Engine[0]); len(g) != 1 || g[0] != big {
		t.Errorf("Range from 2^60+3 = %v, want [%d]", g, big)
	}
	r = convtest.Run(t, convtest.Case{Op: "onnx.Range", Inputs: []convtest.Input{
		{DType: ir.Int64, Shape: ir.S(), Data: i64(big)}, {DType: ir.Int64, Shape: ir.S(), Data: i64(big + 4)}, sc(ir.Int64, 1)}})
	if g := ir.View[int64](r.Engine[0]); len(g) != 4 || g[0] != big || g[3] != big+3 {
		t.Errorf("Range from 2^60+3 by 1 = %v", g)
	}
	_, err := convtest.Build(convtest.Case{Op: "onnx.Range", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.S(), Data: ir.Scalar(ir.Float32, 0)}, sc(ir.Float32, 3), sc(ir.Float32, 1)}})
	if err == nil {
		t.Fatal("a run-time float Range converted")
	}
}
