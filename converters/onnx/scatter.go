package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// ScatterElements (and Scatter, its opset-9 name) and ScatterND as a
// Scatter layer, negative indices normalized. TensorRT's Scatter layer
// replaces; the add/mul/max/min reductions have no layer and fall back.

func validateScatter(n *conversion.Node) error {
	if len(n.In) < 3 || n.In[0] == nil || n.In[1] == nil || n.In[2] == nil {
		return fmt.Errorf("needs data, indices and updates")
	}
	if r := n.AttrString("reduction", "none"); r != "none" {
		return fmt.Errorf("reduction %q: TensorRT's Scatter layer only replaces (reduction none)", r)
	}
	if err := dtypeIn(numeric...)(&conversion.Node{Node: n.Node, In: []*ir.Value{n.In[0], n.In[2]}}); err != nil {
		return err
	}
	return nil
}

func init() {
	for _, op := range []string{"ScatterElements", "Scatter"} {
		builtins = append(builtins, conversion.Converter{
			Target: "onnx." + op, Priority: conversion.Standard, DynamicShapes: true,
			Validator: func(n *conversion.Node) error {
				if err := validateScatter(n); err != nil {
					return err
				}
				ax, err := impl.NormAxes([]int64{n.AttrInt("axis", 0)}, len(n.In[0].Shape))
				if err != nil {
					return err
				}
				if n.In[1].Const == nil && n.In[1].DType != ir.Int64 && !n.In[0].Shape[ax[0]].Static() {
					return fmt.Errorf("run-time %v indices into a dynamic dim need a Cast to normalize negative indices", n.In[1].DType)
				}
				return duplicateElementWrites(n.In[1].Const, n.In[0].Shape, ax[0])
			},
			Description: op + " as a Scatter layer in ELEMENT mode (reduction none), negative indices normalized",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				data := ctx.Input(n, 0)
				ax, err := impl.NormAxes([]int64{n.AttrInt("axis", 0)}, len(data.Shape()))
				if err != nil {
					return err
				}
				ctx.SetOutput(n, 0, impl.ScatterElements(ctx, data, ctx.Input(n, 1), ctx.Input(n, 2), ax[0], n.Const(1)))
				return nil
			},
		})
	}
	builtins = append(builtins, conversion.Converter{
		Target: "onnx.ScatterND", Priority: conversion.Standard, DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			if err := validateScatter(n); err != nil {
				return err
			}
			is := n.In[1].Shape
			if len(is) == 0 || !is[len(is)-1].Static() || is[len(is)-1].Size > int64(len(n.In[0].Shape)) {
				return fmt.Errorf("the last dim of indices %v must be static and at most data's rank %d", is, len(n.In[0].Shape))
			}
			return duplicateNDWrites(n.In[1].Const, n.In[0].Shape)
		},
		Description: "ScatterND as a Scatter layer in ND mode (reduction none), negative indices normalized",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			ctx.SetOutput(n, 0, impl.ScatterND(ctx, ctx.Input(n, 0), ctx.Input(n, 1), ctx.Input(n, 2), n.Const(1)))
			return nil
		},
	})
}

// duplicateElementWrites rejects constant ScatterElements indices that
// write one output element twice: TensorRT leaves the result undefined
// (IScatterLayer), while the CPU kernel applies the writes in order.
func duplicateElementWrites(idx *ir.Tensor, data ir.Shape, axis int) error {
	if idx == nil || !data[axis].Static() {
		return nil
	}
	size := data[axis].Size
	seen := map[string]bool{}
	pos := make([]int64, len(idx.Shape))
	for i := 0; i < int(idx.Numel()); i++ {
		rem := int64(i)
		for d := len(idx.Shape) - 1; d >= 0; d-- {
			pos[d] = rem % idx.Shape[d]
			rem /= idx.Shape[d]
		}
		v := idx.Int(i)
		if v < 0 {
			v += size
		}
		key := fmt.Sprint(pos[:axis], v, pos[axis+1:])
		if seen[key] {
			return fmt.Errorf("constant indices write one output element twice (index %d); TensorRT's Scatter layer leaves that undefined", i)
		}
		seen[key] = true
	}
	return nil
}

// duplicateNDWrites is duplicateElementWrites for ScatterND: two index
// rows naming the same slice.
func duplicateNDWrites(idx *ir.Tensor, data ir.Shape) error {
	if idx == nil || len(idx.Shape) == 0 {
		return nil
	}
	k := idx.Shape[len(idx.Shape)-1]
	if k == 0 {
		return nil
	}
	seen := map[string]bool{}
	rows := idx.Numel() / k
	for r := int64(0); r < rows; r++ {
		row := make([]int64, k)
		for j := int64(0); j < k; j++ {
			v := idx.Int(int(r*k + j))
			if v < 0 && data[j].Static() {
				v += data[j].Size
			}
			row[j] = v
		}
		key := fmt.Sprint(row)
		if seen[key] {
			return fmt.Errorf("constant index rows write one slice twice (row %d); TensorRT's Scatter layer leaves that undefined", r)
		}
		seen[key] = true
	}
	return nil
}
