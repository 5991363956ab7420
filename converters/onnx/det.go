package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Det of matrices up to 3x3 by the cofactor formula (ElementWise layers on
// one-element Slices of the last two dims): a for 1x1, a*d - b*c for 2x2,
// and Sarrus's rule for 3x3. TensorRT has no decomposition layer; larger
// matrices fall back.

const detMaxN = 3

func init() {
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.Det",
		Priority:      conversion.Standard,
		DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			if err := dtypeIn(floats...)(n); err != nil {
				return err
			}
			s := n.In[0].Shape
			r := len(s)
			if r < 2 || !s[r-1].Static() || !s[r-2].Static() || s[r-1].Size != s[r-2].Size || s[r-1].Size < 1 || s[r-1].Size > detMaxN {
				return fmt.Errorf("input %v: square matrices of static size 1 to %d are converted (cofactor formula)", s, detMaxN)
			}
			return nil
		},
		Description: "Det of 1x1 to 3x3 matrices by the cofactor formula on Slices and ElementWise layers",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			x := ctx.Input(n, 0)
			r := len(x.Shape())
			m := x.Shape()[r-1].Size
			e := func(i, j int64) network.Tensor {
				return impl.SliceAxes(ctx, x, []impl.SliceAxis{{Axis: r - 2, Start: i, End: i + 1, Step: 1}, {Axis: r - 1, Start: j, End: j + 1, Step: 1}})
			}
			mul := func(ts ...network.Tensor) network.Tensor {
				acc := ts[0]
				for _, t := range ts[1:] {
					acc = impl.Mul(ctx, acc, t)
				}
				return acc
			}
			var d network.Tensor
			switch m {
			case 1:
				d = e(0, 0)
			case 2:
				d = impl.Sub(ctx, mul(e(0, 0), e(1, 1)), mul(e(0, 1), e(1, 0)))
			default:
				plus := impl.Add(ctx, impl.Add(ctx, mul(e(0, 0), e(1, 1), e(2, 2)), mul(e(0, 1), e(1, 2), e(2, 0))), mul(e(0, 2), e(1, 0), e(2, 1)))
				minus := impl.Add(ctx, impl.Add(ctx, mul(e(0, 2), e(1, 1), e(2, 0)), mul(e(0, 0), e(1, 2), e(2, 1))), mul(e(0, 1), e(1, 0), e(2, 2)))
				d = impl.Sub(ctx, plus, minus)
			}
			ctx.SetOutput(n, 0, impl.Squeeze(ctx, d, []int{r - 2, r - 1}))
			return nil
		},
	})
}
