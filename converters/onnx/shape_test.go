package onnx_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func ints(v ...int64) *ir.Tensor { return ir.FromSlice(ir.Int64, []int64{int64(len(v))}, v) }

func iattr(v int64) ir.Attr     { return ir.Attr{Kind: ir.AttrInt, I: v} }
func iattrs(v ...int64) ir.Attr { return ir.Attr{Kind: ir.AttrInts, Ints: v} }

var nbatch = ir.Shape{ir.Sym("N"), ir.D(3), ir.D(4)}

func TestReshape(t *testing.T) {
	x := convtest.Input{DType: ir.Float32, Shape: ir.S(2, 3, 4)}
	for _, dims := range [][]int64{{4, -1}, {0, 12}, {-1}, {2, 0, 2, 2}} {
		convtest.Run(t, convtest.Case{Op: "onnx.Reshape", Inputs: []convtest.Input{x, {Const: true, Data: ints(dims...)}}})
	}
	// allowzero keeps a literal 0 (an empty tensor).
	convtest.Run(t, convtest.Case{Op: "onnx.Reshape", Attrs: map[string]ir.Attr{"allowzero": iattr(1)},
		Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(0, 3)}, {Const: true, Data: ints(3, 0)}}})
	// opset 1-4 shape attribute.
	convtest.Run(t, convtest.Case{Op: "onnx.Reshape", Attrs: map[string]ir.Attr{"shape": iattrs(6, 4)}, Inputs: []convtest.Input{x}})
}

func TestReshapeDynamic(t *testing.T) {
	dyn := convtest.Input{DType: ir.Float32, Shape: nbatch, RunShape: []int64{5, 3, 4}}
	for _, dims := range [][]int64{{0, -1}, {-1, 4}, {0, 3, 2, 2}} {
		r := convtest.Run(t, convtest.Case{Op: "onnx.Reshape", Inputs: []convtest.Input{dyn, {Const: true, Data: ints(dims...)}}})
		if !r.Converter.DynamicShapes {
			t.Fatal("Reshape converter does not claim dynamic shapes")
		}
	}
	// A run-time shape tensor.
	convtest.Run(t, convtest.Case{Op: "onnx.Reshape", Inputs: []convtest.Input{dyn, {DType: ir.Int64, Shape: ir.S(2), Data: ints(0, 12)}}})
}

func TestFlatten(t *testing.T) {
	for _, axis := range []int64{0, 1, 2, 3, -1} {
		convtest.Run(t, convtest.Case{Op: "onnx.Flatten", Attrs: map[string]ir.Attr{"axis": iattr(axis)},
			Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 3, 4)}}})
		convtest.Run(t, convtest.Case{Op: "onnx.Flatten", Attrs: map[string]ir.Attr{"axis": iattr(axis)},
			Inputs: []convtest.Input{{DType: ir.Float32, Shape: nbatch, RunShape: []int64{2, 3, 4}}}})
	}
	// Dynamic dims on both sides of the axis.
	convtest.Run(t, convtest.Case{Op: "onnx.Flatten", Attrs: map[string]ir.Attr{"axis": iattr(2)},
		Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.Sym("A"), ir.Sym("B"), ir.Sym("C")}, RunShape: []int64{2, 3, 4}}}})
}

func TestTranspose(t *testing.T) {
	convtest.Run(t, convtest.Case{Op: "onnx.Transpose", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 3, 4)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Transpose", Attrs: map[string]ir.Attr{"perm": iattrs(1, 0, 2)},
		Inputs: []convtest.Input{{DType: ir.Int64, Shape: nbatch, RunShape: []int64{2, 3, 4}}}})
}

func TestSqueezeUnsqueeze(t *testing.T) {
	x := convtest.Input{DType: ir.Float32, Shape: ir.S(1, 3, 1, 4)}
	convtest.Run(t, convtest.Case{Op: "onnx.Squeeze", Inputs: []convtest.Input{x}})
	convtest.Run(t, convtest.Case{Op: "onnx.Squeeze", Inputs: []convtest.Input{x, {Const: true, Data: ints(-2)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Squeeze", Attrs: map[string]ir.Attr{"axes": iattrs(0)}, Inputs: []convtest.Input{x}})
	convtest.Run(t, convtest.Case{Op: "onnx.Unsqueeze", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(3, 4)}, {Const: true, Data: ints(0, -1, 2)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Unsqueeze", Attrs: map[string]ir.Attr{"axes": iattrs(1)}, Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(3, 4)}}})
	// Dynamic: a moved dynamic dim needs a shape tensor.
	dyn := convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.D(1), ir.Sym("N"), ir.D(4)}, RunShape: []int64{1, 5, 4}}
	convtest.Run(t, convtest.Case{Op: "onnx.Squeeze", Inputs: []convtest.Input{dyn, {Const: true, Data: ints(0)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Unsqueeze", Inputs: []convtest.Input{dyn, {Const: true, Data: ints(0, 4)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Unsqueeze", Inputs: []convtest.Input{dyn, {Const: true, Data: ints(3)}}})
	// To and from a scalar.
	convtest.Run(t, convtest.Case{Op: "onnx.Squeeze", Inputs: []convtest.Input{{DType: ir.Int64, Shape: ir.S(1)}, {Const: true, Data: ints(0)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Unsqueeze", Inputs: []convtest.Input{{DType: ir.Int64, Shape: ir.S()}, {Const: true, Data: ints(0)}}})
}

func TestExpand(t *testing.T) {
	convtest.Run(t, convtest.Case{Op: "onnx.Expand", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(3, 1)}, {Const: true, Data: ints(2, 1, 6)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Expand", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(3, 4)}, {Const: true, Data: ints(3, 1)}}})
	// Dynamic input dim, and a run-time target shape.
	convtest.Run(t, convtest.Case{Op: "onnx.Expand", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(1)}, RunShape: []int64{1, 1}}, {Const: true, Data: ints(2, 3, 5)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Expand", Inputs: []convtest.Input{
		{DType: ir.Int32, Shape: ir.S(1, 4)}, {DType: ir.Int64, Shape: ir.S(2), Data: ints(3, 1)}}})
}

func TestShapeSizeIdentity(t *testing.T) {
	x := convtest.Input{DType: ir.Float32, Shape: nbatch, RunShape: []int64{2, 3, 4}}
	convtest.Run(t, convtest.Case{Op: "onnx.Shape", Inputs: []convtest.Input{x}})
	for _, se := range [][2]int64{{1, 3}, {-1, 3}, {0, -1}, {2, 1}, {-10, 10}} {
		convtest.Run(t, convtest.Case{Op: "onnx.Shape", Attrs: map[string]ir.Attr{"start": iattr(se[0]), "end": iattr(se[1])}, Inputs: []convtest.Input{x}})
	}
	convtest.Run(t, convtest.Case{Op: "onnx.Size", Inputs: []convtest.Input{x}})
	convtest.Run(t, convtest.Case{Op: "onnx.Size", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 5)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Identity", Inputs: []convtest.Input{x}})
}
