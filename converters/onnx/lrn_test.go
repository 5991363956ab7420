package onnx_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// LRN through a channel-window average pooling against the CPU kernel:
// odd and even sizes, a window wider than C, 3-D to 5-D inputs and a
// dynamic batch.
func TestLRN(t *testing.T) {
	type A = map[string]ir.Attr
	for _, c := range []struct {
		attrs A
		x     convtest.Input
	}{
		{A{"size": aInt(3)}, f32(2, 5, 4, 4)},
		{A{"size": aInt(2), "alpha": aFloat(0.002), "beta": aFloat(0.5), "bias": aFloat(2)}, f32(1, 4, 3, 3)},
		{A{"size": aInt(7)}, f32(1, 3, 6)},
		{A{"size": aInt(5)}, f32(1, 6, 2, 2, 2)},
		{A{"size": aInt(3)}, convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(4), ir.D(3), ir.D(3)}, RunShape: []int64{3, 4, 3, 3}}},
	} {
		convtest.Run(t, convtest.Case{Op: "onnx.LRN", Attrs: c.attrs, Inputs: []convtest.Input{c.x}, Atol: 1e-5, Rtol: 1e-4})
	}
}
