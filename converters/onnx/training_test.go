package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// The training optimizers against the CPU kernels: one and two tensors,
// the norm coefficients, decay, both Momentum modes and a step count of 0
// (Momentum's beta and Adam's bias correction change there).
func TestOptimizers(t *testing.T) {
	r := convtest.Input{DType: ir.Float32, Shape: ir.S(), Lo: 0.05, Hi: 0.2}
	step := func(v int64) convtest.Input {
		return convtest.Input{Data: ir.FromSlice(ir.Int64, nil, []int64{v}), Const: true}
	}
	pos := func(s ...int64) convtest.Input {
		return convtest.Input{DType: ir.Float32, Shape: ir.S(s...), Lo: 0.1, Hi: 2}
	}
	type A = map[string]ir.Attr
	for _, c := range []struct {
		op    string
		attrs A
		in    []convtest.Input
		outs  int
	}{
		{"Adagrad", A{"decay_factor": aFloat(0.1), "epsilon": aFloat(1e-5), "norm_coefficient": aFloat(0.01)}, []convtest.Input{r, step(3), f32(3), f32(3), pos(3)}, 2},
		{"Adagrad", nil, []convtest.Input{r, step(0), f32(2), f32(2, 2), f32(2), f32(2, 2), pos(2), pos(2, 2)}, 4},
		{"Momentum", A{"alpha": aFloat(0.9), "beta": aFloat(0.5), "mode": aString("standard")}, []convtest.Input{r, step(2), f32(4), f32(4), f32(4)}, 2},
		{"Momentum", A{"alpha": aFloat(0.9), "beta": aFloat(0.5), "mode": aString("nesterov"), "norm_coefficient": aFloat(0.1)}, []convtest.Input{r, step(0), f32(4), f32(4), f32(4)}, 2},
		{"Adam", A{"alpha": aFloat(0.9), "beta": aFloat(0.99), "norm_coefficient": aFloat(0.01), "norm_coefficient_post": aFloat(0.02)}, []convtest.Input{r, step(5), f32(3), f32(3), f32(3), pos(3)}, 3},
		{"Adam", nil, []convtest.Input{r, step(0), f32(2), f32(3), f32(2), f32(3), f32(2), f32(3), pos(2), pos(3)}, 6},
	} {
		convtest.Run(t, convtest.Case{Op: "ai.onnx.preview.training." + c.op, Opset: 1, Attrs: c.attrs, Inputs: c.in, NumOutputs: c.outs, Atol: 1e-5, Rtol: 1e-4})
	}
	_, err := convtest.Build(convtest.Case{Op: "ai.onnx.preview.training.Adagrad", Opset: 1, NumOutputs: 2,
		Inputs: []convtest.Input{r, {DType: ir.Int64, Shape: ir.S(), Lo: 0, Hi: 4}, f32(3), f32(3), pos(3)}})
	if err == nil || !strings.Contains(err.Error(), "step count T (input 1) must be a build-time constant") {
		t.Errorf("run-time T: got %v", err)
	}
}
