package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
)

// MatMul and Gemm as MatrixMultiply.

func init() {
	builtins = append(builtins,
		conversion.Converter{
			Target:        "onnx.MatMul",
			Priority:      conversion.Standard,
			DynamicShapes: true,
			Validator: func(n *conversion.Node) error {
				if err := dtypeIn(floats...)(n); err != nil {
					return err
				}
				if len(n.In) != 2 || n.In[0] == nil || n.In[1] == nil {
					return fmt.Errorf("MatMul needs 2 inputs")
				}
				return nil
			},
			Description: "MatMul as MatrixMultiply (1-D operands as VECTOR, batch ranks aligned with leading 1s)",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				ctx.SetOutput(n, 0, impl.MatMul(ctx, ctx.Input(n, 0), ctx.Input(n, 1)))
				return nil
			},
		},
		conversion.Converter{
			Target:        "onnx.Gemm",
			Priority:      conversion.Standard,
			DynamicShapes: true,
			Validator: func(n *conversion.Node) error {
				if err := dtypeIn(floats...)(n); err != nil {
					return err
				}
				if n.HasAttr("broadcast") && n.Opset < 7 {
					return fmt.Errorf("Gemm broadcast attribute (opset < 7) is not supported")
				}
				return nil
			},
			Description: "Gemm as MatrixMultiply with transposes, alpha and beta as ElementWise with constants",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				var c = ctx.Input(n, 2)
				cConst := n.Const(2)
				if cConst != nil {
					c = nil // scaled by beta at build time
				}
				y := impl.Gemm(ctx, ctx.Input(n, 0), ctx.Input(n, 1), n.AttrInt("transA", 0) != 0, n.AttrInt("transB", 0) != 0,
					c, cConst, n.AttrFloat("alpha", 1), n.AttrFloat("beta", 1))
				ctx.SetOutput(n, 0, y)
				return nil
			},
		},
	)
}
