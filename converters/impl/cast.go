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
	// holds every Uint8 value (and the result of a cast to Uint8 is
	// defined only in [0, 256), which Float32 holds too).
	if (from == ir.Uint8 && !uint8Partner(dt)) || (dt == ir.Uint8 && !uint8Partner(from)) {
		return ctx.Net.AddCast(ctx.Net.AddCast(x, ir.Float32), dt)
	}
	return ctx.Net.AddCast(x, dt)
}

func uint8Partner(dt ir.DType) bool { return dt == ir.Float32 || dt == ir.Float16 }
