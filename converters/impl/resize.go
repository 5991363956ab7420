package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Resize helpers over IResizeLayer. The output size is given as static dims
// (outDims), or per-dim scales (output = floor(dim * scale)); pass the other
// as nil. ResizeT takes a run-time shape tensor instead.

// Resize adds a Resize layer with every setting of p but the size, which
// comes from outDims or scales.
func Resize(ctx *conversion.Context, x network.Tensor, outDims []int64, scales []float32, p network.ResizeParams) network.Tensor {
	p.OutputDims, p.Scales, p.OutputDimsT = outDims, scales, nil
	return ctx.Net.AddResize(x, p)
}

// ResizeT resizes x to the dims held by a 1-D Int64 shape tensor.
func ResizeT(ctx *conversion.Context, x, outDims network.Tensor, p network.ResizeParams) network.Tensor {
	p.OutputDims, p.Scales, p.OutputDimsT = nil, nil, outDims
	return ctx.Net.AddResize(x, p)
}

// ResizeNearest is PyTorch's upsample_nearest: input index floor(i / scale)
// (asymmetric coordinates, rounding down).
func ResizeNearest(ctx *conversion.Context, x network.Tensor, outDims []int64, scales []float32) network.Tensor {
	return Resize(ctx, x, outDims, scales, network.ResizeParams{
		Mode: network.InterpolationNEAREST, CoordTransform: network.ResizeASYMMETRIC, NearestRounding: network.ResizeRoundFLOOR,
	})
}

// ResizeLinear is PyTorch's upsample_(bi|tri)linear: align_corners, or
// half-pixel centres where an output dim of 1 reads input coordinate 0.
// TensorRT interpolates at most the 3 innermost dims.
func ResizeLinear(ctx *conversion.Context, x network.Tensor, outDims []int64, scales []float32, alignCorners bool) network.Tensor {
	p := network.ResizeParams{Mode: network.InterpolationLINEAR, CoordTransform: network.ResizeHALF_PIXEL, Selector: network.ResizeSelectorUPPER}
	if alignCorners {
		p.CoordTransform, p.Selector = network.ResizeALIGN_CORNERS, network.ResizeSelectorFORMULA
	}
	return Resize(ctx, x, outDims, scales, p)
}
