package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestPool(t *testing.T) {
	type A = map[string]ir.Attr
	cases := []struct {
		attrs A
		x     []int64
	}{
		{A{"kernel_shape": aInts(2)}, []int64{1, 3, 8}},
		{A{"kernel_shape": aInts(2, 2)}, []int64{1, 3, 6, 6}},
		{A{"kernel_shape": aInts(3, 3), "strides": aInts(2, 2), "ceil_mode": aInt(1)}, []int64{1, 1, 4, 4}},
		{A{"kernel_shape": aInts(1, 1), "strides": aInts(2, 2), "ceil_mode": aInt(1)}, []int64{1, 1, 2, 2}},
		{A{"kernel_shape": aInts(3, 3), "pads": aInts(2, 2, 2, 2)}, []int64{1, 2, 7, 7}},
		{A{"kernel_shape": aInts(3, 2), "pads": aInts(1, 0, 0, 1), "strides": aInts(2, 1)}, []int64{2, 2, 7, 6}},
		{A{"kernel_shape": aInts(3, 3), "strides": aInts(2, 2), "auto_pad": aString("SAME_UPPER")}, []int64{1, 1, 5, 5}},
		{A{"kernel_shape": aInts(2, 2), "auto_pad": aString("SAME_LOWER")}, []int64{1, 2, 6, 6}},
		{A{"kernel_shape": aInts(2, 2, 2)}, []int64{1, 2, 4, 4, 4}},
	}
	for _, op := range []string{"onnx.MaxPool", "onnx.AveragePool"} {
		for _, c := range cases {
			convtest.Run(t, convtest.Case{Op: op, Attrs: c.attrs, Inputs: []convtest.Input{f32(c.x...)}})
		}
	}
	// count_include_pad, also with ceil_mode where the last window stays in
	// the padding.
	for _, attrs := range []A{
		{"kernel_shape": aInts(3, 3), "pads": aInts(2, 2, 2, 2), "count_include_pad": aInt(1)},
		{"kernel_shape": aInts(3, 3), "pads": aInts(1, 1, 1, 1), "strides": aInts(2, 2), "ceil_mode": aInt(1), "count_include_pad": aInt(1)},
	} {
		convtest.Run(t, convtest.Case{Op: "onnx.AveragePool", Attrs: attrs, Inputs: []convtest.Input{f32(1, 2, 5, 5)}})
	}
}

func TestPoolDynamicBatch(t *testing.T) {
	for _, op := range []string{"onnx.MaxPool", "onnx.AveragePool", "onnx.GlobalAveragePool", "onnx.GlobalMaxPool"} {
		attrs := map[string]ir.Attr{"kernel_shape": aInts(2, 2), "strides": aInts(2, 2)}
		if strings.HasPrefix(op, "onnx.Global") {
			attrs = nil
		}
		convtest.Run(t, convtest.Case{Op: op, Attrs: attrs, Inputs: []convtest.Input{
			{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3), ir.D(6), ir.D(6)}, RunShape: []int64{2, 3, 6, 6}},
		}})
	}
}

func TestGlobalPool(t *testing.T) {
	for _, op := range []string{"onnx.GlobalAveragePool", "onnx.GlobalMaxPool"} {
		convtest.Run(t, convtest.Case{Op: op, Inputs: []convtest.Input{f32(2, 3, 5, 4)}})
		convtest.Run(t, convtest.Case{Op: op, Inputs: []convtest.Input{f32(1, 3, 7)}})
	}
}

func TestPoolRejects(t *testing.T) {
	for _, c := range []struct {
		op      string
		attrs   map[string]ir.Attr
		outputs int
		want    string
	}{
		{"onnx.MaxPool", map[string]ir.Attr{"kernel_shape": aInts(2, 2)}, 2, "Indices"},
		{"onnx.MaxPool", map[string]ir.Attr{"kernel_shape": aInts(2, 2), "dilations": aInts(2, 2)}, 2, "Indices"}, // dilated: unrolled, but without indices
		{"onnx.AveragePool", map[string]ir.Attr{"kernel_shape": aInts(3, 3), "strides": aInts(2, 2), "ceil_mode": aInt(1), "count_include_pad": aInt(1)}, 1, "count_include_pad"},
	} {
		_, err := convtest.Build(convtest.Case{Op: c.op, Attrs: c.attrs, Inputs: []convtest.Input{f32(1, 1, 6, 6)}, NumOutputs: c.outputs})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%s %v: got %v, want a rejection about %q", c.op, c.attrs, err, c.want)
		}
	}
}

// LpPool for p = 1, 2 and 3 over the pooling geometries (padding counted
// as zeros, ceil_mode, SAME padding, 1-D to 3-D) and a dynamic batch.
func TestLpPool(t *testing.T) {
	type A = map[string]ir.Attr
	for _, p := range []int64{1, 2, 3} {
		for _, c := range []struct {
			attrs A
			x     []int64
		}{
			{A{"kernel_shape": aInts(2)}, []int64{1, 3, 8}},
			{A{"kernel_shape": aInts(3, 3), "pads": aInts(1, 1, 1, 1)}, []int64{1, 2, 5, 5}},
			{A{"kernel_shape": aInts(3, 3), "strides": aInts(2, 2), "ceil_mode": aInt(1)}, []int64{1, 1, 6, 6}},
			{A{"kernel_shape": aInts(2, 2), "auto_pad": aString("SAME_UPPER")}, []int64{1, 2, 5, 5}},
			{A{"kernel_shape": aInts(2, 2, 2)}, []int64{1, 2, 4, 4, 4}},
		} {
			c.attrs["p"] = aInt(p)
			convtest.Run(t, convtest.Case{Op: "onnx.LpPool", Opset: 18, Attrs: c.attrs, Inputs: []convtest.Input{f32(c.x...)}, Atol: 1e-5, Rtol: 1e-4})
		}
	}
	convtest.Run(t, convtest.Case{Op: "onnx.LpPool", Opset: 18, Attrs: A{"kernel_shape": aInts(2, 2)}, Atol: 1e-5, Rtol: 1e-4,
		Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(2), ir.D(4), ir.D(4)}, RunShape: []int64{3, 2, 4, 4}}}})
	_, err := convtest.Build(convtest.Case{Op: "onnx.LpPool", Opset: 18, Attrs: A{"kernel_shape": aInts(2, 2), "dilations": aInts(2, 2)}, Inputs: []convtest.Input{f32(1, 1, 6, 6)}})
	if err == nil || !strings.Contains(err.Error(), "TensorRT pooling has no dilation") {
		t.Errorf("dilated LpPool: got %v", err)
	}
}

// Dilated MaxPool and AveragePool, unrolled into strided FILL Slices per
// tap, against the CPU kernels: padding, ceil_mode (windows hanging over
// the end), count_include_pad, strides and 1-D to 3-D.
func TestDilatedPool(t *testing.T) {
	type A = map[string]ir.Attr
	for _, c := range []struct {
		attrs A
		x     []int64
	}{
		{A{"kernel_shape": aInts(2, 2), "dilations": aInts(2, 2)}, []int64{1, 2, 5, 5}},
		{A{"kernel_shape": aInts(3, 2), "dilations": aInts(2, 3), "strides": aInts(2, 1), "pads": aInts(1, 0, 2, 1)}, []int64{2, 1, 9, 8}},
		{A{"kernel_shape": aInts(3, 3), "dilations": aInts(2, 2), "strides": aInts(3, 3), "ceil_mode": aInt(1)}, []int64{1, 1, 10, 11}},
		{A{"kernel_shape": aInts(3), "dilations": aInts(3), "pads": aInts(2, 2)}, []int64{1, 3, 10}},
		{A{"kernel_shape": aInts(2, 2, 2), "dilations": aInts(2, 1, 2)}, []int64{1, 1, 5, 4, 5}},
	} {
		for _, op := range []string{"onnx.MaxPool", "onnx.AveragePool"} {
			for _, include := range []int64{0, 1} {
				attrs := A{"count_include_pad": aInt(include)}
				for k, v := range c.attrs {
					attrs[k] = v
				}
				if op == "onnx.MaxPool" {
					delete(attrs, "count_include_pad")
				}
				convtest.Run(t, convtest.Case{Op: op, Opset: 19, Attrs: attrs, Inputs: []convtest.Input{f32(c.x...)}, Atol: 1e-5, Rtol: 1e-4})
			}
		}
	}
	_, err := convtest.Build(convtest.Case{Op: "onnx.MaxPool", Opset: 19, Attrs: A{"kernel_shape": aInts(2, 2), "dilations": aInts(2, 2)},
		Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(1), ir.D(5), ir.D(5)}, RunShape: []int64{2, 1, 5, 5}}}})
	if err == nil || !strings.Contains(err.Error(), "needs a static shape") {
		t.Errorf("dilated pooling of a dynamic batch: got %v", err)
	}
}
