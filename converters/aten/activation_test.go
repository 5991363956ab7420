package aten_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

var activationCases = []convtest.Case{
	{Op: "aten.relu.default", Inputs: []convtest.Input{f32(2, 5)}},
	{Op: "aten.relu_.default", Inputs: []convtest.Input{typed(ir.Int64, 2, 5)}, Attrs: nil},
	{Op: "aten.gelu.default", Inputs: []convtest.Input{f32(2, 5)}},
	{Op: "aten.gelu.default", Inputs: []convtest.Input{f32(2, 5)}, Attrs: A{"approximate": as("tanh")}},
	{Op: "aten.silu.default", Inputs: []convtest.Input{f32(2, 5)}},
	{Op: "aten.sigmoid.default", Inputs: []convtest.Input{f32(2, 5)}},
	{Op: "aten.tanh.default", Inputs: []convtest.Input{f32(2, 5)}},
	{Op: "aten.hardtanh.default", Inputs: []convtest.Input{f32(2, 5)}},
	{Op: "aten.hardtanh.default", Inputs: []convtest.Input{f32(2, 5)}, Attrs: A{"min_val": af(0), "max_val": af(6)}},
	{Op: "aten.hardswish.default", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 8), Lo: -5, Hi: 5}}},
	{Op: "aten.hardsigmoid.default", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 8), Lo: -5, Hi: 5}}},
	{Op: "aten.leaky_relu.default", Inputs: []convtest.Input{f32(2, 5)}},
	{Op: "aten.leaky_relu.default", Inputs: []convtest.Input{f32(2, 5)}, Attrs: A{"negative_slope": af(0.2)}},
	{Op: "aten.clamp.default", Inputs: []convtest.Input{f32(2, 5)}, Attrs: A{"min": af(-0.5)}},
	{Op: "aten.clamp.Tensor", Inputs: []convtest.Input{f32(2, 5), f32(5), f32(2, 1)}},
	{Op: "aten.clamp.Tensor", Inputs: []convtest.Input{f32(3, 4), absent, f32(3, 4)}},
	{Op: "aten.clamp.default", Inputs: []convtest.Input{typed(ir.Int64, 2, 5)}, Attrs: A{"min": af(1), "_int_min": ai(1), "max": af(3), "_int_max": ai(1)}},
	{Op: "aten.gelu.default", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.Sym("b"), ir.D(4)}, RunShape: []int64{3, 4}}}},
}

var unaryCases = []convtest.Case{
	{Op: "aten.exp.default", Inputs: []convtest.Input{f32(2, 3)}},
	{Op: "aten.log.default", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 3), Lo: 0.1, Hi: 3}}},
	{Op: "aten.sqrt.default", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 3), Lo: 0, Hi: 3}}},
	{Op: "aten.rsqrt.default", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 3), Lo: 0.1, Hi: 3}}},
	{Op: "aten.erf.default", Inputs: []convtest.Input{f32(2, 3)}},
	{Op: "aten.sin.default", Inputs: []convtest.Input{f32(2, 3)}},
	{Op: "aten.cos.default", Inputs: []convtest.Input{f32(2, 3)}},
	{Op: "aten.neg.default", Inputs: []convtest.Input{typed(ir.Int64, 2, 3)}},
	{Op: "aten.abs.default", Inputs: []convtest.Input{f32(2, 3)}},
}

func init() { allCases = append(allCases, activationCases, unaryCases) }

func TestActivation(t *testing.T) { runCases(t, activationCases) }
func TestUnary(t *testing.T)      { runCases(t, unaryCases) }

// An unknown approximate is rejected by the validator, naming the value.
func TestGeluUnknownApproximateRejected(t *testing.T) {
	_, err := convtest.Build(convtest.Case{Op: "aten.gelu.default", Inputs: []convtest.Input{f32(2)}, Attrs: A{"approximate": as("fast")}})
	if err == nil {
		t.Fatal("approximate=fast was accepted")
	}
}
