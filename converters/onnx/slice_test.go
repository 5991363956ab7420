package onnx_test

import (
	"math"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func sliceCase(x convtest.Input, starts, ends, axes, steps []int64) convtest.Case {
	in := []convtest.Input{x, {Const: true, Data: ints(starts...)}, {Const: true, Data: ints(ends...)}}
	if axes != nil {
		in = append(in, convtest.Input{Const: true, Data: ints(axes...)})
	} else if steps != nil {
		in = append(in, convtest.Input{Absent: true})
	}
	if steps != nil {
		in = append(in, convtest.Input{Const: true, Data: ints(steps...)})
	}
	return convtest.Case{Op: "onnx.Slice", Inputs: in}
}

func TestSlice(t *testing.T) {
	x := convtest.Input{DType: ir.Float32, Shape: ir.S(5, 6)}
	big := int64(math.MaxInt64)
	for _, c := range []struct{ starts, ends, axes, steps []int64 }{
		{[]int64{1, 0}, []int64{3, 4}, nil, nil},
		{[]int64{-3}, []int64{big}, []int64{1}, nil},
		{[]int64{0, 1}, []int64{10, 1000}, []int64{0, 1}, []int64{2, 3}},
		{[]int64{-1}, []int64{-big}, []int64{0}, []int64{-1}}, // reverse
		{[]int64{4}, []int64{1}, []int64{-1}, []int64{-2}},    // negative step, negative axis
		{[]int64{3}, []int64{1}, []int64{0}, nil},             // empty
		{[]int64{-100}, []int64{100}, []int64{1}, nil},        // clamped
	} {
		convtest.Run(t, sliceCase(x, c.starts, c.ends, c.axes, c.steps))
	}
	// opset 1 attributes.
	convtest.Run(t, convtest.Case{Op: "onnx.Slice", Attrs: map[string]ir.Attr{"starts": iattrs(1), "ends": iattrs(-1), "axes": iattrs(1)}, Inputs: []convtest.Input{x}})
}

func TestSliceDynamic(t *testing.T) {
	big := int64(math.MaxInt64)
	x := convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(6)}, RunShape: []int64{5, 6}}
	for _, c := range []struct{ starts, ends, axes, steps []int64 }{
		{[]int64{1}, []int64{big}, []int64{0}, nil},
		{[]int64{0}, []int64{-1}, []int64{0}, nil},
		{[]int64{-2, 1}, []int64{big, 5}, []int64{0, 1}, nil},
		{[]int64{-1}, []int64{-big}, []int64{0}, []int64{-1}},
		{[]int64{1}, []int64{100}, []int64{0}, []int64{3}},
		{[]int64{10}, []int64{20}, []int64{0}, nil},
		{[]int64{2}, []int64{4}, []int64{1}, nil}, // static axis of a dynamic tensor
	} {
		convtest.Run(t, sliceCase(x, c.starts, c.ends, c.axes, c.steps))
	}
}

func TestSliceRejectsRunTimeStarts(t *testing.T) {
	_, err := convtest.Build(convtest.Case{Op: "onnx.Slice", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.S(4)}, {DType: ir.Int64, Shape: ir.S(1), Data: ints(1)}, {Const: true, Data: ints(3)}}})
	if err == nil {
		t.Fatal("Slice with run-time starts converted")
	}
}

func TestSplit(t *testing.T) {
	x := convtest.Input{DType: ir.Float32, Shape: ir.S(6, 4)}
	convtest.Run(t, convtest.Case{Op: "onnx.Split", Inputs: []convtest.Input{x}, NumOutputs: 3})
	convtest.Run(t, convtest.Case{Op: "onnx.Split", Attrs: map[string]ir.Attr{"axis": iattr(-1), "split": iattrs(1, 3)}, Inputs: []convtest.Input{x}, NumOutputs: 2})
	convtest.Run(t, convtest.Case{Op: "onnx.Split", Inputs: []convtest.Input{x, {Const: true, Data: ints(2, 0, 4)}}, NumOutputs: 3})
	convtest.Run(t, convtest.Case{Op: "onnx.Split", Attrs: map[string]ir.Attr{"num_outputs": iattr(4)}, Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(7)}}, NumOutputs: 4})
	// Dynamic: split a static axis of a tensor with a dynamic batch, and a
	// dynamic axis with explicit sizes.
	dyn := convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(4)}, RunShape: []int64{3, 4}}
	convtest.Run(t, convtest.Case{Op: "onnx.Split", Attrs: map[string]ir.Attr{"axis": iattr(1)}, Inputs: []convtest.Input{dyn}, NumOutputs: 2})
	convtest.Run(t, convtest.Case{Op: "onnx.Split", Inputs: []convtest.Input{dyn, {Const: true, Data: ints(1, 2)}}, NumOutputs: 2})
}

func TestTile(t *testing.T) {
	convtest.Run(t, convtest.Case{Op: "onnx.Tile", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 3)}, {Const: true, Data: ints(2, 3)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Tile", Inputs: []convtest.Input{{DType: ir.Int32, Shape: ir.Shape{ir.Sym("N"), ir.D(2)}, RunShape: []int64{3, 2}}, {Const: true, Data: ints(2, 1)}}})
}

func TestConcat(t *testing.T) {
	convtest.Run(t, convtest.Case{Op: "onnx.Concat", Attrs: map[string]ir.Attr{"axis": iattr(1)}, Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.S(2, 3)}, {DType: ir.Float32, Shape: ir.S(2, 1), Const: true}, {DType: ir.Float32, Shape: ir.S(2, 2)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Concat", Attrs: map[string]ir.Attr{"axis": iattr(-2)}, Inputs: []convtest.Input{
		{DType: ir.Int64, Shape: ir.Shape{ir.Sym("N"), ir.D(2)}, RunShape: []int64{3, 2}}, {DType: ir.Int64, Shape: ir.Shape{ir.Sym("M"), ir.D(2)}, RunShape: []int64{1, 2}}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Concat", Attrs: map[string]ir.Attr{"axis": iattr(1)}, Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(2)}, RunShape: []int64{3, 2}}, {DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(1)}, RunShape: []int64{3, 1}}}})
}
