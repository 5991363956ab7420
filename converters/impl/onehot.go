package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// OneHot is ONNX OneHot with a build-time depth: indices (non-integer ones
// cast to Int64, so truncated; negative ones count from depth) gain a dim
// at axis that is compared (ElementWise EQUAL) with a Fill LINSPACE range
// [0, depth) shaped to broadcast along it; a Select picks on or off (0-D or
// one-element tensors of the output dtype) per element. Indices outside
// [-depth, depth) match no position and give all off.
func OneHot(ctx *conversion.Context, indices network.Tensor, depth int64, off, on network.Tensor, axis int) network.Tensor {
	idx := indices
	if dt := idx.DType(); dt != ir.Int32 && dt != ir.Int64 {
		idx = Cast(ctx, idx, ir.Int64)
	}
	dt := idx.DType()
	r := len(idx.Shape())
	zero, d := Scalar(ctx, 0, dt, r), Scalar(ctx, float64(depth), dt, r)
	neg := ctx.Net.AddElementWise(idx, zero, network.ElementWiseLESS)
	idx = ctx.Net.AddSelect(neg, Add(ctx, idx, d), idx)
	idx = Unsqueeze(ctx, idx, []int{axis})
	shape := make([]int64, r+1)
	for i := range shape {
		shape[i] = 1
	}
	shape[axis] = depth
	iota := ctx.Net.AddFill(network.FillParams{Op: network.FillLINSPACE, Dims: []int64{depth}, DType: dt, Alpha: 0, Beta: 1})
	hit := ctx.Net.AddElementWise(idx, Reshape(ctx, iota, shape), network.ElementWiseEQUAL)
	ones := make([]int64, r+1)
	for i := range ones {
		ones[i] = 1
	}
	return ctx.Net.AddSelect(hit, Reshape(ctx, on, ones), Reshape(ctx, off, ones))
}
