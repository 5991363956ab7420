package onnx_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// Rank 3 with a symbolic batch against rank 1: PrependOnes builds the
// reshape with Shape and Concatenation layers.
func TestAddDynamicRankBroadcast(t *testing.T) {
	convtest.Run(t, convtest.Case{Op: "onnx.Add", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.D(4)}},
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3), ir.D(4)}, RunShape: []int64{2, 3, 4}},
	}})
	convtest.Run(t, convtest.Case{Op: "onnx.Mul", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3), ir.D(1)}, RunShape: []int64{5, 3, 1}},
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("K")}, RunShape: []int64{6}},
	}})
}
