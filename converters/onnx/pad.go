package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Pad as one Slice layer (impl.Pad): constant pads at build time, or
// run-time pads through shape arithmetic; the axes input must be constant.

func init() {
	builtins = append(builtins, conversion.Converter{
		Target: "onnx.Pad", Priority: conversion.Standard, DynamicShapes: true,
		Description: "Pad as a Slice with SampleMode FILL/REFLECT/CLAMP/WRAP starting at -pads",
		Validator:   validatePad,
		Convert:     convPad,
	})
}

func hasIn(n *conversion.Node, i int) bool { return i < len(n.In) && n.In[i] != nil }

// padAxes returns the node's constant axes (nil for all dims).
func padAxes(n *conversion.Node) ([]int64, error) {
	if !hasIn(n, 3) || n.HasAttr("pads") {
		return nil, nil
	}
	c := n.Const(3)
	if c == nil {
		return nil, fmt.Errorf("axes (input 3) must be a constant")
	}
	return c.Ints(), nil
}

// padConst returns the node's constant pads, or nil when they are run-time.
func padConst(n *conversion.Node) []int64 {
	if n.HasAttr("pads") {
		return n.AttrInts("pads", nil)
	}
	if c := n.Const(1); c != nil {
		return c.Ints()
	}
	return nil
}

func validatePad(n *conversion.Node) error {
	x := n.In[0]
	if !dtypeOK(x.DType, trtDTypes) {
		return fmt.Errorf("input is %v; TensorRT slices %v", x.DType, trtDTypes)
	}
	mode := n.AttrString("mode", "constant")
	sm, err := impl.PadSampleMode(mode)
	if err != nil {
		return err
	}
	axes, err := padAxes(n)
	if err != nil {
		return err
	}
	if pads := padConst(n); pads != nil {
		pre, post, err := ops.PadAmounts(len(x.Shape), pads, axes)
		if err != nil {
			return err
		}
		for d, dim := range x.Shape {
			if dim.Static() && dim.Size+pre[d]+post[d] < 0 {
				return fmt.Errorf("pads %d, %d leave dim %d of size %d negative", pre[d], post[d], d, dim.Size)
			}
			if sm != network.SampleFILL && dim.Static() && dim.Size == 0 && pre[d]+post[d] > 0 {
				return fmt.Errorf("mode %s cannot pad the empty dim %d", mode, d)
			}
		}
	} else if !hasIn(n, 1) {
		return fmt.Errorf("pads (input 1) is missing")
	}
	return nil
}

func convPad(ctx *conversion.Context, n *conversion.Node) error {
	x := ctx.Input(n, 0)
	mode := n.AttrString("mode", "constant")
	var fill network.Tensor
	if n.HasAttr("pads") {
		if v := n.AttrFloat("value", 0); v != 0 {
			fill = impl.Scalar(ctx, float64(v), x.DType(), 0)
		}
	} else if hasIn(n, 2) {
		if c := n.Const(2); c != nil {
			if c.Numel() == 1 {
				fill = ctx.Net.AddConstant(c.Reshaped(nil))
			}
		} else {
			fill = scalar0(ctx, ctx.Input(n, 2))
		}
	}
	axes, err := padAxes(n)
	if err != nil {
		return err
	}
	var out network.Tensor
	if pads := padConst(n); pads != nil {
		pre, post, err := ops.PadAmounts(len(x.Shape()), pads, axes)
		if err != nil {
			return err
		}
		out, err = impl.PadWith(ctx, x, pre, post, mode, fill)
		if err != nil {
			return err
		}
	} else {
		var ax []int
		if axes != nil {
			if ax, err = impl.NormAxes(axes, len(x.Shape())); err != nil {
				return err
			}
		}
		if out, err = impl.PadT(ctx, x, ctx.Input(n, 1), ax, mode, fill); err != nil {
			return err
		}
	}
	ctx.SetOutput(n, 0, out)
	return nil
}
