package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// ATen arithmetic, comparison and logical ops, Tensor and Scalar overloads,
// with PyTorch's type promotion. A Scalar argument, or a Tensor argument the
// export wrote as a Python number, is the attribute of that name.

// PromoteTypes is torch.promote_types for the dtypes trtc holds.
func PromoteTypes(a, b ir.DType) ir.DType {
	if a == b {
		return a
	}
	cat := func(d ir.DType) int {
		switch {
		case d == ir.Bool:
			return 0
		case d.IsInt():
			return 1
		}
		return 2
	}
	ca, cb := cat(a), cat(b)
	if ca != cb {
		if ca > cb {
			return a
		}
		return b
	}
	if ca == 2 && a.Size() == b.Size() {
		return ir.Float32 // float16 with bfloat16
	}
	if a.Size() > b.Size() {
		return a
	}
	return b
}

// ResultType is the dtype of a binary op on a tensor of dtype t and either
// another tensor (o, oRank) or a Python scalar (scalar true, isInt), per
// torch.result_type: a scalar or 0-dim tensor only changes the category.
func ResultType(t ir.DType, tRank int, o ir.DType, oRank int, scalar, isInt bool) ir.DType {
	cat := func(d ir.DType) int {
		switch {
		case d == ir.Bool:
			return 0
		case d.IsInt():
			return 1
		}
		return 2
	}
	if scalar {
		sc := 2
		if isInt {
			sc = 1
		}
		switch {
		case sc <= cat(t):
			return t
		case sc == 2:
			return ir.Float32
		default:
			return ir.Int64
		}
	}
	switch {
	case (tRank == 0) == (oRank == 0):
		return PromoteTypes(t, o)
	case oRank == 0:
		if cat(o) > cat(t) {
			return PromoteTypes(map[int]ir.DType{2: ir.Float32, 1: ir.Int64, 0: ir.Bool}[cat(o)], t)
		}
		return t
	default:
		return ResultType(o, oRank, t, tRank, false, false)
	}
}

// binaryOperands lowers the two operands of a binary op: input 0 (self or
// a scalar attr "self"), and input 1 or the attribute other, promoted to one
// dtype. It returns refs, the promoted dtype and the output rank.
func binaryOperands(p *plan, n *ir.Node, in []*ir.Value, a, b string) (ra, rb ref, dt ir.DType, err error) {
	type operand struct {
		v             *ir.Value
		val           float64
		isInt, scalar bool
	}
	get := func(i int, name string) (operand, error) {
		if i < len(in) && in[i] != nil {
			return operand{v: in[i]}, nil
		}
		v, isInt, ok := ScalarAttr(n, name)
		if !ok {
			return operand{}, fmt.Errorf("operand %q is neither an input nor an attribute", name)
		}
		return operand{val: v, isInt: isInt, scalar: true}, nil
	}
	x, err := get(0, a)
	if err != nil {
		return ra, rb, 0, err
	}
	y, err := get(1, b)
	if err != nil {
		return ra, rb, 0, err
	}
	switch {
	case x.scalar && y.scalar:
		return ra, rb, 0, fmt.Errorf("both operands are scalars")
	case x.scalar:
		dt = ResultType(y.v.DType, len(y.v.Shape), 0, 0, true, x.isInt)
	case y.scalar:
		dt = ResultType(x.v.DType, len(x.v.Shape), 0, 0, true, y.isInt)
	default:
		dt = ResultType(x.v.DType, len(x.v.Shape), y.v.DType, len(y.v.Shape), false, false)
	}
	ref1 := func(o operand, i int) ref {
		if o.scalar {
			return p.scalar(dt, o.val)
		}
		return p.cast(inRef(i), o.v.DType, dt)
	}
	return ref1(x, 0), ref1(y, 1), dt, nil
}

func init() {
	arith := map[string]string{"add": "onnx.Add", "sub": "onnx.Sub", "mul": "onnx.Mul", "div": "onnx.Div", "rsub": "onnx.Sub"}
	for fam, onnxOp := range arith {
		fam, onnxOp := fam, onnxOp
		lower := func(n *ir.Node, in []*ir.Value) (*plan, error) {
			p := &plan{}
			a, b, dt, err := binaryOperands(p, n, in, "self", "other")
			if err != nil {
				return nil, err
			}
			if dt == ir.Bool && fam != "mul" {
				dt = map[bool]ir.DType{true: ir.Float32, false: ir.Int64}[fam == "div"]
				a, b = p.cast(a, ir.Bool, dt), p.cast(b, ir.Bool, dt)
			}
			if fam == "div" && !dt.IsFloat() {
				// True division of integers gives float32.
				if n.AttrString("rounding_mode", "") != "" {
					return nil, fmt.Errorf("rounding_mode %q is not supported", n.AttrString("rounding_mode", ""))
				}
				a, b = p.cast(a, dt, ir.Float32), p.cast(b, dt, ir.Float32)
			}
			alpha, _, hasAlpha := ScalarAttr(n, "alpha")
			scaled := func(r ref) ref {
				if hasAlpha && alpha != 1 {
					return p.add("onnx.Mul", nil, r, p.scalar(dt, alpha))
				}
				return r
			}
			switch fam {
			case "rsub":
				// rsub(self, other, alpha) = other - alpha * self.
				a, b = b, scaled(a)
			case "add", "sub":
				b = scaled(b)
			case "mul":
				if dt == ir.Bool {
					p.out = []ref{p.add("onnx.And", nil, a, b)}
					return p, nil
				}
			}
			p.out = []ref{p.add(onnxOp, nil, a, b)}
			return p, nil
		}
		for _, ov := range []string{"Tensor", "Scalar"} {
			registerATen("aten."+fam+"."+ov, false, lower)
		}
		if fam == "add" || fam == "sub" || fam == "mul" || fam == "div" {
			registerATen("aten."+fam+"_.Tensor", false, lower)
		}
	}
	cmp := map[string]string{"eq": "onnx.Equal", "ne": "onnx.Equal", "lt": "onnx.Less", "le": "onnx.LessOrEqual", "gt": "onnx.Greater", "ge": "onnx.GreaterOrEqual"}
	for fam, onnxOp := range cmp {
		fam, onnxOp := fam, onnxOp
		lower := func(n *ir.Node, in []*ir.Value) (*plan, error) {
			p := &plan{}
			a, b, dt, err := binaryOperands(p, n, in, "self", "other")
			if err != nil {
				return nil, err
			}
			if dt == ir.Bool && onnxOp != "onnx.Equal" {
				a, b = p.cast(a, ir.Bool, ir.Int32), p.cast(b, ir.Bool, ir.Int32)
			}
			y := p.add(onnxOp, nil, a, b)
			if fam == "ne" {
				y = p.add("onnx.Not", nil, y)
			}
			p.out = []ref{y}
			return p, nil
		}
		registerATen("aten."+fam+".Tensor", false, lower)
		registerATen("aten."+fam+".Scalar", false, lower)
	}
	for fam, onnxOp := range map[string]string{"logical_and": "onnx.And", "logical_or": "onnx.Or", "logical_xor": "onnx.Xor"} {
		onnxOp := onnxOp
		registerATen("aten."+fam+".default", false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
			if err := need(in, 0, 1); err != nil {
				return nil, err
			}
			p := &plan{}
			a := toBool(p, inRef(0), in[0].DType)
			b := toBool(p, inRef(1), in[1].DType)
			p.out = []ref{p.add(onnxOp, nil, a, b)}
			return p, nil
		})
	}
	registerATen("aten.logical_not.default", false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0); err != nil {
			return nil, err
		}
		p := &plan{}
		p.out = []ref{p.add("onnx.Not", nil, toBool(p, inRef(0), in[0].DType))}
		return p, nil
	})
	for _, ov := range []string{"Tensor_Tensor", "Tensor_Scalar", "Scalar"} {
		registerATen("aten.pow."+ov, false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
			p := &plan{}
			a, b, dt, err := binaryOperands(p, n, in, "self", "exponent")
			if err != nil {
				return nil, err
			}
			if !dt.IsFloat() {
				return nil, fmt.Errorf("integer pow is not supported (dtype %v)", dt)
			}
			p.out = []ref{p.add("onnx.Pow", nil, a, b)}
			return p, nil
		})
	}
	for _, fam := range []string{"maximum", "minimum"} {
		onnxOp := map[string]string{"maximum": "onnx.Max", "minimum": "onnx.Min"}[fam]
		registerATen("aten."+fam+".default", false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
			p := &plan{}
			a, b, _, err := binaryOperands(p, n, in, "self", "other")
			if err != nil {
				return nil, err
			}
			p.out = []ref{p.add(onnxOp, nil, a, b)}
			return p, nil
		})
	}
}

// toBool is x != 0 for numeric x, x for bool.
func toBool(p *plan, r ref, dt ir.DType) ref {
	if dt == ir.Bool {
		return r
	}
	return p.add("onnx.Not", nil, p.add("onnx.Equal", nil, r, p.scalar(dt, 0)))
}
