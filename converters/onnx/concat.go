package onnx

import (
	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

func init() {
	builtins = append(builtins, conversion.Converter{
		Target: "onnx.Concat", Priority: conversion.Standard, DynamicShapes: true,
		Description: "Concat as a Concatenation layer",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			xs := make([]network.Tensor, len(n.Inputs))
			for i := range xs {
				xs[i] = ctx.Input(n, i)
			}
			ax, err := impl.NormAxes([]int64{n.AttrInt("axis", 0)}, len(xs[0].Shape()))
			if err != nil {
				return err
			}
			ctx.SetOutput(n, 0, impl.Concat(ctx, xs, ax[0]))
			return nil
		},
	})
}
