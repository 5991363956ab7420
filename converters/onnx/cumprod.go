package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// CumProd. TensorRT's Cumulative layer has only kSUM (CumulativeOperation,
// NvInfer.h), so a running product along an axis of static length L is
// built as the CPU kernel computes it: L one-element slices along the axis,
// each multiplied into the running product (ElementWise PROD, in order, or
// from the end for reverse; exclusive takes the product before the
// element, starting from 1), concatenated back. Its 2L layers bound L.

const cumProdMaxLen = 256

func cumProdAxis(n *conversion.Node) (int, error) {
	c := n.Const(1)
	if c == nil || c.Numel() != 1 {
		return 0, fmt.Errorf("axis (input 1) must be a constant scalar")
	}
	s := n.In[0].Shape
	axis, err := ir.NormAxis(c.Int(0), len(s))
	if err != nil {
		return 0, err
	}
	if d := s[axis]; !d.Static() || d.Size < 1 || d.Size > cumProdMaxLen {
		return 0, fmt.Errorf("axis %d has length %v; a running product is unrolled over a static length of 1 to %d", axis, d, cumProdMaxLen)
	}
	if n.AttrInt("exclusive", 0) != 0 && !s.IsStatic() {
		return 0, fmt.Errorf("exclusive needs a static shape %v (its first element is a constant of ones)", s)
	}
	return axis, nil
}

func init() {
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.CumProd",
		Priority:      conversion.Standard,
		DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			if err := dtypeIn(numeric...)(&conversion.Node{Node: n.Node, In: n.In[:1]}); err != nil {
				return err
			}
			_, err := cumProdAxis(n)
			return err
		},
		Description: "CumProd unrolled over its static axis: one-element Slices, a chain of ElementWise PROD, Concatenation (TensorRT's Cumulative has no kPROD)",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			axis, err := cumProdAxis(n)
			if err != nil {
				return err
			}
			x := ctx.Input(n, 0)
			l := x.Shape()[axis].Size
			exclusive, reverse := n.AttrInt("exclusive", 0) != 0, n.AttrInt("reverse", 0) != 0
			out := make([]network.Tensor, l)
			var acc network.Tensor
			for s := int64(0); s < l; s++ {
				j := s
				if reverse {
					j = l - 1 - s
				}
				xj := impl.SliceAxes(ctx, x, []impl.SliceAxis{{Axis: axis, Start: j, End: j + 1, Step: 1}})
				switch {
				case exclusive && acc == nil: // the empty product: ones
					dims, _ := xj.Shape().Ints()
					ones := ir.NewTensor(xj.DType(), dims)
					for i := 0; i < int(ones.Numel()); i++ {
						ones.SetFloat(i, 1)
					}
					out[j] = ctx.Net.AddConstant(ones)
					acc = xj
				case exclusive:
					out[j] = acc
					acc = impl.Mul(ctx, acc, xj)
				case acc == nil:
					acc = xj
					out[j] = acc
				default:
					acc = impl.Mul(ctx, acc, xj)
					out[j] = acc
				}
			}
			y := out[0]
			if l > 1 {
				y = impl.Concat(ctx, out, axis)
			}
			ctx.SetOutput(n, 0, y)
			return nil
		},
	})
}
