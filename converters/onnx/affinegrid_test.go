package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// AffineGrid as a constant base grid times theta, 2-D and 3-D, both
// align_corners, against the CPU kernel.
func TestAffineGrid(t *testing.T) {
	size := func(v ...int64) convtest.Input {
		return convtest.Input{Data: ir.FromSlice(ir.Int64, []int64{int64(len(v))}, v), Const: true}
	}
	for _, align := range []int64{0, 1} {
		attrs := map[string]ir.Attr{"align_corners": aInt(align)}
		convtest.Run(t, convtest.Case{Op: "onnx.AffineGrid", Opset: 20, Attrs: attrs, Inputs: []convtest.Input{f32(2, 2, 3), size(2, 3, 4, 5)}, Atol: 1e-5})
		convtest.Run(t, convtest.Case{Op: "onnx.AffineGrid", Opset: 20, Attrs: attrs, Inputs: []convtest.Input{f32(2, 3, 4), size(2, 1, 3, 2, 4)}, Atol: 1e-5})
		convtest.Run(t, convtest.Case{Op: "onnx.AffineGrid", Opset: 20, Attrs: attrs, Inputs: []convtest.Input{f32(1, 2, 3), size(1, 1, 1, 6)}, Atol: 1e-5})
	}
	_, err := convtest.Build(convtest.Case{Op: "onnx.AffineGrid", Opset: 20, Inputs: []convtest.Input{f32(2, 2, 3), {DType: ir.Int64, Shape: ir.S(4), Lo: 1, Hi: 4}}})
	if err == nil || !strings.Contains(err.Error(), "size (input 1) must be a constant") {
		t.Errorf("run-time size: got %v", err)
	}
}
