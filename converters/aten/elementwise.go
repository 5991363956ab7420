package aten

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// operand is one side of a binary op: an input tensor or a Scalar attribute.
type operand struct {
	in     int // input index, -1 for a scalar
	v      *ir.Value
	val    float64
	isInt  bool
	scalar bool
}

func getOperand(n *conversion.Node, i int, name string) (operand, error) {
	if i < len(n.In) && n.In[i] != nil {
		return operand{in: i, v: n.In[i]}, nil
	}
	v, isInt, ok := ops.ScalarAttr(n.Node, name)
	if !ok {
		return operand{}, fmt.Errorf("operand %q is neither an input nor an attribute", name)
	}
	return operand{in: -1, val: v, isInt: isInt, scalar: true}, nil
}

// promoted returns both operands and PyTorch's result dtype.
func promoted(n *conversion.Node, a, b string) (x, y operand, dt ir.DType, err error) {
	if x, err = getOperand(n, 0, a); err != nil {
		return
	}
	if y, err = getOperand(n, 1, b); err != nil {
		return
	}
	switch {
	case x.scalar && y.scalar:
		err = fmt.Errorf("both operands are scalars")
	case x.scalar:
		dt = ops.ResultType(y.v.DType, len(y.v.Shape), 0, 0, true, x.isInt)
	case y.scalar:
		dt = ops.ResultType(x.v.DType, len(x.v.Shape), 0, 0, true, y.isInt)
	default:
		dt = ops.ResultType(x.v.DType, len(x.v.Shape), y.v.DType, len(y.v.Shape), false, false)
	}
	return
}

// tensorOf emits an operand as a network tensor of dt.
func tensorOf(ctx *conversion.Context, n *conversion.Node, o operand, dt ir.DType) network.Tensor {
	if o.scalar {
		return ctx.Net.AddConstant(ir.Scalar(dt, o.val))
	}
	return impl.Cast(ctx, ctx.Input(n, o.in), dt)
}

// validBinary accepts operands whose promoted dtype is in dts.
func validBinary(a, b string, dts []ir.DType) conversion.Validator {
	return func(n *conversion.Node) error {
		_, _, dt, err := promoted(n, a, b)
		if err != nil {
			return err
		}
		if !has(dts, dt) {
			return fmt.Errorf("operands promote to %v; TensorRT supports %v here", dt, dts)
		}
		for i, v := range n.In {
			if v != nil && !has(anyDT, v.DType) {
				return fmt.Errorf("input %d is %v", i, v.DType)
			}
		}
		return nil
	}
}

func init() {
	arith := []struct {
		fam string
		op  network.ElementWiseOperation
	}{
		{"add", network.ElementWiseSUM}, {"sub", network.ElementWiseSUB}, {"mul", network.ElementWisePROD},
		{"div", network.ElementWiseDIV}, {"rsub", network.ElementWiseSUB},
	}
	for _, a := range arith {
		a := a
		keys := []string{"aten." + a.fam + ".Tensor", "aten." + a.fam + ".Scalar"}
		if a.fam != "rsub" {
			keys = append(keys, "aten."+a.fam+"_.Tensor")
		}
		for _, key := range keys {
			v := validBinary("self", "other", numeric)
			if a.fam == "div" {
				v = all(v, func(n *conversion.Node) error {
					if m := n.AttrString("rounding_mode", ""); m != "" {
						return fmt.Errorf("rounding_mode %q is not supported", m)
					}
					if !n.Out[0].DType.IsFloat() {
						return fmt.Errorf("output is %v", n.Out[0].DType)
					}
					return nil
				})
			}
			simple(key, fmt.Sprintf("%s as ElementWise %v with PyTorch type promotion", a.fam, a.op), v,
				func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
					x, y, dt, _ := promoted(n, "self", "other")
					if a.fam == "div" && !dt.IsFloat() {
						dt = n.Out[0].DType
					}
					xt, yt := tensorOf(ctx, n, x, dt), tensorOf(ctx, n, y, dt)
					alpha, _, hasAlpha := ops.ScalarAttr(n.Node, "alpha")
					scale := func(t network.Tensor) network.Tensor {
						if hasAlpha && alpha != 1 {
							return impl.Mul(ctx, t, impl.ScalarLike(ctx, alpha, t))
						}
						return t
					}
					if a.fam == "rsub" {
						xt, yt = yt, scale(xt)
					} else if a.fam != "mul" && a.fam != "div" {
						yt = scale(yt)
					}
					return impl.ElementWise(ctx, xt, yt, a.op)
				})
		}
	}
	cmp := []struct {
		fam string
		op  network.ElementWiseOperation
		not bool
	}{
		{"eq", network.ElementWiseEQUAL, false}, {"ne", network.ElementWiseEQUAL, true},
		{"lt", network.ElementWiseLESS, false}, {"gt", network.ElementWiseGREATER, false},
		{"le", network.ElementWiseLESS, false}, {"ge", network.ElementWiseGREATER, false},
	}
	for _, c := range cmp {
		c := c
		for _, ov := range []string{"Tensor", "Scalar"} {
			simple("aten."+c.fam+"."+ov, fmt.Sprintf("%s as ElementWise %v (negated: %v)", c.fam, c.op, c.not), validBinary("self", "other", numeric),
				func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
					x, y, dt, _ := promoted(n, "self", "other")
					xt, yt := tensorOf(ctx, n, x, dt), tensorOf(ctx, n, y, dt)
					t := impl.ElementWise(ctx, xt, yt, c.op)
					if c.fam == "le" || c.fam == "ge" {
						// Or with EQUAL, so that NaN compares false.
						t = impl.ElementWise(ctx, t, impl.ElementWise(ctx, xt, yt, network.ElementWiseEQUAL), network.ElementWiseOR)
					}
					if c.not {
						t = impl.Not(ctx, t)
					}
					return t
				})
		}
	}
	for _, l := range []struct {
		fam string
		op  network.ElementWiseOperation
	}{{"logical_and", network.ElementWiseAND}, {"logical_or", network.ElementWiseOR}, {"logical_xor", network.ElementWiseXOR}} {
		l := l
		simple("aten."+l.fam+".default", fmt.Sprintf("%s as ElementWise %v on bool", l.fam, l.op), dtypeIn(anyDT...),
			func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
				return impl.ElementWise(ctx, asBool(ctx, n, 0), asBool(ctx, n, 1), l.op)
			})
	}
	simple("aten.logical_not.default", "logical_not as Unary NOT on bool", dtypeIn(anyDT...),
		func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			return impl.Not(ctx, asBool(ctx, n, 0))
		})
	for _, ov := range []string{"Tensor_Tensor", "Tensor_Scalar", "Scalar"} {
		simple("aten.pow."+ov, "pow as ElementWise POW", validBinary("self", "exponent", floats),
			func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
				x, y, dt, _ := promoted(n, "self", "exponent")
				return impl.Pow(ctx, tensorOf(ctx, n, x, dt), tensorOf(ctx, n, y, dt))
			})
	}
	for fam, op := range map[string]network.ElementWiseOperation{"maximum": network.ElementWiseMAX, "minimum": network.ElementWiseMIN} {
		op := op
		simple("aten."+fam+".default", fmt.Sprintf("%s as ElementWise %v", fam, op), validBinary("self", "other", numeric),
			func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
				x, y, dt, _ := promoted(n, "self", "other")
				return impl.ElementWise(ctx, tensorOf(ctx, n, x, dt), tensorOf(ctx, n, y, dt), op)
			})
	}
}

// asBool is input i as bool (x != 0 for numbers).
func asBool(ctx *conversion.Context, n *conversion.Node, i int) network.Tensor {
	x := ctx.Input(n, i)
	if x.DType() == ir.Bool {
		return x
	}
	return impl.Not(ctx, impl.ElementWise(ctx, x, impl.ScalarLike(ctx, 0, x), network.ElementWiseEQUAL))
}
