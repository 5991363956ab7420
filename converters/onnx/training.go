package onnx

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

// The ai.onnx.preview.training optimizers Adagrad, Momentum and Adam (one
// update of n tensors) as ElementWise and Unary SQRT layers following the
// spec's formulas (as pkg/ops computes them). The step count T must be a
// build-time constant (or value-pinned input): the learning-rate factors
// that depend on it (Adagrad's 1/(1+T*decay), Adam's bias correction,
// Momentum's beta at T = 0) are computed at build time; the learning rate R
// is a run-time scalar.

var optimizerStates = map[string]int{"Adagrad": 1, "Momentum": 1, "Adam": 2}

func optimizerValidator(name string) conversion.Validator {
	return func(n *conversion.Node) error {
		states := optimizerStates[name]
		k := len(n.In) - 2
		if k <= 0 || k%(2+states) != 0 {
			return fmt.Errorf("%s takes R, T and %d groups of n tensors, has %d inputs", name, 2+states, len(n.In))
		}
		for i, v := range n.In {
			if v == nil {
				return fmt.Errorf("input %d is absent", i)
			}
		}
		if t := n.Const(1); t == nil || t.Numel() != 1 {
			return fmt.Errorf("the step count T (input 1) must be a build-time constant: the learning-rate factors depend on it")
		}
		dt := n.In[2].DType
		if err := dtypeIn(floats...)(&conversion.Node{Node: n.Node, In: n.In[2:]}); err != nil {
			return err
		}
		for i, v := range append(n.In[2:], n.In[0]) {
			if v.DType != dt {
				return fmt.Errorf("tensor %d is %v and R or X0 %v; the update runs in one dtype", i, v.DType, dt)
			}
		}
		if len(n.In[0].Shape) != 0 {
			return fmt.Errorf("R has shape %v; a scalar learning rate is expected", n.In[0].Shape)
		}
		return nil
	}
}

func convertOptimizer(name string) conversion.ConvertFunc {
	return func(ctx *conversion.Context, n *conversion.Node) error {
		states := optimizerStates[name]
		cnt := (len(n.In) - 2) / (2 + states)
		r := ctx.Input(n, 0)
		t := n.Const(1).Float(0)
		norm := float64(n.AttrFloat("norm_coefficient", 0))
		in := func(g, i int) network.Tensor { return ctx.Input(n, 2+g*cnt+i) }
		scalar := func(v float64, like network.Tensor) network.Tensor { return impl.ScalarLike(ctx, v, like) }
		outs := make([][]network.Tensor, 1+states)
		for i := 0; i < cnt; i++ {
			x, g := in(0, i), in(1, i)
			gr := g
			if norm != 0 {
				gr = impl.Add(ctx, impl.Mul(ctx, scalar(norm, x), x), g)
			}
			var xn network.Tensor
			st := make([]network.Tensor, states)
			switch name {
			case "Adagrad":
				decay, eps := float64(n.AttrFloat("decay_factor", 0)), float64(n.AttrFloat("epsilon", 1e-6))
				rr := impl.Div(ctx, r, scalar(1+t*decay, r))
				st[0] = impl.Add(ctx, in(2, i), impl.Mul(ctx, gr, gr))
				den := impl.Add(ctx, ctx.Net.AddUnary(st[0], network.UnarySQRT), scalar(eps, x))
				xn = impl.Sub(ctx, x, impl.Div(ctx, impl.Mul(ctx, rr, gr), den))
			case "Momentum":
				alpha, beta := float64(n.AttrFloat("alpha", 0)), float64(n.AttrFloat("beta", 0))
				if t <= 0 {
					beta = 1
				}
				st[0] = impl.Add(ctx, impl.Mul(ctx, scalar(alpha, x), in(2, i)), impl.Mul(ctx, scalar(beta, x), gr))
				step := st[0]
				if n.AttrString("mode", "standard") == "nesterov" {
					step = impl.Add(ctx, gr, impl.Mul(ctx, scalar(alpha, x), st[0]))
				}
				xn = impl.Sub(ctx, x, impl.Mul(ctx, r, step))
			case "Adam":
				alpha, beta := float64(n.AttrFloat("alpha", 0.9)), float64(n.AttrFloat("beta", 0.999))
				eps, post := float64(n.AttrFloat("epsilon", 1e-6)), float64(n.AttrFloat("norm_coefficient_post", 0))
				ra := r
				if t > 0 {
					ra = impl.Mul(ctx, r, scalar(math.Sqrt(1-math.Pow(beta, t))/(1-math.Pow(alpha, t)), r))
				}
				st[0] = impl.Add(ctx, impl.Mul(ctx, scalar(alpha, x), in(2, i)), impl.Mul(ctx, scalar(1-alpha, x), gr))
				st[1] = impl.Add(ctx, impl.Mul(ctx, scalar(beta, x), in(3, i)), impl.Mul(ctx, scalar(1-beta, x), impl.Mul(ctx, gr, gr)))
				den := impl.Add(ctx, ctx.Net.AddUnary(st[1], network.UnarySQRT), scalar(eps, x))
				xn = impl.Sub(ctx, x, impl.Div(ctx, impl.Mul(ctx, ra, st[0]), den))
				if post != 0 {
					xn = impl.Mul(ctx, scalar(1-post, x), xn)
				}
			}
			outs[0] = append(outs[0], xn)
			for s := range st {
				outs[1+s] = append(outs[1+s], st[s])
			}
		}
		o := 0
		for _, group := range outs {
			for _, tn := range group {
				ctx.SetOutput(n, o, tn)
				o++
			}
		}
		return nil
	}
}

func init() {
	for _, name := range []string{"Adagrad", "Momentum", "Adam"} {
		builtins = append(builtins, conversion.Converter{
			Target:        "ai.onnx.preview.training." + name,
			Priority:      conversion.Standard,
			DynamicShapes: true,
			Validator:     optimizerValidator(name),
			Description:   name + " (one training step) as ElementWise and SQRT layers; T at build time",
			Convert:       convertOptimizer(name),
		})
	}
}
