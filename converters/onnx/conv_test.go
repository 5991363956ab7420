package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestConv(t *testing.T) {
	type A = map[string]ir.Attr
	cases := []struct {
		attrs A
		x, w  []int64
		bias  bool
	}{
		{A{"pads": aInts(1, 1, 1, 1)}, []int64{1, 1, 5, 5}, []int64{1, 1, 3, 3}, false},
		{A{"kernel_shape": aInts(3, 3), "strides": aInts(2, 2), "pads": aInts(1, 0, 1, 0)}, []int64{1, 2, 7, 5}, []int64{3, 2, 3, 3}, true},
		{A{"auto_pad": aString("SAME_LOWER"), "strides": aInts(2, 2)}, []int64{1, 1, 5, 5}, []int64{2, 1, 3, 3}, true},
		{A{"auto_pad": aString("SAME_UPPER"), "dilations": aInts(2, 1)}, []int64{2, 3, 6, 7}, []int64{4, 3, 2, 3}, false},
		{A{"auto_pad": aString("VALID"), "strides": aInts(1, 2)}, []int64{1, 3, 6, 7}, []int64{2, 3, 3, 3}, true},
		{A{"group": aInt(2), "dilations": aInts(2, 2), "pads": aInts(2, 1, 1, 2)}, []int64{1, 4, 8, 8}, []int64{6, 2, 3, 3}, true},
		{A{"group": aInt(6), "strides": aInts(2, 2), "pads": aInts(1, 1, 1, 1)}, []int64{2, 6, 8, 7}, []int64{12, 1, 3, 3}, true}, // depthwise x2
		{A{"group": aInt(3), "pads": aInts(1, 1, 1, 1)}, []int64{1, 3, 5, 5}, []int64{3, 1, 3, 3}, false},                         // depthwise
		{A{"strides": aInts(2), "pads": aInts(1, 2)}, []int64{2, 3, 11}, []int64{4, 3, 3}, true},                                  // 1-D
		{A{"pads": aInts(1, 0, 1, 0, 1, 1)}, []int64{1, 2, 4, 5, 3}, []int64{3, 2, 2, 3, 2}, true},                                // 3-D
	}
	for _, c := range cases {
		in := []convtest.Input{f32(c.x...), f32c(c.w...)}
		if c.bias {
			in = append(in, f32c(c.w[0]))
		}
		convtest.Run(t, convtest.Case{Op: "onnx.Conv", Attrs: c.attrs, Inputs: in, Atol: 1e-4})
	}
}

func TestConvDynamicBatch(t *testing.T) {
	convtest.Run(t, convtest.Case{Op: "onnx.Conv", Attrs: map[string]ir.Attr{"pads": aInts(1, 1, 1, 1)}, Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(2), ir.D(5), ir.D(5)}, RunShape: []int64{3, 2, 5, 5}},
		f32c(4, 2, 3, 3), f32c(4),
	}})
}

func TestConvRejects(t *testing.T) {
	for _, c := range []struct {
		in   []convtest.Input
		want string
	}{
		// A run-time W passes the validator (dequantized weights are
		// tensors too) and the layer rule refuses it: the node falls back.
		{[]convtest.Input{f32(1, 2, 5, 5), f32(3, 2, 3, 3)}, "Convolution.conv_kernel_const"},
		{[]convtest.Input{f32(1, 2, 5), f32(3, 2, 3)}, "Convolution.conv_kernel_const"},
		{[]convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.D(1), ir.D(2), ir.Sym("H"), ir.D(5)}, RunShape: []int64{1, 2, 5, 5}}, f32c(3, 2, 3, 3)}, "must be static"},
	} {
		_, err := convtest.Build(convtest.Case{Op: "onnx.Conv", Inputs: c.in})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("got %v, want a rejection saying %q", err, c.want)
		}
	}
}
