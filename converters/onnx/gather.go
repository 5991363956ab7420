package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// Gather and GatherElements. ONNX allows negative indices; impl normalizes
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
