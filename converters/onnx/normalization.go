package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// BatchNormalization (inference form, folded into a scale and a shift),
// LayerNormalization and InstanceNormalization (Normalization layers).

// layerNormStats reports whether a LayerNormalization's Mean or InvStdDev
// output is used: the Normalization layer does not produce them, so the
// converter builds ONNX's function body instead.
func layerNormStats(n *conversion.Node) bool {
	for i := 1; i < len(n.Outputs); i++ {
		if n.Outputs[i] != "" {
			return true
		}
	}
	return false
}

func init() {
	builtins = append(builtins,
		conversion.Converter{
			Target:        "onnx.BatchNormalization",
			Priority:      conversion.Standard,
			DynamicShapes: true,
			Validator: func(n *conversion.Node) error {
				training := n.AttrInt("training_mode", 0) != 0
				for i := 1; i < len(n.Outputs); i++ {
					if n.Outputs[i] != "" && !training {
						return fmt.Errorf("output %d (running statistics) is used without training_mode", i)
					}
				}
				if err := dtypeIn(floats...)(&conversion.Node{Node: n.Node, In: n.In[:1]}); err != nil {
					return err
				}
				if len(n.In[0].Shape) < 2 || !n.In[0].Shape[1].Static() {
					return fmt.Errorf("input %v needs a static channel dim", n.In[0].Shape)
				}
				for i, name := range []string{"scale", "B", "input_mean", "input_var"} {
					if len(n.In) <= 1+i || n.In[1+i] == nil {
						return fmt.Errorf("%s is missing", name)
					}
					if v := n.In[1+i]; v.Const == nil && (len(v.Shape) != 1 || v.DType != n.In[0].DType) {
						return fmt.Errorf("%s is computed at run time as %v%v; a [C] tensor of X's dtype is needed", name, v.DType, v.Shape)
					}
				}
				return nil
			},
			Description: "BatchNormalization folded into ElementWise PROD and SUM with per-channel constants; with run-time statistics, (x - mean) / sqrt(var + eps) * scale + B on [1, C, 1...] tensors; training_mode with the batch's statistics (Reduce AVG) and the momentum-blended running ones",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				eps := n.AttrFloat("epsilon", 1e-5)
				training := n.AttrInt("training_mode", 0) != 0
				if !training && n.Const(1) != nil && n.Const(2) != nil && n.Const(3) != nil && n.Const(4) != nil {
					ctx.SetOutput(n, 0, impl.BatchNorm(ctx, ctx.Input(n, 0), n.Const(1), n.Const(2), n.Const(3), n.Const(4), eps))
					return nil
				}
				x := ctx.Input(n, 0)
				rank := len(x.Shape())
				c := x.Shape()[1].Size
				shape := make([]int64, rank)
				for i := range shape {
					shape[i] = 1
				}
				shape[1] = c
				p := func(i int) network.Tensor { return impl.Reshape(ctx, ctx.Input(n, i), shape) }
				mean, variance := p(3), p(4)
				if training { // the batch's statistics: population variance over all but the channel dim
					axes := []int{0}
					for d := 2; d < rank; d++ {
						axes = append(axes, d)
					}
					mean = impl.Reduce(ctx, x, network.ReduceAVG, axes, true)
					d := impl.Sub(ctx, x, mean)
					variance = impl.Reduce(ctx, impl.Mul(ctx, d, d), network.ReduceAVG, axes, true)
					mom := float64(n.AttrFloat("momentum", 0.9))
					for i, batch := range []network.Tensor{mean, variance} {
						if len(n.Outputs) > 1+i && n.Outputs[1+i] != "" {
							run := ctx.Input(n, 3+i)
							b := impl.Reshape(ctx, batch, []int64{c})
							ctx.SetOutput(n, 1+i, impl.Add(ctx, impl.Mul(ctx, run, impl.ScalarLike(ctx, mom, run)), impl.Mul(ctx, b, impl.ScalarLike(ctx, 1-mom, b))))
						}
					}
				}
				sd := ctx.Net.AddUnary(impl.Add(ctx, variance, impl.Scalar(ctx, float64(eps), x.DType(), rank)), network.UnarySQRT)
				y := impl.Add(ctx, impl.Mul(ctx, impl.Div(ctx, impl.Sub(ctx, x, mean), sd), p(1)), p(2))
				ctx.SetOutput(n, 0, y)
				return nil
			},
		},
		conversion.Converter{
			Target:        "onnx.LayerNormalization",
			Priority:      conversion.Standard,
			DynamicShapes: true,
			Validator: func(n *conversion.Node) error {
				if st := ir.DType(n.AttrInt("stash_type", 1)); layerNormStats(n) && st != ir.Float32 && st != ir.Float16 && st != ir.BFloat16 {
					return fmt.Errorf("stash_type %v (the Mean/InvStdDev dtype) is not a TensorRT float type", st)
				}
				if err := dtypeIn(floats...)(n); err != nil {
					return err
				}
				rank := len(n.In[0].Shape)
				axis, err := ir.NormAxis(n.AttrInt("axis", -1), rank)
				if err != nil || rank == 0 {
					return fmt.Errorf("axis %d is out of range for rank %d", n.AttrInt("axis", -1), rank)
				}
				for i := 1; i < 3 && i < len(n.In); i++ {
					if v := n.In[i]; v != nil && len(v.Shape) > rank-axis {
						return fmt.Errorf("input %d %v has more dims than the normalized dims", i, v.Shape)
					}
				}
				return nil
			},
			Description: "LayerNormalization as a Normalization layer over axis..rank-1; with its Mean/InvStdDev outputs used, as Reduce AVG, ElementWise and Unary SQRT/RECIP layers (ONNX's function body)",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				x := ctx.Input(n, 0)
				axis, _ := ir.NormAxis(n.AttrInt("axis", -1), len(x.Shape()))
				eps := n.AttrFloat("epsilon", 1e-5)
				if !layerNormStats(n) {
					ctx.SetOutput(n, 0, impl.LayerNorm(ctx, x, ctx.Input(n, 1), ctx.Input(n, 2), axis, eps))
					return nil
				}
				y, mean, inv := impl.LayerNormStats(ctx, x, ctx.Input(n, 1), ctx.Input(n, 2), axis, eps, ir.DType(n.AttrInt("stash_type", 1)))
				ctx.SetOutput(n, 0, y)
				ctx.SetOutput(n, 1, mean)
				ctx.SetOutput(n, 2, inv)
				return nil
			},
		},
		conversion.Converter{
			Target:        "onnx.InstanceNormalization",
			Priority:      conversion.Standard,
			DynamicShapes: true,
			Validator: func(n *conversion.Node) error {
				if err := dtypeIn(floats...)(n); err != nil {
					return err
				}
				if len(n.In) < 3 || n.In[1] == nil || n.In[2] == nil || !n.In[1].Shape.IsStatic() || !n.In[2].Shape.IsStatic() {
					return fmt.Errorf("scale and B must be present with static shapes")
				}
				return nil
			},
			Description: "InstanceNormalization as a Normalization layer over the spatial dims",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				y := impl.InstanceNorm(ctx, ctx.Input(n, 0), ctx.Input(n, 1), ctx.Input(n, 2), n.AttrFloat("epsilon", 1e-5))
				ctx.SetOutput(n, 0, y)
				return nil
			},
		},
	)
}
