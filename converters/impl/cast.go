package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Cast converts x to dt; it adds nothing when x already is dt.
func Cast(ctx *conversion.Context, x network.Tensor, dt ir.DType) network.Tensor {
	from := x.DType()
	if from == dt {
		return x
	}
	// TensorRT casts Uint8 only from and to Float32 and Float16 ("kUINT8
	// conversions are only supported for {kFLOAT, kHALF}.",
	// NvInferRuntimeBase.h): any other pair goes through Float32, which
	// holds every Uint8 value. Integers are first taken modulo 256 (ONNX's
	// and C's wrap-around), since TensorRT's float-to-Uint8 conversion is
	// defined only in [0, 256); towards an integer narrower than Int32 the
	// value passes through Int32.
	if from == ir.Uint8 && !uint8Partner(dt) {
		f := ctx.Net.AddCast(x, ir.Float32)
		if dt == ir.Int8 {
			f = ctx.Net.AddCast(f, ir.Int32)
		}
		return ctx.Net.AddCast(f, dt)
	}
	if dt == ir.Uint8 && !uint8Partner(from) {
		switch from {
		case ir.Int8, ir.Int32, ir.Int64:
			if from == ir.Int8 {
				x = ctx.Net.AddCast(x, ir.Int32)
			}
			m := ScalarLike(ctx, 256, x)
			x = Sub(ctx, x, Mul(ctx, ElementWise(ctx, x, m, network.ElementWiseFLOOR_DIV), m))
		}
		return ctx.Net.AddCast(ctx.Net.AddCast(x, ir.Float32), dt)
	}
	return ctx.Net.AddCast(x, dt)
}

func uint8Partner(dt ir.DType) bool { return dt == ir.Float32 || dt == ir.Float16 }
