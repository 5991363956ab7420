package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// Cast and CastLike as one Cast layer (none when the dtype already
// matches). saturate only concerns float8 targets, which trtc does not
// hold, so it is ignored.

func init() {
	for _, op := range []string{"Cast", "CastLike"} {
		op := op
		builtins = append(builtins, conversion.Converter{
			Target:        "onnx." + op,
			DynamicShapes: true,
			Validator:     validateCast,
			Description:   op + " as a Cast layer between TensorRT dtypes",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				ctx.SetOutput(n, 0, impl.Cast(ctx, ctx.Input(n, 0), castTarget(n)))
				return nil
			},
		})
	}
}

// trtDTypes are the dtypes TensorRT has a DataType for (no float64, int16
// or wide unsigned types).
var trtDTypes = []ir.DType{ir.Float32, ir.Float16, ir.BFloat16, ir.Int8, ir.Int32, ir.Int64, ir.Bool, ir.Uint8}

func castTarget(n *conversion.Node) ir.DType {
	if n.Op == "onnx.CastLike" {
		if len(n.In) > 1 && n.In[1] != nil {
			return n.In[1].DType
		}
		return ir.Undefined
	}
	return ir.DType(n.AttrInt("to", 0))
}

func validateCast(n *conversion.Node) error {
	if len(n.In) == 0 || n.In[0] == nil {
		return fmt.Errorf("input 0 is missing")
	}
	from, to := n.In[0].DType, castTarget(n)
	if !dtypeOK(from, trtDTypes) {
		return fmt.Errorf("input is %v, which TensorRT has no type for", from)
	}
	if !dtypeOK(to, trtDTypes) {
		return fmt.Errorf("target dtype %v (to=%d) is not a TensorRT type", to, int32(to))
	}
	return nil
}
