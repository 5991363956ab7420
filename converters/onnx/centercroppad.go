package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
)

// CenterCropPad as one FILL-mode Slice (impl.Pad with negative pads where
// it crops): along each listed axis of static size d and target size t,
// a crop starts at (d-t)/2 and a zero pad puts (t-d)/2 before, the rest
// after, as the CPU kernel centers them. The target sizes are a build-time
// constant (or value-pinned input).

func centerCropPads(n *conversion.Node) (pre, post []int64, err error) {
	x := n.In[0]
	rank := len(x.Shape)
	t := n.Const(1)
	if t == nil {
		return nil, nil, fmt.Errorf("shape (input 1) must be a constant: it sizes the output")
	}
	axes := make([]int, 0, rank)
	if a := n.AttrInts("axes", nil); a != nil {
		for _, v := range a {
			if v < 0 {
				v += int64(rank)
			}
			if v < 0 || v >= int64(rank) {
				return nil, nil, fmt.Errorf("axis %d is out of range for rank %d", v, rank)
			}
			axes = append(axes, int(v))
		}
	} else {
		for i := 0; i < rank; i++ {
			axes = append(axes, i)
		}
	}
	want := t.Ints()
	if len(want) != len(axes) {
		return nil, nil, fmt.Errorf("shape has %d sizes for %d axes", len(want), len(axes))
	}
	pre, post = make([]int64, rank), make([]int64, rank)
	for i, a := range axes {
		d := x.Shape[a]
		if !d.Static() {
			return nil, nil, fmt.Errorf("axis %d of X %v is dynamic; its crop or pad is sized at build time", a, x.Shape)
		}
		if want[i] < 0 {
			return nil, nil, fmt.Errorf("target size %d for axis %d", want[i], a)
		}
		if want[i] < d.Size {
			pre[a] = -((d.Size - want[i]) / 2)
		} else {
			pre[a] = (want[i] - d.Size) / 2
		}
		post[a] = want[i] - d.Size - pre[a]
	}
	return pre, post, nil
}

func init() {
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.CenterCropPad",
		Priority:      conversion.Standard,
		DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			if x := n.In[0]; !dtypeOK(x.DType, trtDTypes) {
				return fmt.Errorf("input is %v; TensorRT slices %v", x.DType, trtDTypes)
			}
			_, _, err := centerCropPads(n)
			return err
		},
		Description: "CenterCropPad as a FILL-mode Slice (crop and zero pad in one)",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			pre, post, err := centerCropPads(n)
			if err != nil {
				return err
			}
			y, err := impl.Pad(ctx, ctx.Input(n, 0), pre, post, "constant", 0)
			if err != nil {
				return err
			}
			ctx.SetOutput(n, 0, y)
			return nil
		},
	})
}
