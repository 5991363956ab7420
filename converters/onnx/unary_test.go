package onnx_test

import (
	"math"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
)

func TestUnaryFloatOps(t *testing.T) {
	// Inputs inside each op's domain: the fallback and the engine must agree
	// on values, not on NaN patterns.
	for _, c := range []struct {
		op     string
		lo, hi float64
	}{
		{"Sqrt", 0.01, 4}, {"Exp", -3, 3}, {"Log", 0.01, 5}, {"Reciprocal", 0.5, 3},
		{"Erf", -3, 3}, {"Sin", -3, 3}, {"Cos", -3, 3}, {"Tan", -1.2, 1.2},
		{"Asin", -0.99, 0.99}, {"Acos", -0.99, 0.99}, {"Atan", -5, 5}, {"Sinh", -3, 3},
		{"Cosh", -3, 3}, {"Asinh", -5, 5}, {"Acosh", 1, 5}, {"Atanh", -0.99, 0.99},
		{"Floor", -5, 5}, {"Ceil", -5, 5}, {"Round", -5, 5}, {"Neg", -5, 5},
		{"Abs", -5, 5}, {"Sign", -2, 2}, {"IsNaN", -1, 1},
	} {
		t.Run(c.op, func(t *testing.T) {
			r := convtest.Run(t, convtest.Case{Op: "onnx." + c.op, Inputs: []convtest.Input{
				{DType: ir.Float32, Shape: ir.S(2, 3, 4), Lo: c.lo, Hi: c.hi},
			}})
			if r.Layers != 1 {
				t.Errorf("%s took %d layers, want 1", c.op, r.Layers)
			}
		})
	}
}

func TestUnaryHalfAndInt(t *testing.T) {
	convtest.Run(t, convtest.Case{Op: "onnx.Exp", Inputs: []convtest.Input{{DType: ir.Float16, Shape: ir.S(3, 5)}}, Atol: 1e-3, Rtol: 1e-3})
	convtest.Run(t, convtest.Case{Op: "onnx.Sqrt", Inputs: []convtest.Input{{DType: ir.BFloat16, Shape: ir.S(7), Lo: 0, Hi: 9}}, Atol: 1e-2, Rtol: 1e-2})
	for _, op := range []string{"Abs", "Neg", "Sign"} {
		for _, dt := range []ir.DType{ir.Int32, ir.Int64} {
			convtest.Run(t, convtest.Case{Op: "onnx." + op, Inputs: []convtest.Input{{DType: dt, Shape: ir.S(4, 3), Lo: -9, Hi: 9}}})
		}
	}
	convtest.Run(t, convtest.Case{Op: "onnx.Not", Inputs: []convtest.Input{{DType: ir.Bool, Shape: ir.S(2, 3, 2)}}})
}

func TestUnaryRoundHalfToEven(t *testing.T) {
	x := ir.FromSlice(ir.Float32, []int64{8}, []float32{0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999998, 3.5})
	r := convtest.Run(t, convtest.Case{Op: "onnx.Round", Inputs: []convtest.Input{{Data: x}}})
	want := []float64{0, 2, 2, 0, -2, -2, 2, 4}
	for i, w := range want {
		if g := r.Engine[0].Float(i); g != w {
			t.Errorf("round(%v) = %v, want %v", x.Float(i), g, w)
		}
	}
}

func TestUnaryIsInf(t *testing.T) {
	inf := float32(math.Inf(1))
	x := ir.FromSlice(ir.Float32, []int64{6}, []float32{-1.2, float32(math.NaN()), inf, 2.8, -inf, inf})
	for _, attrs := range []map[string]ir.Attr{
		nil,
		{"detect_positive": {Kind: ir.AttrInt, I: 0}},
		{"detect_negative": {Kind: ir.AttrInt, I: 0}},
	} {
		r := convtest.Run(t, convtest.Case{Op: "onnx.IsInf", Attrs: attrs, Inputs: []convtest.Input{{Data: x}}})
		if r.Engine[0].DType != ir.Bool {
			t.Fatalf("IsInf gave %v", r.Engine[0].DType)
		}
	}
	// Neither sign: the output is constant, so the node falls back.
	_, err := convtest.Build(convtest.Case{Op: "onnx.IsInf", Attrs: map[string]ir.Attr{
		"detect_positive": {Kind: ir.AttrInt, I: 0}, "detect_negative": {Kind: ir.AttrInt, I: 0},
	}, Inputs: []convtest.Input{{Data: x}}})
	if err == nil {
		t.Error("IsInf detecting nothing should be rejected")
	}
}

func TestUnaryDynamic(t *testing.T) {
	for _, op := range []string{"Exp", "Abs", "Erf", "IsNaN"} {
		convtest.Run(t, convtest.Case{Op: "onnx." + op, Inputs: []convtest.Input{
			{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3)}, RunShape: []int64{5, 3}},
		}})
	}
}

func TestUnaryRejects(t *testing.T) {
	for _, c := range []convtest.Case{
		{Op: "onnx.Exp", Inputs: []convtest.Input{{DType: ir.Float64, Shape: ir.S(3)}}},
		{Op: "onnx.Abs", Inputs: []convtest.Input{{DType: ir.Int8, Shape: ir.S(3)}}},
	} {
		if _, err := convtest.Build(c); err == nil {
			t.Errorf("%s on %v should fall back", c.Op, c.Inputs[0].DType)
		}
	}
}

// Every op of this family has a converter, inference and a fallback kernel.
func TestFamilyTablesComplete(t *testing.T) {
	reg := converters.Builtin()
	for _, op := range strings.Fields(`Sqrt Exp Log Neg Abs Reciprocal Erf Tanh Sigmoid Relu LeakyRelu
		HardSigmoid HardSwish Gelu Clip Not Where Cast CastLike Mod Sin Cos Tan Asin Acos Atan Sinh
		Cosh Asinh Acosh Atanh Floor Ceil Round Sign Elu Selu Softplus Softsign ThresholdedRelu Celu
		IsNaN IsInf PRelu Sum Mean LessOrEqual GreaterOrEqual Mish Shrink`) {
		if _, ok := ops.Lookup("onnx." + op); !ok {
			t.Errorf("onnx.%s has no op semantics", op)
		}
		cs := reg.Candidates("onnx." + op)
		if len(cs) == 0 {
			t.Errorf("onnx.%s has no converter", op)
			continue
		}
		if !cs[0].DynamicShapes || cs[0].Description == "" || strings.Contains(cs[0].Description, "%!") {
			t.Errorf("onnx.%s: dynamic=%v description %q", op, cs[0].DynamicShapes, cs[0].Description)
		}
	}
}
