package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Concat joins tensors of one dtype and rank along axis (in [0, rank)).
func Concat(ctx *conversion.Context, xs []network.Tensor, axis int) network.Tensor {
	if len(xs) == 1 {
		return ctx.Net.AddIdentity(xs[0])
	}
	return ctx.Net.AddConcatenation(xs, axis)
}
