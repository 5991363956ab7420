package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// DepthToSpace and SpaceToDepth as two Shuffles: a reshape to the 6-D
// block view with its transpose, then a reshape to [N, C', H', W'].

// spacePlan plans a node whose C, H and W are static (N may be dynamic).
func spacePlan(n *conversion.Node, toSpace bool) (ops.SpacePlan, error) {
	x := n.In[0].Shape
	if len(x) != 4 {
		return ops.SpacePlan{}, fmt.Errorf("input %v must be 4-D", x)
	}
	dims, ok := x[1:].Ints()
	if !ok {
		return ops.SpacePlan{}, fmt.Errorf("input %v: C, H and W must be static (only the batch dim may be dynamic)", x)
	}
	return ops.PlanSpace(n.Node, toSpace, append([]int64{0}, dims...))
}

func init() {
	for _, toSpace := range []bool{true, false} {
		toSpace := toSpace
		op := "DepthToSpace"
		if !toSpace {
			op = "SpaceToDepth"
		}
		builtins = append(builtins, conversion.Converter{
			Target: "onnx." + op, Priority: conversion.Standard, DynamicShapes: true,
			Validator: func(n *conversion.Node) error {
				_, err := spacePlan(n, toSpace)
				return err
			},
			Description: op + " as a Shuffle to the 6-D block view with a transpose, and a Shuffle back to 4-D",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				p, err := spacePlan(n, toSpace)
				if err != nil {
					return err
				}
				ctx.SetOutput(n, 0, impl.BlockShuffle(ctx, ctx.Input(n, 0), p.View, p.Perm, p.Out))
				return nil
			},
		})
	}
}
