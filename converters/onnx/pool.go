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
	// LpPool: (sum over the window of |x|^p)^(1/p) as |x|^p (Unary ABS, then
	// x*x or POW), an average PoolingNd that counts the padding (zeros, as
	// ONNX pads) times the window size, and the 1/p power (SQRT for p = 2).
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.LpPool",
		Priority:      conversion.Standard,
		DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			if err := dtypeIn(floats...)(n); err != nil {
				return err
			}
			if p := n.AttrInt("p", 2); p < 1 {
				return fmt.Errorf("p %d is not positive", p)
			}
			_, _, err := poolPlan(n)
			return err
		},
		Description: "LpPool as ABS and POW, an average PoolingNd counting the zero padding, times the window size, and the 1/p power",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			g, post, err := poolPlan(n)
			if err != nil {
				return err
			}
			x := ctx.Input(n, 0)
			p := n.AttrInt("p", 2)
			s := ctx.Net.AddUnary(x, network.UnaryABS)
			switch p {
			case 1:
			case 2:
				s = impl.Mul(ctx, s, s)
			default:
				s = impl.Pow(ctx, s, impl.ScalarLike(ctx, float64(p), s))
			}
			window := int64(1)
			for _, k := range g.Kernel {
				window *= k
			}
			y := impl.Pool(ctx, s, false, g.Kernel, g.Strides, g.PadsBegin, post, true)
			y = impl.Mul(ctx, y, impl.ScalarLike(ctx, float64(window), y))
			switch p {
			case 1:
			case 2:
				y = ctx.Net.AddUnary(y, network.UnarySQRT)
			default:
				y = impl.Pow(ctx, y, impl.ScalarLike(ctx, 1/float64(p), y))
			}
			ctx.SetOutput(n, 0, y)
			return nil
		},
	})
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
