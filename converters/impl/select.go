package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Where picks a where cond is true and b elsewhere, with numpy broadcasting
// across all three: lower-rank inputs get leading 1s first, since
// TensorRT's select layer needs equal ranks.
func Where(ctx *conversion.Context, cond, a, b network.Tensor) network.Tensor {
	rank := max(len(cond.Shape()), len(a.Shape()), len(b.Shape()))
	cond = PrependOnes(ctx, cond, rank-len(cond.Shape()))
	a = PrependOnes(ctx, a, rank-len(a.Shape()))
	b = PrependOnes(ctx, b, rank-len(b.Shape()))
	return ctx.Net.AddSelect(cond, a, b)
}
