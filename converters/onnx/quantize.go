package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// QuantizeLinear and DequantizeLinear, two ways, tried in this order:
//
//  1. As TensorRT's IQuantizeLayer / IDequantizeLayer (onnx-tensorrt's
//     mapping): symmetric quantization only (no zero point, or a constant
//     zero point of zeros) to or from the types TensorRT quantizes to,
//     int8, float8e4m3fn (kFP8), int4 and float4e2m1 (kFP4); per tensor,
//     per axis (weights only: the input is a constant) or blocked
//     (block_size; int4, and float8/float4 from TensorRT 11). The scale is
//     a constant (TensorRT before 10.13 requires it; later releases take a
//     run-time scale, and so does this converter, the reference backend
//     refusing it for an older target). float8 Q always saturates in
//     TensorRT, so saturate=0 is not converted. The layer rules are
//     pkg/network/kinddef's (quant_*); a node whose layer breaks one falls
//     back at build time.
//  2. Otherwise, for int8 and uint8 with a constant scale and zero point
//     (ONNX Runtime's default uint8 asymmetric activations, which TensorRT
//     cannot quantize), as their arithmetic in float32 inside the engine
//     ("fake quantization"):
//
//	Q:  Cast(min(max(round(x / scale) + zp, lo), hi), int8|uint8)
//	DQ: (Cast(x, float32) - zp) * scale
//
//     from ElementWise DIV, Unary ROUND (half to even, as ONNX rounds),
//     ElementWise SUM/MAX/MIN/SUB/PROD and Cast. The result equals the
//     kernel bit for bit (same float32 division, every value cast to the
//     integer type already an integer in range), but TensorRT runs these
//     layers in float: such a model gets no int8 kernels.
//
// Everything else (16-bit and 2-bit types, float8 e5m2 and the FNUZ
// types, which TensorRT has no DataType for) falls back with the reason.

func init() {
	builtins = append(builtins,
		conversion.Converter{
			Target: "onnx.QuantizeLinear", DynamicShapes: true, LowBit: true, Validator: validateQDQLayer,
			Description: "QuantizeLinear as IQuantizeLayer (symmetric int8, float8e4m3fn, int4, float4e2m1; per tensor, per axis on weights, blocked)",
			Convert:     convertQDQLayer,
		},
		conversion.Converter{
			Target: "onnx.DequantizeLinear", DynamicShapes: true, LowBit: true, Validator: validateQDQLayer,
			Description: "DequantizeLinear as IDequantizeLayer (symmetric int8, float8e4m3fn, int4, float4e2m1; per tensor, per axis on weights, blocked)",
			Convert:     convertQDQLayer,
		},
		conversion.Converter{
			Name:   "onnx.QuantizeLinear.emulated",
			Target: "onnx.QuantizeLinear", DynamicShapes: true, Validator: validateQDQ,
			Description: "QuantizeLinear as DIV, ROUND, SUM, MAX, MIN and a Cast to int8/uint8 (float32 fake quantization, for zero points TensorRT's layer refuses)",
			Convert:     convertQuantize,
		},
		conversion.Converter{
			Name:   "onnx.DequantizeLinear.emulated",
			Target: "onnx.DequantizeLinear", DynamicShapes: true, Validator: validateQDQ,
			Description: "DequantizeLinear as a Cast to float32, SUB and PROD (float32 fake quantization, for zero points TensorRT's layer refuses)",
			Convert:     convertDequantize,
		})
}

// trtQuantTypes are the dtypes IQuantizeLayer produces.
var trtQuantTypes = []ir.DType{ir.Int8, ir.Float8E4M3FN, ir.Int4, ir.Float4E2M1}

// qdqSides gives a Q/DQ node's quantized and float dtypes.
func qdqSides(n *conversion.Node) (q, f ir.DType) {
	if n.Op == "onnx.QuantizeLinear" {
		return n.Out[0].DType, n.In[0].DType
	}
	return n.In[0].DType, n.Out[0].DType
}

func validateQDQLayer(n *conversion.Node) error {
	if len(n.In) < 2 || n.In[0] == nil || n.In[1] == nil {
		return fmt.Errorf("needs x and scale")
	}
	q, f := qdqSides(n)
	if !dtypeOK(q, trtQuantTypes) {
		return fmt.Errorf("quantized type %v: TensorRT's Q/DQ layers take int8, float8e4m3fn, int4 and float4e2m1", q)
	}
	if !dtypeOK(f, floats) {
		return fmt.Errorf("float side is %v, want float32, float16 or bfloat16", f)
	}
	if n.In[1].DType != f {
		return fmt.Errorf("scale is %v and the float side %v: TensorRT takes a scale of the input's type", n.In[1].DType, f)
	}
	if len(n.In[0].Shape) == 0 {
		return fmt.Errorf("a scalar input: TensorRT's Q/DQ layers take tensors of rank 1 or more")
	}
	if len(n.In) > 2 && n.In[2] != nil {
		zp := n.Const(2)
		if zp == nil {
			return fmt.Errorf("zero point is not a constant")
		}
		for i := range int(zp.Numel()) {
			if zp.Float(i) != 0 {
				return fmt.Errorf("zero point %g: TensorRT quantizes symmetrically (zero points of 0 only)", zp.Float(i))
			}
		}
	}
	if n.Op == "onnx.QuantizeLinear" && n.AttrInt("saturate", 1) == 0 && q == ir.Float8E4M3FN {
		return fmt.Errorf("saturate=0: TensorRT's float8 quantization saturates at ±448")
	}
	if s := n.Const(1); s != nil {
		for i := range int(s.Numel()) {
			if !(s.Float(i) > 0) {
				return fmt.Errorf("scale %g: TensorRT takes positive scales only", s.Float(i))
			}
		}
	}
	sc := n.In[1].Shape
	if block := n.AttrInt("block_size", 0); block != 0 {
		if q == ir.Int8 {
			return fmt.Errorf("blocked quantization (block_size %d) of int8: TensorRT blocks int4, float8e4m3fn and float4e2m1 only", block)
		}
		if a := qdqAxis(n); block < 0 || a < 0 || a >= len(n.In[0].Shape) || len(sc) != len(n.In[0].Shape) {
			return fmt.Errorf("blocked quantization: block_size %d, axis %d, scale %v for input %v", block, n.AttrInt("axis", 1), sc, n.In[0].Shape)
		}
		return nil
	}
	if len(sc) > 1 {
		return fmt.Errorf("scale %v of rank %d without block_size", sc, len(sc))
	}
	if len(sc) == 1 && !(sc[0].Static() && sc[0].Size == 1) && n.Const(0) == nil {
		return fmt.Errorf("per-axis scale on an input that is not a constant: TensorRT quantizes activations per tensor")
	}
	return nil
}

// qdqInput is the node's input 0. Constant int4 and float4 weights become
// a float32 constant of their values quantized with a scale of 1 to the
// low type (exact: the values are the type's own): the shim writes
// whole-byte weights only, and TensorRT folds the constant quantize.
func qdqInput(ctx *conversion.Context, n *conversion.Node, q ir.DType) network.Tensor {
	w := n.Const(0)
	if n.Op != "onnx.DequantizeLinear" || w == nil || (q != ir.Int4 && q != ir.Float4E2M1) {
		return ctx.Input(n, 0)
	}
	f := ir.NewTensor(ir.Float32, w.Shape)
	v := ir.View[float32](f)
	for i := range v {
		v[i] = float32(w.Float(i))
	}
	one := ctx.Net.AddConstant(ir.FromSlice(ir.Float32, nil, []float32{1}))
	return ctx.Net.AddQuantize(ctx.Net.AddConstant(f), one, nil, network.QuantizeParams{Axis: -1, ToType: q})
}

func convertQDQLayer(ctx *conversion.Context, n *conversion.Node) error {
	q, f := qdqSides(n)
	rank := len(n.In[0].Shape)
	p := network.QuantizeParams{Axis: -1}
	sc := n.In[1].Shape
	if block := n.AttrInt("block_size", 0); block > 0 {
		p.Axis = qdqAxis(n)
		p.BlockShape = make([]int64, rank)
		for i := range p.BlockShape {
			p.BlockShape[i] = 1
		}
		p.BlockShape[p.Axis] = block
	} else if len(sc) == 1 && !(sc[0].Static() && sc[0].Size == 1) {
		p.Axis = qdqAxis(n)
	}
	x, scale := qdqInput(ctx, n, q), ctx.Input(n, 1)
	if len(sc) == 1 && p.Axis < 0 { // a one-element scale is per tensor: a scalar
		scale = impl.Reshape(ctx, scale, []int64{})
	}
	if n.Op == "onnx.QuantizeLinear" {
		p.ToType = q
		ctx.SetOutput(n, 0, ctx.Net.AddQuantize(x, scale, nil, p))
		return nil
	}
	p.ToType = f
	ctx.SetOutput(n, 0, ctx.Net.AddDequantize(x, scale, nil, p))
	return nil
}

func validateQDQ(n *conversion.Node) error {
	if len(n.In) < 2 || n.In[0] == nil || n.In[1] == nil {
		return fmt.Errorf("needs x and scale")
	}
	if n.AttrInt("block_size", 0) != 0 {
		return fmt.Errorf("blocked quantization (block_size %d) of int8/uint8: TensorRT blocks int4, float8 and float4 only", n.AttrInt("block_size", 0))
	}
	var q ir.DType // the quantized dtype
	if n.Op == "onnx.QuantizeLinear" {
		q = n.Out[0].DType
		if !dtypeOK(n.In[0].DType, floats) {
			return fmt.Errorf("input is %v, want float32, float16 or bfloat16", n.In[0].DType)
		}
		if n.AttrInt("saturate", 1) == 0 {
			return fmt.Errorf("saturate=0 concerns float8 targets only")
		}
	} else {
		q = n.In[0].DType
		if !dtypeOK(n.Out[0].DType, floats) {
			return fmt.Errorf("output is %v, want a float type", n.Out[0].DType)
		}
	}
	if q != ir.Int8 && q != ir.Uint8 {
		return fmt.Errorf("quantized type %v: only int8 and uint8 convert here (TensorRT's other Q/DQ types need IQuantizeLayer)", q)
	}
	if !dtypeOK(n.In[1].DType, floats) {
		return fmt.Errorf("scale is %v, want a float type", n.In[1].DType)
	}
	rank, axis := len(n.In[0].Shape), qdqAxis(n)
	for i := 1; i < len(n.In) && i < 3; i++ {
		v := n.In[i]
		if v == nil || len(v.Shape) == 0 || len(v.Shape) == 1 && v.Shape[0].Static() && v.Shape[0].Size == 1 {
			continue // per tensor
		}
		if len(v.Shape) != 1 || axis < 0 || axis >= rank || !n.In[0].Shape[axis].Static() || !v.Shape[0].Static() || n.In[0].Shape[axis].Size != v.Shape[0].Size {
			return fmt.Errorf("per-axis %s %v does not match axis %d of %v", map[int]string{1: "scale", 2: "zero point"}[i], v.Shape, axis, n.In[0].Shape)
		}
	}
	return nil
}

// qdqParam gives input i (the scale or the zero point) as a float32 tensor
// that broadcasts against the rank-rank input along axis (per axis) or
// every dim (per tensor): a constant when the input is one, else the
// run-time tensor cast and reshaped.
func qdqParam(ctx *conversion.Context, n *conversion.Node, i, rank, axis int) network.Tensor {
	dims := make([]int64, rank)
	for d := range dims {
		dims[d] = 1
	}
	if t := n.Const(i); t != nil {
		if t.Numel() > 1 {
			dims[axis] = t.Numel()
		}
		w := ir.NewTensor(ir.Float32, dims)
		v := ir.View[float32](w)
		for k := range v {
			v[k] = float32(t.Float(k))
		}
		return ctx.Net.AddConstant(w)
	}
	if sh := n.In[i].Shape; len(sh) == 1 && sh[0].Size > 1 {
		dims[axis] = sh[0].Size
	}
	x := ctx.Input(n, i)
	if x.DType() != ir.Float32 {
		x = impl.Cast(ctx, x, ir.Float32)
	}
	return impl.Reshape(ctx, x, dims)
}

func qdqAxis(n *conversion.Node) int {
	rank := len(n.In[0].Shape)
	axis := int(n.AttrInt("axis", 1))
	if axis < 0 {
		axis += rank
	}
	return axis
}

func convertQuantize(ctx *conversion.Context, n *conversion.Node) error {
	x := ctx.Input(n, 0)
	rank, axis := len(n.In[0].Shape), qdqAxis(n)
	if x.DType() != ir.Float32 {
		x = impl.Cast(ctx, x, ir.Float32)
	}
	y := impl.Unary(ctx, impl.Div(ctx, x, qdqParam(ctx, n, 1, rank, axis)), network.UnaryROUND)
	if len(n.In) > 2 && n.In[2] != nil {
		y = impl.Add(ctx, y, qdqParam(ctx, n, 2, rank, axis))
	}
	ctx.SetOutput(n, 0, saturateCast(ctx, y, n.Out[0].DType, rank))
	return nil
}

func convertDequantize(ctx *conversion.Context, n *conversion.Node) error {
	rank, axis := len(n.In[0].Shape), qdqAxis(n)
	y := impl.Cast(ctx, ctx.Input(n, 0), ir.Float32)
	if len(n.In) > 2 && n.In[2] != nil {
		y = impl.Sub(ctx, y, qdqParam(ctx, n, 2, rank, axis))
	}
	y = impl.Mul(ctx, y, qdqParam(ctx, n, 1, rank, axis))
	if dt := n.Out[0].DType; dt != ir.Float32 {
		y = impl.Cast(ctx, y, dt)
	}
	ctx.SetOutput(n, 0, y)
	return nil
}

// saturateCast clamps the rounded float y to the range of the 8-bit integer
// dtype dt (int8 or uint8) and casts it there: the last step of quantizing
// in float32 layers.
func saturateCast(ctx *conversion.Context, y network.Tensor, dt ir.DType, rank int) network.Tensor {
	lo, hi := -128.0, 127.0
	if dt == ir.Uint8 {
		lo, hi = 0, 255
	}
	y = impl.Min(ctx, impl.Max(ctx, y, impl.Scalar(ctx, lo, ir.Float32, rank)), impl.Scalar(ctx, hi, ir.Float32, rank))
	return impl.Cast(ctx, y, dt)
}
