package aten

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Convolution and pooling.

func validConv(n *conversion.Node) error {
	if n.AttrInt("transposed", 0) != 0 {
		return fmt.Errorf("transposed convolution is not supported")
	}
	if len(n.In) < 2 || n.In[1] == nil || n.In[1].Const == nil {
		return fmt.Errorf("weight (input 1) must be a constant")
	}
	if len(n.In) > 2 && n.In[2] != nil && n.In[2].Const == nil {
		return fmt.Errorf("bias (input 2) must be a constant")
	}
	if r := len(n.In[0].Shape); r < 3 || r > 5 {
		return fmt.Errorf("input rank %d; TensorRT convolves 1-3 spatial dims", r)
	}
	if !n.In[0].Shape[1].Static() {
		return fmt.Errorf("channel dim is dynamic")
	}
	_, _, _, err := ops.ATenConvParams(n.Node, len(n.In[1].Shape)-2)
	return err
}

func convert1d(ctx *conversion.Context, n *conversion.Node) network.Tensor {
	stride, padding, dilation, _ := ops.ATenConvParams(n.Node, len(n.In[1].Shape)-2)
	return impl.Conv(ctx, ctx.Input(n, 0), n.Const(1), n.Const(2), stride, dilation, padding, padding, n.AttrInt("groups", 1))
}

func validPool(n *conversion.Node) error {
	if len(n.In[0].Shape) != 4 {
		return fmt.Errorf("input %v, want rank 4", n.In[0].Shape)
	}
	_, _, _, dil, err := ops.ATenPoolParams(n.Node)
	if err != nil {
		return err
	}
	if dil[0] != 1 || dil[1] != 1 {
		return fmt.Errorf("dilation %v is not supported by TensorRT pooling", dil)
	}
	if n.AttrInt("ceil_mode", 0) != 0 {
		if n.Op == "aten.avg_pool2d.default" {
			return fmt.Errorf("ceil_mode average pooling is not converted (PyTorch clips the last window's divisor to the padded input)")
		}
		if _, err := ceilPadEnd(n); err != nil {
			return err
		}
	}
	if n.HasAttr("divisor_override") {
		return fmt.Errorf("divisor_override is not supported")
	}
	return noSecondaryOutputs(n)
}

func init() {
	for _, key := range []string{"aten.convolution.default", "aten.conv2d.default", "aten.conv1d.default"} {
		simple(key, "ConvolutionNd with constant weights and explicit padding", all(dtypeIn(floats...), validConv), convert1d)
	}
	for _, key := range []string{"aten.max_pool2d_with_indices.default", "aten.max_pool2d.default", "aten.avg_pool2d.default"} {
		isMax := key != "aten.avg_pool2d.default"
		simple(key, "PoolingNd (indices output unsupported)", all(dtypeIn(floats...), validPool), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			k, s, p, _, _ := ops.ATenPoolParams(n.Node)
			end := p
			if n.AttrInt("ceil_mode", 0) != 0 {
				end, _ = ceilPadEnd(n)
			}
			return impl.Pool(ctx, ctx.Input(n, 0), isMax, k, s, p, end, n.AttrInt("count_include_pad", 1) != 0)
		})
	}
	simple("aten.adaptive_avg_pool2d.default", "adaptive_avg_pool2d as Reduce AVG (1x1) or PoolingNd AVERAGE (even division)",
		all(dtypeIn(floats...), func(n *conversion.Node) error {
			_, err := ops.ATenAdaptiveKernel(n.Node, n.In[0].Shape)
			return err
		}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			k, _ := ops.ATenAdaptiveKernel(n.Node, n.In[0].Shape)
			x := ctx.Input(n, 0)
			if out := n.AttrInts("output_size", nil); len(out) > 0 && out[0] == 1 && out[len(out)-1] == 1 {
				return impl.GlobalPool(ctx, x, network.ReduceAVG)
			}
			return impl.Pool(ctx, x, false, k, k, []int64{0, 0}, []int64{0, 0}, true)
		})
}

// ceilPadEnd is the end padding that makes a floor-mode max pool produce
// ceil_mode's output size: PyTorch's out = ceil((in + 2p - k) / s) + 1,
// less one when the last window would start past the input and its
// leading padding. The extra padding holds no maximum (padding is -inf to
// max pooling), so the values are ceil_mode's.
func ceilPadEnd(n *conversion.Node) ([]int64, error) {
	k, s, p, _, err := ops.ATenPoolParams(n.Node)
	if err != nil {
		return nil, err
	}
	x := n.In[0].Shape
	end := make([]int64, 2)
	for i := 0; i < 2; i++ {
		d := x[len(x)-2+i]
		if !d.Static() {
			return nil, fmt.Errorf("ceil_mode over the dynamic dim %d is not converted", len(x)-2+i)
		}
		span := d.Size + 2*p[i] - k[i]
		out := (span+s[i]-1)/s[i] + 1
		if (out-1)*s[i] >= d.Size+p[i] {
			out--
		}
		end[i] = p[i] + max(0, (out-1)*s[i]+k[i]-(d.Size+2*p[i]))
	}
	return end, nil
}
