package onnx_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestWhere(t *testing.T) {
	for _, dt := range []ir.DType{ir.Float32, ir.Float16, ir.Int32, ir.Int64, ir.Bool} {
		convtest.Run(t, convtest.Case{Op: "onnx.Where", Inputs: []convtest.Input{
			{DType: ir.Bool, Shape: ir.S(3, 4)}, {DType: dt, Shape: ir.S(3, 4)}, {DType: dt, Shape: ir.S(3, 4)},
		}})
	}
}

func TestWhereBroadcast(t *testing.T) {
	// Three different ranks; a constant scalar branch.
	convtest.Run(t, convtest.Case{Op: "onnx.Where", Inputs: []convtest.Input{
		{DType: ir.Bool, Shape: ir.S(2, 1, 4)}, {DType: ir.Float32, Shape: ir.S(3, 1)}, {DType: ir.Float32, Shape: ir.S(4)},
	}})
	convtest.Run(t, convtest.Case{Op: "onnx.Where", Inputs: []convtest.Input{
		{DType: ir.Bool, Shape: ir.S(5)}, {DType: ir.Int64, Shape: ir.S(), Const: true}, {DType: ir.Int64, Shape: ir.S(2, 5)},
	}})
}

func TestWhereDynamic(t *testing.T) {
	convtest.Run(t, convtest.Case{Op: "onnx.Where", Inputs: []convtest.Input{
		{DType: ir.Bool, Shape: ir.Shape{ir.Sym("N"), ir.D(1)}, RunShape: []int64{3, 1}},
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(4)}, RunShape: []int64{3, 4}},
		{DType: ir.Float32, Shape: ir.S(1, 4), Const: true},
	}})
}

func TestWhereRejects(t *testing.T) {
	_, err := convtest.Build(convtest.Case{Op: "onnx.Where", Inputs: []convtest.Input{
		{DType: ir.Bool, Shape: ir.S(3)}, {DType: ir.Float64, Shape: ir.S(3)}, {DType: ir.Float64, Shape: ir.S(3)},
	}})
	if err == nil {
		t.Error("Where on float64 should fall back")
	}
}
