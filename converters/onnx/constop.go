package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Ops whose output is fixed at build time: the window functions
// (HannWindow, HammingWindow, BlackmanWindow) of a constant size, and
// EyeLike, which reads only its input's static shape. Constant folding
// already removes such a node unless it produces a graph output; then the
// converter computes the output with the CPU kernel and emits it as a
// Constant layer, as onnx-tensorrt folds constant subgraphs into weights.

// constOpMaxElems bounds the output a converter bakes into weights.
const constOpMaxElems = 1 << 24

// constOutputDTypes are the dtypes a Constant layer holds (Uint8 weights
// are refused by addConstant).
var constOutputDTypes = []ir.DType{ir.Float32, ir.Float16, ir.BFloat16, ir.Int8, ir.Int32, ir.Int64, ir.Bool}

// constOpInputs are the kernel's inputs at build time: each input's
// constant, or, for an input read only for its shape (EyeLike), zeros of its
// static shape; ok is false when neither is known.
func constOpInputs(n *conversion.Node, shapeOnly bool) ([]*ir.Tensor, error) {
	in := make([]*ir.Tensor, len(n.In))
	for i, v := range n.In {
		switch {
		case v == nil:
		case v.Const != nil:
			in[i] = v.Const
		case shapeOnly:
			dims, ok := v.Shape.Ints()
			if !ok {
				return nil, fmt.Errorf("input %d has dynamic shape %v; the output is built at build time from its shape", i, v.Shape)
			}
			t, err := ir.NewTensorChecked(fmt.Sprintf("input %d", i), v.DType, dims)
			if err != nil {
				return nil, err
			}
			in[i] = t
		default:
			return nil, fmt.Errorf("input %d must be a constant: the output is built at build time", i)
		}
	}
	return in, nil
}

func constOpValidator(shapeOnly bool) conversion.Validator {
	return func(n *conversion.Node) error {
		if _, err := constOpInputs(n, shapeOnly); err != nil {
			return err
		}
		for i, o := range n.Out {
			if o == nil {
				continue
			}
			ok := false
			for _, d := range constOutputDTypes {
				ok = ok || o.DType == d
			}
			if !ok {
				return fmt.Errorf("output %d is %v, which a TensorRT Constant layer does not hold", i, o.DType)
			}
			if dims, static := o.Shape.Ints(); !static || ir.Numel(dims) > constOpMaxElems {
				return fmt.Errorf("output %d has shape %v; a static one of at most %d elements is built into weights", i, o.Shape, constOpMaxElems)
			}
		}
		return nil
	}
}

func init() {
	for _, c := range []struct {
		op        string
		shapeOnly bool
	}{{"HannWindow", false}, {"HammingWindow", false}, {"BlackmanWindow", false}, {"EyeLike", true}} {
		c := c
		builtins = append(builtins, conversion.Converter{
			Target:        "onnx." + c.op,
			Priority:      conversion.Standard,
			DynamicShapes: true,
			Validator:     constOpValidator(c.shapeOnly),
			Description:   c.op + " of build-time inputs as a Constant layer computed by the CPU kernel",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				in, err := constOpInputs(n, c.shapeOnly)
				if err != nil {
					return err
				}
				outs, err := ops.Execute(n.Node, in)
				if err != nil {
					return err
				}
				for i, t := range outs {
					ctx.SetOutput(n, i, ctx.Net.AddConstant(t))
				}
				return nil
			},
		})
	}
}
