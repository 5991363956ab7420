package impl

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Pad as TensorRT 10 does it (IPaddingLayer is gone): one Slice that starts
// at -pre, is dim+pre+post long, and samples out-of-range coordinates by the
// pad mode: constant -> FILL (with the value as the fill input), reflect ->
// REFLECT, edge -> CLAMP, wrap -> WRAP. Negative pads crop.

// PadSampleMode maps a pad mode name (ONNX constant/reflect/edge/wrap, ATen
// constant/reflect/replicate/circular) to the Slice layer's SampleMode.
func PadSampleMode(mode string) (network.SampleMode, error) {
	m, err := kernels.ParsePadMode(mode)
	if err != nil {
		return 0, err
	}
	switch m {
	case kernels.PadReflect:
		return network.SampleREFLECT, nil
	case kernels.PadEdge:
		return network.SampleCLAMP, nil
	case kernels.PadWrap:
		return network.SampleWRAP, nil
	}
	return network.SampleFILL, nil
}

// Pad pads dim d of x by pre[d] before and post[d] after; value fills the
// constant mode.
func Pad(ctx *conversion.Context, x network.Tensor, pre, post []int64, mode string, value float64) (network.Tensor, error) {
	var fill network.Tensor
	if m, err := PadSampleMode(mode); err == nil && m == network.SampleFILL && value != 0 {
		fill = ctx.Net.AddConstant(ir.Scalar(x.DType(), value))
	}
	return PadWith(ctx, x, pre, post, mode, fill)
}

// PadWith is Pad with the fill value as a 0-D tensor of x's dtype (nil for
// zero), which may be computed at run time.
func PadWith(ctx *conversion.Context, x network.Tensor, pre, post []int64, mode string, fill network.Tensor) (network.Tensor, error) {
	sm, err := PadSampleMode(mode)
	if err != nil {
		return nil, err
	}
	s := x.Shape()
	rank := len(s)
	if len(pre) != rank || len(post) != rank {
		return nil, fmt.Errorf("pad: %d+%d pads for rank %d", len(pre), len(post), rank)
	}
	p := network.SliceParams{Start: make([]int64, rank), Stride: make([]int64, rank), Mode: sm}
	if sm == network.SampleFILL {
		p.Fill = fill
	}
	grow := make([]int64, rank)
	for d := range s {
		p.Start[d], p.Stride[d], grow[d] = -pre[d], 1, pre[d]+post[d]
	}
	if dims, ok := s.Ints(); ok {
		p.Size = make([]int64, rank)
		for d, n := range dims {
			if p.Size[d] = n + grow[d]; p.Size[d] < 0 {
				return nil, fmt.Errorf("pad: dim %d of size %d with pads %d, %d leaves a negative size", d, n, pre[d], post[d])
			}
		}
	} else {
		p.SizeT = ctx.Net.AddElementWise(ShapeOf(ctx, x), ConstInts(ctx, grow), network.ElementWiseSUM)
	}
	return ctx.Net.AddSlice(x, p), nil
}

// PadT pads with run-time amounts: pads is a 1-D Int64 tensor of every
// begin then every end for the dims listed in axes (nil: all dims, in
// order); dims not listed are not padded.
func PadT(ctx *conversion.Context, x, pads network.Tensor, axes []int, mode string, fill network.Tensor) (network.Tensor, error) {
	sm, err := PadSampleMode(mode)
	if err != nil {
		return nil, err
	}
	rank := len(x.Shape())
	if axes == nil {
		axes = make([]int, rank)
		for i := range axes {
			axes[i] = i
		}
	}
	k := len(axes)
	if len(axes) != rank {
		// Spread the pads over every dim: gather from [pads..., 0].
		idx := make([]int64, 2*rank)
		for i := range idx {
			idx[i] = int64(2 * k)
		}
		for i, a := range axes {
			idx[a], idx[rank+a] = int64(i), int64(k+i)
		}
		table := ctx.Net.AddConcatenation([]network.Tensor{pads, ConstInts(ctx, []int64{0})}, 0)
		pads = ctx.Net.AddGather(table, ConstInts(ctx, idx), 0, network.GatherDEFAULT)
	}
	begin := Slice(ctx, pads, []int64{0}, []int64{int64(rank)}, []int64{1})
	end := Slice(ctx, pads, []int64{int64(rank)}, []int64{int64(rank)}, []int64{1})
	p := network.SliceParams{
		StartT: ctx.Net.AddElementWise(ConstInts(ctx, make([]int64, rank)), begin, network.ElementWiseSUB),
		SizeT:  Add(ctx, ShapeOf(ctx, x), Add(ctx, begin, end)),
		Stride: make([]int64, rank),
		Mode:   sm,
	}
	for d := range p.Stride {
		p.Stride[d] = 1
	}
	if sm == network.SampleFILL {
		p.Fill = fill
	}
	return ctx.Net.AddSlice(x, p), nil
}
