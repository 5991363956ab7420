package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Slice, Split and Tile as Slice layers.

func init() {
	builtins = append(builtins,
		conversion.Converter{
			Target: "onnx.Slice", Priority: conversion.Standard, DynamicShapes: true,
			Validator:   validateSlice,
			Description: "Slice with ONNX clamping; dynamic dims through shape arithmetic",
			Convert:     convSlice,
		},
		conversion.Converter{
			Target: "onnx.Split", Priority: conversion.Standard, DynamicShapes: true,
			Validator:   validateSplit,
			Description: "Split as one Slice per output",
			Convert:     convSplit,
		},
		conversion.Converter{
			Target: "onnx.Tile", Priority: conversion.Standard, DynamicShapes: true,
			Validator:   constInput(1, "repeats"),
			Description: "Tile as a WRAP-mode Slice",
			Convert:     convTile,
		},
	)
}

func sliceArgs(n *conversion.Node) (ops.SliceArgs, error) {
	var a ops.SliceArgs
	if n.HasAttr("starts") {
		a = ops.SliceArgs{Starts: n.AttrInts("starts", nil), Ends: n.AttrInts("ends", nil), Axes: n.AttrInts("axes", nil)}
	} else {
		for i, dst := range []*[]int64{&a.Starts, &a.Ends, &a.Axes, &a.Steps} {
			if i+1 >= len(n.In) || n.In[i+1] == nil {
				continue
			}
			c := n.Const(i + 1)
			if c == nil {
				return a, fmt.Errorf("%s (input %d) must be a constant", []string{"starts", "ends", "axes", "steps"}[i], i+1)
			}
			*dst = c.Ints()
		}
	}
	if len(a.Starts) != len(a.Ends) {
		return a, fmt.Errorf("starts and ends differ in length")
	}
	return a, nil
}

func validateSlice(n *conversion.Node) error {
	a, err := sliceArgs(n)
	if err != nil {
		return err
	}
	for _, s := range a.Steps {
		if s == 0 {
			return fmt.Errorf("steps contain 0")
		}
	}
	return nil
}

func convSlice(ctx *conversion.Context, n *conversion.Node) error {
	x := ctx.Input(n, 0)
	a, err := sliceArgs(n)
	if err != nil {
		return err
	}
	rank := len(x.Shape())
	axes := a.Axes
	if axes == nil {
		for i := range a.Starts {
			axes = append(axes, int64(i))
		}
	}
	ax, err := impl.NormAxes(axes, rank)
	if err != nil {
		return err
	}
	var specs []impl.SliceAxis
	for i, axis := range ax {
		step := int64(1)
		if a.Steps != nil {
			step = a.Steps[i]
		}
		specs = append(specs, impl.SliceAxis{Axis: axis, Start: a.Starts[i], End: a.Ends[i], Step: step})
	}
	ctx.SetOutput(n, 0, impl.SliceAxes(ctx, x, specs))
	return nil
}

func splitSizes(n *conversion.Node) ([]int64, int, error) {
	s := n.In[0].Shape
	axis, err := impl.NormAxes([]int64{n.AttrInt("axis", 0)}, len(s))
	if err != nil {
		return nil, 0, err
	}
	var split []int64
	have := false
	if a, ok := n.Attrs["split"]; ok {
		split, have = a.Ints, true
	} else if len(n.In) > 1 && n.In[1] != nil {
		c := n.Const(1)
		if c == nil {
			return nil, 0, fmt.Errorf("split (input 1) must be a constant")
		}
		split, have = c.Ints(), true
	}
	d := s[axis[0]]
	if !have && !d.Static() {
		return nil, 0, fmt.Errorf("an even split of dynamic dim %d needs split sizes", axis[0])
	}
	dim := d.Size
	if !have {
		sizes, err := ops.SplitSizes(nil, false, n.AttrInt("num_outputs", 0), len(n.Outputs), dim)
		return sizes, axis[0], err
	}
	if len(split) != len(n.Outputs) {
		return nil, 0, fmt.Errorf("split has %d sizes for %d outputs", len(split), len(n.Outputs))
	}
	return split, axis[0], nil
}

func validateSplit(n *conversion.Node) error {
	_, _, err := splitSizes(n)
	return err
}

func convSplit(ctx *conversion.Context, n *conversion.Node) error {
	x := ctx.Input(n, 0)
	sizes, axis, err := splitSizes(n)
	if err != nil {
		return err
	}
	off := int64(0)
	for i, sz := range sizes {
		ctx.SetOutput(n, i, impl.SliceAxes(ctx, x, []impl.SliceAxis{{Axis: axis, Start: off, End: off + sz, Step: 1}}))
		off += sz
	}
	return nil
}

func convTile(ctx *conversion.Context, n *conversion.Node) error {
	x := ctx.Input(n, 0)
	reps := n.Const(1).Ints()
	s := x.Shape()
	if len(reps) != len(s) {
		return fmt.Errorf("repeats has %d entries for rank %d", len(reps), len(s))
	}
	p := network.SliceParams{Start: make([]int64, len(s)), Stride: make1s(len(s)), Mode: network.SampleWRAP}
	if s.IsStatic() {
		p.Size = make([]int64, len(s))
		for i, d := range s {
			p.Size[i] = d.Size * reps[i]
		}
	} else {
		p.SizeT = ctx.Net.AddElementWise(impl.ShapeOf(ctx, x), impl.ConstInts(ctx, reps), network.ElementWisePROD)
	}
	ctx.SetOutput(n, 0, ctx.Net.AddSlice(x, p))
	return nil
}
