package onnx_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

func TestConstant(t *testing.T) {
	for _, a := range []map[string]ir.Attr{
		{"value": {Kind: ir.AttrTensor, T: ir.FromSlice(ir.Float32, []int64{2, 2}, []float32{1, 2, 3, 4})}},
		{"value_float": {Kind: ir.AttrFloat, F: 2.5}},
		{"value_floats": {Kind: ir.AttrFloats, Floats: []float32{1, -1}}},
		{"value_int": iattr(7)},
		{"value_ints": iattrs(3, 4, 5)},
	} {
		convtest.Run(t, convtest.Case{Op: "onnx.Constant", Attrs: a})
	}
}

func TestConstantOfShape(t *testing.T) {
	convtest.Run(t, convtest.Case{Op: "onnx.ConstantOfShape", Inputs: []convtest.Input{{Const: true, Data: ints(2, 3)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.ConstantOfShape", Attrs: map[string]ir.Attr{"value": {Kind: ir.AttrTensor, T: ir.FromSlice(ir.Int32, []int64{1}, []int32{5})}},
		Inputs: []convtest.Input{{Const: true, Data: ints(4)}}})
	// A run-time shape.
	convtest.Run(t, convtest.Case{Op: "onnx.ConstantOfShape", Attrs: map[string]ir.Attr{"value": {Kind: ir.AttrTensor, T: ir.FromSlice(ir.Float32, []int64{1}, []float32{1.5})}},
		Inputs: []convtest.Input{{DType: ir.Int64, Shape: ir.S(2), Data: ints(3, 2)}}})
}

func TestDropout(t *testing.T) {
	x := convtest.Input{DType: ir.Float32, Shape: ir.S(2, 3)}
	convtest.Run(t, convtest.Case{Op: "onnx.Dropout", Inputs: []convtest.Input{x}, NumOutputs: 2})
	convtest.Run(t, convtest.Case{Op: "onnx.Dropout", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3)}, RunShape: []int64{4, 3}},
		{Const: true, Data: ir.Scalar(ir.Float32, 0.3)},
		{Const: true, Data: ir.Scalar(ir.Bool, 0)}}, NumOutputs: 2})
	_, err := convtest.Build(convtest.Case{Op: "onnx.Dropout", Inputs: []convtest.Input{x,
		{Const: true, Data: ir.Scalar(ir.Float32, 0.3)}, {Const: true, Data: ir.Scalar(ir.Bool, 1)}}})
	if err == nil {
		t.Fatal("training-mode Dropout converted")
	}
}

func TestCumSum(t *testing.T) {
	for _, a := range []map[string]ir.Attr{nil, {"exclusive": iattr(1)}, {"reverse": iattr(1)}, {"exclusive": iattr(1), "reverse": iattr(1)}} {
		convtest.Run(t, convtest.Case{Op: "onnx.CumSum", Attrs: a, Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(3, 4)}, {Const: true, Data: ir.Scalar(ir.Int64, -1)}}})
	}
	convtest.Run(t, convtest.Case{Op: "onnx.CumSum", Inputs: []convtest.Input{
		{DType: ir.Int32, Shape: ir.Shape{ir.Sym("N"), ir.D(4)}, RunShape: []int64{3, 4}}, {Const: true, Data: ir.FromSlice(ir.Int32, []int64{1}, []int32{0})}}})
}

func TestRange(t *testing.T) {
	sc := func(dt ir.DType, v float64) convtest.Input {
		return convtest.Input{Const: true, Data: ir.Scalar(dt, v)}
	}
	convtest.Run(t, convtest.Case{Op: "onnx.Range", Inputs: []convtest.Input{sc(ir.Float32, 1), sc(ir.Float32, 4.5), sc(ir.Float32, 0.5)}})
	convtest.Run(t, convtest.Case{Op: "onnx.Range", Inputs: []convtest.Input{sc(ir.Int32, 10), sc(ir.Int32, 1), sc(ir.Int32, -3)}})
	// Run-time limit (the length comes from shape arithmetic).
	for _, d := range []float64{1, 3, -2} {
		convtest.Run(t, convtest.Case{Op: "onnx.Range", Inputs: []convtest.Input{
			{DType: ir.Int64, Shape: ir.S(), Data: ir.Scalar(ir.Int64, 2)}, {DType: ir.Int64, Shape: ir.S(), Data: ir.Scalar(ir.Int64, 9)}, sc(ir.Int64, d)}})
	}
	// Int64 values past 2^53, which a double start/delta (IFillLayer's
	// setAlpha/setBeta) cannot hold: start and delta go in as tensors and
	// the fill is exact (finding 13 of issue 8).
	big := int64(1)<<60 + 3
	i64 := func(v int64) *ir.Tensor { return ir.FromSlice(ir.Int64, []int64{}, []int64{v}) }
	r := convtest.Run(t, convtest.Case{Op: "onnx.Range", Inputs: []convtest.Input{
		{DType: ir.Int64, Shape: ir.S(), Data: i64(big)}, {DType: ir.Int64, Shape: ir.S(), Data: i64(big + 10)},
		{Const: true, Data: i64(1<<54 + 1)}}})
	if g := ir.View[int64](r.Engine[0]); len(g) != 1 || g[0] != big {
		t.Errorf("Range from 2^60+3 = %v, want [%d]", g, big)
	}
	r = convtest.Run(t, convtest.Case{Op: "onnx.Range", Inputs: []convtest.Input{
		{DType: ir.Int64, Shape: ir.S(), Data: i64(big)}, {DType: ir.Int64, Shape: ir.S(), Data: i64(big + 4)}, sc(ir.Int64, 1)}})
	if g := ir.View[int64](r.Engine[0]); len(g) != 4 || g[0] != big || g[3] != big+3 {
		t.Errorf("Range from 2^60+3 by 1 = %v", g)
	}
	_, err := convtest.Build(convtest.Case{Op: "onnx.Range", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.S(), Data: ir.Scalar(ir.Float32, 0)}, sc(ir.Float32, 3), sc(ir.Float32, 1)}})
	if err == nil {
		t.Fatal("a run-time float Range converted")
	}
}

// TestCumSumByTargetVersion: TensorRT 10.8 added ICumulativeLayer; for an
// older target the converter builds the matrix-product decomposition, which
// the reference backend runs to the same values as the layer (and as the
// CPU kernel, which convtest.Run compares each with). A target that has the
// layer uses it; one without it never emits it (the rule table would refuse
// it: Cumulative.since).
func TestCumSumByTargetVersion(t *testing.T) {
	old := &conversion.Settings{TargetVersion: network.Version{Major: 10, Minor: 0}}
	for _, dt := range []ir.DType{ir.Float32, ir.Float16} {
		for _, axis := range []int64{0, 1, -1} {
			for _, a := range []map[string]ir.Attr{nil, {"exclusive": iattr(1)}, {"reverse": iattr(1)}, {"exclusive": iattr(1), "reverse": iattr(1)}} {
				c := convtest.Case{Op: "onnx.CumSum", Attrs: a, Atol: 1e-2, Rtol: 1e-2, Inputs: []convtest.Input{
					{DType: dt, Shape: ir.S(2, 5, 3)}, {Const: true, Data: ir.Scalar(ir.Int64, float64(axis))}}}
				fused := convtest.Run(t, c)
				c.Settings = old
				dec := convtest.Run(t, c)
				if !slices.Contains(fused.Types, "CUMULATIVE") || slices.Contains(dec.Types, "CUMULATIVE") || !slices.Contains(dec.Types, "MATRIX_MULTIPLY") {
					t.Fatalf("%v axis %d %v: layers %v (11.1) and %v (10.0), want CUMULATIVE only in the first", dt, axis, a, fused.Types, dec.Types)
				}
				if err := convtest.Compare(fused.Engine[0], dec.Engine[0], 1e-2, 1e-2); err != nil {
					t.Errorf("%v axis %d %v: fused vs decomposed: %v", dt, axis, a, err)
				}
			}
		}
	}
	// Rank 1 goes through a VECTOR operand.
	c := convtest.Case{Op: "onnx.CumSum", Settings: old, Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(7)}, {Const: true, Data: ir.Scalar(ir.Int64, 0)}}}
	if r := convtest.Run(t, c); len(r.Engine[0].Shape) != 1 {
		t.Errorf("rank-1 decomposition gives shape %v", r.Engine[0].Shape)
	}
	// What the decomposition cannot do is an error naming the release.
	for _, in := range []convtest.Input{
		{DType: ir.Int32, Shape: ir.S(3, 4)},
		{DType: ir.Float32, Shape: ir.Shape{ir.D(2), ir.Sym("N")}, RunShape: []int64{2, 3}},
	} {
		_, err := convtest.Build(convtest.Case{Op: "onnx.CumSum", Settings: old, Inputs: []convtest.Input{in, {Const: true, Data: ir.Scalar(ir.Int64, 1)}}})
		if err == nil || !strings.Contains(err.Error(), "TensorRT 10.0 has no Cumulative layer (added in 10.8)") {
			t.Errorf("CumSum of %v for 10.0: %v", in.Shape, err)
		}
	}
	// 10.8 is the first release with the layer.
	c = convtest.Case{Op: "onnx.CumSum", Settings: &conversion.Settings{TargetVersion: network.Version{Major: 10, Minor: 8}},
		Inputs: []convtest.Input{{DType: ir.Int32, Shape: ir.S(3, 4)}, {Const: true, Data: ir.Scalar(ir.Int64, 1)}}}
	if r := convtest.Run(t, c); !slices.Contains(r.Types, "CUMULATIVE") {
		t.Errorf("10.8 target: layers %v, want CUMULATIVE", r.Types)
	}
}

// TestInt64ShapeTensorsBefore10_4: the 10.0-10.3 headers document only
// Int32 for the shape inputs of Shuffle, Slice, Resize and OneHot. For such
// a target the converters' Int64 shape tensors get one Cast to Int32 before
// the consumer, so dynamic reshapes, expands and fills stay in the engine
// (and compute the same); from 10.4 no cast is added.
func TestInt64ShapeTensorsBefore10_4(t *testing.T) {
	dyn := convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3), ir.D(4)}, RunShape: []int64{5, 3, 4}}
	cases := []convtest.Case{
		{Op: "onnx.Reshape", Inputs: []convtest.Input{dyn, {DType: ir.Int64, Shape: ir.S(2), Data: ir.FromSlice(ir.Int64, []int64{2}, []int64{0, 12})}}},
		{Op: "onnx.Expand", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(1, 4)}, {DType: ir.Int64, Shape: ir.S(2), Data: ir.FromSlice(ir.Int64, []int64{2}, []int64{3, 4})}}},
		{Op: "onnx.ConstantOfShape", Inputs: []convtest.Input{{DType: ir.Int64, Shape: ir.S(2), Data: ir.FromSlice(ir.Int64, []int64{2}, []int64{2, 3})}}},
	}
	for _, c := range cases {
		for _, v := range []network.Version{{Major: 10, Minor: 0}, {Major: 10, Minor: 3}, {Major: 10, Minor: 4}} {
			c.Settings = &conversion.Settings{TargetVersion: v}
			r := convtest.Run(t, c)
			if casts := slices.Contains(r.Types, "CAST"); casts != v.Less(network.Version{Major: 10, Minor: 4}) {
				t.Errorf("%s for %v: layers %v", c.Op, v, r.Types)
			}
		}
	}
}
