package onnx

import (
	"fmt"
	"slices"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// RotaryEmbedding (opset 23) is one IRotaryEmbeddingLayer where the target
// TensorRT has it (10.15+; a 3-D input is reshaped to [B, S, H, D] and
// transposed to the layer's [B, H, S, D] and back), and otherwise built
// from Gather (cache rows by position_ids), Slice (the rotated halves, or
// the even and odd elements when interleaved), ElementWise and
// Concatenation, with a 3-D input viewed as [B, S, H, D] by a Shuffle.

func init() {
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.RotaryEmbedding",
		Priority:      conversion.Standard,
		DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			for i := 0; i < 3; i++ {
				if !slices.Contains(floats, n.In[i].DType) {
					return fmt.Errorf("input %d is %v; TensorRT supports %v here", i, n.In[i].DType, floats)
				}
			}
			if len(n.In) > 3 && n.In[3] != nil && n.In[3].DType != ir.Int64 && n.In[3].DType != ir.Int32 {
				return fmt.Errorf("position_ids are %v; TensorRT's Gather takes int32 or int64 indices", n.In[3].DType)
			}
			if s := n.In[0].Shape; !s[len(s)-1].Static() {
				return fmt.Errorf("the last dim of X (%v) must be static: it is split into rotated and kept parts at build time", s)
			}
			return nil
		},
		Description: "RotaryEmbedding as IRotaryEmbeddingLayer (TensorRT 10.15+), before that as Gather of the cos/sin rows, Slice of the rotated pairs, ElementWise and Concatenation",
		Convert:     convRotary,
	})
}

func convRotary(ctx *conversion.Context, n *conversion.Node) error {
	if ctx.Settings.Supports(network.KindRotaryEmbedding) {
		return convRotaryFused(ctx, n)
	}
	return convRotaryDecomposed(ctx, n)
}

// convRotaryFused is the IRotaryEmbeddingLayer path. Negative position ids
// (ONNX wraps them like Gather indices; TensorRT documents only indices
// into the caches) are normalized first.
func convRotaryFused(ctx *conversion.Context, n *conversion.Node) error {
	p := ops.RotaryAttrs(n.Node)
	x := ctx.Input(n, 0)
	rank := len(x.Shape())
	last := x.Shape()[rank-1].Size
	x4 := x
	if rank == 3 {
		x4 = impl.ReshapeSpec(ctx, x, []impl.DimSrc{impl.FromIn(0), impl.FromIn(1), impl.Const(p.NumHeads), impl.Const(last / p.NumHeads)})
		x4 = impl.Transpose(ctx, x4, []int{0, 2, 1, 3})
	}
	cos, sin := ctx.Input(n, 1), ctx.Input(n, 2)
	var pos network.Tensor
	if len(n.In) > 3 && n.In[3] != nil {
		pos = impl.NormIndices(ctx, cos, ctx.Input(n, 3), 0, n.Const(3))
	}
	y := ctx.Net.AddRotaryEmbedding(x4, cos, sin, pos, p.Interleaved, int(p.RotaryDim))
	if rank == 3 {
		y = impl.Transpose(ctx, y, []int{0, 2, 1, 3})
		y = impl.ReshapeSpec(ctx, y, []impl.DimSrc{impl.FromIn(0), impl.FromIn(1), impl.Const(last)})
	}
	ctx.SetOutput(n, 0, y)
	return nil
}

// convRotaryDecomposed builds the layer from TensorRT 10.0 layers.
func convRotaryDecomposed(ctx *conversion.Context, n *conversion.Node) error {
	p := ops.RotaryAttrs(n.Node)
	x := ctx.Input(n, 0)
	rank := len(x.Shape())
	last := x.Shape()[rank-1].Size
	head, heads := last, int64(0)
	x4 := x
	if rank == 3 {
		heads, head = p.NumHeads, last/p.NumHeads
		x4 = impl.ReshapeSpec(ctx, x, []impl.DimSrc{impl.FromIn(0), impl.FromIn(1), impl.Const(heads), impl.Const(head)})
	}
	rot := p.RotaryDim
	if rot == 0 {
		rot = head
	}
	half := rot / 2
	cos, sin := ctx.Input(n, 1), ctx.Input(n, 2)
	if len(n.In) > 3 && n.In[3] != nil {
		pos := ctx.Input(n, 3)
		cos = impl.Gather(ctx, cos, pos, 0, n.Const(3))
		sin = impl.Gather(ctx, sin, pos, 0, n.Const(3))
	}
	// cos and sin are [B, S, half]; give them a heads dim of 1 where x4 has
	// its heads: [B, 1, S, half] for 4-D X, [B, S, 1, half] for 3-D.
	hAxis := 1
	if rank == 3 {
		hAxis = 2
	}
	cos, sin = impl.Unsqueeze(ctx, cos, []int{hAxis}), impl.Unsqueeze(ctx, sin, []int{hAxis})
	sl := func(start, end, step int64) network.Tensor {
		return impl.SliceAxes(ctx, x4, []impl.SliceAxis{{Axis: 3, Start: start, End: end, Step: step}})
	}
	var x1, x2 network.Tensor
	if p.Interleaved {
		x1, x2 = sl(0, rot, 2), sl(1, rot, 2)
	} else {
		x1, x2 = sl(0, half, 1), sl(half, rot, 1)
	}
	real := impl.Sub(ctx, impl.Mul(ctx, cos, x1), impl.Mul(ctx, sin, x2))
	imag := impl.Add(ctx, impl.Mul(ctx, sin, x1), impl.Mul(ctx, cos, x2))
	var y network.Tensor
	if p.Interleaved {
		pairs := impl.Concat(ctx, []network.Tensor{impl.Unsqueeze(ctx, real, []int{4}), impl.Unsqueeze(ctx, imag, []int{4})}, 4)
		y = impl.ReshapeSpec(ctx, pairs, []impl.DimSrc{impl.FromIn(0), impl.FromIn(1), impl.FromIn(2), impl.Const(rot)})
	} else {
		y = impl.Concat(ctx, []network.Tensor{real, imag}, 3)
	}
	if rot < head {
		y = impl.Concat(ctx, []network.Tensor{y, sl(rot, head, 1)}, 3)
	}
	if rank == 3 {
		y = impl.ReshapeSpec(ctx, y, []impl.DimSrc{impl.FromIn(0), impl.FromIn(1), impl.Const(last)})
	}
	ctx.SetOutput(n, 0, y)
	return nil
}
