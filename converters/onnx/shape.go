package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Shape-changing ops: Reshape, Flatten, Transpose, Squeeze, Unsqueeze,
// Expand, Shape, Size, Identity. All map to Shuffle, Slice or shape-tensor
// arithmetic and work with dynamic dims.

func init() {
	add := func(op, desc string, v conversion.Validator, f conversion.ConvertFunc) {
		builtins = append(builtins, conversion.Converter{
			Target: "onnx." + op, Priority: conversion.Standard, DynamicShapes: true,
			Validator: v, Description: desc, Convert: f,
		})
	}
	add("Reshape", "Reshape as Shuffle (static dims, or the shape input as a reshape tensor)", nil, convReshape)
	add("Flatten", "Flatten as Shuffle", nil, func(ctx *conversion.Context, n *conversion.Node) error {
		x := ctx.Input(n, 0)
		axis := n.AttrInt("axis", 1)
		if axis < 0 {
			axis += int64(len(x.Shape()))
		}
		ctx.SetOutput(n, 0, impl.Flatten(ctx, x, int(axis)))
		return nil
	})
	add("Transpose", "Transpose as Shuffle first transpose", nil, func(ctx *conversion.Context, n *conversion.Node) error {
		x := ctx.Input(n, 0)
		rank := len(x.Shape())
		perm := make([]int, rank)
		for i := range perm {
			perm[i] = rank - 1 - i
		}
		if p, ok := n.Attrs["perm"]; ok {
			ax, err := impl.NormAxes(p.Ints, rank)
			if err != nil {
				return err
			}
			perm = ax
		}
		ctx.SetOutput(n, 0, impl.Transpose(ctx, x, perm))
		return nil
	})
	add("Squeeze", "Squeeze as Shuffle", constInput(1, "axes"), func(ctx *conversion.Context, n *conversion.Node) error {
		x := ctx.Input(n, 0)
		axes, given := axesArg(n)
		ax, err := ops.SqueezeAxes(x.Shape(), axes, given)
		if err != nil {
			return err
		}
		ctx.SetOutput(n, 0, impl.Squeeze(ctx, x, ax))
		return nil
	})
	add("Unsqueeze", "Unsqueeze as Shuffle", constInput(1, "axes"), func(ctx *conversion.Context, n *conversion.Node) error {
		x := ctx.Input(n, 0)
		axes, _ := axesArg(n)
		ax, err := impl.NormAxes(axes, len(x.Shape())+len(axes))
		if err != nil {
			return err
		}
		ctx.SetOutput(n, 0, impl.Unsqueeze(ctx, x, ax))
		return nil
	})
	add("Expand", "Expand as a stride-0 Slice of the broadcast shape", nil, convExpand)
	add("Shape", "Shape layer, sliced for start/end", nil, func(ctx *conversion.Context, n *conversion.Node) error {
		x := ctx.Input(n, 0)
		s := ctx.Net.AddShape(x)
		rank := len(x.Shape())
		start, end := n.AttrInt("start", 0), n.AttrInt("end", int64(rank))
		first, size := ops.SliceDim(start, end, 1, int64(rank))
		if first != 0 || size != int64(rank) {
			if size == 0 {
				s = impl.ConstInts(ctx, []int64{})
			} else {
				s = impl.Slice(ctx, s, []int64{first}, []int64{size}, []int64{1})
			}
		}
		ctx.SetOutput(n, 0, s)
		return nil
	})
	add("Size", "Size as a product of dims", nil, func(ctx *conversion.Context, n *conversion.Node) error {
		x := ctx.Input(n, 0)
		var p network.Tensor = impl.ConstInts(ctx, []int64{1})
		for i := range x.Shape() {
			p = ctx.Net.AddElementWise(p, impl.Dim(ctx, x, i), network.ElementWisePROD)
		}
		ctx.SetOutput(n, 0, impl.ReshapeScalar(ctx, p))
		return nil
	})
	add("Identity", "Identity layer", nil, func(ctx *conversion.Context, n *conversion.Node) error {
		ctx.SetOutput(n, 0, ctx.Net.AddIdentity(ctx.Input(n, 0)))
		return nil
	})
}

// constInput is a validator: input i, when present, is a constant (an
// attribute in older opsets).
func constInput(i int, what string) conversion.Validator {
	return func(n *conversion.Node) error {
		if i < len(n.In) && n.In[i] != nil && n.In[i].Const == nil {
			return fmt.Errorf("%s (input %d) must be a constant", what, i)
		}
		return nil
	}
}

// axesArg reads axes from the attribute (opset < 13) or the constant input.
func axesArg(n *conversion.Node) ([]int64, bool) {
	if a, ok := n.Attrs["axes"]; ok {
		return a.Ints, true
	}
	if c := n.Const(1); c != nil {
		return c.Ints(), true
	}
	return nil, false
}

func convReshape(ctx *conversion.Context, n *conversion.Node) error {
	x := ctx.Input(n, 0)
	allowZero := n.AttrInt("allowzero", 0) == 1
	var dims []int64
	if a, ok := n.Attrs["shape"]; ok {
		dims = a.Ints
	} else if c := n.Const(1); c != nil {
		dims = c.Ints()
	} else {
		ctx.SetOutput(n, 0, impl.ReshapeT(ctx, x, ctx.Input(n, 1), !allowZero))
		return nil
	}
	zero := false
	for _, d := range dims {
		zero = zero || d == 0
	}
	if allowZero && zero {
		ctx.SetOutput(n, 0, ctx.Net.AddShuffle(x, network.ShuffleParams{Reshape: dims}))
		return nil
	}
	ctx.SetOutput(n, 0, impl.Reshape(ctx, x, dims))
	return nil
}

// convExpand broadcasts x to the shape input: x gets leading 1s, then a
// Slice reads it with stride 0 along its size-1 dims.
func convExpand(ctx *conversion.Context, n *conversion.Node) error {
	x := ctx.Input(n, 0)
	out := n.Out[0].Shape
	x = impl.PrependOnes(ctx, x, len(out)-len(x.Shape()))
	s := x.Shape()
	rank := len(s)
	stride := make([]int64, rank)
	strideStatic := true
	for i, d := range s {
		switch {
		case !d.Static():
			strideStatic = false
		case d.Size != 1:
			stride[i] = 1
		}
	}
	p := network.SliceParams{Start: make([]int64, rank), Stride: stride}
	if sizes, ok := out.Ints(); ok {
		p.Size = sizes
	} else {
		// size = max(shape(x), target): the broadcast of the two shapes.
		target := ctx.Input(n, 1)
		if c := n.Const(1); c != nil && int(c.Numel()) < rank {
			target = impl.ConstInts(ctx, append(make1s(rank-int(c.Numel())), c.Ints()...))
		} else if len(n.In[1].Shape) == 1 && n.In[1].Shape[0].Size < int64(rank) {
			target = impl.ShapeTensor(ctx, impl.ConstInts(ctx, make1s(rank-int(n.In[1].Shape[0].Size))), target)
		}
		p.SizeT = ctx.Net.AddElementWise(impl.ShapeOf(ctx, x), target, network.ElementWiseMAX)
	}
	if !strideStatic {
		// stride = min(dim - 1, 1): 0 where the dim is 1.
		one := impl.ConstInts(ctx, make1s(rank))
		p.StrideT = ctx.Net.AddElementWise(ctx.Net.AddElementWise(impl.ShapeOf(ctx, x), one, network.ElementWiseSUB), one, network.ElementWiseMIN)
		p.Stride = nil
	}
	ctx.SetOutput(n, 0, ctx.Net.AddSlice(x, p))
	return nil
}

func make1s(k int) []int64 {
	v := make([]int64, k)
	for i := range v {
		v[i] = 1
	}
	return v
}
