package onnx_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// exact is a tolerance no float rounding difference fits in.
const exact = 1e-30

// Q and DQ engines equal the kernels exactly: same float32 division, round
// half to even, clamp.
func TestQuantizeDequantize(t *testing.T) {
	axis := func(a int64) map[string]ir.Attr { return map[string]ir.Attr{"axis": {Kind: ir.AttrInt, I: a}} }
	scale := ir.FromSlice(ir.Float32, nil, []float32{0.05})
	perAxis := ir.FromSlice(ir.Float32, []int64{3}, []float32{0.02, 0.1, 0.7})
	for _, c := range []struct {
		name  string
		scale *ir.Tensor
		zp    *ir.Tensor
		attrs map[string]ir.Attr
	}{
		{"per-tensor int8", scale, ir.FromSlice(ir.Int8, nil, []int8{3}), nil},
		{"per-tensor uint8", scale, ir.FromSlice(ir.Uint8, nil, []uint8{128}), nil},
		{"no zero point", scale, nil, nil},
		{"per-axis int8", perAxis, ir.FromSlice(ir.Int8, []int64{3}, []int8{0, -5, 7}), axis(1)},
		{"per-axis negative axis", perAxis, ir.FromSlice(ir.Uint8, []int64{3}, []uint8{0, 5, 250}), axis(-3)},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 3, 4), Lo: -10, Hi: 10}, {Data: c.scale, Const: true}}
			if c.name == "per-axis negative axis" {
				in[0].Shape = ir.S(2, 3, 4, 5)
			}
			if c.zp != nil {
				in = append(in, convtest.Input{Data: c.zp, Const: true})
			}
			convtest.Run(t, convtest.Case{Op: "onnx.QuantizeLinear", Attrs: c.attrs, Inputs: in, Atol: exact, Rtol: exact})
			qdt := ir.Uint8
			if c.zp != nil {
				qdt = c.zp.DType
			}
			in[0] = convtest.Input{DType: qdt, Shape: in[0].Shape, Lo: -128, Hi: 127}
			if qdt == ir.Uint8 {
				in[0].Lo, in[0].Hi = 0, 255
			}
			convtest.Run(t, convtest.Case{Op: "onnx.DequantizeLinear", Attrs: c.attrs, Inputs: in, Atol: exact, Rtol: exact})
		})
	}
}

func TestQuantizeRejections(t *testing.T) {
	x := convtest.Input{DType: ir.Float32, Shape: ir.S(2, 4)}
	for _, c := range []convtest.Case{
		{Op: "onnx.QuantizeLinear", Attrs: map[string]ir.Attr{"block_size": {Kind: ir.AttrInt, I: 2}}, Inputs: []convtest.Input{x,
			{Data: ir.FromSlice(ir.Float32, []int64{2, 2}, []float32{1, 1, 1, 1}), Const: true}}},
		{Op: "onnx.QuantizeLinear", Inputs: []convtest.Input{x, {DType: ir.Float32, Shape: ir.S()}}},
		{Op: "onnx.QuantizeLinear", Inputs: []convtest.Input{x, {Data: ir.Scalar(ir.Float32, 1), Const: true},
			{Data: ir.FromSlice(ir.Int4, nil, []int8{1}), Const: true}}},
	} {
		if _, err := convtest.Build(c); err == nil {
			t.Errorf("%s with inputs %v should fall back", c.Op, c.Inputs)
		}
	}
}
