package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// DynamicQuantizeLinear, MatMulInteger and QLinearMatMul as float32
// layers, the DQ -> op -> Q form TensorRT takes a quantized op in, with
// the asymmetric uint8 arithmetic spelled out (TensorRT's Q/DQ layers are
// symmetric only):
//
//   - DynamicQuantizeLinear: Reduce MIN/MAX over every dim, widened to 0,
//     scale = (max - min) / 255, zero point = clamp(round(-min / scale)),
//     y = clamp(round(x / scale) + zero point) to uint8; a zero scale (x all
//     0) divides by 1 instead, as the kernel does. Every step is the
//     kernel's float32 operation, so the result is exact.
//   - MatMulInteger: (a - a_zp) x (b - b_zp) in float32, cast to int32.
//     Exact while every partial sum is an integer below 2^24: the inner
//     dim K is at most 258 (258 * 255 * 255 < 2^24), else the node falls
//     back.
//   - QLinearMatMul: the same product, times a_scale * b_scale / y_scale
//     (float32, as the kernel), rounded half to even, plus y_zp, clamped
//     to y's type. The kernel multiplies in float64; the float32 product
//     can differ in its last bit, which changes the rounded result only
//     for a product within that bit of a .5 boundary (one step at most).
//
// Scales and zero points are per tensor here (one element); per-row and
// per-column ones fall back.
//
// QLinearConv with int8 data, constant int8 weights and zero points of 0
// (symmetric, the form TensorRT quantizes) converts to TensorRT's Q/DQ
// placement: DequantizeLayer(x, x_scale) and DequantizeLayer(W, w_scale,
// per output channel) into a Convolution taking the latter as its kernel
// input, the int32 bias as float32 bias * x_scale * w_scale, and
// QuantizeLayer(y, y_scale). The kernel requantizes an exact integer
// accumulator in float64; the layers sum dequantized products in float32,
// so a result near a rounding tie can differ by one quantization step.
// Asymmetric QLinearConv (uint8, nonzero zero points), one with run-time
// weights, and ConvInteger stay kernels.

func init() {
	builtins = append(builtins,
		conversion.Converter{
			Target: "onnx.DynamicQuantizeLinear", DynamicShapes: true,
			Validator: func(n *conversion.Node) error {
				if len(n.In) < 1 || n.In[0] == nil || len(n.In[0].Shape) == 0 {
					return fmt.Errorf("a scalar input: the min/max reduction needs a dim")
				}
				return dtypeIn(ir.Float32)(n)
			},
			Description: "DynamicQuantizeLinear as Reduce MIN/MAX, ElementWise and Unary ROUND in float32, cast to uint8",
			Convert:     convertDynamicQuantize,
		},
		conversion.Converter{
			Target: "onnx.MatMulInteger", DynamicShapes: true, Validator: validateIntMatMul(0, 1, 2, 3),
			Description: "MatMulInteger as (a - a_zp) x (b - b_zp) in float32 (exact for K <= 258), cast to int32",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				acc := intMatMul(ctx, n, 0, 2, 1, 3)
				ctx.SetOutput(n, 0, impl.Cast(ctx, acc, ir.Int32))
				return nil
			},
		},
		conversion.Converter{
			Target: "onnx.QLinearConv", Validator: validateQLinearConv,
			Description: "QLinearConv (symmetric int8, constant weights) as Dequantize, Convolution with a dequantized kernel input, Quantize",
			Convert:     convertQLinearConv,
		},
		conversion.Converter{
			Target: "onnx.QLinearMatMul", DynamicShapes: true, Validator: validateIntMatMul(0, 3, 2, 5, 1, 4, 6, 7),
			Description: "QLinearMatMul as (a - a_zp) x (b - b_zp) in float32, scaled by a_scale*b_scale/y_scale, rounded, plus y_zp, clamped and cast",
			Convert:     convertQLinearMatMul,
		})
}

// validateIntMatMul checks the integer matmul inputs a and b (indices ia,
// ib) and the per-tensor scales and zero points (the other indices, which
// may be absent).
func validateIntMatMul(ia, ib int, per ...int) conversion.Validator {
	return func(n *conversion.Node) error {
		if len(n.In) <= ib || n.In[ia] == nil || n.In[ib] == nil {
			return fmt.Errorf("needs a and b")
		}
		a, b := n.In[ia], n.In[ib]
		if len(a.Shape) < 2 || len(b.Shape) < 2 {
			return fmt.Errorf("a is %v and b %v: rank 2 or more here", a.Shape, b.Shape)
		}
		k := a.Shape[len(a.Shape)-1]
		if !k.Static() || k.Size > 258 {
			return fmt.Errorf("inner dim %v: float32 holds the integer products' sums exactly only for K <= 258", k)
		}
		for _, i := range per {
			if i < len(n.In) && n.In[i] != nil {
				if s := n.In[i].Shape; !one(s) {
					return fmt.Errorf("input %d has shape %v: per-tensor scales and zero points only here", i, s)
				}
			}
		}
		return nil
	}
}

// scalarF32 gives a one-element input as a float32 tensor of the given
// rank (all dims 1), or nil when the input is absent.
func scalarF32(ctx *conversion.Context, n *conversion.Node, i, rank int) network.Tensor {
	if i >= len(n.In) || n.In[i] == nil {
		return nil
	}
	t := ctx.Input(n, i)
	if t.DType() != ir.Float32 {
		t = impl.Cast(ctx, t, ir.Float32)
	}
	dims := make([]int64, rank)
	for d := range dims {
		dims[d] = 1
	}
	return impl.Reshape(ctx, t, dims)
}

// intMatMul is (a - a_zp) x (b - b_zp) in float32.
func intMatMul(ctx *conversion.Context, n *conversion.Node, ia, iazp, ib, ibzp int) network.Tensor {
	side := func(i, izp int) network.Tensor {
		x := impl.Cast(ctx, ctx.Input(n, i), ir.Float32)
		if zp := scalarF32(ctx, n, izp, len(n.In[i].Shape)); zp != nil {
			x = impl.Sub(ctx, x, zp)
		}
		return x
	}
	return impl.MatMul(ctx, side(ia, iazp), side(ib, ibzp))
}

func convertQLinearMatMul(ctx *conversion.Context, n *conversion.Node) error {
	acc := intMatMul(ctx, n, 0, 2, 3, 5)
	rank := len(acc.Shape())
	scale := impl.Div(ctx, impl.Mul(ctx, scalarF32(ctx, n, 1, rank), scalarF32(ctx, n, 4, rank)), scalarF32(ctx, n, 6, rank))
	y := impl.Add(ctx, impl.Unary(ctx, impl.Mul(ctx, acc, scale), network.UnaryROUND), scalarF32(ctx, n, 7, rank))
	ctx.SetOutput(n, 0, saturateCast(ctx, y, n.Out[0].DType, rank))
	return nil
}

func convertDynamicQuantize(ctx *conversion.Context, n *conversion.Node) error {
	x := ctx.Input(n, 0)
	rank := len(n.In[0].Shape)
	axes := make([]int, rank)
	for i := range axes {
		axes[i] = i
	}
	zero := impl.Scalar(ctx, 0, ir.Float32, 0)
	mn := impl.Min(ctx, impl.Reduce(ctx, x, network.ReduceMIN, axes, false), zero)
	mx := impl.Max(ctx, impl.Reduce(ctx, x, network.ReduceMAX, axes, false), zero)
	scale := impl.Div(ctx, impl.Sub(ctx, mx, mn), impl.Scalar(ctx, 255, ir.Float32, 0))
	isZero := impl.ElementWise(ctx, scale, zero, network.ElementWiseEQUAL)
	safe := impl.Where(ctx, isZero, impl.Scalar(ctx, 1, ir.Float32, 0), scale)
	clamp := func(t network.Tensor, r int) network.Tensor {
		return impl.Min(ctx, impl.Max(ctx, t, impl.Scalar(ctx, 0, ir.Float32, r)), impl.Scalar(ctx, 255, ir.Float32, r))
	}
	zp := clamp(impl.Unary(ctx, impl.Div(ctx, impl.Sub(ctx, zero, mn), safe), network.UnaryROUND), 0)
	ones := make([]int64, rank)
	for i := range ones {
		ones[i] = 1
	}
	y := impl.Unary(ctx, impl.Div(ctx, x, impl.Reshape(ctx, safe, ones)), network.UnaryROUND)
	y = clamp(impl.Add(ctx, y, impl.Reshape(ctx, zp, ones)), rank)
	ctx.SetOutput(n, 0, impl.Cast(ctx, y, ir.Uint8))
	ctx.SetOutput(n, 1, scale)
	ctx.SetOutput(n, 2, impl.Cast(ctx, zp, ir.Uint8))
	return nil
}

// one reports whether a static shape holds exactly one element.
func one(s ir.Shape) bool {
	d, ok := s.Ints()
	return ok && ir.Numel(d) == 1
}

func validateQLinearConv(n *conversion.Node) error {
	if len(n.In) < 8 {
		return fmt.Errorf("needs 8 inputs")
	}
	for _, i := range []int{0, 1, 2, 3, 4, 5, 6, 7} {
		if n.In[i] == nil {
			return fmt.Errorf("input %d is absent", i)
		}
	}
	if n.In[0].DType != ir.Int8 || n.In[3].DType != ir.Int8 || n.Out[0].DType != ir.Int8 {
		return fmt.Errorf("x %v, w %v, y %v: TensorRT's Q/DQ form needs int8 (uint8 is asymmetric)", n.In[0].DType, n.In[3].DType, n.Out[0].DType)
	}
	w := n.Const(3)
	if w == nil || len(w.Shape) < 4 || len(w.Shape) != len(n.In[0].Shape) {
		return fmt.Errorf("weights must be a constant of a 2-D or 3-D convolution")
	}
	if _, err := staticSpatial(n); err != nil {
		return err
	}
	for _, i := range []int{2, 5, 7} {
		zp := n.Const(i)
		if zp == nil {
			return fmt.Errorf("zero point %d is not a constant", i)
		}
		for k := range int(zp.Numel()) {
			if zp.Float(k) != 0 {
				return fmt.Errorf("zero point %d is %g: TensorRT quantizes symmetrically", i, zp.Float(k))
			}
		}
	}
	for _, i := range []int{1, 4, 6} {
		s := n.Const(i)
		if s == nil {
			return fmt.Errorf("scale %d is not a constant", i)
		}
		if i != 4 && s.Numel() != 1 || i == 4 && s.Numel() != 1 && s.Numel() != w.Shape[0] {
			return fmt.Errorf("scale %d has shape %v: per tensor (w_scale also per output channel)", i, s.Shape)
		}
		for k := range int(s.Numel()) {
			if !(s.Float(k) > 0) {
				return fmt.Errorf("scale %d is %g, not positive", i, s.Float(k))
			}
		}
	}
	if len(n.In) > 8 && n.In[8] != nil && (n.Const(8) == nil || n.Const(8).Numel() != w.Shape[0]) {
		return fmt.Errorf("bias must be a constant of %d values", w.Shape[0])
	}
	in, _ := staticSpatial(n)
	_, err := ops.WindowGeometry(n.Node, in, w.Shape[2:], false)
	return err
}

func convertQLinearConv(ctx *conversion.Context, n *conversion.Node) error {
	w := n.Const(3)
	in, _ := staticSpatial(n)
	g, err := ops.WindowGeometry(n.Node, in, w.Shape[2:], false)
	if err != nil {
		return err
	}
	scalar := func(i int) (network.Tensor, float32) {
		v := float32(n.Const(i).Float(0))
		return ctx.Net.AddConstant(ir.FromSlice(ir.Float32, nil, []float32{v})), v
	}
	xsT, xs := scalar(1)
	ysT, _ := scalar(6)
	perTensor := network.QuantizeParams{Axis: -1, ToType: ir.Float32}
	x := ctx.Net.AddDequantize(ctx.Input(n, 0), xsT, nil, perTensor)
	ws := n.Const(4)
	wsF := make([]float32, ws.Numel())
	for k := range wsF {
		wsF[k] = float32(ws.Float(k))
	}
	wp := perTensor
	var wsT network.Tensor
	if len(wsF) == 1 {
		wsT = ctx.Net.AddConstant(ir.FromSlice(ir.Float32, nil, wsF))
	} else {
		wp.Axis = 0
		wsT = ctx.Net.AddConstant(ir.FromSlice(ir.Float32, []int64{int64(len(wsF))}, wsF))
	}
	kernel := ctx.Net.AddDequantize(ctx.Net.AddConstant(w), wsT, nil, wp)
	var bias *ir.Tensor
	if b := n.Const(8); b != nil {
		bias = ir.NewTensor(ir.Float32, []int64{w.Shape[0]})
		bv := ir.View[float32](bias)
		for k := range bv {
			bv[k] = float32(b.Float(k)) * xs * wsF[min(k, len(wsF)-1)]
		}
	}
	y := ctx.Net.AddConvolutionNd(x, network.ConvolutionParams{
		NbOutputMaps: w.Shape[0], KernelSize: append([]int64{}, w.Shape[2:]...), KernelT: kernel, Bias: bias,
		Stride: g.Strides, PrePadding: g.PadsBegin, PostPadding: g.PadsEnd, Dilation: g.Dilations, NbGroups: n.AttrInt("group", 1),
	})
	ctx.SetOutput(n, 0, ctx.Net.AddQuantize(y, ysT, nil, network.QuantizeParams{Axis: -1, ToType: ir.Int8}))
	return nil
}
