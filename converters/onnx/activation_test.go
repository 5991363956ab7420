package onnx_test

import (
	"math"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func fattr(v float32) ir.Attr { return ir.Attr{Kind: ir.AttrFloat, F: v} }
func sattr(s string) ir.Attr  { return ir.Attr{Kind: ir.AttrString, S: s} }

func TestActivations(t *testing.T) {
	for _, c := range []struct {
		op    string
		attrs map[string]ir.Attr
	}{
		{"Relu", nil}, {"Sigmoid", nil}, {"Tanh", nil}, {"Softsign", nil}, {"Softplus", nil},
		{"LeakyRelu", nil}, {"LeakyRelu", map[string]ir.Attr{"alpha": fattr(0.3)}},
		{"Elu", nil}, {"Elu", map[string]ir.Attr{"alpha": fattr(0.7)}},
		{"Selu", nil}, {"Selu", map[string]ir.Attr{"alpha": fattr(2), "gamma": fattr(3)}},
		{"HardSigmoid", nil}, {"HardSigmoid", map[string]ir.Attr{"alpha": fattr(0.4), "beta": fattr(0.3)}},
		{"ThresholdedRelu", nil}, {"ThresholdedRelu", map[string]ir.Attr{"alpha": fattr(0.5)}},
		{"HardSwish", nil}, {"Mish", nil},
		{"Celu", nil}, {"Celu", map[string]ir.Attr{"alpha": fattr(2)}},
		{"Shrink", nil}, {"Shrink", map[string]ir.Attr{"bias": fattr(1.5), "lambd": fattr(1)}},
		{"Gelu", nil}, {"Gelu", map[string]ir.Attr{"approximate": sattr("none")}},
		{"Gelu", map[string]ir.Attr{"approximate": sattr("tanh")}},
	} {
		t.Run(c.op, func(t *testing.T) {
			convtest.Run(t, convtest.Case{Op: "onnx." + c.op, Attrs: c.attrs, Inputs: []convtest.Input{
				{DType: ir.Float32, Shape: ir.S(2, 3, 5), Lo: -4, Hi: 4},
			}})
			convtest.Run(t, convtest.Case{Op: "onnx." + c.op, Attrs: c.attrs, Atol: 2e-2, Rtol: 1e-2, Inputs: []convtest.Input{
				{DType: ir.Float16, Shape: ir.S(4, 5), Lo: -4, Hi: 4},
			}})
		})
	}
}

func TestActivationDynamic(t *testing.T) {
	for _, op := range []string{"Relu", "Sigmoid", "LeakyRelu", "HardSwish", "Gelu", "Mish"} {
		convtest.Run(t, convtest.Case{Op: "onnx." + op, Inputs: []convtest.Input{
			{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(4), ir.Sym("W")}, RunShape: []int64{3, 4, 2}},
		}})
	}
}

func TestReluInt(t *testing.T) {
	for _, dt := range []ir.DType{ir.Int32, ir.Int64} {
		convtest.Run(t, convtest.Case{Op: "onnx.Relu", Inputs: []convtest.Input{{DType: dt, Shape: ir.S(3, 4), Lo: -10, Hi: 10}}})
	}
}

func TestGeluRejectsUnknownMode(t *testing.T) {
	_, err := convtest.Build(convtest.Case{Op: "onnx.Gelu", Attrs: map[string]ir.Attr{"approximate": sattr("fast")},
		Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(3)}}})
	if err == nil {
		t.Error("Gelu approximate=fast should be rejected")
	}
}

func TestPRelu(t *testing.T) {
	// Slope broadcast from a trailing dim, from a per-channel [C,1,1] and as
	// a run-time tensor; ints too.
	convtest.Run(t, convtest.Case{Op: "onnx.PRelu", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.S(3, 4, 5)}, {DType: ir.Float32, Shape: ir.S(5), Const: true},
	}})
	convtest.Run(t, convtest.Case{Op: "onnx.PRelu", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.S(2, 3, 4, 4)}, {DType: ir.Float32, Shape: ir.S(3, 1, 1), Const: true},
	}})
	convtest.Run(t, convtest.Case{Op: "onnx.PRelu", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.S(3, 4)}, {DType: ir.Float32, Shape: ir.S(3, 4)},
	}})
	convtest.Run(t, convtest.Case{Op: "onnx.PRelu", Inputs: []convtest.Input{
		{DType: ir.Int64, Shape: ir.S(6), Lo: -5, Hi: 5}, {DType: ir.Int64, Shape: ir.S(1), Const: true},
	}})
	convtest.Run(t, convtest.Case{Op: "onnx.PRelu", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3)}, RunShape: []int64{4, 3}},
		{DType: ir.Float32, Shape: ir.S(1, 3), Const: true},
	}})
}

func clipInputs(x convtest.Input, lo, hi *convtest.Input) []convtest.Input {
	in := []convtest.Input{x}
	for _, b := range []*convtest.Input{lo, hi} {
		if b == nil {
			in = append(in, convtest.Input{Absent: true})
		} else {
			in = append(in, *b)
		}
	}
	return in
}

func scalarIn(dt ir.DType, v float64, isConst bool) *convtest.Input {
	return &convtest.Input{Data: ir.Scalar(dt, v), Const: isConst}
}

func TestClip(t *testing.T) {
	x := convtest.Input{DType: ir.Float32, Shape: ir.S(3, 4), Lo: -3, Hi: 3}
	for name, c := range map[string][]convtest.Input{
		"both-const":      clipInputs(x, scalarIn(ir.Float32, -1, true), scalarIn(ir.Float32, 1.5, true)),
		"min-only":        clipInputs(x, scalarIn(ir.Float32, 0, true), nil),
		"max-only":        clipInputs(x, nil, scalarIn(ir.Float32, 0.5, true)),
		"none":            clipInputs(x, nil, nil),
		"min>max":         clipInputs(x, scalarIn(ir.Float32, 2, true), scalarIn(ir.Float32, 1, true)),
		"runtime-bounds":  clipInputs(x, scalarIn(ir.Float32, -1, false), scalarIn(ir.Float32, 1, false)),
		"runtime-max":     clipInputs(x, nil, scalarIn(ir.Float32, 0.2, false)),
		"int32-const":     clipInputs(convtest.Input{DType: ir.Int32, Shape: ir.S(10), Lo: -9, Hi: 9}, scalarIn(ir.Int32, -2, true), scalarIn(ir.Int32, 3, true)),
		"int64-huge-max":  clipInputs(convtest.Input{DType: ir.Int64, Shape: ir.S(10), Lo: -9, Hi: 9}, scalarIn(ir.Int64, 0, true), &convtest.Input{Data: ir.FromSlice(ir.Int64, nil, []int64{math.MaxInt64}), Const: true}),
		"int64-runtime":   clipInputs(convtest.Input{DType: ir.Int64, Shape: ir.S(2, 5), Lo: -9, Hi: 9}, scalarIn(ir.Int64, -3, false), nil),
		"only-x-no-slots": {x},
	} {
		t.Run(name, func(t *testing.T) {
			convtest.Run(t, convtest.Case{Op: "onnx.Clip", Opset: 13, Inputs: c})
		})
	}
}

func TestClipAttributesBeforeOpset11(t *testing.T) {
	x := []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 5), Lo: -3, Hi: 3}}
	convtest.Run(t, convtest.Case{Op: "onnx.Clip", Opset: 6, Inputs: x,
		Attrs: map[string]ir.Attr{"min": fattr(-0.5), "max": fattr(0.5)}})
	convtest.Run(t, convtest.Case{Op: "onnx.Clip", Opset: 6, Inputs: x,
		Attrs: map[string]ir.Attr{"max": fattr(1)}})
}

func TestClipNaNAndDynamic(t *testing.T) {
	nan := float32(math.NaN())
	x := ir.FromSlice(ir.Float32, []int64{5}, []float32{nan, -5, 0.25, 5, float32(math.Inf(1))})
	r := convtest.Run(t, convtest.Case{Op: "onnx.Clip", Opset: 13, Inputs: clipInputs(convtest.Input{Data: x}, scalarIn(ir.Float32, -1, true), scalarIn(ir.Float32, 1, true))})
	if !math.IsNaN(r.Engine[0].Float(0)) || r.Engine[0].Float(4) != 1 {
		t.Errorf("clip(NaN, inf) = %v, %v", r.Engine[0].Float(0), r.Engine[0].Float(4))
	}
	dyn := convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(2)}, RunShape: []int64{3, 2}}
	convtest.Run(t, convtest.Case{Op: "onnx.Clip", Opset: 13, Inputs: clipInputs(dyn, scalarIn(ir.Float32, -1, true), nil)})
}

func TestSwish(t *testing.T) {
	for _, alpha := range []float32{1, 0.5, -2} {
		for _, dt := range []ir.DType{ir.Float32, ir.Float16} {
			tol := 1e-5
			if dt == ir.Float16 {
				tol = 2e-3
			}
			convtest.Run(t, convtest.Case{Op: "onnx.Swish", Opset: 24, Attrs: map[string]ir.Attr{"alpha": {Kind: ir.AttrFloat, F: alpha}},
				Inputs: []convtest.Input{{DType: dt, Shape: ir.S(2, 3, 4), Lo: -6, Hi: 6}}, Atol: tol, Rtol: tol})
		}
	}
}

func TestSwiGLU(t *testing.T) {
	for _, alpha := range []float32{1, 0.5} {
		convtest.Run(t, convtest.Case{Op: "onnx.SwiGLU", Opset: 28, Attrs: map[string]ir.Attr{"alpha": {Kind: ir.AttrFloat, F: alpha}},
			Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 3, 4), Lo: -6, Hi: 6}, {DType: ir.Float32, Shape: ir.S(3, 1), Lo: -2, Hi: 2}}})
	}
}
