package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// Gather, GatherElements and GatherND. ONNX allows negative indices; impl normalizes
// them, as TensorRT's Gather does not.

func init() {
	for _, op := range []string{"Gather", "GatherElements"} {
		elements := op == "GatherElements"
		builtins = append(builtins, conversion.Converter{
			Target: "onnx." + op, Priority: conversion.Standard, DynamicShapes: true,
			Validator:   validateGather,
			Description: op + " as a Gather layer with negative indices normalized",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				data, idx := ctx.Input(n, 0), ctx.Input(n, 1)
				ax, err := impl.NormAxes([]int64{n.AttrInt("axis", 0)}, len(data.Shape()))
				if err != nil {
					return err
				}
				if elements {
					ctx.SetOutput(n, 0, impl.GatherElements(ctx, data, idx, ax[0], n.Const(1)))
				} else {
					ctx.SetOutput(n, 0, impl.Gather(ctx, data, idx, ax[0], n.Const(1)))
				}
				return nil
			},
		})
	}
}

func init() {
	builtins = append(builtins, conversion.Converter{
		Target: "onnx.GatherND", Priority: conversion.Standard, DynamicShapes: true,
		Description: "GatherND as a Gather layer in ND mode (batch_dims as element-wise dims), negative indices normalized",
		Validator: func(n *conversion.Node) error {
			if len(n.In) < 2 || n.In[0] == nil || n.In[1] == nil {
				return fmt.Errorf("needs data and indices")
			}
			is := n.In[1].Shape
			if len(is) == 0 || !is[len(is)-1].Static() {
				return fmt.Errorf("the last dim of indices must be static, got %v", is)
			}
			b := n.AttrInt("batch_dims", 0)
			if b < 0 || b >= int64(min(len(n.In[0].Shape), len(is))) || b+is[len(is)-1].Size > int64(len(n.In[0].Shape)) {
				return fmt.Errorf("batch_dims %d with data %v and indices %v", b, n.In[0].Shape, is)
			}
			return nil
		},
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			ctx.SetOutput(n, 0, impl.GatherND(ctx, ctx.Input(n, 0), ctx.Input(n, 1), int(n.AttrInt("batch_dims", 0)), n.Const(1)))
			return nil
		},
	})
}

func validateGather(n *conversion.Node) error {
	if len(n.In) < 2 || n.In[0] == nil || n.In[1] == nil {
		return fmt.Errorf("needs data and indices")
	}
	if ax, err := impl.NormAxes([]int64{n.AttrInt("axis", 0)}, len(n.In[0].Shape)); err == nil {
		if n.In[1].Const == nil && n.In[1].DType != ir.Int64 && !n.In[0].Shape[ax[0]].Static() {
			return fmt.Errorf("run-time %v indices into a dynamic dim need a Cast to normalize negative indices", n.In[1].DType)
		}
	} else {
		return err
	}
	return nil
}
