package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool.

// poolPlan resolves a pooling node's window against its static spatial
// dims. The padding after is raised where ceil_mode needs it, so that
// TensorRT's round-down rule gives ONNX's output size.
func poolPlan(n *conversion.Node) (ops.Geometry, []int64, error) {
	in, err := staticSpatial(n)
	if err != nil {
		return ops.Geometry{}, nil, err
	}
	g, err := ops.WindowGeometry(n.Node, in, nil, n.AttrInt("ceil_mode", 0) != 0)
	if err != nil {
		return g, nil, err
	}
	for i, d := range g.Dilations {
		if d != 1 {
			return g, nil, fmt.Errorf("dilations %v: TensorRT pooling has no dilation", g.Dilations)
		}
		_ = i
	}
	post := append([]int64{}, g.PadsEnd...)
	for i := range post {
		need := (g.Out[i]-1)*g.Strides[i] + g.Kernel[i] - in[i] - g.PadsBegin[i]
		post[i] = max(post[i], need)
		if g.PadsBegin[i] >= g.Kernel[i] || post[i] >= g.Kernel[i] {
			return g, nil, fmt.Errorf("padding %v/%v is not smaller than the window %v, as TensorRT requires", g.PadsBegin, post, g.Kernel)
		}
	}
	return g, post, nil
}

func init() {
	for _, isMax := range []bool{true, false} {
		isMax := isMax
		name := "AveragePool"
		if isMax {
			name = "MaxPool"
		}
		builtins = append(builtins, conversion.Converter{
			Target:        "onnx." + name,
			Priority:      conversion.Standard,
			DynamicShapes: true,
			Validator: func(n *conversion.Node) error {
				if err := dtypeIn(floats...)(n); err != nil {
					return err
				}
				if isMax && len(n.Outputs) > 1 && n.Outputs[1] != "" {
					return fmt.Errorf("the Indices output is used; TensorRT pooling does not produce it")
				}
				g, post, err := poolPlan(n)
				if err != nil {
					return err
				}
				if !isMax && n.AttrInt("count_include_pad", 0) != 0 {
					for i := range post {
						if post[i] != g.PadsEnd[i] {
							return fmt.Errorf("ceil_mode with count_include_pad=1: the last window overruns the padding, which TensorRT would count")
						}
					}
				}
				return nil
			},
			Description: name + " as PoolingNd with explicit padding",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				g, post, err := poolPlan(n)
				if err != nil {
					return err
				}
				y := impl.Pool(ctx, ctx.Input(n, 0), isMax, g.Kernel, g.Strides, g.PadsBegin, post, n.AttrInt("count_include_pad", 0) != 0)
				ctx.SetOutput(n, 0, y)
				return nil
			},
		})
	}
	for _, gp := range []struct {
		name string
		op   network.ReduceOperation
	}{{"GlobalAveragePool", network.ReduceAVG}, {"GlobalMaxPool", network.ReduceMAX}} {
		name := gp.name
		op := gp.op
		builtins = append(builtins, conversion.Converter{
			Target:        "onnx." + name,
			Priority:      conversion.Standard,
			DynamicShapes: true,
			Validator:     dtypeIn(floats...),
			Description:   name + " as Reduce over the spatial dims, keeping them",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				ctx.SetOutput(n, 0, impl.GlobalPool(ctx, ctx.Input(n, 0), op))
				return nil
			},
		})
	}
}
