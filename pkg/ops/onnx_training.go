package ops

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// The ai.onnx.preview.training optimizers Adagrad, Momentum and Adam (one
// update step of n tensors), computed in float64 as the spec's formulas
// say. Inputs: R (learning rate), T (step count), then n of each of X, G
// and the optimizer's state tensors; outputs the new X and new states.

func init() {
	for name, states := range map[string]int{"Adagrad": 1, "Momentum": 1, "Adam": 2} {
		name, states := name, states
		Register(Op{Key: "ai.onnx.preview.training." + name, Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
			k := len(in) - 2
			if k <= 0 || k%(2+states) != 0 {
				return nil, fmt.Errorf("%s takes R, T and %d groups of n tensors, has %d inputs", name, 2+states, len(in))
			}
			if err := needInputs(in, len(in)); err != nil {
				return nil, err
			}
			cnt := k / (2 + states)
			var outs []*ir.Value // new X, then each new state, all shaped like X
			for j := 0; j < 1+states; j++ {
				for i := 0; i < cnt; i++ {
					outs = append(outs, &ir.Value{DType: in[2+i].DType, Shape: in[2+i].Shape.Clone()})
				}
			}
			return outs, nil
		}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
			return runOptimizer(name, states, n, in)
		}})
	}
}

func runOptimizer(name string, states int, n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	r, t := in[0].Float(0), in[1].Float(0)
	cnt := (len(in) - 2) / (2 + states)
	group := func(g, i int) []float64 { return kernels.ToFloat64(in[2+g*cnt+i]) }
	norm := float64(n.AttrFloat("norm_coefficient", 0))
	outs := make([][]*ir.Tensor, 1+states)
	for i := 0; i < cnt; i++ {
		x, g := group(0, i), group(1, i)
		if len(x) != len(g) {
			return nil, fmt.Errorf("X%d has %d elements, G%d has %d", i, len(x), i, len(g))
		}
		xn := make([]float64, len(x))
		st := make([][]float64, states)
		for s := range st {
			st[s] = make([]float64, len(x))
		}
		switch name {
		case "Adagrad":
			h := group(2, i)
			decay, eps := float64(n.AttrFloat("decay_factor", 0)), float64(n.AttrFloat("epsilon", 1e-6))
			rr := r / (1 + t*decay)
			for e := range x {
				gr := norm*x[e] + g[e]
				st[0][e] = h[e] + gr*gr
				xn[e] = x[e] - rr*gr/(math.Sqrt(st[0][e])+eps)
			}
		case "Momentum":
			v := group(2, i)
			alpha, beta := float64(n.AttrFloat("alpha", 0)), float64(n.AttrFloat("beta", 0))
			if t <= 0 {
				beta = 1
			}
			nesterov := n.AttrString("mode", "standard") == "nesterov"
			for e := range x {
				gr := norm*x[e] + g[e]
				st[0][e] = alpha*v[e] + beta*gr
				if nesterov {
					xn[e] = x[e] - r*(gr+alpha*st[0][e])
				} else {
					xn[e] = x[e] - r*st[0][e]
				}
			}
		case "Adam":
			v, h := group(2, i), group(3, i)
			alpha, beta := float64(n.AttrFloat("alpha", 0.9)), float64(n.AttrFloat("beta", 0.999))
			eps, post := float64(n.AttrFloat("epsilon", 1e-6)), float64(n.AttrFloat("norm_coefficient_post", 0))
			ra := r
			if t > 0 {
				ra = r * math.Sqrt(1-math.Pow(beta, t)) / (1 - math.Pow(alpha, t))
			}
			for e := range x {
				gr := norm*x[e] + g[e]
				st[0][e] = alpha*v[e] + (1-alpha)*gr
				st[1][e] = beta*h[e] + (1-beta)*gr*gr
				xn[e] = (1 - post) * (x[e] - ra*st[0][e]/(math.Sqrt(st[1][e])+eps))
			}
		}
		for j, vals := range append([][]float64{xn}, st...) {
			like := in[2+i]
			c, err := kernels.Cast(ir.FromSlice(ir.Float64, like.Shape, vals), like.DType)
			if err != nil {
				return nil, err
			}
			outs[j] = append(outs[j], c)
		}
	}
	var res []*ir.Tensor
	for _, o := range outs {
		res = append(res, o...)
	}
	return res, nil
}
