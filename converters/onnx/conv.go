package onnx

import (
	"fmt"
	"strings"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Conv as an N-D Convolution layer: constant weights and bias as the
// layer's weights; weights or bias computed in the network (of static
// shape) as its tensor inputs 1 and 2, which TensorRT takes with empty
// weights, as onnx-tensorrt converts them.

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
// static channel and spatial dims, weights and bias of static shape (a
// tensor W or B must also have X's dtype: TensorRT's kernel weights take
// one dtype). It returns the spatial dims and W's shape.
func convInputs(n *conversion.Node, layer string) ([]int64, []int64, error) {
	if err := dtypeIn(floats...)(n); err != nil {
		return nil, nil, err
	}
	in, err := staticSpatial(n)
	if err != nil {
		return nil, nil, err
	}
	if len(n.In) < 2 || n.In[1] == nil {
		return nil, nil, fmt.Errorf("needs weights W")
	}
	for i, what := range []string{"weights W", "bias B"} {
		if len(n.In) <= i+1 || n.In[i+1] == nil || n.Const(i+1) != nil {
			continue
		}
		v := n.In[i+1]
		if !v.Shape.IsStatic() {
			return nil, nil, fmt.Errorf("%s is computed at run time with dynamic shape %v; TensorRT's %s takes a %s tensor of static shape", what, v.Shape, layer, strings.Fields(what)[0])
		}
		if v.DType != n.In[0].DType {
			return nil, nil, fmt.Errorf("%s is %v and X %v; a %s tensor must have X's dtype", what, v.DType, n.In[0].DType, strings.Fields(what)[0])
		}
	}
	ws, _ := n.In[1].Shape.Ints()
	if len(ws) != len(in)+2 {
		return nil, nil, fmt.Errorf("weights W %v and X %v differ in rank", n.In[1].Shape, n.In[0].Shape)
	}
	return in, ws, nil
}

// convBias is B as constant weights or, computed at run time, a tensor.
func convBias(ctx *conversion.Context, n *conversion.Node) (*ir.Tensor, network.Tensor) {
	if n.Input(2) == "" {
		return nil, nil
	}
	if b := n.Const(2); b != nil {
		return b, nil
	}
	return nil, ctx.Input(n, 2)
}

func init() {
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.Conv",
		Priority:      conversion.Standard,
		DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			in, ws, err := convInputs(n, "convolution")
			if err != nil {
				return err
			}
			_, err = ops.WindowGeometry(n.Node, in, ws[2:], false)
			return err
		},
		Description: "Conv as ConvolutionNd (groups, dilations, explicit or SAME padding resolved at build time; run-time weights and bias as its tensor inputs)",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			in, ws, err := convInputs(n, "convolution")
			if err != nil {
				return err
			}
			g, err := ops.WindowGeometry(n.Node, in, ws[2:], false)
			if err != nil {
				return err
			}
			x, group := ctx.Input(n, 0), n.AttrInt("group", 1)
			var y network.Tensor
			if w := n.Const(1); w != nil && (n.Input(2) == "" || n.Const(2) != nil) {
				y = impl.Conv(ctx, x, w, n.Const(2), g.Strides, g.Dilations, g.PadsBegin, g.PadsEnd, group)
			} else {
				bias, biasT := convBias(ctx, n)
				y = impl.ConvT(ctx, x, ctx.Input(n, 1), bias, biasT, g.Strides, g.Dilations, g.PadsBegin, g.PadsEnd, group)
			}
			ctx.SetOutput(n, 0, y)
			return nil
		},
	})
}
