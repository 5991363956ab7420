package onnx

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Dilated MaxPool and AveragePool. TensorRT's pooling has no dilation, so
// a dilated window is unrolled: each of its taps is a strided FILL-mode
// Slice of the input (start tap*dilation - pad, the pooling stride, the
// output size; out-of-bounds reads fill with -inf for max and 0 for
// average), combined by ElementWise MAX or SUM. An average is the sum times
// a constant per output position: the CPU kernel's average of ones (which
// knows count_include_pad and the ceil-mode overhang) over the number of
// taps inside the input. A second converter for each op, it takes only
// nodes with a dilation above 1, of static shape and a bounded tap count;
// the PoolingNd converter stays first for the rest.

const dilatedPoolMaxTaps = 512

func dilatedPoolPlan(n *conversion.Node, isMax bool) (ops.Geometry, []int64, error) {
	x := n.In[0]
	dims, ok := x.Shape.Ints()
	if !ok || len(dims) < 3 {
		return ops.Geometry{}, nil, fmt.Errorf("input %v: the unrolled dilated window needs a static shape", x.Shape)
	}
	if isMax && len(n.Outputs) > 1 && n.Outputs[1] != "" {
		return ops.Geometry{}, nil, fmt.Errorf("the Indices output is used; TensorRT pooling does not produce it")
	}
	g, err := ops.WindowGeometry(n.Node, dims[2:], nil, n.AttrInt("ceil_mode", 0) != 0)
	if err != nil {
		return g, nil, err
	}
	dilated, taps := false, int64(1)
	for i, d := range g.Dilations {
		dilated = dilated || d != 1
		taps *= g.Kernel[i]
	}
	if !dilated {
		return g, nil, fmt.Errorf("no dilation: the PoolingNd converter takes it")
	}
	if taps > dilatedPoolMaxTaps {
		return g, nil, fmt.Errorf("a window of %d taps; the unrolled dilated pooling takes at most %d", taps, dilatedPoolMaxTaps)
	}
	return g, dims, nil
}

func init() {
	for _, isMax := range []bool{true, false} {
		isMax := isMax
		op := "AveragePool"
		if isMax {
			op = "MaxPool"
		}
		builtins = append(builtins, conversion.Converter{
			Name:          "onnx." + op + "/dilated",
			Target:        "onnx." + op,
			Priority:      conversion.Standard,
			DynamicShapes: true,
			Validator: func(n *conversion.Node) error {
				if err := dtypeIn(floats...)(&conversion.Node{Node: n.Node, In: n.In[:1]}); err != nil {
					return err
				}
				_, _, err := dilatedPoolPlan(n, isMax)
				return err
			},
			Description: op + " with dilations as strided FILL Slices per window tap, combined by ElementWise " + map[bool]string{true: "MAX", false: "SUM and a constant scale"}[isMax],
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				g, dims, err := dilatedPoolPlan(n, isMax)
				if err != nil {
					return err
				}
				x := ctx.Input(n, 0)
				nsp := len(dims) - 2
				var fill network.Tensor
				if isMax {
					fill = ctx.Net.AddConstant(ir.Scalar(x.DType(), math.Inf(-1)))
				}
				size := append([]int64{dims[0], dims[1]}, g.Out...)
				stride := append([]int64{1, 1}, g.Strides...)
				tap := make([]int64, nsp)
				inside := ir.NewTensor(ir.Float64, append([]int64{1, 1}, g.Out...)) // taps inside the input, per output
				var acc network.Tensor
				for {
					start := make([]int64, len(dims))
					for i := range tap {
						start[2+i] = tap[i]*g.Dilations[i] - g.PadsBegin[i]
					}
					s := ctx.Net.AddSlice(x, network.SliceParams{Start: start, Size: size, Stride: stride, Mode: network.SampleFILL, Fill: fill})
					switch {
					case acc == nil:
						acc = s
					case isMax:
						acc = ctx.Net.AddElementWise(acc, s, network.ElementWiseMAX)
					default:
						acc = ctx.Net.AddElementWise(acc, s, network.ElementWiseSUM)
					}
					if !isMax {
						countInside(inside, start[2:], g.Strides, dims[2:], g.Out)
					}
					i := nsp - 1
					for ; i >= 0; i-- {
						if tap[i]++; tap[i] < g.Kernel[i] {
							break
						}
						tap[i] = 0
					}
					if i < 0 {
						break
					}
				}
				if !isMax {
					ones := ir.NewTensor(x.DType(), append([]int64{1, 1}, dims[2:]...))
					for i := 0; i < int(ones.Numel()); i++ {
						ones.SetFloat(i, 1)
					}
					avg, err := ops.Execute(n.Node, []*ir.Tensor{ones})
					if err != nil {
						return err
					}
					scale := ir.NewTensor(x.DType(), inside.Shape)
					for i := 0; i < int(scale.Numel()); i++ {
						if c := inside.Float(i); c > 0 {
							scale.SetFloat(i, avg[0].Float(i)/c)
						}
					}
					acc = ctx.Net.AddElementWise(acc, ctx.Net.AddConstant(scale), network.ElementWisePROD)
				}
				ctx.SetOutput(n, 0, acc)
				return nil
			},
		})
	}
}

// countInside adds 1 to each output position whose tap (at input position
// start + o*stride per dim) lies inside the input.
func countInside(inside *ir.Tensor, start, stride, in, out []int64) {
	o := make([]int64, len(out))
	for e := 0; e < int(inside.Numel()); e++ {
		ok := true
		for i := range o {
			p := start[i] + o[i]*stride[i]
			ok = ok && p >= 0 && p < in[i]
		}
		if ok {
			inside.SetFloat(e, inside.Float(e)+1)
		}
		for i := len(o) - 1; i >= 0; i-- {
			if o[i]++; o[i] < out[i] {
				break
			}
			o[i] = 0
		}
	}
}
