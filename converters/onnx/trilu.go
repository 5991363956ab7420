package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Trilu as a Select between the input and zero over a triangle mask.

func init() {
	builtins = append(builtins, conversion.Converter{
		Target: "onnx.Trilu", Priority: conversion.Standard, DynamicShapes: true,
		Description: "Trilu as Select over a constant mask (or one computed from a Fill when dims or k are run-time)",
		Validator: func(n *conversion.Node) error {
			if !dtypeOK(n.In[0].DType, selectable) {
				return fmt.Errorf("input is %v; TensorRT selects %v", n.In[0].DType, selectable)
			}
			if len(n.In) > 1 && n.In[1] != nil {
				if dims, ok := n.In[1].Shape.Ints(); !ok || ir.Numel(dims) != 1 {
					return fmt.Errorf("k is %v; it must have one element", n.In[1].Shape)
				}
			}
			return nil
		},
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			var kConst int64
			var k network.Tensor
			if len(n.In) > 1 && n.In[1] != nil {
				if c := n.Const(1); c != nil {
					kConst = c.Int(0)
				} else {
					k = ctx.Input(n, 1)
				}
			}
			ctx.SetOutput(n, 0, impl.Trilu(ctx, ctx.Input(n, 0), kConst, k, n.AttrInt("upper", 1) == 1))
			return nil
		},
	})
}
