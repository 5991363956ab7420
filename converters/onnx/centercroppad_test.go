package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// CenterCropPad as one FILL Slice against the CPU kernel: crops and pads
// of odd and even differences, chosen axes (negative too), an int32 input
// and a dynamic dim outside the axes.
func TestCenterCropPad(t *testing.T) {
	target := func(v ...int64) convtest.Input {
		return convtest.Input{Data: ir.FromSlice(ir.Int64, []int64{int64(len(v))}, v), Const: true}
	}
	for _, c := range []struct {
		axes []int64
		x    convtest.Input
		t    convtest.Input
	}{
		{nil, f32(5, 6, 3), target(3, 9, 3)},
		{nil, f32(4, 7), target(7, 2)},
		{[]int64{-2, -1}, f32(2, 3, 8, 5), target(4, 8)},
		{[]int64{1}, convtest.Input{DType: ir.Int32, Shape: ir.S(3, 4)}, target(7)},
		{[]int64{2}, convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3), ir.D(6)}, RunShape: []int64{2, 3, 6}}, target(3)},
	} {
		attrs := map[string]ir.Attr{}
		if c.axes != nil {
			attrs["axes"] = aInts(c.axes...)
		}
		convtest.Run(t, convtest.Case{Op: "onnx.CenterCropPad", Opset: 18, Attrs: attrs, Inputs: []convtest.Input{c.x, c.t}})
	}
	_, err := convtest.Build(convtest.Case{Op: "onnx.CenterCropPad", Opset: 18, Inputs: []convtest.Input{f32(3, 4), {DType: ir.Int64, Shape: ir.S(2), Lo: 1, Hi: 5}}})
	if err == nil || !strings.Contains(err.Error(), "shape (input 1) must be a constant") {
		t.Errorf("run-time target shape: got %v", err)
	}
}
