package onnx_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// Comparisons, Min, Max and Clip of Int8 and Uint8 tensors, which
// TensorRT's ElementWise does not take: computed in Int32 (Int8) or
// Float32 (Uint8, the cast TensorRT allows) and cast back, exactly, over
// the types' whole ranges.
func TestInt8Uint8Widened(t *testing.T) {
	for _, dt := range []ir.DType{ir.Int8, ir.Uint8} {
		lo, hi := -128.0, 128.0
		if dt == ir.Uint8 {
			lo, hi = 0, 256
		}
		in := func(s ...int64) convtest.Input { return convtest.Input{DType: dt, Shape: ir.S(s...), Lo: lo, Hi: hi} }
		for _, op := range []string{"Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Max", "Min"} {
			convtest.Run(t, convtest.Case{Op: "onnx." + op, Opset: 16, Inputs: []convtest.Input{in(3, 4), in(4)}})
		}
		convtest.Run(t, convtest.Case{Op: "onnx.Max", Opset: 16, Inputs: []convtest.Input{in(3, 4), in(3, 1), in(4)}})
		bound := func(v int64) convtest.Input {
			b := ir.NewTensor(dt, nil)
			b.SetFloat(0, float64(v))
			return convtest.Input{Data: b, Const: true}
		}
		convtest.Run(t, convtest.Case{Op: "onnx.Clip", Opset: 13, Inputs: []convtest.Input{in(5, 6), bound(20), bound(100)}})
		convtest.Run(t, convtest.Case{Op: "onnx.Clip", Opset: 13, Inputs: []convtest.Input{in(5, 6), {Absent: true}, bound(50)}})
		convtest.Run(t, convtest.Case{Op: "onnx.Clip", Opset: 13, Inputs: []convtest.Input{in(5, 6), {DType: dt, Shape: ir.S(), Lo: lo, Hi: 60}, {DType: dt, Shape: ir.S(), Lo: 60, Hi: hi}}})
	}
}

// Where with Int8 and Uint8 branches, selected in a wider type.
func TestWhereInt8Uint8(t *testing.T) {
	for _, dt := range []ir.DType{ir.Int8, ir.Uint8} {
		lo, hi := -128.0, 128.0
		if dt == ir.Uint8 {
			lo, hi = 0, 256
		}
		convtest.Run(t, convtest.Case{Op: "onnx.Where", Inputs: []convtest.Input{{DType: ir.Bool, Shape: ir.S(3, 4)},
			{DType: dt, Shape: ir.S(3, 4), Lo: lo, Hi: hi}, {DType: dt, Shape: ir.S(4), Lo: lo, Hi: hi}}})
	}
}

// ReduceMax and ReduceMin of Bool tensors (any and all), through Int32.
func TestReduceBool(t *testing.T) {
	for _, op := range []string{"onnx.ReduceMax", "onnx.ReduceMin"} {
		for _, keep := range []int64{0, 1} {
			convtest.Run(t, convtest.Case{Op: op, Opset: 20, Attrs: map[string]ir.Attr{"keepdims": aInt(keep)}, Inputs: []convtest.Input{
				{DType: ir.Bool, Shape: ir.S(3, 4, 2)}, {Data: ir.FromSlice(ir.Int64, []int64{1}, []int64{1}), Const: true}}})
		}
	}
}
