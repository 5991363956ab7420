package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Cast converts x to dt; it adds nothing when x already is dt.
func Cast(ctx *conversion.Context, x network.Tensor, dt ir.DType) network.Tensor {
	if x.DType() == dt {
		return x
	}
	return ctx.Net.AddCast(x, dt)
}
