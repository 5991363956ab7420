package onnx_test

import (
	"math"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// The loss converters against the CPU kernels: every reduction, with and
// without class weights (constant and run-time) and ignore_index (inside
// and outside [0, C)), 2-D and N-D inputs, and a dynamic batch.
func TestLosses(t *testing.T) {
	x := func(s ...int64) convtest.Input { return convtest.Input{DType: ir.Float32, Shape: ir.S(s...)} }
	target := func(lo float64, s ...int64) convtest.Input {
		return convtest.Input{DType: ir.Int64, Shape: ir.S(s...), Lo: lo, Hi: 5}
	}
	weight := func(isConst bool) convtest.Input {
		return convtest.Input{DType: ir.Float32, Shape: ir.S(5), Lo: 0.5, Hi: 2, Const: isConst}
	}
	for _, op := range []string{"onnx.NegativeLogLikelihoodLoss", "onnx.SoftmaxCrossEntropyLoss"} {
		outs := 1
		if op == "onnx.SoftmaxCrossEntropyLoss" {
			outs = 2 // with the log-probabilities
		}
		for _, red := range []string{"none", "sum", "mean"} {
			for _, c := range []struct {
				ignore *int64
				inputs []convtest.Input
			}{
				{nil, []convtest.Input{x(3, 5), target(0, 3)}},
				{nil, []convtest.Input{x(3, 5), target(0, 3), weight(true)}},
				{nil, []convtest.Input{x(2, 5, 3, 2), target(0, 2, 3, 2), weight(false)}},
				{ptr(-1), []convtest.Input{x(4, 5, 3), target(-1, 4, 3)}},             // ignore_index outside [0, C)
				{ptr(2), []convtest.Input{x(4, 5, 3), target(0, 4, 3), weight(true)}}, // ignore_index a class
			} {
				attrs := map[string]ir.Attr{"reduction": aString(red)}
				if c.ignore != nil {
					attrs["ignore_index"] = aInt(*c.ignore)
				}
				convtest.Run(t, convtest.Case{Op: op, Attrs: attrs, Inputs: c.inputs, NumOutputs: outs, Opset: 13, Atol: 1e-5, Rtol: 1e-4})
			}
		}
		// Dynamic batch.
		convtest.Run(t, convtest.Case{Op: op, Opset: 13, NumOutputs: outs, Atol: 1e-5, Rtol: 1e-4, Inputs: []convtest.Input{
			{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(5)}, RunShape: []int64{6, 5}},
			{DType: ir.Int64, Shape: ir.Shape{ir.Sym("N")}, RunShape: []int64{6}, Lo: 0, Hi: 5}, weight(true)}})
	}
}

func ptr(v int64) *int64 { return &v }

// Mean over targets that are all ignored is 0, as ONNX's reference gives,
// not 0/0.
func TestLossAllIgnored(t *testing.T) {
	r := convtest.Run(t, convtest.Case{Op: "onnx.NegativeLogLikelihoodLoss", Opset: 13,
		Attrs: map[string]ir.Attr{"ignore_index": aInt(1)},
		Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(3, 4)},
			{Data: ir.FromSlice(ir.Int64, []int64{3}, []int64{1, 1, 1})},
			{DType: ir.Float32, Shape: ir.S(4), Const: true}}})
	if v := r.Engine[0].Float(0); v != 0 || math.IsNaN(v) {
		t.Errorf("mean loss with every target ignored = %v, want 0", v)
	}
}

func TestLossRefusals(t *testing.T) {
	for _, c := range []struct {
		attrs  map[string]ir.Attr
		inputs []convtest.Input
		want   string
	}{
		{nil, []convtest.Input{{DType: ir.Float64, Shape: ir.S(3, 5)}, {DType: ir.Int64, Shape: ir.S(3)}}, "input 0 is float64; TensorRT supports"},
		{map[string]ir.Attr{"reduction": aString("max")}, []convtest.Input{{DType: ir.Float32, Shape: ir.S(3, 5)}, {DType: ir.Int64, Shape: ir.S(3)}}, `reduction "max"`},
	} {
		_, err := convtest.Build(convtest.Case{Op: "onnx.NegativeLogLikelihoodLoss", Opset: 13, Attrs: c.attrs, Inputs: c.inputs})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error saying %q", err, c.want)
		}
	}
}
