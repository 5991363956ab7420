package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Pooling, as IPoolingLayer over 1 to 3 spatial dims: MAX, AVERAGE, or
// MAX_AVERAGE_BLEND (blend*max + (1-blend)*avg). Output size per padding
// mode: EXPLICIT_ROUND_DOWN floor((I+pre+post-W)/S)+1, EXPLICIT_ROUND_UP
// ceil((I+pre+post-W)/S)+1, SAME_UPPER/SAME_LOWER ceil(I/S) with the
// padding split (extra after / before). Padding never wins a max; averages
// divide by the taps inside the input when AverageCountExcludesPadding,
// else by the taps inside the padded input.

func init() {
	registerKind(network.KindPooling, kindImpl{infer: inferPool, run: runPool})
}

// poolGeometry resolves padding and output size for static spatial dims.
func poolGeometry(p network.PoolingParams, in []int64) (pre, post, stride, out []int64, err error) {
	nsp := len(p.WindowSize)
	stride = p.Stride
	if stride == nil {
		stride = p.WindowSize
	}
	pre, post = spatialDefaults(p.PrePadding, nsp, 0), spatialDefaults(p.PostPadding, nsp, 0)
	if len(stride) != nsp || len(pre) != nsp || len(post) != nsp {
		return nil, nil, nil, nil, fmt.Errorf("stride %v / padding %v %v must have %d entries", stride, pre, post, nsp)
	}
	out = make([]int64, nsp)
	pre, post = append([]int64{}, pre...), append([]int64{}, post...)
	for i := 0; i < nsp; i++ {
		w, s := p.WindowSize[i], stride[i]
		if w < 1 || s < 1 || pre[i] < 0 || post[i] < 0 {
			return nil, nil, nil, nil, fmt.Errorf("bad window %v / stride %v / padding %v %v", p.WindowSize, stride, pre, post)
		}
		if in[i] < 0 {
			out[i] = -1
			continue
		}
		switch p.PaddingMode {
		case network.PaddingEXPLICIT_ROUND_DOWN:
			out[i] = (in[i]+pre[i]+post[i]-w)/s + 1
		case network.PaddingEXPLICIT_ROUND_UP:
			span := in[i] + pre[i] + post[i] - w
			out[i] = (span+s-1)/s + 1
			if span < 0 {
				out[i] = 0
			}
		case network.PaddingSAME_UPPER, network.PaddingSAME_LOWER:
			pre[i], post[i] = kernels.SamePads(in[i], w, s, 1, p.PaddingMode == network.PaddingSAME_LOWER)
			out[i] = (in[i] + s - 1) / s
		default:
			return nil, nil, nil, nil, fmt.Errorf("unknown PaddingMode %d", p.PaddingMode)
		}
		if out[i] < 1 {
			return nil, nil, nil, nil, fmt.Errorf("spatial dim %d (%d) is smaller than the window %d", i, in[i], w)
		}
	}
	return pre, post, stride, out, nil
}

func inferPool(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 1); err != nil {
		return nil, err
	}
	p := l.Params.(network.PoolingParams)
	x := in[0]
	nsp := len(p.WindowSize)
	if nsp < 1 || nsp > 3 || len(x.Shape) != nsp+2 {
		return nil, fmt.Errorf("window %v over input %v: TensorRT pools 1 to 3 spatial dims of a rank spatial+2 input", p.WindowSize, x.Shape)
	}
	switch p.Type {
	case network.PoolingMAX:
		if x.DType != ir.Float32 && x.DType != ir.Float16 && x.DType != ir.BFloat16 && x.DType != ir.Int8 {
			return nil, fmt.Errorf("max pooling of %v is not supported", x.DType)
		}
	case network.PoolingAVERAGE, network.PoolingMAX_AVERAGE_BLEND:
		if x.DType != ir.Float32 && x.DType != ir.Float16 && x.DType != ir.BFloat16 {
			return nil, fmt.Errorf("average pooling of %v is not supported", x.DType)
		}
	default:
		return nil, fmt.Errorf("unknown PoolingType %d", p.Type)
	}
	dims := make([]int64, nsp)
	for i := range dims {
		dims[i] = x.Shape[2+i].Size
	}
	_, _, _, out, err := poolGeometry(p, dims)
	if err != nil {
		return nil, err
	}
	s := ir.Shape{x.Shape[0], x.Shape[1]}
	for i, o := range out {
		if o < 0 || !x.Shape[2+i].Static() {
			s = append(s, ir.Sym(""))
		} else {
			s = append(s, ir.D(o))
		}
	}
	return []*ir.Value{{DType: x.DType, Shape: s}}, nil
}

func runPool(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(network.PoolingParams)
	x := in[0]
	pre, post, stride, out, err := poolGeometry(p, x.Shape[2:])
	if err != nil {
		return nil, err
	}
	kp := kernels.PoolParams{Kernel: p.WindowSize, Strides: stride, PadsBegin: pre, PadsEnd: post, Out: out,
		CountIncludePad: !p.AverageCountExcludesPadding}
	pool := func(isMax bool) (*ir.Tensor, error) {
		kp.Max = isMax
		y, _, err := kernels.Pool(x, kp, false, false)
		return y, err
	}
	switch p.Type {
	case network.PoolingMAX:
		return one1(pool(true))
	case network.PoolingAVERAGE:
		return one1(pool(false))
	}
	mx, err := pool(true)
	if err != nil {
		return nil, err
	}
	avg, err := pool(false)
	if err != nil {
		return nil, err
	}
	a, b := kernels.ToFloat32(mx), kernels.ToFloat32(avg)
	av, bv := ir.View[float32](a), ir.View[float32](b)
	res := ir.NewTensor(ir.Float32, a.Shape)
	rv := ir.View[float32](res)
	for i := range rv {
		rv[i] = p.BlendFactor*av[i] + (1-p.BlendFactor)*bv[i]
	}
	return []*ir.Tensor{kernels.FromFloat32(res, x.DType)}, nil
}
