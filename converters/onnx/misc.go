package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Constant, ConstantOfShape, Dropout (inference), CumSum and Range.

func init() {
	add := func(op, desc string, v conversion.Validator, f conversion.ConvertFunc) {
		builtins = append(builtins, conversion.Converter{
			Target: "onnx." + op, Priority: conversion.Standard, DynamicShapes: true,
			Validator: v, Description: desc, Convert: f,
		})
	}
	add("Constant", "Constant layer", func(n *conversion.Node) error {
		_, err := ops.ConstantValue(n.Node)
		return err
	}, func(ctx *conversion.Context, n *conversion.Node) error {
		t, err := ops.ConstantValue(n.Node)
		if err != nil {
			return err
		}
		ctx.SetOutput(n, 0, ctx.Net.AddConstant(t))
		return nil
	})
	add("ConstantOfShape", "the value broadcast by a stride-0 Slice to the shape input", nil, convConstantOfShape)
	add("Dropout", "inference Dropout: Identity, and an all-true mask", validateDropout, func(ctx *conversion.Context, n *conversion.Node) error {
		x := ctx.Input(n, 0)
		ctx.SetOutput(n, 0, ctx.Net.AddIdentity(x))
		if len(n.Outputs) > 1 && n.Outputs[1] != "" {
			ctx.SetOutput(n, 1, broadcastScalar(ctx, ir.Scalar(ir.Bool, 1), x.Shape(), func() network.Tensor { return impl.ShapeOf(ctx, x) }))
		}
		return nil
	})
	add("CumSum", "Cumulative SUM over a constant axis (TensorRT 10.8+; before, a matrix product with a triangular constant)", validateCumSum, func(ctx *conversion.Context, n *conversion.Node) error {
		x := ctx.Input(n, 0)
		ax, err := impl.NormAxes([]int64{n.Const(1).Int(0)}, len(x.Shape()))
		if err != nil {
			return err
		}
		y, err := impl.CumSum(ctx, x, ax[0], n.AttrInt("exclusive", 0) == 1, n.AttrInt("reverse", 0) == 1)
		if err != nil {
			return err
		}
		ctx.SetOutput(n, 0, y)
		return nil
	})
	add("Range", "Range as Fill LINSPACE (length from constants or shape arithmetic)", validateRange, convRange)
}

// broadcastScalar makes a tensor of shape s filled with the scalar w: a
// constant when s is static, else a stride-0 Slice over a shape tensor.
func broadcastScalar(ctx *conversion.Context, w *ir.Tensor, s ir.Shape, shape func() network.Tensor) network.Tensor {
	if dims, ok := s.Ints(); ok {
		t := ir.NewTensor(w.DType, dims)
		es := w.DType.Size()
		for i := 0; i < int(t.Numel()); i++ {
			copy(t.Data[i*es:(i+1)*es], w.Data)
		}
		return ctx.Net.AddConstant(t)
	}
	rank := len(s)
	one := ctx.Net.AddConstant(w.Reshaped(make1s(rank)))
	return ctx.Net.AddSlice(one, network.SliceParams{Start: make([]int64, rank), Stride: make([]int64, rank), SizeT: shape()})
}

func convConstantOfShape(ctx *conversion.Context, n *conversion.Node) error {
	w := ir.Scalar(ir.Float32, 0)
	if a, ok := n.Attrs["value"]; ok && a.T != nil {
		w = a.T.Reshaped(nil)
	}
	ctx.SetOutput(n, 0, broadcastScalar(ctx, w, n.Out[0].Shape, func() network.Tensor { return ctx.Input(n, 0) }))
	return nil
}

func validateDropout(n *conversion.Node) error {
	if ops.DropoutTraining(n.Node, n.In) {
		return fmt.Errorf("training-mode Dropout (training_mode true or not constant, or is_test=0) is random; only inference Dropout converts")
	}
	return nil
}

func validateCumSum(n *conversion.Node) error {
	if n.Const(1) == nil || n.Const(1).Numel() != 1 {
		return fmt.Errorf("axis (input 1) must be a constant scalar")
	}
	switch n.In[0].DType {
	case ir.Float32, ir.Float16, ir.BFloat16, ir.Int32, ir.Int64:
		return nil
	}
	return fmt.Errorf("input is %v; TensorRT's Cumulative supports float32, float16, bfloat16, int32, int64", n.In[0].DType)
}

func validateRange(n *conversion.Node) error {
	dt := n.In[0].DType
	if dt != ir.Int32 && dt != ir.Int64 && dt != ir.Float32 {
		return fmt.Errorf("Range of %v: Fill LINSPACE makes int32, int64 and float32 only", dt)
	}
	if n.Const(0) != nil && n.Const(1) != nil && n.Const(2) != nil {
		return nil
	}
	if !dt.IsInt() || n.Const(2) == nil {
		return fmt.Errorf("a run-time Range needs integer inputs and a constant delta (its length is computed with integer shape arithmetic)")
	}
	return nil
}

func convRange(ctx *conversion.Context, n *conversion.Node) error {
	dt := n.In[0].DType
	if s, l, d := n.Const(0), n.Const(1), n.Const(2); s != nil && l != nil && d != nil {
		t, err := ops.Execute(n.Node, []*ir.Tensor{s, l, d})
		if err != nil {
			return err
		}
		ctx.SetOutput(n, 0, ctx.Net.AddConstant(t[0]))
		return nil
	}
	// n = max(floor_div(limit - start + delta - sign(delta), delta), 0).
	delta := n.Const(2).Int(0)
	if delta == 0 {
		return fmt.Errorf("delta is 0")
	}
	sign := int64(1)
	if delta < 0 {
		sign = -1
	}
	// Integer constants are written exactly (ir.Scalar goes through a
	// float64, which loses int64 values past 2^53).
	c := func(v int64) network.Tensor { return ctx.Net.AddConstant(exactInt(dt, []int64{}, v)) }
	ew := func(a, b network.Tensor, op network.ElementWiseOperation) network.Tensor {
		return ctx.Net.AddElementWise(a, b, op)
	}
	start, limit := scalar0(ctx, ctx.Input(n, 0)), scalar0(ctx, ctx.Input(n, 1))
	num := ew(ew(limit, start, network.ElementWiseSUB), c(delta-sign), network.ElementWiseSUM)
	cnt := ew(ew(num, c(delta), network.ElementWiseFLOOR_DIV), c(0), network.ElementWiseMAX)
	dims := impl.Reshape(ctx, cnt, []int64{1})
	// Start and delta go in as tensors, never as IFillLayer's double
	// alpha/beta, so int64 ranges past 2^53 stay exact (as onnx-tensorrt).
	beta := ctx.Net.AddConstant(exactInt(dt, []int64{1}, delta))
	ctx.SetOutput(n, 0, ctx.Net.AddFill(network.FillParams{Op: network.FillLINSPACE, DType: dt, DimsT: dims, AlphaT: start, BetaT: beta}))
	return nil
}

// scalar0 reshapes a 1-element tensor to rank 0.
func scalar0(ctx *conversion.Context, t network.Tensor) network.Tensor {
	if len(t.Shape()) == 0 {
		return t
	}
	return impl.ReshapeScalar(ctx, t)
}

// exactInt is an Int32 or Int64 tensor of shape with every element v.
func exactInt(dt ir.DType, shape []int64, v int64) *ir.Tensor {
	t := ir.NewTensor(dt, shape)
	for i := range int(t.Numel()) {
		if dt == ir.Int64 {
			ir.View[int64](t)[i] = v
		} else {
			ir.View[int32](t)[i] = int32(v)
		}
	}
	return t
}
