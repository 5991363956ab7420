package onnx_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// Attribute shorthands for the family tests.
func aInts(v ...int64) ir.Attr      { return ir.Attr{Kind: ir.AttrInts, Ints: v} }
func aInt(v int64) ir.Attr          { return ir.Attr{Kind: ir.AttrInt, I: v} }
func aFloat(v float32) ir.Attr      { return ir.Attr{Kind: ir.AttrFloat, F: v} }
func aString(v string) ir.Attr      { return ir.Attr{Kind: ir.AttrString, S: v} }
func f32(s ...int64) convtest.Input { return convtest.Input{DType: ir.Float32, Shape: ir.S(s...)} }
func f32c(s ...int64) convtest.Input {
	return convtest.Input{DType: ir.Float32, Shape: ir.S(s...), Const: true}
}

func TestMatMul(t *testing.T) {
	for _, c := range []struct{ a, b []int64 }{
		{[]int64{3, 4}, []int64{4, 5}},
		{[]int64{2, 3, 4}, []int64{2, 4, 5}},
		{[]int64{3, 1, 3, 4}, []int64{1, 2, 4, 2}}, // batch broadcast
		{[]int64{2, 3, 4}, []int64{4, 5}},          // rank mismatch
		{[]int64{4}, []int64{2, 4, 1}},             // 1-D A
		{[]int64{1, 2, 4, 3}, []int64{3}},          // 1-D B
		{[]int64{3}, []int64{3}},                   // dot product
	} {
		convtest.Run(t, convtest.Case{Op: "onnx.MatMul", Inputs: []convtest.Input{f32(c.a...), f32(c.b...)}})
	}
	// Constant weights, as in a linear layer.
	convtest.Run(t, convtest.Case{Op: "onnx.MatMul", Inputs: []convtest.Input{f32(2, 5, 6), f32c(6, 3)}})
}

func TestMatMulDynamic(t *testing.T) {
	// Dynamic batch, and a rank-3 x rank-2 product that needs leading 1s
	// on the weights (static) ...
	convtest.Run(t, convtest.Case{Op: "onnx.MatMul", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3), ir.D(4)}, RunShape: []int64{2, 3, 4}},
		f32c(4, 5),
	}})
	// ... and on a dynamic operand, without shape tensors.
	convtest.Run(t, convtest.Case{Op: "onnx.MatMul", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(4)}, RunShape: []int64{3, 4}},
		f32(2, 4, 5),
	}})
}

func TestGemm(t *testing.T) {
	cases := []struct {
		attrs map[string]ir.Attr
		in    []convtest.Input
	}{
		{nil, []convtest.Input{f32(3, 6), f32(6, 4), f32(3, 4)}},
		{nil, []convtest.Input{f32(2, 10), f32(10, 3)}},       // no C
		{nil, []convtest.Input{f32(2, 3), f32(3, 4), f32()}},  // scalar C
		{nil, []convtest.Input{f32(3, 7), f32(7, 3), f32(1)}}, // one-element C
		{map[string]ir.Attr{"alpha": aFloat(0.5)}, []convtest.Input{f32(3, 5), f32(5, 4), f32(1, 4)}},
		{map[string]ir.Attr{"beta": aFloat(0.5)}, []convtest.Input{f32(2, 7), f32(7, 4), f32c(1, 4)}},
		{map[string]ir.Attr{"transA": aInt(1)}, []convtest.Input{f32(6, 3), f32(6, 4), f32(4)}},
		{map[string]ir.Attr{"transB": aInt(1)}, []convtest.Input{f32(3, 6), f32c(4, 6), f32c(4)}},
		{map[string]ir.Attr{"alpha": aFloat(0.25), "beta": aFloat(0.35), "transA": aInt(1), "transB": aInt(1)},
			[]convtest.Input{f32(4, 3), f32(5, 4), f32(1, 5)}},
	}
	for _, c := range cases {
		convtest.Run(t, convtest.Case{Op: "onnx.Gemm", Attrs: c.attrs, Inputs: c.in})
	}
	// Dynamic M.
	convtest.Run(t, convtest.Case{Op: "onnx.Gemm", Attrs: map[string]ir.Attr{"transB": aInt(1), "alpha": aFloat(2)}, Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(6)}, RunShape: []int64{5, 6}}, f32c(4, 6), f32c(4),
	}})
}

func TestMatMulRejectsInts(t *testing.T) {
	_, err := convtest.Build(convtest.Case{Op: "onnx.MatMul", Inputs: []convtest.Input{
		{DType: ir.Int32, Shape: ir.S(2, 3)}, {DType: ir.Int32, Shape: ir.S(3, 2)},
	}})
	if err == nil {
		t.Fatal("int32 MatMul converted; TensorRT MatrixMultiply takes floats")
	}
}
