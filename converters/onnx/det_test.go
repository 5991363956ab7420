package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// Det by the cofactor formula against the CPU kernel: 1x1 to 3x3, batched,
// and a dynamic batch; 4x4 falls back.
func TestDet(t *testing.T) {
	for _, s := range [][]int64{{1, 1}, {2, 2}, {3, 3}, {4, 2, 2}, {2, 3, 3, 3}} {
		convtest.Run(t, convtest.Case{Op: "onnx.Det", Inputs: []convtest.Input{f32(s...)}, Atol: 1e-5, Rtol: 1e-4})
	}
	convtest.Run(t, convtest.Case{Op: "onnx.Det", Atol: 1e-5, Rtol: 1e-4,
		Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3), ir.D(3)}, RunShape: []int64{4, 3, 3}}}})
	_, err := convtest.Build(convtest.Case{Op: "onnx.Det", Inputs: []convtest.Input{f32(4, 4)}})
	if err == nil || !strings.Contains(err.Error(), "static size 1 to 3") {
		t.Errorf("4x4: got %v", err)
	}
}
