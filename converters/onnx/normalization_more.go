package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// RMSNormalization (decomposed into Reduce, ElementWise and Unary layers)
// and GroupNormalization (a Normalization layer over a grouped view).

func init() {
	builtins = append(builtins,
		conversion.Converter{
			Target:        "onnx.RMSNormalization",
			Priority:      conversion.Standard,
			DynamicShapes: true,
			Validator: func(n *conversion.Node) error {
				if err := dtypeIn(floats...)(n); err != nil {
					return err
				}
				if len(n.In) < 2 || n.In[1] == nil {
					return fmt.Errorf("scale is required")
				}
				if st := n.AttrInt("stash_type", 1); st != int64(ir.Float32) {
					return fmt.Errorf("stash_type %d: only 1 (float32) converts", st)
				}
				rank := len(n.In[0].Shape)
				axis, err := ir.NormAxis(n.AttrInt("axis", -1), rank)
				if err != nil || rank == 0 {
					return fmt.Errorf("axis %d is out of range for rank %d", n.AttrInt("axis", -1), rank)
				}
				if len(n.In[1].Shape) > rank-axis {
					return fmt.Errorf("scale %v has more dims than the normalized dims", n.In[1].Shape)
				}
				return nil
			},
			Description: "RMSNormalization as x / sqrt(Reduce AVG(x*x) + eps) * scale, in float32",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				x := ctx.Input(n, 0)
				axis, _ := ir.NormAxis(n.AttrInt("axis", -1), len(x.Shape()))
				ctx.SetOutput(n, 0, impl.RMSNorm(ctx, x, ctx.Input(n, 1), axis, n.AttrFloat("epsilon", 1e-5)))
				return nil
			},
		},
		conversion.Converter{
			Target:        "onnx.GroupNormalization",
			Priority:      conversion.Standard,
			DynamicShapes: true,
			Validator: func(n *conversion.Node) error {
				_, err := groupNormPerGroup(n)
				return err
			},
			Description: "GroupNormalization as Shuffle [N, groups, -1], Normalization over the last axis, Shuffle back, scale and bias",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				perGroup, err := groupNormPerGroup(n)
				if err != nil {
					return err
				}
				y := impl.GroupNorm(ctx, ctx.Input(n, 0), n.AttrInt("num_groups", 0), ctx.Input(n, 1), ctx.Input(n, 2), perGroup, n.AttrFloat("epsilon", 1e-5))
				ctx.SetOutput(n, 0, y)
				return nil
			},
		},
	)
}

// groupNormPerGroup checks a GroupNormalization node and says whether its
// scale and bias are per group (opset < 21) rather than per channel.
func groupNormPerGroup(n *conversion.Node) (bool, error) {
	if err := dtypeIn(floats...)(n); err != nil {
		return false, err
	}
	if len(n.In) < 3 || n.In[1] == nil || n.In[2] == nil {
		return false, fmt.Errorf("scale and bias are required")
	}
	if st := n.AttrInt("stash_type", 1); st != int64(ir.Float32) {
		return false, fmt.Errorf("stash_type %d: only 1 (float32) converts", st)
	}
	x := n.In[0].Shape
	if len(x) < 2 || !x[1].Static() {
		return false, fmt.Errorf("input %v needs rank >= 2 and a static channel dim", x)
	}
	sl, bl := n.In[1].Shape, n.In[2].Shape
	if !sl.IsStatic() || !bl.IsStatic() || len(sl) != 1 || !sl.Equal(bl) {
		return false, fmt.Errorf("scale %v and bias %v must be 1-D, static and of one size", sl, bl)
	}
	return ops.GroupNormPerGroup(n.Node, x[1].Size, n.AttrInt("num_groups", 0), sl[0].Size)
}

func init() {
	builtins = append(builtins,
		conversion.Converter{
			Target: "onnx.LpNormalization", Priority: conversion.Standard, DynamicShapes: true,
			Validator: func(n *conversion.Node) error {
				if err := dtypeIn(floats...)(n); err != nil {
					return err
				}
				if p := n.AttrInt("p", 2); p != 1 && p != 2 {
					return fmt.Errorf("p %d must be 1 or 2", p)
				}
				_, err := ir.NormAxis(n.AttrInt("axis", -1), len(n.In[0].Shape))
				return err
			},
			Description: "LpNormalization as x divided by a Reduce SUM of |x| (p=1) or its square root of squares (p=2)",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				x := ctx.Input(n, 0)
				axis, err := ir.NormAxis(n.AttrInt("axis", -1), len(x.Shape()))
				if err != nil {
					return err
				}
				ctx.SetOutput(n, 0, impl.LpNorm(ctx, x, axis, n.AttrInt("p", 2)))
				return nil
			},
		},
		conversion.Converter{
			Target: "onnx.MeanVarianceNormalization", Priority: conversion.Standard, DynamicShapes: true,
			Validator: func(n *conversion.Node) error {
				if err := dtypeIn(floats...)(n); err != nil {
					return err
				}
				_, err := ops.MVNAxes(n.Node, len(n.In[0].Shape))
				return err
			},
			Description: "MeanVarianceNormalization as (x - Reduce AVG) / (sqrt(Reduce AVG of squares) + 1e-9)",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				x := ctx.Input(n, 0)
				axes, err := ops.MVNAxes(n.Node, len(x.Shape()))
				if err != nil {
					return err
				}
				ctx.SetOutput(n, 0, impl.MeanVarianceNorm(ctx, x, axes, ops.MVNEpsilon))
				return nil
			},
		},
	)
}
