package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// MaxPool (with its optional Indices output), AveragePool, and the global
// pools.

func init() {
	Register(Op{Key: "onnx.MaxPool", Infer: inferPool(true), Run: runPool(true)})
	Register(Op{Key: "onnx.AveragePool", Infer: inferPool(false), Run: runPool(false)})
	Register(Op{Key: "onnx.GlobalAveragePool", Infer: inferGlobalPool, Run: runGlobalPool(kernels.ReduceMean)})
	Register(Op{Key: "onnx.GlobalMaxPool", Infer: inferGlobalPool, Run: runGlobalPool(kernels.ReduceMax)})
}

func inferPool(isMax bool) func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	return func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 1); err != nil {
			return nil, err
		}
		x := in[0]
		if len(x.Shape) < 3 {
			return nil, fmt.Errorf("pooling needs rank >= 3, got %v", x.Shape)
		}
		if !n.HasAttr("kernel_shape") {
			return nil, fmt.Errorf("kernel_shape is required")
		}
		if !isMax && !x.DType.IsFloat() {
			return nil, fmt.Errorf("AveragePool needs a float input, got %v", x.DType)
		}
		s, err := windowOutShape(n, x.Shape, x.Shape[1], nil, n.AttrInt("ceil_mode", 0) != 0)
		if err != nil {
			return nil, err
		}
		outs := out1(x.DType, s)
		if isMax {
			outs = append(outs, &ir.Value{DType: ir.Int64, Shape: s.Clone()})
		}
		return outs, nil
	}
}

func runPool(isMax bool) func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	return func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		x := in[0]
		g, err := WindowGeometry(n, x.Shape[2:], nil, n.AttrInt("ceil_mode", 0) != 0)
		if err != nil {
			return nil, err
		}
		wantIdx := isMax && len(n.Outputs) > 1 && n.Outputs[1] != ""
		y, idx, err := kernels.Pool(x, kernels.PoolParams{
			Max: isMax, Kernel: g.Kernel, Strides: g.Strides, Dilations: g.Dilations,
			PadsBegin: g.PadsBegin, PadsEnd: g.PadsEnd, Out: g.Out,
			CountIncludePad: n.AttrInt("count_include_pad", 0) != 0,
		}, wantIdx, n.AttrInt("storage_order", 0) == 1)
		if err != nil {
			return nil, err
		}
		if wantIdx {
			return []*ir.Tensor{y, idx}, nil
		}
		return []*ir.Tensor{y}, nil
	}
}

func inferGlobalPool(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if len(x.Shape) < 3 {
		return nil, fmt.Errorf("global pooling needs rank >= 3, got %v", x.Shape)
	}
	s := ir.Shape{x.Shape[0], x.Shape[1]}
	for range x.Shape[2:] {
		s = append(s, ir.D(1))
	}
	return out1(x.DType, s), nil
}

func runGlobalPool(op kernels.ReduceOp) func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	return func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		axes := make([]int, len(in[0].Shape)-2)
		for i := range axes {
			axes[i] = i + 2
		}
		return t1(kernels.Reduce(in[0], op, axes, true))
	}
}

// LpPool (opsets 1-22): the p-norm of each window, with the geometry
// attributes of AveragePool (auto_pad, pads, strides, dilations,
// ceil_mode).
func init() {
	Register(Op{Key: "onnx.LpPool", Infer: inferPool(false), Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		x := in[0]
		g, err := WindowGeometry(n, x.Shape[2:], nil, n.AttrInt("ceil_mode", 0) != 0)
		if err != nil {
			return nil, err
		}
		return t1(kernels.LpPool(x, kernels.PoolParams{Kernel: g.Kernel, Strides: g.Strides, Dilations: g.Dilations,
			PadsBegin: g.PadsBegin, PadsEnd: g.PadsEnd, Out: g.Out}, float64(n.AttrInt("p", 2))))
	}})
}
