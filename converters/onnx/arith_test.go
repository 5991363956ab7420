package onnx_test

import (
	"math"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestMod(t *testing.T) {
	fmod := func(v int64) map[string]ir.Attr { return map[string]ir.Attr{"fmod": {Kind: ir.AttrInt, I: v}} }
	// The ONNX test's mixed signs, integer and float, both modes.
	xi := []int64{-4, 7, 5, 4, -7, 8, -9, 9}
	yi := []int64{2, -3, 8, -2, 3, 5, 4, -4}
	xf := []float32{-4.3, 7.2, 5, 4.3, -7.2, 8, -0.5, 3.25}
	yf := []float32{2.1, -3.4, 8, -2.1, 3.4, 5, 0.3, -1.5}
	for _, dt := range []ir.DType{ir.Int32, ir.Int64} {
		x, y := ir.NewTensor(dt, []int64{8}), ir.NewTensor(dt, []int64{8})
		for i := range xi {
			x.SetFloat(i, float64(xi[i]))
			y.SetFloat(i, float64(yi[i]))
		}
		for _, m := range []int64{0, 1} {
			convtest.Run(t, convtest.Case{Op: "onnx.Mod", Attrs: fmod(m), Inputs: []convtest.Input{{Data: x}, {Data: y}}})
		}
	}
	x, y := ir.FromSlice(ir.Float32, []int64{8}, xf), ir.FromSlice(ir.Float32, []int64{8}, yf)
	for _, m := range []int64{0, 1} {
		convtest.Run(t, convtest.Case{Op: "onnx.Mod", Attrs: fmod(m), Inputs: []convtest.Input{{Data: x}, {Data: y}}})
	}
	// Broadcast against a constant divisor, and dynamic shapes.
	convtest.Run(t, convtest.Case{Op: "onnx.Mod", Inputs: []convtest.Input{
		{DType: ir.Int64, Shape: ir.S(2, 4), Lo: -20, Hi: 20}, {Data: ir.FromSlice(ir.Int64, []int64{1}, []int64{7}), Const: true},
	}})
	convtest.Run(t, convtest.Case{Op: "onnx.Mod", Inputs: []convtest.Input{
		{DType: ir.Int32, Shape: ir.Shape{ir.Sym("N")}, RunShape: []int64{6}, Lo: -20, Hi: 20},
		{Data: ir.FromSlice(ir.Int32, []int64{1}, []int32{-3}), Const: true},
	}})
}

func TestSumMean(t *testing.T) {
	for _, op := range []string{"Sum", "Mean"} {
		convtest.Run(t, convtest.Case{Op: "onnx." + op, Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(3)}}})
		convtest.Run(t, convtest.Case{Op: "onnx." + op, Inputs: []convtest.Input{
			{DType: ir.Float32, Shape: ir.S(2, 3)}, {DType: ir.Float32, Shape: ir.S(3)}, {DType: ir.Float32, Shape: ir.S(2, 1), Const: true},
		}})
		convtest.Run(t, convtest.Case{Op: "onnx." + op, Inputs: []convtest.Input{
			{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(2)}, RunShape: []int64{3, 2}},
			{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(2)}, RunShape: []int64{3, 2}},
		}})
	}
	convtest.Run(t, convtest.Case{Op: "onnx.Sum", Inputs: []convtest.Input{{DType: ir.Int64, Shape: ir.S(4)}, {DType: ir.Int64, Shape: ir.S(4)}}})
}

func TestLessGreaterOrEqual(t *testing.T) {
	for _, op := range []string{"LessOrEqual", "GreaterOrEqual"} {
		// Small integers make ties common.
		convtest.Run(t, convtest.Case{Op: "onnx." + op, Inputs: []convtest.Input{
			{DType: ir.Int32, Shape: ir.S(3, 4)}, {DType: ir.Int32, Shape: ir.S(4)},
		}})
		nan := ir.FromSlice(ir.Float32, []int64{4}, []float32{1, 2, 3, float32(nanF())})
		r := convtest.Run(t, convtest.Case{Op: "onnx." + op, Inputs: []convtest.Input{
			{Data: nan}, {Data: ir.FromSlice(ir.Float32, []int64{4}, []float32{1, 3, 2, 0})},
		}})
		if r.Engine[0].Float(3) != 0 {
			t.Errorf("%s with NaN is true", op)
		}
		convtest.Run(t, convtest.Case{Op: "onnx." + op, Inputs: []convtest.Input{
			{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(2)}, RunShape: []int64{3, 2}},
			{DType: ir.Float32, Shape: ir.S(1, 2), Const: true},
		}})
	}
}

func nanF() float64 { return math.NaN() }
