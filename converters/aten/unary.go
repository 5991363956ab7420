package aten

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

func init() {
	for key, op := range map[string]network.UnaryOperation{
		"aten.exp.default": network.UnaryEXP, "aten.log.default": network.UnaryLOG,
		"aten.sqrt.default": network.UnarySQRT, "aten.erf.default": network.UnaryERF,
		"aten.sin.default": network.UnarySIN, "aten.cos.default": network.UnaryCOS,
	} {
		op := op
		simple(key, fmt.Sprintf("Unary %v", op), floatIn, func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			return impl.Unary(ctx, ctx.Input(n, 0), op)
		})
	}
	simple("aten.rsqrt.default", "rsqrt as Unary RECIP(SQRT(x))", floatIn, func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		return impl.Recip(ctx, impl.Sqrt(ctx, ctx.Input(n, 0)))
	})
	simple("aten.neg.default", "neg as Unary NEG", dtypeIn(numeric...), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		return impl.Neg(ctx, ctx.Input(n, 0))
	})
	simple("aten.abs.default", "abs as Unary ABS", dtypeIn(numeric...), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		return impl.Abs(ctx, ctx.Input(n, 0))
	})
}
