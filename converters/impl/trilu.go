package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Trilu keeps the upper (j - i >= k) or lower (j - i <= k) triangle of the
// last two dims of x and zeroes the rest, with a Select over a mask. k is a
// constant (kConst) or a 1-element Int64 tensor. With static matrix dims and
// a constant k the mask is a constant; otherwise j - i comes from a 2-D Fill
// LINSPACE (deltas -1 and 1) over the matrix dims.
func Trilu(ctx *conversion.Context, x network.Tensor, kConst int64, k network.Tensor, upper bool) network.Tensor {
	s := x.Shape()
	rank := len(s)
	rows, cols := s[rank-2], s[rank-1]
	zero := ScalarLike(ctx, 0, x)
	if rows.Static() && cols.Static() && k == nil {
		dims := make([]int64, rank)
		for i := range dims {
			dims[i] = 1
		}
		dims[rank-2], dims[rank-1] = rows.Size, cols.Size
		m := ir.NewTensor(ir.Bool, dims)
		for i := range rows.Size {
			for j := range cols.Size {
				keep := j-i <= kConst
				if upper {
					keep = j-i >= kConst
				}
				if keep {
					m.SetFloat(int(i*cols.Size+j), 1)
				}
			}
		}
		return ctx.Net.AddSelect(ctx.Net.AddConstant(m), x, zero)
	}
	diff := ctx.Net.AddFill(network.FillParams{
		Op: network.FillLINSPACE, DType: ir.Int64,
		DimsT:  ShapeFrom(ctx, x, []DimSrc{FromIn(rank - 2), FromIn(rank - 1)}),
		AlphaT: ctx.Net.AddConstant(ir.Scalar(ir.Int64, 0)),
		BetaT:  ConstInts(ctx, []int64{-1, 1}),
	})
	diff = PrependOnes(ctx, diff, rank-2)
	if k == nil {
		k = Scalar(ctx, float64(kConst), ir.Int64, rank)
	} else {
		k = reshapeOnes(ctx, Cast(ctx, k, ir.Int64), rank)
	}
	// upper: !(diff < k); lower: !(diff > k).
	op := network.ElementWiseGREATER
	if upper {
		op = network.ElementWiseLESS
	}
	mask := ctx.Net.AddUnary(ctx.Net.AddElementWise(diff, k, op), network.UnaryNOT)
	return ctx.Net.AddSelect(mask, x, zero)
}
