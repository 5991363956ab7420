package onnx_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func floatsC(v ...float32) convtest.Input {
	return convtest.Input{Const: true, Data: ir.FromSlice(ir.Float32, []int64{int64(len(v))}, v)}
}

func TestResizeModes(t *testing.T) {
	x := convtest.Input{DType: ir.Float32, Shape: ir.S(1, 2, 4, 5)}
	absent := convtest.Input{Absent: true}
	attrs := func(kv ...string) map[string]ir.Attr {
		a := map[string]ir.Attr{}
		for i := 0; i < len(kv); i += 2 {
			a[kv[i]] = sattr(kv[i+1])
		}
		return a
	}
	for _, sc := range []convtest.Input{floatsC(1, 1, 2, 3), floatsC(1, 1, 0.5, 0.6), floatsC(1, 1, 1.5, 0.8)} {
		for _, nm := range []string{"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"} {
			for _, ct := range []string{"half_pixel", "asymmetric", "pytorch_half_pixel"} {
				convtest.Run(t, convtest.Case{Op: "onnx.Resize", Attrs: attrs("mode", "nearest", "nearest_mode", nm, "coordinate_transformation_mode", ct),
					Inputs: []convtest.Input{x, absent, sc}})
			}
		}
		for _, mode := range []string{"linear", "cubic"} {
			for _, ct := range []string{"half_pixel", "asymmetric", "pytorch_half_pixel"} {
				convtest.Run(t, convtest.Case{Op: "onnx.Resize", Attrs: attrs("mode", mode, "coordinate_transformation_mode", ct),
					Inputs: []convtest.Input{x, absent, sc}})
			}
		}
	}
	// Cubic with another coefficient and exclude_outside.
	a := attrs("mode", "cubic")
	a["cubic_coeff_a"], a["exclude_outside"] = fattr(-0.5), iattr(1)
	convtest.Run(t, convtest.Case{Op: "onnx.Resize", Attrs: a, Inputs: []convtest.Input{x, absent, floatsC(1, 1, 0.75, 1.6)}})
	// align_corners where dim*scale is whole, and with sizes.
	for _, mode := range []string{"nearest", "linear", "cubic"} {
		a := attrs("mode", mode, "coordinate_transformation_mode", "align_corners")
		convtest.Run(t, convtest.Case{Op: "onnx.Resize", Attrs: a, Inputs: []convtest.Input{x, absent, floatsC(1, 1, 2, 0.4)}})
		convtest.Run(t, convtest.Case{Op: "onnx.Resize", Attrs: a, Inputs: []convtest.Input{x, absent, absent, {Const: true, Data: ints(1, 2, 7, 3)}}})
		// pytorch_half_pixel with an output dim of 1.
		convtest.Run(t, convtest.Case{Op: "onnx.Resize", Attrs: attrs("mode", mode, "coordinate_transformation_mode", "pytorch_half_pixel"),
			Inputs: []convtest.Input{x, absent, absent, {Const: true, Data: ints(1, 2, 1, 3)}}})
	}
	// Axes (opset 18) with sizes; integer data in nearest mode.
	a = attrs("mode", "linear")
	a["axes"] = iattrs(3, 2)
	convtest.Run(t, convtest.Case{Op: "onnx.Resize", Attrs: a, Inputs: []convtest.Input{x, absent, absent, {Const: true, Data: ints(9, 3)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Resize", Inputs: []convtest.Input{{DType: ir.Int32, Shape: ir.S(2, 3, 3)}, absent, floatsC(1, 2, 1.5)}})
}

func TestResizeDynamicAndOldForms(t *testing.T) {
	dyn := convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(2), ir.Sym("H"), ir.Sym("W")}, RunShape: []int64{2, 2, 3, 5}}
	absent := convtest.Input{Absent: true}
	lin := map[string]ir.Attr{"mode": sattr("linear")}
	convtest.Run(t, convtest.Case{Op: "onnx.Resize", Attrs: lin, Inputs: []convtest.Input{dyn, absent, floatsC(1, 1, 2, 0.5)}})
	// Constant sizes for a dynamic input (the batch dim is copied through
	// a shape tensor), and run-time sizes.
	a := map[string]ir.Attr{"mode": sattr("nearest"), "axes": iattrs(2, 3)}
	convtest.Run(t, convtest.Case{Op: "onnx.Resize", Attrs: a, Inputs: []convtest.Input{dyn, absent, absent, {Const: true, Data: ints(4, 4)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Resize", Inputs: []convtest.Input{dyn, absent, absent, {DType: ir.Int64, Shape: ir.S(4), Data: ints(2, 2, 7, 2)}}})
	// Opset 10 (X, scales), Upsample-7 (attribute) and Upsample-9 (input).
	convtest.Run(t, convtest.Case{Op: "onnx.Resize", Opset: 10, Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(1, 1, 2, 3)}, floatsC(1, 1, 2, 1.5)}})
	convtest.Run(t, convtest.Case{Op: "onnx.Upsample", Opset: 7, Attrs: map[string]ir.Attr{"scales": {Kind: ir.AttrFloats, Floats: []float32{1, 1, 2, 3}}},
		Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(1, 1, 2, 2)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Upsample", Opset: 9, Attrs: lin, Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(1, 2, 2, 3)}, floatsC(1, 1, 2, 2)}})
}

func TestResizeRejections(t *testing.T) {
	x := convtest.Input{DType: ir.Float32, Shape: ir.S(2, 2, 4, 5)}
	absent := convtest.Input{Absent: true}
	for name, c := range map[string]convtest.Case{
		"tf_crop_and_resize": {Attrs: map[string]ir.Attr{"coordinate_transformation_mode": sattr("tf_crop_and_resize")}, Inputs: []convtest.Input{x, floatsC(0, 0, 0, 0, 1, 1, 1, 1), floatsC(1, 1, 2, 2)}},
		"antialias":          {Attrs: map[string]ir.Attr{"mode": sattr("linear"), "antialias": iattr(1)}, Inputs: []convtest.Input{x, absent, floatsC(1, 1, 0.5, 0.5)}},
		"keep_aspect":        {Attrs: map[string]ir.Attr{"keep_aspect_ratio_policy": sattr("not_larger")}, Inputs: []convtest.Input{x, absent, absent, {Const: true, Data: ints(2, 2, 8, 8)}}},
		"cubic_on_channels":  {Attrs: map[string]ir.Attr{"mode": sattr("cubic")}, Inputs: []convtest.Input{x, absent, floatsC(1, 2, 2, 2)}},
		"align_corners_frac": {Attrs: map[string]ir.Attr{"mode": sattr("linear"), "coordinate_transformation_mode": sattr("align_corners")}, Inputs: []convtest.Input{x, absent, floatsC(1, 1, 0.6, 1)}},
		"runtime_scales":     {Inputs: []convtest.Input{x, absent, {DType: ir.Float32, Shape: ir.S(4), Data: ir.FromSlice(ir.Float32, []int64{4}, []float32{1, 1, 2, 2})}}},
		"linear_runtime_5d": {Attrs: map[string]ir.Attr{"mode": sattr("linear")}, Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(1, 1, 2, 2, 2)}, absent, absent,
			{DType: ir.Int64, Shape: ir.S(5), Data: ints(1, 1, 3, 3, 3)}}},
	} {
		c.Op = "onnx.Resize"
		if _, err := convtest.Build(c); err == nil {
			t.Errorf("%s: converted", name)
		}
	}
}

// TensorRT resizes floats only ("Int32 tensors are not valid input
// tensors.", addResize): integer data is resized through Float32, Int32 and
// Int64 in chunks that Float32 holds exactly, so values past 2^24 survive
// (finding 5 of issue 8).
func TestResizeIntegersExact(t *testing.T) {
	absent := convtest.Input{Absent: true}
	cases := []*ir.Tensor{
		ir.FromSlice(ir.Int64, []int64{1, 2, 3}, []int64{math.MaxInt64, math.MinInt64, 1<<62 + 12345, -(1<<53 + 1), 0, -1}),
		ir.FromSlice(ir.Int32, []int64{1, 2, 3}, []int32{math.MaxInt32, math.MinInt32, 1<<24 + 1, -(1<<24 + 3), 0, -1}),
		ir.FromSlice(ir.Uint8, []int64{1, 2, 3}, []uint8{255, 0, 7, 128, 1, 254}),
		ir.FromSlice(ir.Int8, []int64{1, 2, 3}, []int8{127, -128, 7, -1, 0, 1}),
	}
	for _, x := range cases {
		r := convtest.Run(t, convtest.Case{Op: "onnx.Resize", Inputs: []convtest.Input{{Data: x}, absent, floatsC(1, 2, 2)}})
		got, want := r.Engine[0], r.Fallback[0]
		if got.DType != x.DType || !bytes.Equal(got.Data, want.Data) {
			t.Errorf("%v resize: engine %v, CPU kernel %v", x.DType, got, want)
		}
		if v := got.Int(0); v != x.Int(0) {
			t.Errorf("%v resize: first element %d, want %d", x.DType, v, x.Int(0))
		}
	}
}
