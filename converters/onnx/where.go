package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// Where as one Select layer, the inputs brought to a common rank first.
// Int8 and Uint8 branches, which Select does not take, are selected in
// Int32 and Float32 (widen) and cast back: exact, as a select computes
// nothing.

func init() {
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.Where",
		DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			if len(n.In) != 3 || n.In[0] == nil || n.In[1] == nil || n.In[2] == nil {
				return fmt.Errorf("Where needs 3 inputs")
			}
			if n.In[0].DType != ir.Bool {
				return fmt.Errorf("condition is %v, want bool", n.In[0].DType)
			}
			for i := 1; i < 3; i++ {
				if !dtypeOK(n.In[i].DType, selectable) && n.In[i].DType != ir.Int8 && n.In[i].DType != ir.Uint8 {
					return fmt.Errorf("input %d is %v; TensorRT selects %v", i, n.In[i].DType, selectable)
				}
			}
			return nil
		},
		Description: "Where as a Select layer with numpy broadcasting",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			y := impl.Where(ctx, ctx.Input(n, 0), widen(ctx, ctx.Input(n, 1)), widen(ctx, ctx.Input(n, 2)))
			ctx.SetOutput(n, 0, narrow(ctx, y, n.In[1].DType))
			return nil
		},
	})
}

// selectable are the dtypes Select's branches take.
var selectable = []ir.DType{ir.Float32, ir.Float16, ir.BFloat16, ir.Int32, ir.Int64, ir.Bool}

func dtypeOK(dt ir.DType, dts []ir.DType) bool {
	for _, d := range dts {
		if d == dt {
			return true
		}
	}
	return false
}
