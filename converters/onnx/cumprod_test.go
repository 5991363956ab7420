package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// CumProd unrolled over its axis against the CPU kernel: every
// exclusive/reverse combination, axes of 2-D and 3-D inputs, int32 and
// int64, and a dynamic dim beside the axis.
func TestCumProd(t *testing.T) {
	axis := func(v int64) convtest.Input {
		return convtest.Input{Data: ir.FromSlice(ir.Int64, nil, []int64{v}), Const: true}
	}
	for _, ex := range []int64{0, 1} {
		for _, rev := range []int64{0, 1} {
			attrs := map[string]ir.Attr{"exclusive": aInt(ex), "reverse": aInt(rev)}
			convtest.Run(t, convtest.Case{Op: "onnx.CumProd", Opset: 26, Attrs: attrs, Inputs: []convtest.Input{f32(5), axis(0)}})
			convtest.Run(t, convtest.Case{Op: "onnx.CumProd", Opset: 26, Attrs: attrs, Inputs: []convtest.Input{f32(2, 3, 4), axis(-2)}})
			convtest.Run(t, convtest.Case{Op: "onnx.CumProd", Opset: 26, Attrs: attrs, Inputs: []convtest.Input{{DType: ir.Int32, Shape: ir.S(3, 4), Lo: -3, Hi: 4}, axis(1)}})
		}
	}
	convtest.Run(t, convtest.Case{Op: "onnx.CumProd", Opset: 26, Inputs: []convtest.Input{{DType: ir.Int64, Shape: ir.S(4, 3), Lo: -3, Hi: 4}, axis(0)}})
	convtest.Run(t, convtest.Case{Op: "onnx.CumProd", Opset: 26, Attrs: map[string]ir.Attr{"reverse": aInt(1)},
		Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(4)}, RunShape: []int64{3, 4}}, axis(1)}})
	_, err := convtest.Build(convtest.Case{Op: "onnx.CumProd", Opset: 26, Inputs: []convtest.Input{f32(3, 4), {DType: ir.Int64, Shape: ir.S(), Lo: 0, Hi: 2}}})
	if err == nil || !strings.Contains(err.Error(), "axis (input 1) must be a constant scalar") {
		t.Errorf("run-time axis: got %v", err)
	}
}
