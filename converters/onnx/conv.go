package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Conv as an N-D Convolution layer with constant weights, or, for 2-D and
// 3-D convolutions, a kernel tensor whose values the build knows: the
// output of a dequantize layer of quantized weights (explicit
// quantization), which the layer takes as input 1.

// staticSpatial checks that an input of a windowed op has rank 3..5 and
// static channel and spatial dims (the batch dim may be dynamic), and
// returns the spatial dims.
func staticSpatial(n *conversion.Node) ([]int64, error) {
	x := n.In[0]
	if len(x.Shape) < 3 || len(x.Shape) > 5 {
		return nil, fmt.Errorf("input %v: TensorRT handles 1 to 3 spatial dims", x.Shape)
	}
	dims, ok := x.Shape[1:].Ints()
	if !ok {
		return nil, fmt.Errorf("input %v: channel and spatial dims must be static (only the batch dim may be dynamic)", x.Shape)
	}
	return dims[1:], nil
}

// convInputs checks what Conv and ConvTranspose share: float inputs,
// static channel and spatial dims, constant weights and bias. It returns the
// spatial dims.
func convInputs(n *conversion.Node, layer string) ([]int64, error) {
	if err := dtypeIn(floats...)(n); err != nil {
		return nil, err
	}
	in, err := staticSpatial(n)
	if err != nil {
		return nil, err
	}
	if n.Const(1) == nil {
		w := n.In[1]
		if layer != "convolution" || w == nil || !w.Shape.IsStatic() || len(w.Shape) != len(n.In[0].Shape) || w.DType != n.In[0].DType {
			return nil, fmt.Errorf("weights W must be a constant (TensorRT %s takes kernel weights), or for a convolution a tensor of the input's dtype whose values the build knows (dequantized weights)", layer)
		}
	}
	if len(n.In) > 2 && n.In[2] != nil && n.Const(2) == nil {
		return nil, fmt.Errorf("bias B must be a constant")
	}
	return in, nil
}

func init() {
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.Conv",
		Priority:      conversion.Standard,
		DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			in, err := convInputs(n, "convolution")
			if err != nil {
				return err
			}
			wd, _ := n.In[1].Shape.Ints()
			_, err = ops.WindowGeometry(n.Node, in, wd[2:], false)
			return err
		},
		Description: "Conv as ConvolutionNd (groups, dilations, explicit or SAME padding resolved at build time)",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			in, _ := staticSpatial(n)
			w := n.Const(1)
			wd, _ := n.In[1].Shape.Ints()
			g, err := ops.WindowGeometry(n.Node, in, wd[2:], false)
			if err != nil {
				return err
			}
			if w == nil { // dequantized weights: the kernel input (explicit quantization)
				y := impl.ConvT(ctx, ctx.Input(n, 0), ctx.Input(n, 1), wd, n.Const(2), g.Strides, g.Dilations, g.PadsBegin, g.PadsEnd, n.AttrInt("group", 1))
				ctx.SetOutput(n, 0, y)
				return nil
			}
			y := impl.Conv(ctx, ctx.Input(n, 0), w, n.Const(2), g.Strides, g.Dilations, g.PadsBegin, g.PadsEnd, n.AttrInt("group", 1))
			ctx.SetOutput(n, 0, y)
			return nil
		},
	})
}
