package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// GridSample through IGridSampleLayer against the CPU kernel: every mode,
// padding mode and align_corners, grid points inside and outside [-1, 1],
// float16, and a dynamic batch.
func TestGridSample(t *testing.T) {
	for _, mode := range []string{"linear", "bilinear", "nearest", "cubic", "bicubic"} {
		for _, pad := range []string{"zeros", "border", "reflection"} {
			for _, align := range []int64{0, 1} {
				if strings.HasSuffix(mode, "cubic") && pad == "border" {
					continue // refused: TestGridSampleRefusals
				}
				convtest.Run(t, convtest.Case{Op: "onnx.GridSample", Opset: 20, Atol: 1e-5, Rtol: 1e-4,
					Attrs: map[string]ir.Attr{"mode": aString(mode), "padding_mode": aString(pad), "align_corners": aInt(align)},
					Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 3, 4, 5)},
						{DType: ir.Float32, Shape: ir.S(2, 3, 6, 2), Lo: -1.3, Hi: 1.3}}})
			}
		}
	}
	convtest.Run(t, convtest.Case{Op: "onnx.GridSample", Opset: 16, Atol: 5e-3, Rtol: 5e-3,
		Inputs: []convtest.Input{{DType: ir.Float16, Shape: ir.S(1, 2, 4, 4)}, {DType: ir.Float16, Shape: ir.S(1, 3, 3, 2), Lo: -1, Hi: 1}}})
	convtest.Run(t, convtest.Case{Op: "onnx.GridSample", Opset: 16, Atol: 1e-5, Rtol: 1e-4,
		Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(2), ir.D(4), ir.D(4)}, RunShape: []int64{3, 2, 4, 4}},
			{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3), ir.D(3), ir.D(2)}, RunShape: []int64{3, 3, 3, 2}, Lo: -1, Hi: 1}}})
}

func TestGridSampleRefusals(t *testing.T) {
	for _, c := range []struct {
		inputs []convtest.Input
		want   string
	}{
		{[]convtest.Input{{DType: ir.Float32, Shape: ir.S(1, 2, 3, 4, 4)}, {DType: ir.Float32, Shape: ir.S(1, 2, 2, 2, 3)}}, "2-D images (rank 4) only"},
		{[]convtest.Input{{DType: ir.Float32, Shape: ir.S(1, 2, 4, 4)}, {DType: ir.Float16, Shape: ir.S(1, 2, 2, 2)}}, "takes one dtype"},
		{[]convtest.Input{{DType: ir.Float32, Shape: ir.S(1, 2, 4, 4)}, {DType: ir.Float32, Shape: ir.S(1, 2, 2, 2)}}, "clamps each of the 16 taps"},
	} {
		attrs := map[string]ir.Attr{}
		if strings.Contains(c.want, "16 taps") {
			attrs = map[string]ir.Attr{"mode": aString("cubic"), "padding_mode": aString("border")}
		}
		_, err := convtest.Build(convtest.Case{Op: "onnx.GridSample", Opset: 20, Inputs: c.inputs, Attrs: attrs})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error saying %q", err, c.want)
		}
	}
}
