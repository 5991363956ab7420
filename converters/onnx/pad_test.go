package onnx_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestPad(t *testing.T) {
	x := convtest.Input{DType: ir.Float32, Shape: ir.S(2, 3, 4)}
	pads := func(v ...int64) convtest.Input { return convtest.Input{Const: true, Data: ints(v...)} }
	for _, mode := range []string{"constant", "reflect", "edge", "wrap"} {
		a := map[string]ir.Attr{"mode": sattr(mode)}
		convtest.Run(t, convtest.Case{Op: "onnx.Pad", Attrs: a, Inputs: []convtest.Input{x, pads(0, 1, 2, 0, 2, 1)}})
		// Crop and pad at once; pads longer than the dim.
		convtest.Run(t, convtest.Case{Op: "onnx.Pad", Attrs: a, Inputs: []convtest.Input{x, pads(0, -1, 5, 1, 0, -2)}})
		// Axes (opset 18), negative ones too.
		convtest.Run(t, convtest.Case{Op: "onnx.Pad", Attrs: a, Inputs: []convtest.Input{x, pads(1, 2, 3, 0),
			{Absent: true}, {Const: true, Data: ints(-1, 1)}}})
		// Dynamic dims.
		convtest.Run(t, convtest.Case{Op: "onnx.Pad", Attrs: a, Inputs: []convtest.Input{
			{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3), ir.Sym("W")}, RunShape: []int64{2, 3, 5}}, pads(1, 0, 2, 0, 1, 3)}})
		// Run-time pads, with and without axes.
		convtest.Run(t, convtest.Case{Op: "onnx.Pad", Attrs: a, Inputs: []convtest.Input{x,
			{DType: ir.Int64, Shape: ir.S(6), Data: ints(1, 0, 2, 0, 1, -1)}}})
		convtest.Run(t, convtest.Case{Op: "onnx.Pad", Attrs: a, Inputs: []convtest.Input{x,
			{DType: ir.Int64, Shape: ir.S(2), Data: ints(2, 1)}, {Absent: true}, {Const: true, Data: ints(2)}}})
	}
	// The constant value: a constant, a run-time scalar, an integer input.
	convtest.Run(t, convtest.Case{Op: "onnx.Pad", Inputs: []convtest.Input{x, pads(1, 1, 1, 1, 1, 1), {Const: true, Data: ir.Scalar(ir.Float32, 2.5)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Pad", Inputs: []convtest.Input{x, pads(1, 1, 1, 1, 1, 1), {DType: ir.Float32, Shape: ir.S(), Data: ir.Scalar(ir.Float32, -3)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Pad", Inputs: []convtest.Input{{DType: ir.Int32, Shape: ir.S(3, 3)}, pads(0, 2, 1, 0),
		{Const: true, Data: ir.Scalar(ir.Int32, 7)}}})
	// Opset 2: pads and value are attributes.
	convtest.Run(t, convtest.Case{Op: "onnx.Pad", Opset: 2, Attrs: map[string]ir.Attr{"pads": iattrs(0, 1, 1, 0, 2, 1), "value": fattr(1.5)}, Inputs: []convtest.Input{x}})
	convtest.Run(t, convtest.Case{Op: "onnx.Pad", Opset: 2, Attrs: map[string]ir.Attr{"pads": iattrs(0, 0, 2, 0, 0, 2), "mode": sattr("reflect")}, Inputs: []convtest.Input{x}})

	for _, c := range []convtest.Case{
		{Op: "onnx.Pad", Attrs: map[string]ir.Attr{"mode": sattr("mirror")}, Inputs: []convtest.Input{x, pads(0, 0, 1, 0, 0, 1)}},
		{Op: "onnx.Pad", Attrs: map[string]ir.Attr{"mode": sattr("edge")}, Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(0, 2)}, pads(1, 0, 0, 0)}},
		{Op: "onnx.Pad", Inputs: []convtest.Input{x, pads(1, 2, 0, 0), {Absent: true}, {DType: ir.Int64, Shape: ir.S(2), Data: ints(0, 1)}}},
	} {
		if _, err := convtest.Build(c); err == nil {
			t.Errorf("Pad %v %v converted", c.Attrs, c.Inputs)
		}
	}
}
