package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// ONNX elementwise unary ops: the output has the input's shape, and its
// dtype except for the predicates (IsNaN, IsInf), which give Bool.

// UnaryOps maps ONNX unary op types to their kernel op.
var UnaryOps = map[string]kernels.UnaryOp{
	"Sqrt": kernels.UnarySqrt, "Exp": kernels.UnaryExp, "Log": kernels.UnaryLog,
	"Neg": kernels.UnaryNeg, "Abs": kernels.UnaryAbs, "Reciprocal": kernels.UnaryRecip,
	"Erf": kernels.UnaryErf, "Sin": kernels.UnarySin, "Cos": kernels.UnaryCos,
	"Tan": kernels.UnaryTan, "Asin": kernels.UnaryAsin, "Acos": kernels.UnaryAcos,
	"Atan": kernels.UnaryAtan, "Sinh": kernels.UnarySinh, "Cosh": kernels.UnaryCosh,
	"Asinh": kernels.UnaryAsinh, "Acosh": kernels.UnaryAcosh, "Atanh": kernels.UnaryAtanh,
	"Floor": kernels.UnaryFloor, "Ceil": kernels.UnaryCeil, "Round": kernels.UnaryRound,
	"Sign": kernels.UnarySign, "Not": kernels.UnaryNot, "IsNaN": kernels.UnaryIsNaN,
}

func init() {
	for op, k := range UnaryOps {
		k := k
		Register(Op{
			Key:   "onnx." + op,
			Infer: inferUnary(k),
			Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
				return t1(kernels.Unary(k, in[0]))
			},
		})
	}
	Register(Op{
		Key:   "onnx.IsInf",
		Infer: inferUnary(kernels.UnaryIsInf),
		Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
			return t1(kernels.IsInf(in[0], n.AttrInt("detect_positive", 1) != 0, n.AttrInt("detect_negative", 1) != 0))
		},
	})
}

// inferUnary checks the input dtype against what the kernel accepts.
func inferUnary(k kernels.UnaryOp) func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	return func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 1); err != nil {
			return nil, err
		}
		dt := in[0].DType
		switch {
		case k == kernels.UnaryNot:
			if dt != ir.Bool {
				return nil, fmt.Errorf("input 0 is %v, want bool", dt)
			}
		case dt.IsFloat():
		case kernels.UnaryIntOK(k) && dt.IsInt():
		default:
			return nil, fmt.Errorf("input 0 is %v, want a floating-point type", dt)
		}
		if k == kernels.UnaryIsNaN || k == kernels.UnaryIsInf {
			dt = ir.Bool
		}
		return out1(dt, in[0].Shape.Clone()), nil
	}
}
