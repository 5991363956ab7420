package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// ONNX binary elementwise ops (multidirectional broadcasting). Max, Min
// and Sum-like variadic forms fold left over their inputs.

func init() {
	for op, k := range map[string]kernels.BinaryOp{
		"Add": kernels.OpAdd, "Sub": kernels.OpSub, "Mul": kernels.OpMul, "Div": kernels.OpDiv,
		"Pow": kernels.OpPow, "Max": kernels.OpMax, "Min": kernels.OpMin,
		"Equal": kernels.OpEqual, "Less": kernels.OpLess, "Greater": kernels.OpGreater,
		"LessOrEqual": kernels.OpLessEqual, "GreaterOrEqual": kernels.OpGreaterEqual,
		"And": kernels.OpAnd, "Or": kernels.OpOr, "Xor": kernels.OpXor,
	} {
		registerBinary(op, k)
	}
	Register(Op{Key: "onnx.Mod", Infer: inferBinary(kernels.OpMod, false), Run: runMod})
}

func registerBinary(op string, k kernels.BinaryOp) {
	variadic := op == "Max" || op == "Min"
	Register(Op{
		Key:   "onnx." + op,
		Infer: inferBinary(k, variadic),
		Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
			if op == "Pow" && in[0].DType != in[1].DType {
				// Pow allows an exponent of another dtype: compute in the
				// base's dtype.
				e, err := kernels.Cast(in[1], in[0].DType)
				if err != nil {
					return nil, err
				}
				return t1(kernels.Binary(k, in[0], e))
			}
			acc := in[0]
			for _, t := range in[1:] {
				var err error
				if acc, err = kernels.Binary(k, acc, t); err != nil {
					return nil, err
				}
			}
			return []*ir.Tensor{acc}, nil
		},
	})
}

func inferBinary(k kernels.BinaryOp, variadic bool) func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	return func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		min := 2
		if variadic {
			min = 1
		}
		if err := needInputs(in, min); err != nil {
			return nil, err
		}
		if !variadic && len(in) != 2 {
			return nil, fmt.Errorf("needs 2 inputs, has %d", len(in))
		}
		dt := in[0].DType
		if n.Op != "onnx.Pow" {
			var err error
			if dt, err = sameDType(in); err != nil {
				return nil, err
			}
		}
		if k.IsLogical() && dt != ir.Bool {
			return nil, fmt.Errorf("needs bool inputs, got %v", dt)
		}
		shapes := make([]ir.Shape, len(in))
		for i, v := range in {
			shapes[i] = v.Shape
		}
		s, err := ir.Broadcast(shapes...)
		if err != nil {
			return nil, err
		}
		if k.IsCompare() {
			dt = ir.Bool
		}
		return out1(dt, s), nil
	}
}

func runMod(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	k := kernels.OpMod
	if n.AttrInt("fmod", 0) == 1 {
		k = kernels.OpFmod
	}
	return t1(kernels.Binary(k, in[0], in[1]))
}
