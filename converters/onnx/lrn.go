package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

// LRN as layers TensorRT has: the squares x*x, reshaped to [N, 1, C,
// spatial], summed over the channel window by an average PoolingNd of
// [size, 1] that counts its zero padding ((size-1)/2 before, the rest
// after) times size, reshaped back; y = x / (bias + alpha/size * sum)^beta.

func init() {
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.LRN",
		Priority:      conversion.Standard,
		DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			if err := dtypeIn(floats...)(n); err != nil {
				return err
			}
			s := n.In[0].Shape
			if len(s) < 3 || !s[1:].IsStatic() {
				return fmt.Errorf("input %v: want [N, C, spatial...] with static channel and spatial dims", s)
			}
			if size := n.AttrInt("size", 0); size < 1 || size > 2*s[1].Size+1 {
				return fmt.Errorf("size %d: want 1 to 2*C+1", size)
			}
			return nil
		},
		Description: "LRN as x*x, an average PoolingNd over a channel window counting its padding, and ElementWise POW/DIV",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			x := ctx.Input(n, 0)
			s := x.Shape()
			size := n.AttrInt("size", 0)
			alpha, beta, bias := float64(n.AttrFloat("alpha", 1e-4)), float64(n.AttrFloat("beta", 0.75)), float64(n.AttrFloat("bias", 1))
			c := s[1].Size
			inner := int64(1)
			for _, d := range s[2:] {
				inner *= d.Size
			}
			sq := impl.ReshapeSpec(ctx, impl.Mul(ctx, x, x), []impl.DimSrc{impl.FromIn(0), impl.Const(1), impl.Const(c), impl.Const(inner)})
			lo := (size - 1) / 2
			sum := impl.Pool(ctx, sq, false, []int64{size, 1}, []int64{1, 1}, []int64{lo, 0}, []int64{size - 1 - lo, 0}, true)
			sum = impl.Mul(ctx, sum, impl.ScalarLike(ctx, float64(size), sum))
			spec := []impl.DimSrc{impl.FromIn(0)}
			for _, d := range s[1:] {
				spec = append(spec, impl.Const(d.Size))
			}
			sum = impl.ReshapeSpec(ctx, sum, spec)
			base := impl.Add(ctx, impl.ScalarLike(ctx, bias, sum), impl.Mul(ctx, impl.ScalarLike(ctx, alpha/float64(size), sum), sum))
			ctx.SetOutput(n, 0, impl.Div(ctx, x, ctx.Net.AddElementWise(base, impl.ScalarLike(ctx, beta, base), network.ElementWisePOW)))
			return nil
		},
	})
}
