package onnx_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestBinaryStatic(t *testing.T) {
	for _, op := range []string{"Add", "Sub", "Mul", "Div", "Max", "Min", "Equal", "Less", "Greater"} {
		t.Run(op, func(t *testing.T) {
			convtest.Run(t, convtest.Case{Op: "onnx." + op, Inputs: []convtest.Input{
				{DType: ir.Float32, Shape: ir.S(2, 3, 4)},
				{DType: ir.Float32, Shape: ir.S(2, 3, 4), Lo: 0.5, Hi: 3},
			}})
		})
	}
}

func TestBinaryBroadcast(t *testing.T) {
	// Rank 3 against rank 1 and a constant scalar: the converter inserts
	// the reshape TensorRT needs.
	convtest.Run(t, convtest.Case{Op: "onnx.Add", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.S(2, 3, 4)},
		{DType: ir.Float32, Shape: ir.S(4)},
	}})
	convtest.Run(t, convtest.Case{Op: "onnx.Mul", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.S(2, 1, 4)},
		{DType: ir.Float32, Shape: ir.S(3, 1), Const: true},
	}})
	convtest.Run(t, convtest.Case{Op: "onnx.Sub", Inputs: []convtest.Input{
		{DType: ir.Int64, Shape: ir.S(5)},
		{DType: ir.Int64, Shape: ir.S(), Const: true},
	}})
}

func TestBinaryVariadicAndLogical(t *testing.T) {
	convtest.Run(t, convtest.Case{Op: "onnx.Max", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.S(3, 4)}, {DType: ir.Float32, Shape: ir.S(4)}, {DType: ir.Float32, Shape: ir.S(3, 1)},
	}})
	convtest.Run(t, convtest.Case{Op: "onnx.And", Inputs: []convtest.Input{
		{DType: ir.Bool, Shape: ir.S(2, 3)}, {DType: ir.Bool, Shape: ir.S(2, 3)},
	}})
}

func TestPowOrXor(t *testing.T) {
	convtest.Run(t, convtest.Case{Op: "onnx.Pow", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.S(2, 3), Lo: 0.1, Hi: 3},
		{DType: ir.Float32, Shape: ir.S(3), Lo: -2, Hi: 2},
	}})
	for _, op := range []string{"Or", "Xor"} {
		convtest.Run(t, convtest.Case{Op: "onnx." + op, Inputs: []convtest.Input{
			{DType: ir.Bool, Shape: ir.S(4, 3)}, {DType: ir.Bool, Shape: ir.S(3)},
		}})
	}
}
