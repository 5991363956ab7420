package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// ScatterElements writes updates into a copy of data at indices along axis
// (a Scatter layer in ELEMENT mode), negative indices normalized first.
// constIdx is the indices' constant value, or nil.
func ScatterElements(ctx *conversion.Context, data, indices, updates network.Tensor, axis int, constIdx *ir.Tensor) network.Tensor {
	idx := NormIndices(ctx, data, indices, axis, constIdx)
	return ctx.Net.AddScatter(data, idx, updates, network.ScatterELEMENT, axis)
}

// ScatterND writes updates into a copy of data at the index tuples in the
// last dim of indices (a Scatter layer in ND mode), negative indices
// normalized first.
func ScatterND(ctx *conversion.Context, data, indices, updates network.Tensor, constIdx *ir.Tensor) network.Tensor {
	idx := NormIndicesND(ctx, data, indices, 0, constIdx)
	return ctx.Net.AddScatter(data, idx, updates, network.ScatterND, 0)
}
