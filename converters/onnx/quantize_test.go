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
		{Op: "onnx.QuantizeLinear", Inputs: []convtest.Input{x, {Data: ir.Scalar(ir.Float32, 1), Const: true},
			{Data: ir.FromSlice(ir.Uint16, nil, []uint16{1}), Const: true}}},
		{Op: "onnx.QuantizeLinear", Inputs: []convtest.Input{x, {Data: ir.Scalar(ir.Float32, 1), Const: true},
			{Data: ir.FromSlice(ir.Int4, nil, []int8{1}), Const: true}}},
	} {
		if _, err := convtest.Build(c); err == nil {
			t.Errorf("%s with inputs %v should fall back", c.Op, c.Inputs)
		}
	}
}

// Symmetric Q/DQ become TensorRT's quantize and dequantize layers and equal
// the kernels bit for bit: int8 per tensor (a zero point of 0 or none),
// per-axis weights, float8e4m3fn, int4 and float4e2m1 weights, blocked
// int4 weights. Low-bit tensors never cross an engine boundary, so the
// float8/int4/float4 cases dequantize constants.
func TestQuantizeLayers(t *testing.T) {
	axis := func(a int64) map[string]ir.Attr { return map[string]ir.Attr{"axis": {Kind: ir.AttrInt, I: a}} }
	scale := convtest.Input{Data: ir.FromSlice(ir.Float32, nil, []float32{0.05}), Const: true}
	zero8 := convtest.Input{Data: ir.FromSlice(ir.Int8, nil, []int8{0}), Const: true}
	x := convtest.Input{DType: ir.Float32, Shape: ir.S(2, 3, 4), Lo: -10, Hi: 10}
	lowBit := func(dt ir.DType, shape []int64, seed int) *ir.Tensor {
		w := ir.NewTensor(dt, shape)
		for i := range int(w.Numel()) {
			w.SetFloat(i, float64((i*7+seed)%15-7)*0.75) // saturating conversions: every value is one of dt's
		}
		return w
	}
	for _, c := range []struct {
		name string
		c    convtest.Case
	}{
		{"Q int8 zero point 0", convtest.Case{Op: "onnx.QuantizeLinear", Inputs: []convtest.Input{x, scale, zero8}}},
		{"Q float16 to int8", convtest.Case{Op: "onnx.QuantizeLinear", Inputs: []convtest.Input{
			{DType: ir.Float16, Shape: ir.S(2, 3, 4), Lo: -10, Hi: 10},
			{Data: ir.FromSlice(ir.Float16, nil, []uint16{ir.FloatToHalf(0.05)}), Const: true}, zero8}}},
		{"DQ int8 to float16", convtest.Case{Op: "onnx.DequantizeLinear", Inputs: []convtest.Input{
			{DType: ir.Int8, Shape: ir.S(2, 3, 4), Lo: -128, Hi: 127},
			{Data: ir.FromSlice(ir.Float16, nil, []uint16{ir.FloatToHalf(0.05)}), Const: true}}}},
		{"DQ int8 no zero point", convtest.Case{Op: "onnx.DequantizeLinear", Inputs: []convtest.Input{{DType: ir.Int8, Shape: ir.S(2, 3, 4), Lo: -128, Hi: 127}, scale}}},
		{"DQ int8 per-axis weights", convtest.Case{Op: "onnx.DequantizeLinear", Attrs: axis(0), Inputs: []convtest.Input{
			{Data: ir.FromSlice(ir.Int8, []int64{3, 2}, []int8{-128, 127, 5, -5, 0, 64}), Const: true},
			{Data: ir.FromSlice(ir.Float32, []int64{3}, []float32{0.5, 0.25, 3}), Const: true},
			{Data: ir.FromSlice(ir.Int8, []int64{3}, []int8{0, 0, 0}), Const: true}}}},
		{"DQ float8e4m3fn weights per axis", convtest.Case{Op: "onnx.DequantizeLinear", Attrs: axis(1), Inputs: []convtest.Input{
			{Data: lowBit(ir.Float8E4M3FN, []int64{2, 3}, 1), Const: true},
			{Data: ir.FromSlice(ir.Float32, []int64{3}, []float32{0.5, 0.25, 3}), Const: true}}}},
		{"DQ int4 weights", convtest.Case{Op: "onnx.DequantizeLinear", Inputs: []convtest.Input{
			{Data: lowBit(ir.Int4, []int64{4, 3}, 2), Const: true}, scale}}},
		{"DQ float4e2m1 weights", convtest.Case{Op: "onnx.DequantizeLinear", Inputs: []convtest.Input{
			{Data: lowBit(ir.Float4E2M1, []int64{4, 3}, 3), Const: true}, scale}}},
		{"DQ int4 blocked weights", convtest.Case{Op: "onnx.DequantizeLinear",
			Attrs: map[string]ir.Attr{"axis": {Kind: ir.AttrInt, I: 0}, "block_size": {Kind: ir.AttrInt, I: 2}},
			Inputs: []convtest.Input{{Data: lowBit(ir.Int4, []int64{4, 3}, 4), Const: true},
				{Data: ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, 2, 3, 0.5, 0.25, 8}), Const: true}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.c.Atol, c.c.Rtol = exact, exact
			r := convtest.Run(t, c.c)
			if r != nil && r.Converter.Name != c.c.Op {
				t.Errorf("converted by %s, want the Q/DQ layer converter %s", r.Converter.Name, c.c.Op)
			}
		})
	}
}

// Zero points TensorRT refuses (uint8, nonzero int8) take the emulation.
func TestQuantizeAsymmetricEmulated(t *testing.T) {
	x := convtest.Input{DType: ir.Float32, Shape: ir.S(2, 3), Lo: -10, Hi: 10}
	scale := convtest.Input{Data: ir.FromSlice(ir.Float32, nil, []float32{0.05}), Const: true}
	for _, zp := range []*ir.Tensor{ir.FromSlice(ir.Uint8, nil, []uint8{0}), ir.FromSlice(ir.Int8, nil, []int8{3})} {
		r := convtest.Run(t, convtest.Case{Op: "onnx.QuantizeLinear", Atol: exact, Rtol: exact,
			Inputs: []convtest.Input{x, scale, {Data: zp, Const: true}}})
		if r != nil && r.Converter.Name != "onnx.QuantizeLinear.emulated" {
			t.Errorf("zero point %v: converted by %s, want the emulation", zp.DType, r.Converter.Name)
		}
	}
}

// Run-time scales and zero points (the node suite's form: graph inputs),
// per tensor and per axis, through the emulation: the same float32
// division, so exact.
func TestQuantizeRuntimeScale(t *testing.T) {
	axis := map[string]ir.Attr{"axis": {Kind: ir.AttrInt, I: 1}}
	for _, per := range []int64{1, 3} {
		scale := convtest.Input{DType: ir.Float32, Shape: ir.S(per), Lo: 0.01, Hi: 0.5}
		zp := convtest.Input{DType: ir.Uint8, Shape: ir.S(per), Lo: 0, Hi: 255}
		if per == 1 {
			scale.Shape, zp.Shape = ir.S(), ir.S()
		}
		x := convtest.Input{DType: ir.Float32, Shape: ir.S(2, 3, 4), Lo: -10, Hi: 10}
		convtest.Run(t, convtest.Case{Op: "onnx.QuantizeLinear", Attrs: axis, Inputs: []convtest.Input{x, scale, zp}, Atol: exact, Rtol: exact})
		q := convtest.Input{DType: ir.Uint8, Shape: ir.S(2, 3, 4), Lo: 0, Hi: 255}
		convtest.Run(t, convtest.Case{Op: "onnx.DequantizeLinear", Attrs: axis, Inputs: []convtest.Input{q, scale, zp}, Atol: exact, Rtol: exact})
	}
}

func TestDynamicQuantizeLinear(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
	}{{-3, 5}, {0.5, 4}, {-6, -1}} { // both signs, all positive (min widened to 0), all negative
		convtest.Run(t, convtest.Case{Op: "onnx.DynamicQuantizeLinear", NumOutputs: 3, Atol: exact, Rtol: exact,
			Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(3, 4), Lo: c.lo, Hi: c.hi}}})
	}
	// all zero: a zero scale
	convtest.Run(t, convtest.Case{Op: "onnx.DynamicQuantizeLinear", NumOutputs: 3, Atol: exact, Rtol: exact,
		Inputs: []convtest.Input{{Data: ir.NewTensor(ir.Float32, []int64{2, 2})}}})
}

func TestIntegerMatMul(t *testing.T) {
	u8 := func(shape ...int64) convtest.Input {
		return convtest.Input{DType: ir.Uint8, Shape: ir.S(shape...), Lo: 0, Hi: 255}
	}
	i8 := func(shape ...int64) convtest.Input {
		return convtest.Input{DType: ir.Int8, Shape: ir.S(shape...), Lo: -128, Hi: 127}
	}
	zpU := convtest.Input{Data: ir.FromSlice(ir.Uint8, nil, []uint8{128}), Const: true}
	zpI := convtest.Input{Data: ir.FromSlice(ir.Int8, nil, []int8{-3}), Const: true}
	convtest.Run(t, convtest.Case{Op: "onnx.MatMulInteger", Atol: exact, Rtol: exact, Inputs: []convtest.Input{u8(4, 258), u8(258, 3), zpU, zpU}})
	convtest.Run(t, convtest.Case{Op: "onnx.MatMulInteger", Atol: exact, Rtol: exact, Inputs: []convtest.Input{i8(2, 3, 5), i8(5, 2), zpI}})
	sc := func(v float32) convtest.Input {
		return convtest.Input{Data: ir.FromSlice(ir.Float32, nil, []float32{v}), Const: true}
	}
	// y scale 1/4 of a*b: results spread over the uint8 range and clamp.
	convtest.Run(t, convtest.Case{Op: "onnx.QLinearMatMul", Atol: exact, Rtol: exact, Inputs: []convtest.Input{
		u8(3, 4), sc(0.02), zpU, u8(4, 5), sc(0.03), zpU, sc(0.15), {Data: ir.FromSlice(ir.Uint8, nil, []uint8{100}), Const: true}}})
	convtest.Run(t, convtest.Case{Op: "onnx.QLinearMatMul", Atol: exact, Rtol: exact, Inputs: []convtest.Input{
		i8(2, 3, 4), sc(0.05), zpI, i8(4, 2), sc(0.1), zpI, sc(0.7), zpI}})
	if _, err := convtest.Build(convtest.Case{Op: "onnx.MatMulInteger", Inputs: []convtest.Input{u8(2, 259), u8(259, 2)}}); err == nil {
		t.Error("MatMulInteger with K=259 should fall back: its sums can pass 2^24")
	}
}

// QLinearConv with symmetric int8 and constant weights becomes Dequantize,
// Convolution (dequantized kernel input), Quantize. The kernel requantizes
// an exact integer sum in float64, the layers a float32 sum of dequantized
// products: at most one step apart (atol 1 on int8 values), and this case
// is checked to differ in few elements.
func TestQLinearConvQDQ(t *testing.T) {
	w := ir.NewTensor(ir.Int8, []int64{4, 3, 3, 3})
	wv := ir.View[int8](w)
	for i := range wv {
		wv[i] = int8((i*37)%255 - 127)
	}
	bias := ir.FromSlice(ir.Int32, []int64{4}, []int32{100, -2000, 0, 35000})
	sc := func(v ...float32) convtest.Input {
		shape := []int64{int64(len(v))}
		if len(v) == 1 {
			shape = nil
		}
		return convtest.Input{Data: ir.FromSlice(ir.Float32, shape, v), Const: true}
	}
	z := convtest.Input{Data: ir.FromSlice(ir.Int8, nil, []int8{0}), Const: true}
	zw := convtest.Input{Data: ir.FromSlice(ir.Int8, []int64{4}, []int8{0, 0, 0, 0}), Const: true}
	pads := map[string]ir.Attr{"pads": {Kind: ir.AttrInts, Ints: []int64{1, 1, 1, 1}}}
	r := convtest.Run(t, convtest.Case{Op: "onnx.QLinearConv", Attrs: pads, Atol: 1, Rtol: 0, Inputs: []convtest.Input{
		{DType: ir.Int8, Shape: ir.S(1, 3, 6, 6), Lo: -128, Hi: 127}, sc(0.02), z,
		{Data: w, Const: true}, sc(0.01, 0.02, 0.005, 0.03), zw, sc(0.5), z, {Data: bias, Const: true}}})
	if r != nil && r.Converter.Name != "onnx.QLinearConv" {
		t.Errorf("converted by %s", r.Converter.Name)
	}
	if r != nil {
		diff := 0
		for i := range int(r.Engine[0].Numel()) {
			if r.Engine[0].Float(i) != r.Fallback[0].Float(i) {
				diff++
			}
		}
		t.Logf("%d of %d int8 outputs one step from the kernel's", diff, r.Engine[0].Numel())
		if diff*20 > int(r.Engine[0].Numel()) {
			t.Errorf("%d of %d outputs differ from the kernel's: more than rounding ties explain", diff, r.Engine[0].Numel())
		}
	}
	// uint8 (asymmetric) stays a kernel
	if _, err := convtest.Build(convtest.Case{Op: "onnx.QLinearConv", Inputs: []convtest.Input{
		{DType: ir.Uint8, Shape: ir.S(1, 3, 6, 6)}, sc(0.02), {Data: ir.FromSlice(ir.Uint8, nil, []uint8{128}), Const: true},
		{Data: w, Const: true}, sc(0.01), z, sc(0.5), {Data: ir.FromSlice(ir.Uint8, nil, []uint8{128}), Const: true}}}); err == nil {
		t.Error("uint8 QLinearConv should fall back")
	}
}

// A dynamic batch: the reduction covers every dim whatever the run shape.
func TestDynamicQuantizeLinearDynamic(t *testing.T) {
	convtest.Run(t, convtest.Case{Op: "onnx.DynamicQuantizeLinear", NumOutputs: 3, Atol: exact, Rtol: exact,
		Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(5)}, RunShape: []int64{3, 5}, Lo: -2, Hi: 7}}})
}
