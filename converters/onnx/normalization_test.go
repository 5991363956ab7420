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
	_, err := convtest.Build(convtest.Case{Op: "onnx.BatchNormalization", Inputs: in, NumOutputs: 3})
	if err == nil || !strings.Contains(err.Error(), "without training_mode") {
		t.Fatalf("running statistics without training mode: got %v", err)
	}
	in[1] = convtest.Input{DType: ir.Float16, Shape: ir.S(3)}
	_, err = convtest.Build(convtest.Case{Op: "onnx.BatchNormalization", Inputs: in})
	if err == nil || !strings.Contains(err.Error(), "of X's dtype is needed") && !strings.Contains(err.Error(), "float16") {
		t.Fatalf("run-time float16 scale for float32 X: got %v", err)
	}
}

// Training mode: the batch's statistics normalize, and the running ones
// blend them in with momentum (outputs 1 and 2), against the kernel.
func TestBatchNormTraining(t *testing.T) {
	v := convtest.Input{DType: ir.Float32, Shape: ir.S(3), Lo: 0.5, Hi: 2}
	for _, x := range [][]int64{{2, 3, 4, 5}, {4, 3}} {
		convtest.Run(t, convtest.Case{Op: "onnx.BatchNormalization", Opset: 15, NumOutputs: 3,
			Attrs:  map[string]ir.Attr{"training_mode": aInt(1), "momentum": aFloat(0.8), "epsilon": aFloat(0.01)},
			Inputs: []convtest.Input{f32(x...), f32c(3), f32(3), f32(3), v}, Atol: 1e-5, Rtol: 1e-4})
	}
	convtest.Run(t, convtest.Case{Op: "onnx.BatchNormalization", Opset: 15, Attrs: map[string]ir.Attr{"training_mode": aInt(1)},
		Inputs: []convtest.Input{f32(2, 3, 4), f32c(3), f32c(3), f32c(3), v}, Atol: 1e-5, Rtol: 1e-4})
}

// Statistics, scale and bias computed at run time: ElementWise layers on
// [1, C, 1...] reshapes, against the kernel, 2-D to 4-D and a dynamic batch.
func TestBatchNormRuntimeParams(t *testing.T) {
	v := convtest.Input{DType: ir.Float32, Shape: ir.S(3), Lo: 0.5, Hi: 2}
	for _, x := range [][]int64{{2, 3, 4, 5}, {2, 3}, {1, 3, 6}} {
		convtest.Run(t, convtest.Case{Op: "onnx.BatchNormalization", Attrs: map[string]ir.Attr{"epsilon": aFloat(0.01)}, Inputs: []convtest.Input{
			f32(x...), f32(3), f32c(3), f32(3), v}, Atol: 1e-5, Rtol: 1e-4})
	}
	convtest.Run(t, convtest.Case{Op: "onnx.BatchNormalization", Atol: 1e-5, Rtol: 1e-4, Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3), ir.D(2)}, RunShape: []int64{4, 3, 2}}, f32(3), f32(3), f32(3), v}})
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
}

// With Mean and InvStdDev used, LayerNormalization is ONNX's function body
// (Reduce AVG, ElementWise, SQRT, RECIP): all three outputs match the
// kernel, for float32 and for float16 (statistics in float32, the stash
// type), with and without bias, and with a dynamic batch.
func TestLayerNormStats(t *testing.T) {
	f16 := func(s ...int64) convtest.Input { return convtest.Input{DType: ir.Float16, Shape: ir.S(s...)} }
	f16c := func(s ...int64) convtest.Input {
		return convtest.Input{DType: ir.Float16, Shape: ir.S(s...), Const: true}
	}
	for _, c := range []struct {
		attrs map[string]ir.Attr
		in    []convtest.Input
		atol  float64
	}{
		{nil, []convtest.Input{f32(2, 4), f32c(4), f32c(4)}, 1e-5},
		{map[string]ir.Attr{"axis": aInt(1), "epsilon": aFloat(0.1)}, []convtest.Input{f32(2, 3, 5), f32(3, 5)}, 1e-5},
		{map[string]ir.Attr{"axis": aInt(-2)}, []convtest.Input{f16(2, 3, 4), f16c(3, 4), f16c(4)}, 2e-3},
		{nil, []convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(6)}, RunShape: []int64{3, 6}}, f32c(6), f32c(6)}, 1e-5},
	} {
		convtest.Run(t, convtest.Case{Op: "onnx.LayerNormalization", Attrs: c.attrs, Inputs: c.in, NumOutputs: 3, Opset: 17, Atol: c.atol, Rtol: 1e-3})
	}
	_, err := convtest.Build(convtest.Case{Op: "onnx.LayerNormalization", Attrs: map[string]ir.Attr{"stash_type": aInt(int64(ir.Float64))},
		Inputs: []convtest.Input{f32(2, 4), f32c(4), f32c(4)}, NumOutputs: 3, Opset: 17})
	if err == nil || !strings.Contains(err.Error(), "stash_type float64") {
		t.Fatalf("float64 stash type: got %v", err)
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
