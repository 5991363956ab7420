package impl

import (
	"math"

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// BatchNorm folds inference batch normalization into y = x * a + b with
// a = scale / sqrt(var + eps) and b = bias - mean * a, constants of shape
// [1, C, 1, ...] in x's dtype.
func BatchNorm(ctx *conversion.Context, x network.Tensor, scale, bias, mean, variance *ir.Tensor, eps float32) network.Tensor {
	rank := len(x.Shape())
	C := scale.Numel()
	shape := make([]int64, rank)
	for i := range shape {
		shape[i] = 1
	}
	shape[1] = C
	a, b := ir.NewTensor(x.DType(), shape), ir.NewTensor(x.DType(), shape)
	for c := 0; c < int(C); c++ {
		av := scale.Float(c) / math.Sqrt(variance.Float(c)+float64(eps))
		a.SetFloat(c, av)
		b.SetFloat(c, bias.Float(c)-mean.Float(c)*av)
	}
	y := ctx.Net.AddElementWise(x, ctx.Net.AddConstant(a), network.ElementWisePROD)
	return ctx.Net.AddElementWise(y, ctx.Net.AddConstant(b), network.ElementWiseSUM)
}

// Normalize is a Normalization layer over axes; scale and bias are given
// x's rank with leading 1s (nil means 1 and 0).
func Normalize(ctx *conversion.Context, x, scale, bias network.Tensor, axes []int, eps float32) network.Tensor {
	rank := len(x.Shape())
	fix := func(t network.Tensor, def float64) network.Tensor {
		if t == nil {
			return Scalar(ctx, def, x.DType(), rank)
		}
		return LeadingOnes(ctx, t, rank-len(t.Shape()))
	}
	return ctx.Net.AddNormalization(x, fix(scale, 1), fix(bias, 0), network.AxesMask(axes...), eps)
}

// LayerNorm normalizes over dims [axis, rank).
func LayerNorm(ctx *conversion.Context, x, scale, bias network.Tensor, axis int, eps float32) network.Tensor {
	var axes []int
	for d := axis; d < len(x.Shape()); d++ {
		axes = append(axes, d)
	}
	return Normalize(ctx, x, scale, bias, axes, eps)
}

// LayerNormStats is LayerNormalization as ONNX's function body defines it,
// for when its Mean and InvStdDev outputs are used: in float32 (x cast
// when it is narrower), mean = ReduceMean(x), d = x - mean, inv =
// 1/sqrt(ReduceMean(d*d) + eps), y = cast(d*inv to x's dtype)*scale + bias.
// Mean and InvStdDev are cast to stash (their dtype; float32 by default).
func LayerNormStats(ctx *conversion.Context, x, scale, bias network.Tensor, axis int, eps float32, stash ir.DType) (y, mean, inv network.Tensor) {
	dt := x.DType()
	xs := x
	if dt != ir.Float32 {
		xs = ctx.Net.AddCast(x, ir.Float32)
	}
	var axes []int
	for d := axis; d < len(x.Shape()); d++ {
		axes = append(axes, d)
	}
	mask := network.AxesMask(axes...)
	mean = ctx.Net.AddReduce(xs, network.ReduceAVG, mask, true)
	d := ctx.Net.AddElementWise(xs, mean, network.ElementWiseSUB)
	v := ctx.Net.AddReduce(ctx.Net.AddElementWise(d, d, network.ElementWisePROD), network.ReduceAVG, mask, true)
	v = ctx.Net.AddElementWise(v, Scalar(ctx, float64(eps), ir.Float32, len(x.Shape())), network.ElementWiseSUM)
	inv = ctx.Net.AddUnary(ctx.Net.AddUnary(v, network.UnarySQRT), network.UnaryRECIP)
	y = ctx.Net.AddElementWise(d, inv, network.ElementWisePROD)
	if dt != ir.Float32 {
		y = ctx.Net.AddCast(y, dt)
	}
	if scale != nil {
		y = Mul(ctx, y, scale)
	}
	if bias != nil {
		y = Add(ctx, y, bias)
	}
	if stash != ir.Float32 {
		mean, inv = ctx.Net.AddCast(mean, stash), ctx.Net.AddCast(inv, stash)
	}
	return y, mean, inv
}

// InstanceNorm normalizes each (n, c) plane over the spatial dims with
// per-channel scale and bias ([C], reshaped to [1, C, 1, ...]).
func InstanceNorm(ctx *conversion.Context, x, scale, bias network.Tensor, eps float32) network.Tensor {
	rank := len(x.Shape())
	shape := make([]int64, rank)
	for i := range shape {
		shape[i] = 1
	}
	shape[1] = 0 // copied from the [C] input's dim 0
	per := func(t network.Tensor) network.Tensor {
		s := append([]int64{}, shape...)
		s[1] = t.Shape()[0].Size
		return ctx.Net.AddShuffle(t, network.ShuffleParams{Reshape: s})
	}
	var axes []int
	for d := 2; d < rank; d++ {
		axes = append(axes, d)
	}
	return ctx.Net.AddNormalization(x, per(scale), per(bias), network.AxesMask(axes...), eps)
}

// RMSNorm divides x by the root mean square of its dims [axis, rank) (eps
// added inside the root) and multiplies by scale (broadcast to those dims):
// ElementWise PROD, Reduce AVG, SUM, Unary SQRT, DIV, computed in float32
// for float16/bfloat16 inputs (ONNX's stash_type 1), then cast back before
// the scale as ONNX's function body does.
func RMSNorm(ctx *conversion.Context, x, scale network.Tensor, axis int, eps float32) network.Tensor {
	dt := x.DType()
	rank := len(x.Shape())
	xs := x
	if dt != ir.Float32 {
		xs = Cast(ctx, x, ir.Float32)
	}
	var axes []int
	for d := axis; d < rank; d++ {
		axes = append(axes, d)
	}
	ms := ctx.Net.AddReduce(Mul(ctx, xs, xs), network.ReduceAVG, network.AxesMask(axes...), true)
	rms := Sqrt(ctx, Add(ctx, ms, Scalar(ctx, float64(eps), ir.Float32, rank)))
	y := Div(ctx, xs, rms)
	if dt != ir.Float32 {
		y = Cast(ctx, y, dt)
	}
	return Mul(ctx, y, LeadingOnes(ctx, scale, rank-len(scale.Shape())))
}

// GroupNorm normalizes x [N, C, ...] per (image, group of C/groups
// channels): a Shuffle to [N, groups, -1], a Normalization over the last
// axis, a Shuffle back, then scale and bias, which are 1-D with one value
// per channel, or per group when perGroup (ONNX GroupNormalization before
// opset 21; applied inside the grouped view). C must be static.
func GroupNorm(ctx *conversion.Context, x network.Tensor, groups int64, scale, bias network.Tensor, perGroup bool, eps float32) network.Tensor {
	s := x.Shape()
	rank := len(s)
	dt := x.DType()
	xg := ctx.Net.AddShuffle(x, network.ShuffleParams{Reshape: []int64{0, groups, -1}, ZeroIsPlaceholder: true})
	sc, bi := Scalar(ctx, 1, dt, 3), Scalar(ctx, 0, dt, 3)
	if perGroup {
		sc, bi = Reshape(ctx, scale, []int64{1, groups, 1}), Reshape(ctx, bias, []int64{1, groups, 1})
	}
	y := ctx.Net.AddNormalization(xg, sc, bi, network.AxesMask(2), eps)
	if dims, ok := s.Ints(); ok {
		y = Reshape(ctx, y, dims)
	} else {
		y = ReshapeT(ctx, y, ShapeOf(ctx, x), false)
	}
	if perGroup {
		return y
	}
	per := make([]int64, rank)
	for i := range per {
		per[i] = 1
	}
	per[1] = s[1].Size
	y = Mul(ctx, y, Reshape(ctx, scale, per))
	return Add(ctx, y, Reshape(ctx, bias, per))
}

// LpNorm divides x by its L1 or L2 norm along axis (p = 1 or 2); a zero
// norm is replaced by 1 (Select on EQUAL), so zero vectors stay zero.
func LpNorm(ctx *conversion.Context, x network.Tensor, axis int, p int64) network.Tensor {
	var norm network.Tensor
	if p == 1 {
		norm = ReduceL1(ctx, x, []int{axis}, true)
	} else {
		norm = ReduceL2(ctx, x, []int{axis}, true)
	}
	one := ScalarLike(ctx, 1, norm)
	zero := ctx.Net.AddElementWise(norm, ScalarLike(ctx, 0, norm), network.ElementWiseEQUAL)
	return Div(ctx, x, ctx.Net.AddSelect(zero, one, norm))
}

// MeanVarianceNorm is (x - mean) / (sqrt(var) + eps) over axes, the
// statistics from Reduce AVG layers (ONNX MeanVarianceNormalization, whose
// eps is added to the standard deviation, not the variance, so the
// Normalization layer does not fit exactly).
func MeanVarianceNorm(ctx *conversion.Context, x network.Tensor, axes []int, eps float64) network.Tensor {
	mask := network.AxesMask(axes...)
	d := Sub(ctx, x, ctx.Net.AddReduce(x, network.ReduceAVG, mask, true))
	std := Sqrt(ctx, ctx.Net.AddReduce(Mul(ctx, d, d), network.ReduceAVG, mask, true))
	return Div(ctx, d, Add(ctx, std, ScalarLike(ctx, eps, x)))
}
