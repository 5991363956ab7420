package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// QuantizeLinear and DequantizeLinear as their arithmetic definition in
// float32 (fake quantization), from layer kinds TensorRT has today:
//
//	Q:  Cast(min(max(round(x / scale) + zp, lo), hi), int8|uint8)
//	DQ: (Cast(x, float32) - zp) * scale
//
// ElementWise DIV, Unary ROUND (half to even, as ONNX rounds),
// ElementWise SUM/MAX/MIN/SUB/PROD and Cast. The result equals the kernel
// bit for bit: x / scale is the same float32 division, and every value
// cast to the integer type is already an integer in range. The engines
// compute in float rather than on int8 kernels; IQuantizeLayer and
// IDequantizeLayer, with TensorRT's Q/DQ placement rules, wait for the
// layer-kind table. Per-tensor and per-axis scales only, with constant
// scale and zero point; blocked quantization, the 4-bit, 2-bit, 16-bit and
// float8 types and saturate=0 fall back with a reason.

func init() {
	builtins = append(builtins,
		conversion.Converter{
			Target: "onnx.QuantizeLinear", DynamicShapes: true, Validator: validateQDQ,
			Description: "QuantizeLinear as DIV, ROUND, SUM, MAX, MIN and a Cast to int8/uint8 (float32 fake quantization)",
			Convert:     convertQuantize,
		},
		conversion.Converter{
			Target: "onnx.DequantizeLinear", DynamicShapes: true, Validator: validateQDQ,
			Description: "DequantizeLinear as a Cast to float32, SUB and PROD (float32 fake quantization)",
			Convert:     convertDequantize,
		})
}

func validateQDQ(n *conversion.Node) error {
	if len(n.In) < 2 || n.In[0] == nil || n.In[1] == nil {
		return fmt.Errorf("needs x and scale")
	}
	if n.AttrInt("block_size", 0) != 0 {
		return fmt.Errorf("blocked quantization (block_size %d) has no TensorRT layers here yet", n.AttrInt("block_size", 0))
	}
	scale := n.Const(1)
	if scale == nil {
		return fmt.Errorf("scale is not a constant")
	}
	if len(n.In) > 2 && n.In[2] != nil && n.Const(2) == nil {
		return fmt.Errorf("zero point is not a constant")
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
	if scale.Numel() > 1 {
		rank := len(n.In[0].Shape)
		axis := int(n.AttrInt("axis", 1))
		if axis < 0 {
			axis += rank
		}
		if len(scale.Shape) != 1 || axis < 0 || axis >= rank || !n.In[0].Shape[axis].Static() || n.In[0].Shape[axis].Size != scale.Shape[0] {
			return fmt.Errorf("per-axis scale %v does not match axis %d of %v", scale.Shape, axis, n.In[0].Shape)
		}
	}
	return nil
}

// qdqConst turns a scale or zero point into a float32 constant that
// broadcasts against a rank-rank tensor along axis (per axis) or every
// dim (per tensor).
func qdqConst(ctx *conversion.Context, t *ir.Tensor, rank, axis int) network.Tensor {
	dims := make([]int64, rank)
	for i := range dims {
		dims[i] = 1
	}
	if t.Numel() > 1 {
		dims[axis] = t.Numel()
	}
	w := ir.NewTensor(ir.Float32, dims)
	v := ir.View[float32](w)
	for i := range v {
		v[i] = float32(t.Float(i))
	}
	return ctx.Net.AddConstant(w)
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
	y := impl.Unary(ctx, impl.Div(ctx, x, qdqConst(ctx, n.Const(1), rank, axis)), network.UnaryROUND)
	if zp := n.Const(2); zp != nil {
		y = impl.Add(ctx, y, qdqConst(ctx, zp, rank, axis))
	}
	dt := n.Out[0].DType
	lo, hi := -128.0, 127.0
	if dt == ir.Uint8 {
		lo, hi = 0, 255
	}
	y = impl.Min(ctx, impl.Max(ctx, y, impl.Scalar(ctx, lo, ir.Float32, rank)), impl.Scalar(ctx, hi, ir.Float32, rank))
	ctx.SetOutput(n, 0, impl.Cast(ctx, y, dt))
	return nil
}

func convertDequantize(ctx *conversion.Context, n *conversion.Node) error {
	rank, axis := len(n.In[0].Shape), qdqAxis(n)
	y := impl.Cast(ctx, ctx.Input(n, 0), ir.Float32)
	if zp := n.Const(2); zp != nil {
		y = impl.Sub(ctx, y, qdqConst(ctx, zp, rank, axis))
	}
	y = impl.Mul(ctx, y, qdqConst(ctx, n.Const(1), rank, axis))
	if dt := n.Out[0].DType; dt != ir.Float32 {
		y = impl.Cast(ctx, y, dt)
	}
	ctx.SetOutput(n, 0, y)
	return nil
}
