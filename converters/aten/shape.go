package aten

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// View, reshape, permute, expand, squeeze and copies.

func viewConverter(key, arg string) {
	add(key, "Shuffle reshape (symbolic sizes from the input's own dims become zero placeholders)",
		all(dtypeIn(anyDT...), func(n *conversion.Node) error {
			_, err := ops.ATenViewShape(n.Node, arg, n.In[0].Shape)
			return err
		}),
		func(ctx *conversion.Context, n *conversion.Node) (network.Tensor, error) {
			dims, err := ops.ATenViewShape(n.Node, arg, n.In[0].Shape)
			if err != nil {
				return nil, err
			}
			x := ctx.Input(n, 0)
			if out, ok := n.Out[0].Shape.Ints(); ok {
				// Static output: write it out (a 0-placeholder is not
				// needed, and a scalar needs an explicit empty shape).
				if len(out) == 0 {
					return impl.ReshapeScalar(ctx, x), nil
				}
				dims = out
			}
			return impl.Reshape(ctx, x, dims), nil
		})
}

func init() {
	viewConverter("aten.view.default", "size")
	viewConverter("aten._unsafe_view.default", "size")
	viewConverter("aten.reshape.default", "shape")
	add("aten.flatten.using_ints", "flatten as Shuffle reshape", dtypeIn(anyDT...),
		func(ctx *conversion.Context, n *conversion.Node) (network.Tensor, error) {
			x := ctx.Input(n, 0)
			out := n.Out[0].Shape
			if dims, ok := out.Ints(); ok {
				return impl.Reshape(ctx, x, dims), nil
			}
			in := n.In[0].Shape
			rank := max(len(in), 1)
			s, err := ir.NormAxis(n.AttrInt("start_dim", 0), rank)
			if err != nil {
				return nil, err
			}
			e, err := ir.NormAxis(n.AttrInt("end_dim", -1), rank)
			if err != nil {
				return nil, err
			}
			var spec []impl.DimSrc
			for i := 0; i < s; i++ {
				spec = append(spec, impl.FromIn(i))
			}
			spec = append(spec, impl.Const(-1))
			for i := e + 1; i < len(in); i++ {
				spec = append(spec, impl.FromIn(i))
			}
			return impl.ReshapeSpec(ctx, x, spec), nil
		})
	for _, key := range []string{"aten.permute.default", "aten.transpose.int", "aten.t.default"} {
		add(key, "Shuffle transpose", all(dtypeIn(anyDT...), func(n *conversion.Node) error {
			_, err := ops.ATenPerm(n.Node, len(n.In[0].Shape))
			return err
		}), func(ctx *conversion.Context, n *conversion.Node) (network.Tensor, error) {
			pm, err := ops.ATenPerm(n.Node, len(n.In[0].Shape))
			if err != nil {
				return nil, err
			}
			perm := make([]int, len(pm))
			for i, p := range pm {
				perm[i] = int(p)
			}
			return impl.Transpose(ctx, ctx.Input(n, 0), perm), nil
		})
	}
	simple("aten.expand.default", "expand as Slice with stride 0 on broadcast dims", all(dtypeIn(anyDT...), func(n *conversion.Node) error {
		if !n.Out[0].Shape.IsStatic() {
			return fmt.Errorf("dynamic output shape %v", n.Out[0].Shape)
		}
		return nil
	}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		out, _ := n.Out[0].Shape.Ints()
		x := impl.PrependOnes(ctx, ctx.Input(n, 0), len(out)-len(n.In[0].Shape))
		stride := make([]int64, len(out))
		for i, d := range x.Shape() {
			if d.Size != 1 {
				stride[i] = 1
			}
		}
		return impl.Slice(ctx, x, make([]int64, len(out)), out, stride)
	})
	simple("aten.unsqueeze.default", "unsqueeze as Shuffle reshape", dtypeIn(anyDT...), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		d, _ := ir.NormAxis(n.AttrInt("dim", 0), len(n.In[0].Shape)+1)
		return impl.Unsqueeze(ctx, ctx.Input(n, 0), []int{d})
	})
	for _, key := range []string{"aten.squeeze.dims", "aten.squeeze.dim", "aten.squeeze.default"} {
		add(key, "squeeze of static size-1 dims as Shuffle reshape", dtypeIn(anyDT...), func(ctx *conversion.Context, n *conversion.Node) (network.Tensor, error) {
			dims, err := ops.ATenSqueezeDims(n.Node, n.In[0].Shape)
			if err != nil {
				return nil, err
			}
			if len(dims) == 0 {
				return ctx.Net.AddIdentity(ctx.Input(n, 0)), nil
			}
			axes := make([]int, len(dims))
			for i, d := range dims {
				axes[i] = int(d)
			}
			return impl.Squeeze(ctx, ctx.Input(n, 0), axes), nil
		})
	}
	for _, key := range []string{"aten.clone.default", "aten.alias.default", "aten.contiguous.default", "aten.detach.default", "aten.lift_fresh_copy.default"} {
		simple(key, "Identity (values do not change)", dtypeIn(anyDT...), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			return ctx.Net.AddIdentity(ctx.Input(n, 0))
		})
	}
	simple("aten.dropout.default", "dropout in eval mode as Identity", all(dtypeIn(anyDT...), func(n *conversion.Node) error {
		if n.AttrInt("train", 0) != 0 {
			return fmt.Errorf("train is true")
		}
		return nil
	}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		return ctx.Net.AddIdentity(ctx.Input(n, 0))
	})
	simple("aten._to_copy.default", "_to_copy as Cast (or Identity without dtype)", all(dtypeIn(anyDT...), outputsIn(anyDT...)),
		func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			x := ctx.Input(n, 0)
			if !n.HasAttr("dtype") || x.DType() == n.Out[0].DType {
				return ctx.Net.AddIdentity(x)
			}
			// impl.Cast routes uint8 through float32 (TensorRT casts
			// uint8 only from and to float and half), wrapping integers
			// modulo 256 as PyTorch does.
			return impl.Cast(ctx, x, n.Out[0].DType)
		})
}
