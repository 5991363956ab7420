package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Softmax and LogSoftmax. From opset 13 they normalize one axis; before,
// the input is viewed as 2-D at axis, which the converter reproduces by
// merging the trailing dims (they must be static) around a one-axis
// softmax. The node's opset is its model's, or the "_onnx_opset" attribute
// where one is stamped (which the fallback kernel also reads).

func nodeOpset(n *conversion.Node) int64 {
	if n.HasAttr(ops.OpsetAttr) {
		return n.AttrInt(ops.OpsetAttr, 13)
	}
	if n.Opset == 0 {
		return 13
	}
	return n.Opset
}

func init() {
	for _, log := range []bool{false, true} {
		log := log
		name := "Softmax"
		if log {
			name = "LogSoftmax"
		}
		builtins = append(builtins, conversion.Converter{
			Target:        "onnx." + name,
			Priority:      conversion.Standard,
			DynamicShapes: true,
			Validator: func(n *conversion.Node) error {
				if err := dtypeIn(floats...)(n); err != nil {
					return err
				}
				s := n.In[0].Shape
				axis, flatten, err := ops.SoftmaxAxis(n.Node, len(s), nodeOpset(n))
				if err != nil {
					return err
				}
				if flatten && axis < len(s)-1 && !s[axis:].IsStatic() {
					return fmt.Errorf("opset %d %s coerces the input to 2-D at axis %d; dims %v after it must be static", nodeOpset(n), name, axis, s[axis:])
				}
				return nil
			},
			Description: name + " as SoftMax over one axis (opset < 13: over the merged trailing dims)",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				x := ctx.Input(n, 0)
				s := x.Shape()
				axis, flatten, err := ops.SoftmaxAxis(n.Node, len(s), nodeOpset(n))
				if err != nil {
					return err
				}
				flatten = flatten && axis < len(s)-1
				t := x
				if flatten {
					t = impl.Flatten2D(ctx, x, axis)
				}
				if log {
					t = impl.LogSoftMax(ctx, t, axis)
				} else {
					t = impl.SoftMax(ctx, t, axis)
				}
				if flatten {
					trailing, _ := s[axis:].Ints()
					t = impl.Unflatten(ctx, t, axis, trailing)
				}
				ctx.SetOutput(n, 0, t)
				return nil
			},
		})
	}
}
