package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// ReverseSequence as an ELEMENT-mode Gather along the time axis: each
// position t of batch item b reads t' = L[b]-1-t where t < L[b] (L =
// sequence_lens) and t itself elsewhere; the index is built from a
// constant iota, L and a Select, broadcast to the input's (static) shape.

func init() {
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.ReverseSequence",
		Priority:      conversion.Standard,
		DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			x := n.In[0]
			if !dtypeOK(x.DType, trtDTypes) {
				return fmt.Errorf("input is %v; TensorRT gathers %v", x.DType, trtDTypes)
			}
			if !x.Shape.IsStatic() || len(x.Shape) < 2 {
				return fmt.Errorf("input %v: a static shape of rank 2 or more is needed (the gather indices are built at its shape)", x.Shape)
			}
			if l := n.In[1]; l.DType != ir.Int64 {
				return fmt.Errorf("sequence_lens is %v", l.DType)
			}
			tAxis, bAxis := n.AttrInt("time_axis", 0), n.AttrInt("batch_axis", 1)
			if (tAxis != 0 && tAxis != 1) || (bAxis != 0 && bAxis != 1) || tAxis == bAxis {
				return fmt.Errorf("time_axis %d and batch_axis %d: want 0 and 1 in some order", tAxis, bAxis)
			}
			return nil
		},
		Description: "ReverseSequence as an ELEMENT Gather along the time axis with indices from sequence_lens",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			x := ctx.Input(n, 0)
			dims, _ := x.Shape().Ints()
			tAxis, bAxis := int(n.AttrInt("time_axis", 0)), int(n.AttrInt("batch_axis", 1))
			rank := len(dims)
			at := func(axis int, v int64) []int64 { // shape with v at axis, 1 elsewhere
				s := make([]int64, rank)
				for i := range s {
					s[i] = 1
				}
				s[axis] = v
				return s
			}
			t := dims[tAxis]
			iota := ir.NewTensor(ir.Int64, at(tAxis, t))
			for i := int64(0); i < t; i++ {
				iota.SetFloat(int(i), float64(i))
			}
			it := ctx.Net.AddConstant(iota)
			l := impl.Reshape(ctx, ctx.Input(n, 1), at(bAxis, dims[bAxis]))
			rev := impl.Sub(ctx, impl.Sub(ctx, l, impl.Scalar(ctx, 1, ir.Int64, rank)), it)
			inSeq := ctx.Net.AddElementWise(it, l, network.ElementWiseLESS)
			idx := ctx.Net.AddSelect(inSeq, rev, it)
			idx = impl.Add(ctx, idx, ctx.Net.AddConstant(ir.NewTensor(ir.Int64, dims))) // broadcast to x's shape
			ctx.SetOutput(n, 0, ctx.Net.AddGather(x, idx, tAxis, network.GatherELEMENT))
			return nil
		},
	})
}
