package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestConvTranspose(t *testing.T) {
	type A = map[string]ir.Attr
	cases := []struct {
		attrs A
		x, w  []int64
		bias  bool
	}{
		{A{}, []int64{1, 1, 3, 3}, []int64{1, 2, 3, 3}, false},
		{A{"strides": aInts(3, 2), "pads": aInts(1, 0, 1, 1)}, []int64{2, 2, 3, 4}, []int64{2, 3, 3, 3}, true},
		{A{"strides": aInts(3, 2), "output_padding": aInts(1, 1)}, []int64{1, 1, 3, 3}, []int64{1, 2, 3, 3}, true},      // output_padding: grown with zeros, bias after
		{A{"strides": aInts(3, 2), "output_shape": aInts(10, 8)}, []int64{1, 1, 3, 3}, []int64{1, 2, 3, 3}, true},       // output_shape: one side cropped, one grown
		{A{"auto_pad": aString("SAME_UPPER"), "strides": aInts(2, 2)}, []int64{1, 1, 3, 3}, []int64{1, 2, 3, 3}, false}, // pads split upper
		{A{"auto_pad": aString("SAME_LOWER"), "strides": aInts(2, 2)}, []int64{1, 1, 3, 3}, []int64{1, 2, 3, 3}, true},
		{A{"group": aInt(2), "dilations": aInts(2, 1)}, []int64{1, 4, 4, 3}, []int64{4, 3, 2, 3}, true},
		{A{"strides": aInts(2), "pads": aInts(1, 2)}, []int64{2, 3, 6}, []int64{3, 2, 4}, true},                   // 1-D
		{A{"strides": aInts(2, 1, 2)}, []int64{1, 2, 3, 2, 3}, []int64{2, 2, 2, 3, 2}, true},                      // 3-D
		{A{"strides": aInts(2, 2), "kernel_shape": aInts(2, 2)}, []int64{1, 8, 4, 4}, []int64{8, 4, 2, 2}, false}, // U-Net upsampling
	}
	for _, c := range cases {
		in := []convtest.Input{f32(c.x...), f32c(c.w...)}
		if c.bias {
			g := int64(1)
			if a, ok := c.attrs["group"]; ok {
				g = a.I
			}
			in = append(in, f32c(c.w[1]*g))
		}
		convtest.Run(t, convtest.Case{Op: "onnx.ConvTranspose", Attrs: c.attrs, Inputs: in, Atol: 1e-4})
	}
	// Dynamic batch.
	convtest.Run(t, convtest.Case{Op: "onnx.ConvTranspose", Attrs: A{"strides": aInts(2, 2), "output_padding": aInts(1, 0)}, Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(2), ir.D(3), ir.D(3)}, RunShape: []int64{3, 2, 3, 3}}, f32c(2, 2, 3, 3), f32c(2),
	}, Atol: 1e-4})
}

// Weights and bias computed at run time: the Deconvolution layer's tensor
// inputs 1 and 2, also with output_padding (zero padding after the layer,
// the bias added last), groups and 1-D input.
func TestConvTransposeRuntimeWeights(t *testing.T) {
	type A = map[string]ir.Attr
	for _, c := range []struct {
		attrs A
		in    []convtest.Input
	}{
		{nil, []convtest.Input{f32(1, 1, 3, 3), f32(1, 2, 3, 3)}},
		{A{"strides": aInts(2, 2), "output_padding": aInts(1, 1)}, []convtest.Input{f32(1, 2, 3, 3), f32(2, 3, 3, 3), f32(3)}},
		{A{"strides": aInts(2, 2), "pads": aInts(1, 1, 1, 1)}, []convtest.Input{f32(2, 2, 4, 4), f32(2, 2, 3, 3), f32c(2)}},
		{A{"group": aInt(2)}, []convtest.Input{f32(1, 4, 3, 3), f32(4, 1, 2, 2), f32(2)}},
		{A{"strides": aInts(3)}, []convtest.Input{f32(1, 2, 4), f32(2, 3, 3)}},
	} {
		convtest.Run(t, convtest.Case{Op: "onnx.ConvTranspose", Attrs: c.attrs, Inputs: c.in, Atol: 1e-4})
	}
}

func TestConvTransposeRejects(t *testing.T) {
	_, err := convtest.Build(convtest.Case{Op: "onnx.ConvTranspose", Inputs: []convtest.Input{f32(1, 1, 3, 3), {DType: ir.Float32, Shape: ir.Shape{ir.D(1), ir.Sym("K"), ir.D(3), ir.D(3)}, RunShape: []int64{1, 2, 3, 3}}}})
	if err == nil || !strings.Contains(err.Error(), "dynamic shape") {
		t.Fatalf("run-time weights of dynamic shape: got %v", err)
	}
	_, err = convtest.Build(convtest.Case{Op: "onnx.ConvTranspose", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.D(1), ir.D(1), ir.Sym("H"), ir.D(3)}, RunShape: []int64{1, 1, 3, 3}}, f32c(1, 2, 3, 3)}})
	if err == nil || !strings.Contains(err.Error(), "must be static") {
		t.Fatalf("dynamic spatial dims: got %v", err)
	}
}
