package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestBatchNorm(t *testing.T) {
	for _, x := range [][]int64{{2, 3, 4, 5}, {2, 3}, {1, 3, 6}} {
		convtest.Run(t, convtest.Case{Op: "onnx.BatchNormalization", Attrs: map[string]ir.Attr{"epsilon": aFloat(0.01)}, Inputs: []convtest.Input{
			f32(x...), f32c(3), f32c(3), f32c(3), {DType: ir.Float32, Shape: ir.S(3), Const: true, Lo: 0.5, Hi: 2},
		}})
	}
	convtest.Run(t, convtest.Case{Op: "onnx.BatchNormalization", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(2), ir.D(3), ir.D(3)}, RunShape: []int64{3, 2, 3, 3}},
		f32c(2), f32c(2), f32c(2), {DType: ir.Float32, Shape: ir.S(2), Const: true, Lo: 0.5, Hi: 2},
	}})
}

func TestBatchNormRejects(t *testing.T) {
	in := []convtest.Input{f32(2, 3, 4), f32c(3), f32c(3), f32c(3), {DType: ir.Float32, Shape: ir.S(3), Const: true, Lo: 0.5, Hi: 2}}
	_, err := convtest.Build(convtest.Case{Op: "onnx.BatchNormalization", Attrs: map[string]ir.Attr{"training_mode": aInt(1)}, Inputs: in, NumOutputs: 3})
	if err == nil || !strings.Contains(err.Error(), "training_mode") {
		t.Fatalf("training mode: got %v", err)
	}
	in[1].Const = false
	_, err = convtest.Build(convtest.Case{Op: "onnx.BatchNormalization", Inputs: in})
	if err == nil || !strings.Contains(err.Error(), "scale must be a constant") {
		t.Fatalf("non-constant scale: got %v", err)
	}
}

func TestLayerNorm(t *testing.T) {
	type A = map[string]ir.Attr
	for _, c := range []struct {
		attrs       A
		x, w        []int64
		bias, noW   bool
		constParams bool
	}{
		{A{}, []int64{2, 3, 4, 5}, []int64{5}, true, false, true},
		{A{"axis": aInt(1), "epsilon": aFloat(0.1)}, []int64{2, 3, 5}, []int64{3, 5}, true, false, false},
		{A{"axis": aInt(0)}, []int64{3, 4}, []int64{3, 4}, true, false, true},
		{A{"axis": aInt(-2)}, []int64{2, 3, 4, 5}, []int64{4, 5}, false, false, true},
		{A{"axis": aInt(2)}, []int64{2, 3, 4, 5}, []int64{1, 5}, true, false, true}, // scale broadcast within the normalized dims
	} {
		in := []convtest.Input{f32(c.x...), {DType: ir.Float32, Shape: ir.S(c.w...), Const: c.constParams}}
		if c.bias {
			in = append(in, convtest.Input{DType: ir.Float32, Shape: ir.S(c.w...), Const: c.constParams})
		}
		convtest.Run(t, convtest.Case{Op: "onnx.LayerNormalization", Attrs: c.attrs, Inputs: in, Atol: 1e-4})
	}
	// Dynamic batch and sequence.
	convtest.Run(t, convtest.Case{Op: "onnx.LayerNormalization", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.Sym("S"), ir.D(8)}, RunShape: []int64{2, 3, 8}}, f32c(8), f32c(8),
	}, Atol: 1e-4})
	_, err := convtest.Build(convtest.Case{Op: "onnx.LayerNormalization", Inputs: []convtest.Input{f32(2, 4), f32c(4), f32c(4)}, NumOutputs: 3})
	if err == nil || !strings.Contains(err.Error(), "Mean/InvStdDev") {
		t.Fatalf("Mean output used: got %v", err)
	}
}

func TestInstanceNorm(t *testing.T) {
	convtest.Run(t, convtest.Case{Op: "onnx.InstanceNormalization", Attrs: map[string]ir.Attr{"epsilon": aFloat(0.01)}, Inputs: []convtest.Input{
		f32(2, 3, 4, 5), f32c(3), f32c(3),
	}, Atol: 1e-4})
	convtest.Run(t, convtest.Case{Op: "onnx.InstanceNormalization", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(2), ir.D(7)}, RunShape: []int64{3, 2, 7}}, f32(2), f32(2),
	}, Atol: 1e-4})
}
