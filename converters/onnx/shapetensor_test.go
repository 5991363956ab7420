package onnx_test

import (
	"slices"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// Reshape dims, expand shapes, fill dims (ConstantOfShape), Range bounds,
// resize sizes and pads computed at run time reach TensorRT as shape
// tensors: the reference backend marks the network input that carries them
// as a shape-tensor input (which TensorRT needs values for in every
// profile), and a data input stays an execution tensor.
func TestRunTimeShapeInputsAreShapeTensors(t *testing.T) {
	f32 := func(s ...int64) convtest.Input { return convtest.Input{DType: ir.Float32, Shape: ir.S(s...)} }
	absent := convtest.Input{Absent: true}
	cases := []struct {
		name string
		c    convtest.Case
		want []string
	}{
		{"Reshape", convtest.Case{Op: "onnx.Reshape", Inputs: []convtest.Input{f32(3, 4), {DType: ir.Int64, Shape: ir.S(2), Data: ints(6, 2)}}}, []string{"in1"}},
		{"Expand", convtest.Case{Op: "onnx.Expand", Inputs: []convtest.Input{{DType: ir.Int32, Shape: ir.S(1, 4)}, {DType: ir.Int64, Shape: ir.S(2), Data: ints(3, 1)}}}, []string{"in1"}},
		{"ConstantOfShape", convtest.Case{Op: "onnx.ConstantOfShape", Inputs: []convtest.Input{{DType: ir.Int64, Shape: ir.S(2), Data: ints(3, 2)}}}, []string{"in0"}},
		{"Range", convtest.Case{Op: "onnx.Range", Inputs: []convtest.Input{{DType: ir.Int64, Shape: ir.S(), Data: ir.Scalar(ir.Int64, 2)},
			{DType: ir.Int64, Shape: ir.S(), Data: ir.Scalar(ir.Int64, 9)}, {Const: true, Data: ir.Scalar(ir.Int64, 3)}}}, []string{"in0", "in1"}},
		{"Resize", convtest.Case{Op: "onnx.Resize", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(2), ir.Sym("H"), ir.Sym("W")}, RunShape: []int64{2, 2, 3, 5}},
			absent, absent, {DType: ir.Int64, Shape: ir.S(4), Data: ints(2, 2, 7, 2)}}}, []string{"in3"}},
		{"Pad", convtest.Case{Op: "onnx.Pad", Inputs: []convtest.Input{f32(2, 3, 4), {DType: ir.Int64, Shape: ir.S(6), Data: ints(1, 0, 2, 0, 1, 1)}}}, []string{"in1"}},
		{"static Reshape", convtest.Case{Op: "onnx.Reshape", Inputs: []convtest.Input{f32(3, 4), {Const: true, Data: ints(6, 2)}}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := convtest.Run(t, c.c)
			if !slices.Equal(r.ShapeInputs, c.want) {
				t.Errorf("shape-tensor inputs %v, want %v", r.ShapeInputs, c.want)
			}
		})
	}
}
