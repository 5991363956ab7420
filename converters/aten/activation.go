package aten

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// floatIn is the validator of float-only activations (PyTorch promotes
// integer inputs; those fall back).
var floatIn = dtypeIn(floats...)

func init() {
	for _, a := range []struct {
		key string
		typ network.ActivationType
	}{
		{"aten.sigmoid.default", network.ActivationSIGMOID},
		{"aten.tanh.default", network.ActivationTANH},
	} {
		a := a
		simple(a.key, fmt.Sprintf("Activation %v", a.typ), floatIn, func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			return impl.Activation(ctx, ctx.Input(n, 0), a.typ, 0, 0)
		})
	}
	for _, key := range []string{"aten.relu.default", "aten.relu_.default"} {
		simple(key, fmt.Sprintf("relu as Activation %v (integers: ElementWise MAX with 0)", network.ActivationRELU), dtypeIn(numeric...),
			func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
				return impl.Relu(ctx, ctx.Input(n, 0))
			})
	}
	add("aten.gelu.default", fmt.Sprintf("gelu as Activation %v (approximate=none) or %v (approximate=tanh)", network.ActivationGELU_ERF, network.ActivationGELU_TANH),
		all(floatIn, func(n *conversion.Node) error {
			if a := n.AttrString("approximate", "none"); a != "none" && a != "tanh" {
				return fmt.Errorf("approximate is %q; supported: \"none\", \"tanh\"", a)
			}
			return nil
		}),
		func(ctx *conversion.Context, n *conversion.Node) (network.Tensor, error) {
			return impl.Gelu(ctx, ctx.Input(n, 0), n.AttrString("approximate", "none"))
		})
	simple("aten.silu.default", "silu as x * Activation SIGMOID(x)", floatIn, func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		x := ctx.Input(n, 0)
		return impl.Mul(ctx, x, impl.Sigmoid(ctx, x))
	})
	simple("aten.hardswish.default", "hardswish as x * Activation HARD_SIGMOID(1/6, 0.5)", floatIn, func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		return impl.HardSwish(ctx, ctx.Input(n, 0))
	})
	simple("aten.hardsigmoid.default", "hardsigmoid as Activation HARD_SIGMOID(1/6, 0.5)", floatIn, func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		return impl.HardSigmoid(ctx, ctx.Input(n, 0), 1.0/6, 0.5)
	})
	simple("aten.leaky_relu.default", "leaky_relu as Activation LEAKY_RELU", floatIn, func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		v, _, ok := ops.ScalarAttr(n.Node, "negative_slope")
		if !ok {
			v = 0.01
		}
		return impl.LeakyRelu(ctx, ctx.Input(n, 0), float32(v))
	})
	clamp := func(key, lo, hi string, defLo, defHi float64) {
		simple(key, fmt.Sprintf("%s as ElementWise MAX/MIN with constant bounds", key), all(dtypeIn(numeric...), func(n *conversion.Node) error {
			_, lInt, hasL := ops.ScalarAttr(n.Node, lo)
			_, hInt, hasH := ops.ScalarAttr(n.Node, hi)
			if !n.In[0].DType.IsFloat() && (hasL && !lInt || hasH && !hInt) {
				return fmt.Errorf("float bounds on an integer input promote it; not converted")
			}
			return nil
		}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			l, _, hasL := ops.ScalarAttr(n.Node, lo)
			h, _, hasH := ops.ScalarAttr(n.Node, hi)
			if !hasL && !math.IsNaN(defLo) {
				l, hasL = defLo, true
			}
			if !hasH && !math.IsNaN(defHi) {
				h, hasH = defHi, true
			}
			return impl.ClipConst(ctx, ctx.Input(n, 0), l, h, hasL, hasH)
		})
	}
	clamp("aten.clamp.default", "min", "max", math.NaN(), math.NaN())
	clamp("aten.hardtanh.default", "min_val", "max_val", -1, 1)
	simple("aten.clamp.Tensor", "clamp with tensor bounds as ElementWise MAX then MIN", all(dtypeIn(numeric...), func(n *conversion.Node) error {
		for i := 1; i < len(n.In) && i < 3; i++ {
			if n.In[i] != nil && n.In[i].DType != n.In[0].DType {
				return fmt.Errorf("bound %d is %v, the input %v; promoted bounds are not converted", i, n.In[i].DType, n.In[0].DType)
			}
		}
		return nil
	}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		y := ctx.Input(n, 0)
		if n.Input(1) != "" {
			y = impl.Max(ctx, y, ctx.Input(n, 1))
		}
		if n.Input(2) != "" {
			y = impl.Min(ctx, y, ctx.Input(n, 2))
		}
		return y
	})
}
