package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Elementwise unary ops map one to one onto a Unary layer.
var unaryOps = []struct {
	op     string
	u      network.UnaryOperation
	dtypes []ir.DType
}{
	{"Sqrt", network.UnarySQRT, floats}, {"Exp", network.UnaryEXP, floats},
	{"Log", network.UnaryLOG, floats}, {"Reciprocal", network.UnaryRECIP, floats},
	{"Erf", network.UnaryERF, floats}, {"Sin", network.UnarySIN, floats},
	{"Cos", network.UnaryCOS, floats}, {"Tan", network.UnaryTAN, floats},
	{"Asin", network.UnaryASIN, floats}, {"Acos", network.UnaryACOS, floats},
	{"Atan", network.UnaryATAN, floats}, {"Sinh", network.UnarySINH, floats},
	{"Cosh", network.UnaryCOSH, floats}, {"Asinh", network.UnaryASINH, floats},
	{"Acosh", network.UnaryACOSH, floats}, {"Atanh", network.UnaryATANH, floats},
	{"Floor", network.UnaryFLOOR, floats}, {"Ceil", network.UnaryCEIL, floats},
	{"Round", network.UnaryROUND, floats}, {"IsNaN", network.UnaryISNAN, floats},
	{"Neg", network.UnaryNEG, signedNumeric}, {"Abs", network.UnaryABS, signedNumeric},
	{"Sign", network.UnarySIGN, signedNumeric}, {"Not", network.UnaryNOT, []ir.DType{ir.Bool}},
}

// signedNumeric are the dtypes TensorRT's ABS, NEG and SIGN take.
var signedNumeric = []ir.DType{ir.Float32, ir.Float16, ir.BFloat16, ir.Int32, ir.Int64}

func init() {
	for _, u := range unaryOps {
		op := u.u
		builtins = append(builtins, conversion.Converter{
			Target:        "onnx." + u.op,
			DynamicShapes: true,
			Validator:     dtypeIn(u.dtypes...),
			Description:   fmt.Sprintf("%s as Unary %v", u.op, op),
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				ctx.SetOutput(n, 0, impl.Unary(ctx, ctx.Input(n, 0), op))
				return nil
			},
		})
	}
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.IsInf",
		DynamicShapes: true,
		OpsetMin:      10,
		Validator: func(n *conversion.Node) error {
			if n.AttrInt("detect_positive", 1) == 0 && n.AttrInt("detect_negative", 1) == 0 {
				return fmt.Errorf("detect_positive and detect_negative are both 0 (output is constant false)")
			}
			return dtypeIn(floats...)(n)
		},
		Description: "IsInf as Unary kISINF, ANDed with a sign test when only one sign is detected",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			pos, neg := n.AttrInt("detect_positive", 1) != 0, n.AttrInt("detect_negative", 1) != 0
			ctx.SetOutput(n, 0, impl.IsInf(ctx, ctx.Input(n, 0), pos, neg))
			return nil
		},
	})
}
