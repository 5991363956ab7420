package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Resize helpers over IResizeLayer. The output size is given as static dims
// (outDims), or per-dim scales (output = floor(dim * scale)); pass the other
// as nil. ResizeT takes a run-time shape tensor instead.

// Resize adds a Resize layer with every setting of p but the size, which
// comes from outDims or scales.
func Resize(ctx *conversion.Context, x network.Tensor, outDims []int64, scales []float32, p network.ResizeParams) network.Tensor {
	p.OutputDims, p.Scales, p.OutputDimsT = outDims, scales, nil
	return resizeAnyType(ctx, x, func(x network.Tensor) network.Tensor { return ctx.Net.AddResize(x, p) })
}

// ResizeT resizes x to the dims held by a 1-D Int64 shape tensor.
func ResizeT(ctx *conversion.Context, x, outDims network.Tensor, p network.ResizeParams) network.Tensor {
	p.OutputDims, p.Scales, p.OutputDimsT = nil, nil, outDims
	return resizeAnyType(ctx, x, func(x network.Tensor) network.Tensor { return ctx.Net.AddResize(x, p) })
}

// resizeAnyType runs resize on x of any dtype. TensorRT resizes floats only
// ("Int32 tensors are not valid input tensors.", NvInfer.h addResize), so an
// integer tensor is resized as float and cast back; only nearest mode takes
// integers (the converters check), and it copies values, so this is exact
// where float32 holds every value: Int8 and Uint8 are cast whole, Int32 and
// Int64 split into chunks of 16 and 22 bits (each exact in float32),
// resized one by one and put back together in the integer type.
func resizeAnyType(ctx *conversion.Context, x network.Tensor, resize func(network.Tensor) network.Tensor) network.Tensor {
	dt := x.DType()
	switch dt {
	case ir.Int8, ir.Uint8:
		return Cast(ctx, resize(Cast(ctx, x, ir.Float32)), dt)
	case ir.Int32, ir.Int64:
	default:
		return resize(x)
	}
	bitsPer, chunks := int64(16), 2
	if dt == ir.Int64 {
		bitsPer, chunks = 22, 3
	}
	rank := len(x.Shape())
	base := Scalar(ctx, float64(int64(1)<<bitsPer), dt, rank)
	// x = ((c[n-1]*base + ... )*base + c[1])*base + c[0], with c[0..n-2] in
	// [0, base) and c[n-1] the signed rest.
	parts := make([]network.Tensor, chunks)
	rest := x
	for i := 0; i < chunks-1; i++ {
		hi := ElementWise(ctx, rest, base, network.ElementWiseFLOOR_DIV)
		parts[i] = Sub(ctx, rest, Mul(ctx, hi, base))
		rest = hi
	}
	parts[chunks-1] = rest
	var out network.Tensor
	for i := chunks - 1; i >= 0; i-- {
		r := Cast(ctx, resize(Cast(ctx, parts[i], ir.Float32)), dt)
		if out == nil {
			out = r
		} else {
			out = Add(ctx, Mul(ctx, out, base), r)
		}
	}
	return out
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
