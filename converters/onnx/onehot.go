package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// OneHot as a OneHot layer over depth+1 classes, indices outside [-depth,
// depth) sent to the extra class that a Slice then drops (impl.OneHotValues).

func init() {
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.OneHot",
		Priority:      conversion.Standard,
		DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			if len(n.In) < 3 || n.In[0] == nil || n.In[1] == nil || n.In[2] == nil {
				return fmt.Errorf("needs indices, depth and values")
			}
			if err := dtypeIn(numeric...)(&conversion.Node{Node: n.Node, In: n.In[:1]}); err != nil {
				return err
			}
			if err := dtypeIn(append([]ir.DType{ir.Bool}, numeric...)...)(&conversion.Node{Node: n.Node, In: n.In[2:3]}); err != nil {
				return err
			}
			d := n.Const(1)
			if d == nil {
				return fmt.Errorf("depth must be a constant (it sizes the output)")
			}
			if _, err := ops.OneHotDepth(d); err != nil {
				return err
			}
			if v := n.In[2].Shape; len(v) != 1 || !v[0].Static() || v[0].Size != 2 {
				return fmt.Errorf("values must have shape [2], got %v", v)
			}
			_, err := ir.NormAxis(n.AttrInt("axis", -1), len(n.In[0].Shape)+1)
			return err
		},
		Description: "OneHot as a OneHot layer (an extra class for out-of-range indices, sliced away)",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			idx := ctx.Input(n, 0)
			depth, err := ops.OneHotDepth(n.Const(1))
			if err != nil {
				return err
			}
			axis, err := ir.NormAxis(n.AttrInt("axis", -1), len(idx.Shape())+1)
			if err != nil {
				return err
			}
			ctx.SetOutput(n, 0, impl.OneHotValues(ctx, idx, depth, ctx.Input(n, 2), axis))
			return nil
		},
	})
}
