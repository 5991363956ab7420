package onnx

import (
	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// ConvTranspose as an N-D Deconvolution layer with constant weights.

func init() {
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.ConvTranspose",
		Priority:      conversion.Standard,
		DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			in, err := convInputs(n, "deconvolution")
			if err != nil {
				return err
			}
			_, err = ops.ConvTransposeGeometry(n.Node, in, n.Const(1).Shape[2:])
			return err
		},
		Description: "ConvTranspose as DeconvolutionNd (groups, dilations; output_padding, output_shape and SAME padding resolved at build time)",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			in, _ := staticSpatial(n)
			w := n.Const(1)
			g, err := ops.ConvTransposeGeometry(n.Node, in, w.Shape[2:])
			if err != nil {
				return err
			}
			y, err := impl.Deconv(ctx, ctx.Input(n, 0), w, n.Const(2), g.Strides, g.Dilations, g.PadsBegin, g.PadsEnd, n.AttrInt("group", 1))
			if err != nil {
				return err
			}
			ctx.SetOutput(n, 0, y)
			return nil
		},
	})
}
