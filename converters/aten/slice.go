package aten

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Slicing, splitting, concatenation, gathers and padding.

func init() {
	simple("aten.slice.Tensor", "slice as Slice (numpy bounds)", all(dtypeIn(anyDT...), func(n *conversion.Node) error {
		_, _, _, _, err := ops.ATenSliceBounds(n.Node, len(n.In[0].Shape))
		return err
	}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		dim, start, end, step, _ := ops.ATenSliceBounds(n.Node, len(n.In[0].Shape))
		return impl.SliceAxes(ctx, ctx.Input(n, 0), []impl.SliceAxis{{Axis: dim, Start: start, End: end, Step: step, StartNeg: start < 0, EndNeg: end < 0}})
	})
	simple("aten.select.int", "select as Gather with a constant scalar index", all(dtypeIn(anyDT...), func(n *conversion.Node) error {
		_, err := ir.NormAxis(n.AttrInt("dim", 0), len(n.In[0].Shape))
		return err
	}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		dim, _ := ir.NormAxis(n.AttrInt("dim", 0), len(n.In[0].Shape))
		idx := ir.FromSlice(ir.Int64, nil, []int64{n.AttrInt("index", 0)})
		return impl.Gather(ctx, ctx.Input(n, 0), ctx.Net.AddConstant(idx), dim, idx)
	})
	for _, key := range []string{"aten.split.Tensor", "aten.split_with_sizes.default"} {
		builtins = append(builtins, conversion.Converter{
			Target: key, DynamicShapes: true, Description: "split as one Slice per part",
			Validator: all(dtypeIn(anyDT...), func(n *conversion.Node) error {
				_, _, err := ops.ATenSplitSizes(n.Node, n.In[0].Shape)
				return err
			}),
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				dim, sizes, err := ops.ATenSplitSizes(n.Node, n.In[0].Shape)
				if err != nil {
					return err
				}
				x := ctx.Input(n, 0)
				off := int64(0)
				for i, s := range sizes {
					if i < len(n.Outputs) && n.Outputs[i] != "" {
						ctx.SetOutput(n, i, impl.SliceAxes(ctx, x, []impl.SliceAxis{{Axis: dim, Start: off, End: off + s, Step: 1}}))
					}
					off += s
				}
				return nil
			},
		})
	}
	simple("aten.cat.default", "cat as Concatenation", all(dtypeIn(anyDT...), func(n *conversion.Node) error {
		if len(n.In) == 0 {
			return fmt.Errorf("no inputs")
		}
		_, err := ir.NormAxis(n.AttrInt("dim", 0), len(n.In[0].Shape))
		return err
	}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		dim, _ := ir.NormAxis(n.AttrInt("dim", 0), len(n.In[0].Shape))
		xs := make([]network.Tensor, len(n.In))
		for i := range n.In {
			xs[i] = impl.Cast(ctx, ctx.Input(n, i), n.Out[0].DType)
		}
		return impl.Concat(ctx, xs, dim)
	})
	simple("aten.embedding.default", "embedding as Gather on axis 0", all(dtypeIn(anyDT...), func(n *conversion.Node) error {
		if dt := n.In[1].DType; dt != ir.Int32 && dt != ir.Int64 {
			return fmt.Errorf("indices are %v", dt)
		}
		return nil
	}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		return impl.Gather(ctx, ctx.Input(n, 0), ctx.Input(n, 1), 0, n.Const(1))
	})
	simple("aten.index.Tensor", "index with one integer index tensor as Gather", all(dtypeIn(anyDT...), func(n *conversion.Node) error {
		_, err := indexAxis(n)
		return err
	}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		k, _ := indexAxis(n)
		return impl.Gather(ctx, ctx.Input(n, 0), ctx.Input(n, k+1), k, n.Const(k+1))
	})
	simple("aten.constant_pad_nd.default", "constant_pad_nd as Slice in FILL mode", all(dtypeIn(anyDT...), func(n *conversion.Node) error {
		if !n.In[0].Shape.IsStatic() {
			return fmt.Errorf("dynamic input shape %v", n.In[0].Shape)
		}
		_, _, err := ops.ATenPads(n.Node, len(n.In[0].Shape))
		return err
	}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		x := ctx.Input(n, 0)
		b, _, _ := ops.ATenPads(n.Node, len(n.In[0].Shape))
		out, _ := n.Out[0].Shape.Ints()
		start := make([]int64, len(b))
		stride := make([]int64, len(b))
		for i := range b {
			start[i], stride[i] = -b[i], 1
		}
		v, _, _ := ops.ScalarAttr(n.Node, "value")
		return ctx.Net.AddSlice(x, network.SliceParams{Start: start, Size: out, Stride: stride, Mode: network.SampleFILL,
			Fill: ctx.Net.AddConstant(ir.Scalar(x.DType(), v))})
	})
	for _, key := range []string{"aten.upsample_nearest2d.default", "aten.upsample_nearest2d.vec"} {
		simple(key, "upsample_nearest2d as two Gathers with constant source indices", all(dtypeIn(anyDT...), func(n *conversion.Node) error {
			if s := n.In[0].Shape; len(s) != 4 || !s[2].Static() || !s[3].Static() {
				return fmt.Errorf("needs static H and W, input is %v", s)
			}
			return nil
		}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			x := ctx.Input(n, 0)
			in := n.In[0].Shape
			out := n.Out[0].Shape
			sc := n.AttrFloats("scale_factors", nil)
			for d := 2; d < 4; d++ {
				scale := float32(in[d].Size) / float32(out[d].Size)
				if len(sc) == 2 && sc[d-2] > 0 {
					scale = 1 / sc[d-2]
				}
				idx := make([]int64, out[d].Size)
				for i := range idx {
					idx[i] = min(int64(float32(i)*scale), in[d].Size-1)
				}
				t := ir.FromSlice(ir.Int64, []int64{int64(len(idx))}, idx)
				x = impl.Gather(ctx, x, ctx.Net.AddConstant(t), d, t)
			}
			return x
		})
	}
}

// indexAxis returns the dim of index.Tensor's single index tensor.
func indexAxis(n *conversion.Node) (int, error) {
	k := -1
	for i := 1; i < len(n.In); i++ {
		if n.In[i] == nil {
			continue
		}
		if k >= 0 {
			return 0, fmt.Errorf("more than one index tensor")
		}
		k = i - 1
	}
	if k < 0 {
		return 0, fmt.Errorf("no index tensor")
	}
	if dt := n.In[k+1].DType; dt != ir.Int32 && dt != ir.Int64 {
		return 0, fmt.Errorf("index tensor is %v", dt)
	}
	return k, nil
}
