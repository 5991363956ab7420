package onnx

import (
	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// ConvTranspose as an N-D Deconvolution layer; run-time weights and bias
// (static shape) as its tensor inputs 1 and 2, as for Conv.

func init() {
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.ConvTranspose",
		Priority:      conversion.Standard,
		DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			in, ws, err := convInputs(n, "deconvolution")
			if err != nil {
				return err
			}
			_, err = ops.ConvTransposeGeometry(n.Node, in, ws[2:])
			return err
		},
		Description: "ConvTranspose as DeconvolutionNd (groups, dilations; output_padding, output_shape and SAME padding resolved at build time)",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			in, ws, err := convInputs(n, "deconvolution")
			if err != nil {
				return err
			}
			g, err := ops.ConvTransposeGeometry(n.Node, in, ws[2:])
			if err != nil {
				return err
			}
			x, group := ctx.Input(n, 0), n.AttrInt("group", 1)
			var y network.Tensor
			if w := n.Const(1); w != nil && (n.Input(2) == "" || n.Const(2) != nil) {
				y, err = impl.Deconv(ctx, x, w, n.Const(2), g.Strides, g.Dilations, g.PadsBegin, g.PadsEnd, group)
			} else {
				bias, biasT := convBias(ctx, n)
				y, err = impl.DeconvT(ctx, x, ctx.Input(n, 1), bias, biasT, g.Strides, g.Dilations, g.PadsBegin, g.PadsEnd, group)
			}
			if err != nil {
				return err
			}
			ctx.SetOutput(n, 0, y)
			return nil
		},
	})
}
