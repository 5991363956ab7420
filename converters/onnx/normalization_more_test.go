package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
)

func TestRMSNorm(t *testing.T) {
	type A = map[string]ir.Attr
	for _, c := range []struct {
		attrs A
		x, w  []int64
		cw    bool
	}{
		{A{}, []int64{2, 3, 8}, []int64{8}, true},
		{A{"axis": aInt(1), "epsilon": aFloat(0.1)}, []int64{2, 3, 5}, []int64{3, 5}, false},
		{A{"axis": aInt(-2)}, []int64{2, 3, 4, 5}, []int64{1, 5}, true}, // scale broadcast within the normalized dims
		{A{"axis": aInt(0)}, []int64{3, 4}, []int64{}, true},            // scalar scale
	} {
		convtest.Run(t, convtest.Case{Op: "onnx.RMSNormalization", Opset: 23, Attrs: c.attrs,
			Inputs: []convtest.Input{f32(c.x...), {DType: ir.Float32, Shape: ir.S(c.w...), Const: c.cw}}, Atol: 1e-4})
	}
	// Float16 is normalized in float32 and cast back.
	convtest.Run(t, convtest.Case{Op: "onnx.RMSNormalization", Opset: 23, Inputs: []convtest.Input{
		{DType: ir.Float16, Shape: ir.S(2, 16)}, {DType: ir.Float16, Shape: ir.S(16), Const: true}}, Atol: 2e-3, Rtol: 2e-3})
	// Dynamic batch and sequence.
	convtest.Run(t, convtest.Case{Op: "onnx.RMSNormalization", Opset: 23, Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.Sym("S"), ir.D(8)}, RunShape: []int64{2, 3, 8}}, f32c(8),
	}, Atol: 1e-4})
	_, err := convtest.Build(convtest.Case{Op: "onnx.RMSNormalization", Opset: 23, Attrs: map[string]ir.Attr{"stash_type": aInt(int64(ir.Float64))},
		Inputs: []convtest.Input{f32(2, 4), f32c(4)}})
	if err == nil || !strings.Contains(err.Error(), "stash_type") {
		t.Fatalf("stash_type double: got %v", err)
	}
}

func TestGroupNorm(t *testing.T) {
	g := func(v int64) map[string]ir.Attr {
		return map[string]ir.Attr{"num_groups": aInt(v), "epsilon": aFloat(1e-3)}
	}
	for _, c := range []struct {
		groups int64
		x      []int64
		cw     bool
	}{
		{2, []int64{2, 4, 3, 3}, true},
		{3, []int64{1, 6, 5}, false},
		{1, []int64{2, 3, 2, 2, 2}, true},
		{4, []int64{3, 4}, true}, // rank 2: each group is one channel
	} {
		convtest.Run(t, convtest.Case{Op: "onnx.GroupNormalization", Opset: 21, Attrs: g(c.groups), Inputs: []convtest.Input{
			f32(c.x...), {DType: ir.Float32, Shape: ir.S(c.x[1]), Const: c.cw}, {DType: ir.Float32, Shape: ir.S(c.x[1]), Const: c.cw},
		}, Atol: 1e-4})
	}
	// Opset 18: scale and bias per group, the opset stamped on the node as
	// the ONNX frontend does.
	a := g(2)
	a[ops.OpsetAttr] = aInt(18)
	convtest.Run(t, convtest.Case{Op: "onnx.GroupNormalization", Opset: 18, Attrs: a, Inputs: []convtest.Input{f32(2, 6, 3, 2), f32(2), f32(2)}, Atol: 1e-4})
	// Dynamic batch and spatial dims.
	convtest.Run(t, convtest.Case{Op: "onnx.GroupNormalization", Opset: 21, Attrs: g(2), Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(4), ir.Sym("H"), ir.Sym("W")}, RunShape: []int64{3, 4, 5, 2}}, f32c(4), f32c(4),
	}, Atol: 1e-4})

	// Per-group parameters at opset 21 are a model error.
	a = g(2)
	a[ops.OpsetAttr] = aInt(21)
	_, err := convtest.Build(convtest.Case{Op: "onnx.GroupNormalization", Opset: 21, Attrs: a, Inputs: []convtest.Input{f32(1, 4, 3), f32c(2), f32c(2)}})
	if err == nil || !strings.Contains(err.Error(), "one per channel") {
		t.Fatalf("per-group scale at opset 21: got %v", err)
	}
	_, err = convtest.Build(convtest.Case{Op: "onnx.GroupNormalization", Opset: 21, Attrs: g(2), Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.D(1), ir.Sym("C"), ir.D(3)}, RunShape: []int64{1, 4, 3}}, f32(4), f32(4)}})
	if err == nil || !strings.Contains(err.Error(), "static channel dim") {
		t.Fatalf("dynamic channels: got %v", err)
	}
}
