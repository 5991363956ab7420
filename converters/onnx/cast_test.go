package onnx_test

import (
	"math"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func toAttr(dt ir.DType) map[string]ir.Attr {
	return map[string]ir.Attr{"to": {Kind: ir.AttrInt, I: int64(dt)}}
}

func TestCastPairs(t *testing.T) {
	dts := []ir.DType{ir.Float32, ir.Float16, ir.BFloat16, ir.Int32, ir.Int64, ir.Bool, ir.Uint8, ir.Int8}
	for _, from := range dts {
		for _, to := range dts {
			lo, hi := -50.0, 50.0
			if from == ir.Uint8 || to == ir.Uint8 {
				lo = 0 // negative to unsigned is undefined in ONNX
			}
			convtest.Run(t, convtest.Case{Op: "onnx.Cast", Attrs: toAttr(to), Inputs: []convtest.Input{
				{DType: from, Shape: ir.S(3, 4), Lo: lo, Hi: hi},
			}})
		}
	}
}

func TestCastTruncatesAndSameTypeIsFree(t *testing.T) {
	x := ir.FromSlice(ir.Float32, []int64{5}, []float32{2.7, -2.7, 0.5, float32(math.NaN()), -0.0})
	r := convtest.Run(t, convtest.Case{Op: "onnx.Cast", Attrs: toAttr(ir.Int32), Inputs: []convtest.Input{{Data: x}}})
	if g := ir.View[int32](r.Engine[0]); g[0] != 2 || g[1] != -2 || g[2] != 0 || g[3] != 0 {
		t.Errorf("cast to int32 = %v", g)
	}
	r = convtest.Run(t, convtest.Case{Op: "onnx.Cast", Attrs: toAttr(ir.Bool), Inputs: []convtest.Input{{Data: x}}})
	if g := ir.View[uint8](r.Engine[0]); g[3] != 1 || g[4] != 0 {
		t.Errorf("cast to bool = %v (NaN is true, -0 false)", g)
	}
	r = convtest.Run(t, convtest.Case{Op: "onnx.Cast", Attrs: toAttr(ir.Float32), Inputs: []convtest.Input{{Data: x}}})
	if r.Layers != 0 {
		t.Errorf("cast to the same dtype added %d layers", r.Layers)
	}
}

func TestCastLikeAndDynamic(t *testing.T) {
	convtest.Run(t, convtest.Case{Op: "onnx.CastLike", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.S(2, 3)}, {DType: ir.Float16, Shape: ir.S(1), Const: true},
	}, Atol: 1e-3, Rtol: 1e-3})
	convtest.Run(t, convtest.Case{Op: "onnx.Cast", Attrs: toAttr(ir.Int64), Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3)}, RunShape: []int64{4, 3}, Lo: -9, Hi: 9},
	}})
}

func TestCastRejectsNonTensorRTTypes(t *testing.T) {
	for _, c := range []convtest.Case{
		{Op: "onnx.Cast", Attrs: toAttr(ir.Float64), Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(3)}}},
		{Op: "onnx.Cast", Attrs: toAttr(ir.Float32), Inputs: []convtest.Input{{DType: ir.Float64, Shape: ir.S(3)}}},
		{Op: "onnx.Cast", Attrs: toAttr(ir.Uint16), Inputs: []convtest.Input{{DType: ir.Int32, Shape: ir.S(3)}}},
	} {
		if _, err := convtest.Build(c); err == nil {
			t.Errorf("Cast %v -> %v should fall back", c.Inputs[0].DType, ir.DType(c.Attrs["to"].I))
		}
	}
}

// TensorRT's addConstant refuses Uint8 and casts Uint8 only from and to
// Float32/Float16 (finding 6 of issue 8): a Uint8 initializer becomes a
// Float32 constant cast to Uint8, and other pairs go through Float32, so
// the nodes still convert, with exact values.
func TestUint8ConstantsAndCasts(t *testing.T) {
	u := ir.FromSlice(ir.Uint8, []int64{4}, []uint8{0, 1, 200, 255})
	for _, to := range []ir.DType{ir.Int64, ir.Int32, ir.Float16, ir.Bool, ir.Int8} {
		r := convtest.Run(t, convtest.Case{Op: "onnx.Cast", Attrs: toAttr(to), Inputs: []convtest.Input{{Data: u, Const: true}}})
		if r.Layers == 0 {
			t.Errorf("uint8 constant to %v: no layers", to)
		}
		if to == ir.Int64 {
			if g := ir.View[int64](r.Engine[0]); g[2] != 200 || g[3] != 255 {
				t.Errorf("uint8 constant to int64 = %v", g)
			}
		}
	}
	// Integers wrap modulo 256 on the way to Uint8, as ONNX's cast does.
	i := ir.FromSlice(ir.Int64, []int64{4}, []int64{0, 17, 255, -56})
	r := convtest.Run(t, convtest.Case{Op: "onnx.Cast", Attrs: toAttr(ir.Uint8), Inputs: []convtest.Input{{Data: i}}})
	if g := ir.View[uint8](r.Engine[0]); g[1] != 17 || g[2] != 255 || g[3] != 200 {
		t.Errorf("int64 to uint8 = %v", g)
	}
}
