package impl

import (
	"math"

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// OneHotValues is ONNX OneHot with a build-time depth and values [off, on]
// as one OneHot layer (IOneHotLayer, in every TensorRT 10.x). TensorRT
// documents Int32 indices in [0, depth) only, so indices are normalized as
// ONNX says (negative ones count from depth) and any still outside [0,
// depth) become an extra class depth; the layer encodes depth+1 classes
// and a Slice drops the extra one, leaving all off for those indices, as
// ONNX wants. A depth past Int32 takes the decomposition of OneHot.
func OneHotValues(ctx *conversion.Context, indices network.Tensor, depth int64, values network.Tensor, axis int) network.Tensor {
	if depth >= math.MaxInt32 {
		off := Slice(ctx, values, []int64{0}, []int64{1}, []int64{1})
		on := Slice(ctx, values, []int64{1}, []int64{1}, []int64{1})
		return OneHot(ctx, indices, depth, off, on, axis)
	}
	idx := indices
	if dt := idx.DType(); dt != ir.Int32 && dt != ir.Int64 {
		idx = Cast(ctx, idx, ir.Int64)
	}
	dt := idx.DType()
	r := len(idx.Shape())
	zero, d := Scalar(ctx, 0, dt, r), Scalar(ctx, float64(depth), dt, r)
	neg := ctx.Net.AddElementWise(idx, zero, network.ElementWiseLESS)
	idx = ctx.Net.AddSelect(neg, Add(ctx, idx, d), idx)
	out := ctx.Net.AddElementWise(ctx.Net.AddElementWise(idx, zero, network.ElementWiseLESS),
		ctx.Net.AddElementWise(idx, Scalar(ctx, float64(depth-1), dt, r), network.ElementWiseGREATER), network.ElementWiseOR)
	idx = Cast(ctx, ctx.Net.AddSelect(out, d, idx), ir.Int32)
	depthT := ctx.Net.AddConstant(ir.FromSlice(ir.Int32, []int64{}, []int32{int32(depth + 1)}))
	y := ctx.Net.AddOneHot(idx, values, depthT, axis)
	return SliceAxes(ctx, y, []SliceAxis{{Axis: axis, Start: 0, End: depth, Step: 1}})
}

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
