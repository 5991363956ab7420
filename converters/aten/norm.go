package aten

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Normalization, softmax and attention.

func eps(n *conversion.Node) float32 {
	v, _, ok := ops.ScalarAttr(n.Node, "eps")
	if !ok {
		return 1e-5
	}
	return float32(v)
}

func onesLike(c *ir.Tensor, v float64) *ir.Tensor {
	t := ir.NewTensor(c.DType, c.Shape)
	for i := 0; i < int(t.Numel()); i++ {
		t.SetFloat(i, v)
	}
	return t
}

func init() {
	for _, key := range []string{"aten._native_batch_norm_legit_no_training.default", "aten.batch_norm.default"} {
		simple(key, "inference batch norm folded into ElementWise PROD and SUM with constants",
			all(dtypeIn(floats...), constIn("weight, bias, running_mean and running_var", 1, 2, 3, 4), noSecondaryOutputs, func(n *conversion.Node) error {
				if n.AttrInt("training", 0) != 0 {
					return fmt.Errorf("training mode")
				}
				if len(n.In) < 5 || n.In[3] == nil || n.In[4] == nil {
					return fmt.Errorf("running_mean and running_var are required")
				}
				if len(n.In[0].Shape) < 2 {
					return fmt.Errorf("input rank %d", len(n.In[0].Shape))
				}
				return nil
			}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
				mean, variance := n.Const(3), n.Const(4)
				w, b := n.Const(1), n.Const(2)
				if w == nil {
					w = onesLike(mean, 1)
				}
				if b == nil {
					b = onesLike(mean, 0)
				}
				return impl.BatchNorm(ctx, ctx.Input(n, 0), w, b, mean, variance, eps(n))
			})
	}
	for _, key := range []string{"aten.native_layer_norm.default", "aten.layer_norm.default"} {
		simple(key, "layer norm as Normalization over the trailing dims", all(dtypeIn(floats...), noSecondaryOutputs, func(n *conversion.Node) error {
			ns := n.AttrInts("normalized_shape", nil)
			if len(ns) == 0 || len(ns) > len(n.In[0].Shape) {
				return fmt.Errorf("normalized_shape %v for input %v", ns, n.In[0].Shape)
			}
			return nil
		}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			x := ctx.Input(n, 0)
			axis := len(n.In[0].Shape) - len(n.AttrInts("normalized_shape", nil))
			return impl.LayerNorm(ctx, x, ctx.Input(n, 1), ctx.Input(n, 2), axis, eps(n))
		})
	}
	softmax := func(key string, log bool) {
		simple(key, "SoftMax over one axis (log: Unary LOG after it)", all(dtypeIn(floats...), func(n *conversion.Node) error {
			if n.HasAttr("dtype") && ir.DType(n.AttrInt("dtype", 0)) != n.In[0].DType {
				return fmt.Errorf("dtype conversion in softmax is not converted")
			}
			_, err := ir.NormAxis(n.AttrInt("dim", -1), len(n.In[0].Shape))
			return err
		}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			d, _ := ir.NormAxis(n.AttrInt("dim", -1), len(n.In[0].Shape))
			if log {
				return impl.LogSoftMax(ctx, ctx.Input(n, 0), d)
			}
			return impl.SoftMax(ctx, ctx.Input(n, 0), d)
		})
	}
	softmax("aten._softmax.default", false)
	softmax("aten.softmax.int", false)
	softmax("aten._log_softmax.default", true)
	softmax("aten.log_softmax.int", true)
	simple("aten.scaled_dot_product_attention.default", "attention as MatrixMultiply, scale, mask, SoftMax, MatrixMultiply",
		all(dtypeIn(append(floats, ir.Bool)...), func(n *conversion.Node) error {
			q := n.In[0].Shape
			if len(q) < 2 || len(n.In[1].Shape) != len(q) || len(n.In[2].Shape) != len(q) {
				return fmt.Errorf("query, key and value need one rank >= 2")
			}
			if d, _, ok := ops.ScalarAttr(n.Node, "dropout_p"); ok && d != 0 {
				return fmt.Errorf("dropout_p %g", d)
			}
			if n.AttrInt("enable_gqa", 0) != 0 {
				return fmt.Errorf("enable_gqa")
			}
			if _, _, ok := ops.ScalarAttr(n.Node, "scale"); !ok && !q[len(q)-1].Static() {
				return fmt.Errorf("dynamic head dim without scale")
			}
			if n.AttrInt("is_causal", 0) != 0 && (!q[len(q)-2].Static() || !n.In[1].Shape[len(q)-2].Static()) {
				return fmt.Errorf("is_causal with dynamic sequence lengths")
			}
			return nil
		}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			q, k, v := ctx.Input(n, 0), ctx.Input(n, 1), ctx.Input(n, 2)
			qs := n.In[0].Shape
			rank := len(qs)
			scale, _, ok := ops.ScalarAttr(n.Node, "scale")
			if !ok {
				scale = 1 / math.Sqrt(float64(qs[rank-1].Size))
			}
			s := ctx.Net.AddMatrixMultiply(q, network.MatrixNONE, k, network.MatrixTRANSPOSE)
			s = impl.Mul(ctx, s, impl.ScalarLike(ctx, scale, s))
			if n.AttrInt("is_causal", 0) != 0 {
				l, sl := qs[rank-2].Size, n.In[1].Shape[rank-2].Size
				m := ir.NewTensor(q.DType(), []int64{l, sl})
				for i := int64(0); i < l; i++ {
					for j := i + 1; j < sl; j++ {
						m.SetFloat(int(i*sl+j), math.Inf(-1))
					}
				}
				s = impl.Add(ctx, s, ctx.Net.AddConstant(m))
			}
			if mask := ctx.Input(n, 3); mask != nil {
				if mask.DType() == ir.Bool {
					s = impl.Where(ctx, mask, s, impl.ScalarLike(ctx, math.Inf(-1), s))
				} else {
					s = impl.Add(ctx, s, impl.Cast(ctx, mask, s.DType()))
				}
			}
			return impl.MatMul(ctx, impl.SoftMax(ctx, s, rank-1), v)
		})
}
