package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Shape tensors: 1-D Int64 tensors that describe shapes at run time. Static
// dims become constants, so a static network needs no Shape layer.

// ShapeOf is x's shape as a 1-D Int64 tensor.
func ShapeOf(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return ctx.Net.AddShape(x)
}

// Dim is dim i of x as a 1-element Int64 tensor: a constant when static,
// else gathered from x's shape.
func Dim(ctx *conversion.Context, x network.Tensor, i int) network.Tensor {
	if d := x.Shape()[i]; d.Static() {
		return ConstInts(ctx, []int64{d.Size})
	}
	return ctx.Net.AddGather(ShapeOf(ctx, x), ConstInts(ctx, []int64{int64(i)}), 0, network.GatherDEFAULT)
}

// DimSrc says where one dim of a shape tensor comes from: input dim In of a
// tensor when In >= 0, else the constant Val.
type DimSrc struct {
	In  int
	Val int64
}

// FromIn copies dim i of the source tensor; Const is a fixed value.
func FromIn(i int) DimSrc   { return DimSrc{In: i} }
func Const(v int64) DimSrc  { return DimSrc{In: -1, Val: v} }
func isConst(s DimSrc) bool { return s.In < 0 }

// ShapeTensor concatenates 1-D Int64 pieces into one shape tensor.
func ShapeTensor(ctx *conversion.Context, parts ...network.Tensor) network.Tensor {
	if len(parts) == 1 {
		return parts[0]
	}
	return ctx.Net.AddConcatenation(parts, 0)
}

// ShapeFrom builds a shape tensor whose entries copy dims of x or are
// constants. Static dims of x are folded into constants; the dynamic ones
// are gathered from Shape(x) in one Gather.
func ShapeFrom(ctx *conversion.Context, x network.Tensor, spec []DimSrc) network.Tensor {
	s := x.Shape()
	vals := make([]int64, 0, len(spec))
	dynamic := false
	for _, d := range spec {
		if !isConst(d) && !s[d.In].Static() {
			dynamic = true
		}
	}
	if !dynamic {
		for _, d := range spec {
			if isConst(d) {
				vals = append(vals, d.Val)
			} else {
				vals = append(vals, s[d.In].Size)
			}
		}
		return ConstInts(ctx, vals)
	}
	// table = concat(shape(x), constants); out = table[idx].
	rank := int64(len(s))
	idx := make([]int64, len(spec))
	var consts []int64
	for i, d := range spec {
		if isConst(d) {
			idx[i] = rank + int64(len(consts))
			consts = append(consts, d.Val)
		} else {
			idx[i] = int64(d.In)
		}
	}
	table := ShapeOf(ctx, x)
	if len(consts) > 0 {
		table = ctx.Net.AddConcatenation([]network.Tensor{table, ConstInts(ctx, consts)}, 0)
	}
	return ctx.Net.AddGather(table, ConstInts(ctx, idx), 0, network.GatherDEFAULT)
}

// dimsOf returns a shape's static sizes, -1 for dynamic dims.
func dimsOf(s ir.Shape) []int64 {
	out := make([]int64, len(s))
	for i, d := range s {
		out[i] = d.Size
	}
	return out
}
