package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Unary adds one unary layer. TensorRT takes integers only for kABS and
// kSIGN (NvInfer.h, enum UnaryOperation: "All other operations must have
// inputs of floating-point type."); kNEG of an integer becomes 0 - x, as in
// onnx-tensorrt. Converters offer other operations on floats only, so
// the reference backend refuses any other integer unary with that rule.
func Unary(ctx *conversion.Context, x network.Tensor, op network.UnaryOperation) network.Tensor {
	if op == network.UnaryNEG {
		switch x.DType() {
		case ir.Int8, ir.Int32, ir.Int64:
			return Sub(ctx, ScalarLike(ctx, 0, x), x)
		}
	}
	return ctx.Net.AddUnary(x, op)
}

// Shorthands for the unary operations converters use most.
func Sqrt(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return Unary(ctx, x, network.UnarySQRT)
}
func Exp(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return Unary(ctx, x, network.UnaryEXP)
}
func Log(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return Unary(ctx, x, network.UnaryLOG)
}
func Abs(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return Unary(ctx, x, network.UnaryABS)
}
func Neg(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return Unary(ctx, x, network.UnaryNEG)
}
func Recip(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return Unary(ctx, x, network.UnaryRECIP)
}
func Floor(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return Unary(ctx, x, network.UnaryFLOOR)
}
func Ceil(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return Unary(ctx, x, network.UnaryCEIL)
}
func Erf(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return Unary(ctx, x, network.UnaryERF)
}
func Not(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return Unary(ctx, x, network.UnaryNOT)
}
func Sign(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return Unary(ctx, x, network.UnarySIGN)
}

// Trunc rounds toward zero: sign(x) * floor(|x|).
func Trunc(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return Mul(ctx, Sign(ctx, x), Floor(ctx, Abs(ctx, x)))
}

// IsInf marks +Inf (when pos) and -Inf (when neg) elements; at least one of
// pos and neg must be set.
func IsInf(ctx *conversion.Context, x network.Tensor, pos, neg bool) network.Tensor {
	inf := Unary(ctx, x, network.UnaryISINF)
	switch {
	case pos && !neg:
		return ctx.Net.AddElementWise(inf, ctx.Net.AddElementWise(x, ScalarLike(ctx, 0, x), network.ElementWiseGREATER), network.ElementWiseAND)
	case neg && !pos:
		return ctx.Net.AddElementWise(inf, ctx.Net.AddElementWise(x, ScalarLike(ctx, 0, x), network.ElementWiseLESS), network.ElementWiseAND)
	}
	return inf
}

// Mod is the remainder of a / b: with fmod, the sign of a (C fmod,
// a - b*trunc(a/b)); without, the sign of b (Python %, a - b*floor(a/b)).
// Integers use ElementWise DIV (truncating) or FLOOR_DIV; floats divide and
// round with unary layers, which for quotients beyond 2^24 (float32) loses
// the exactness a true fmod has.
func Mod(ctx *conversion.Context, a, b network.Tensor, fmod bool) network.Tensor {
	var q network.Tensor
	switch {
	case a.DType().IsInt() && fmod:
		q = Div(ctx, a, b)
	case a.DType().IsInt():
		q = ElementWise(ctx, a, b, network.ElementWiseFLOOR_DIV)
	case fmod:
		q = Trunc(ctx, Div(ctx, a, b))
	default:
		q = Floor(ctx, Div(ctx, a, b))
	}
	return Sub(ctx, a, Mul(ctx, b, q))
}
