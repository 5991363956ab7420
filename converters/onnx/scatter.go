package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// ScatterElements (and Scatter, its opset-9 name) and ScatterND as a
// Scatter layer, negative indices normalized. TensorRT's Scatter layer
// replaces; the add/mul/max/min reductions have no layer and fall back.

func validateScatter(n *conversion.Node) error {
	if len(n.In) < 3 || n.In[0] == nil || n.In[1] == nil || n.In[2] == nil {
		return fmt.Errorf("needs data, indices and updates")
	}
	if r := n.AttrString("reduction", "none"); r != "none" {
		return fmt.Errorf("reduction %q: TensorRT's Scatter layer only replaces (reduction none)", r)
	}
	if err := dtypeIn(numeric...)(&conversion.Node{Node: n.Node, In: []*ir.Value{n.In[0], n.In[2]}}); err != nil {
		return err
	}
	return nil
}

func init() {
	for _, op := range []string{"ScatterElements", "Scatter"} {
		builtins = append(builtins, conversion.Converter{
			Target: "onnx." + op, Priority: conversion.Standard, DynamicShapes: true,
			Validator: func(n *conversion.Node) error {
				if err := validateScatter(n); err != nil {
					return err
				}
				ax, err := impl.NormAxes([]int64{n.AttrInt("axis", 0)}, len(n.In[0].Shape))
				if err != nil {
					return err
				}
				if n.In[1].Const == nil && n.In[1].DType != ir.Int64 && !n.In[0].Shape[ax[0]].Static() {
					return fmt.Errorf("run-time %v indices into a dynamic dim need a Cast to normalize negative indices", n.In[1].DType)
				}
				return nil
			},
			Description: op + " as a Scatter layer in ELEMENT mode (reduction none), negative indices normalized",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				data := ctx.Input(n, 0)
				ax, err := impl.NormAxes([]int64{n.AttrInt("axis", 0)}, len(data.Shape()))
				if err != nil {
					return err
				}
				ctx.SetOutput(n, 0, impl.ScatterElements(ctx, data, ctx.Input(n, 1), ctx.Input(n, 2), ax[0], n.Const(1)))
				return nil
			},
		})
	}
	builtins = append(builtins, conversion.Converter{
		Target: "onnx.ScatterND", Priority: conversion.Standard, DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			if err := validateScatter(n); err != nil {
				return err
			}
			is := n.In[1].Shape
			if len(is) == 0 || !is[len(is)-1].Static() || is[len(is)-1].Size > int64(len(n.In[0].Shape)) {
				return fmt.Errorf("the last dim of indices %v must be static and at most data's rank %d", is, len(n.In[0].Shape))
			}
			return nil
		},
		Description: "ScatterND as a Scatter layer in ND mode (reduction none), negative indices normalized",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			ctx.SetOutput(n, 0, impl.ScatterND(ctx, ctx.Input(n, 0), ctx.Input(n, 1), ctx.Input(n, 2), n.Const(1)))
			return nil
		},
	})
}
