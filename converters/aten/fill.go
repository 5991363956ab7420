package aten

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Factories, where and masked_fill.

// staticValue is a validator for ops whose output depends only on constant
// inputs and attributes: the output must have a static shape, and the
// converter emits it as one Constant (as TensorRT's builder would fold it).
func staticValue(n *conversion.Node) error {
	for i, v := range n.In {
		if v != nil && v.Const == nil && n.Op != "aten.full_like.default" && n.Op != "aten.zeros_like.default" && n.Op != "aten.ones_like.default" {
			return fmt.Errorf("input %d is not a constant", i)
		}
	}
	if !n.Out[0].Shape.IsStatic() {
		return fmt.Errorf("output shape %v is dynamic", n.Out[0].Shape)
	}
	return outputsIn(anyDT...)(n)
}

// constant runs the op's kernel at build time (the *_like ops read only
// their input's shape, so a zero tensor of it stands in).
func constant(ctx *conversion.Context, n *conversion.Node) (network.Tensor, error) {
	args := make([]*ir.Tensor, len(n.In))
	for i, v := range n.In {
		if v == nil {
			continue
		}
		if v.Const != nil {
			args[i] = v.Const
			continue
		}
		dims, _ := v.Shape.Ints()
		args[i] = ir.NewTensor(v.DType, dims)
	}
	out, err := ops.Execute(n.Node, args)
	if err != nil {
		return nil, err
	}
	return ctx.Net.AddConstant(out[0]), nil
}

func init() {
	for _, key := range []string{
		"aten.full.default", "aten.zeros.default", "aten.ones.default",
		"aten.arange.default", "aten.arange.start", "aten.arange.start_step", "aten.scalar_tensor.default",
	} {
		add(key, "Constant computed at build time", staticValue, constant)
	}
	for _, key := range []string{"aten.full_like.default", "aten.zeros_like.default", "aten.ones_like.default"} {
		add(key, "Constant of the input's static shape", all(staticValue, func(n *conversion.Node) error {
			if !n.In[0].Shape.IsStatic() {
				return fmt.Errorf("input shape %v is dynamic", n.In[0].Shape)
			}
			return nil
		}), constant)
	}
	simple("aten.where.self", "where as Select with PyTorch type promotion", all(dtypeIn(anyDT...), func(n *conversion.Node) error {
		_, _, dt, err := promoted(shiftIn(n), "self", "other")
		if err != nil {
			return err
		}
		if !has(numeric, dt) {
			return fmt.Errorf("operands promote to %v", dt)
		}
		return nil
	}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		s := shiftIn(n)
		x, y, dt, _ := promoted(s, "self", "other")
		xt, yt := operandAt(ctx, n, x, dt), operandAt(ctx, n, y, dt)
		return impl.Where(ctx, asBool(ctx, n, 0), xt, yt)
	})
	for _, key := range []string{"aten.masked_fill.Scalar", "aten.masked_fill.Tensor"} {
		simple(key, "masked_fill as Select(mask, value, self)", all(dtypeIn(anyDT...), func(n *conversion.Node) error {
			if !has(numeric, n.In[0].DType) {
				return fmt.Errorf("input 0 is %v", n.In[0].DType)
			}
			if _, _, ok := ops.ScalarAttr(n.Node, "value"); !ok && (len(n.In) < 3 || n.In[2] == nil) {
				return fmt.Errorf("value is missing")
			}
			return nil
		}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			x := ctx.Input(n, 0)
			var v network.Tensor
			if t := ctx.Input(n, 2); t != nil {
				v = impl.Cast(ctx, t, x.DType())
			} else {
				val, _, _ := ops.ScalarAttr(n.Node, "value")
				v = ctx.Net.AddConstant(ir.Scalar(x.DType(), val))
			}
			return impl.Where(ctx, asBool(ctx, n, 1), v, x)
		})
	}
}

// shiftIn views where's inputs 1 and 2 as a binary op's inputs 0 and 1.
func shiftIn(n *conversion.Node) *conversion.Node {
	c := *n
	c.In = append([]*ir.Value{}, n.In[1:]...)
	return &c
}

// operandAt emits an operand of shiftIn(n) from n's own inputs.
func operandAt(ctx *conversion.Context, n *conversion.Node, o operand, dt ir.DType) network.Tensor {
	if o.scalar {
		return ctx.Net.AddConstant(ir.Scalar(dt, o.val))
	}
	return impl.Cast(ctx, ctx.Input(n, o.in+1), dt)
}
