package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// TopK, ArgMax, ArgMin and Hardmax, all from TensorRT's TopK layer, whose
// indices are Int32 (cast to ONNX's Int64). TopK's k must be known at build
// time and at most 3840, TensorRT's limit.

const maxTopK = 3840

func init() {
	add := func(op, desc string, v conversion.Validator, f conversion.ConvertFunc) {
		builtins = append(builtins, conversion.Converter{
			Target: "onnx." + op, Priority: conversion.Standard, DynamicShapes: true,
			Validator: v, Description: desc, Convert: f,
		})
	}
	add("TopK", "TopK layer; Int32 indices cast to Int64", validateTopK, func(ctx *conversion.Context, n *conversion.Node) error {
		x := ctx.Input(n, 0)
		axis, k, err := topKArgs(n)
		if err != nil {
			return err
		}
		v, i := impl.TopK(ctx, x, axis, k, n.AttrInt("largest", 1) == 1)
		ctx.SetOutput(n, 0, v)
		ctx.SetOutput(n, 1, i)
		return nil
	})
	for _, op := range []string{"ArgMax", "ArgMin"} {
		isMax := op == "ArgMax"
		add(op, "TopK layer with k=1 (select_last_index: over the reversed axis)", validateArg, func(ctx *conversion.Context, n *conversion.Node) error {
			x := ctx.Input(n, 0)
			ax, err := impl.NormAxes([]int64{n.AttrInt("axis", 0)}, len(x.Shape()))
			if err != nil {
				return err
			}
			ctx.SetOutput(n, 0, impl.ArgMax(ctx, x, ax[0], isMax, n.AttrInt("keepdims", 1) != 0, n.AttrInt("select_last_index", 0) != 0))
			return nil
		})
	}
	add("Hardmax", "one-hot of TopK k=1 (opset < 13: over the merged trailing dims)", validateHardmax, convHardmax)
}

var topKTypes = []ir.DType{ir.Float32, ir.Float16, ir.BFloat16, ir.Int32, ir.Int64}

// topKArgs returns the node's axis and its constant k.
func topKArgs(n *conversion.Node) (int, int64, error) {
	ax, err := impl.NormAxes([]int64{n.AttrInt("axis", -1)}, len(n.In[0].Shape))
	if err != nil {
		return 0, 0, err
	}
	if n.HasAttr("k") {
		return ax[0], n.AttrInt("k", 0), nil
	}
	k := n.Const(1)
	if k == nil || k.Numel() != 1 {
		return 0, 0, fmt.Errorf("k (input 1) must be a constant with one element; TensorRT's TopK takes k at build time")
	}
	return ax[0], k.Int(0), nil
}

func validateTopK(n *conversion.Node) error {
	if err := dtypeOnly(n.In[0].DType, topKTypes); err != nil {
		return err
	}
	axis, k, err := topKArgs(n)
	if err != nil {
		return err
	}
	if k < 1 || k > maxTopK {
		return fmt.Errorf("k=%d: TensorRT's TopK needs 1 <= k <= %d", k, maxTopK)
	}
	if d := n.In[0].Shape[axis]; d.Static() && k > d.Size {
		return fmt.Errorf("k=%d exceeds dim %d of size %d", k, axis, d.Size)
	}
	return nil
}

func validateArg(n *conversion.Node) error {
	if err := dtypeOnly(n.In[0].DType, topKTypes); err != nil {
		return err
	}
	if len(n.In[0].Shape) == 0 {
		return fmt.Errorf("a scalar input has no axis")
	}
	_, err := impl.NormAxes([]int64{n.AttrInt("axis", 0)}, len(n.In[0].Shape))
	return err
}

func dtypeOnly(dt ir.DType, dts []ir.DType) error {
	if !dtypeOK(dt, dts) {
		return fmt.Errorf("input is %v; TensorRT's TopK supports %v", dt, dts)
	}
	return nil
}

func validateHardmax(n *conversion.Node) error {
	if err := dtypeIn(floats...)(n); err != nil {
		return err
	}
	s := n.In[0].Shape
	if len(s) == 0 {
		return fmt.Errorf("a scalar input has no axis")
	}
	axis, flatten, err := ops.SoftmaxAxis(n.Node, len(s), nodeOpset(n))
	if err != nil {
		return err
	}
	if flatten && axis < len(s)-1 && !s[axis:].IsStatic() {
		return fmt.Errorf("opset %d Hardmax coerces the input to 2-D at axis %d; dims %v after it must be static", nodeOpset(n), axis, s[axis:])
	}
	return nil
}

// convHardmax compares the position of the first maximum with an iota of
// the axis; the Bool one-hot is cast to the input dtype.
func convHardmax(ctx *conversion.Context, n *conversion.Node) error {
	x := ctx.Input(n, 0)
	s := x.Shape()
	axis, flatten, err := ops.SoftmaxAxis(n.Node, len(s), nodeOpset(n))
	if err != nil {
		return err
	}
	flatten = flatten && axis < len(s)-1
	t := x
	if flatten {
		t = impl.Flatten2D(ctx, x, axis)
	}
	_, idx := impl.TopK(ctx, t, axis, 1, true)
	hot := ctx.Net.AddCast(ctx.Net.AddElementWise(idx, impl.Iota(ctx, t, axis), network.ElementWiseEQUAL), x.DType())
	if flatten {
		trailing, _ := s[axis:].Ints()
		hot = impl.Unflatten(ctx, hot, axis, trailing)
	}
	ctx.SetOutput(n, 0, hot)
	return nil
}
