package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Convolution, as IConvolutionLayer (N spatial dims): input [N, C, spatial]
// of rank N+2 with a static channel dim; kernel weights [K, C/groups,
// kernel...]; optional bias [K]; explicit pre/post padding with the output
// rounded down. The kernel and bias may instead be tensor inputs 1 and 2
// ("Input 1 is the kernel tensor. If used, the kernel weights parameter
// must be set to empty weights."): of static shape, the weights' shape, and
// the input's dtype.

func init() {
	registerKind(network.KindConvolution, kindImpl{infer: inferConv, run: runConv})
}

// spatialDefaults fills unset per-dim settings.
func spatialDefaults(s []int64, nsp int, def int64) []int64 {
	if s != nil {
		return s
	}
	out := make([]int64, nsp)
	for i := range out {
		out[i] = def
	}
	return out
}

func inferConv(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 1); err != nil {
		return nil, err
	}
	p, err := convTensorWeights(l.Params.(network.ConvolutionParams), in)
	if err != nil {
		return nil, err
	}
	return inferConvGeometry(in[0], p, false)
}

// convTensorWeights returns p with the kernel and bias that tensor inputs
// 1 and 2 give (values of their static shape, zeros: only their shape and
// dtype are checked at build time), refusing a tensor where weights are set
// too.
func convTensorWeights(p network.ConvolutionParams, in []*ir.Value) (network.ConvolutionParams, error) {
	for i, what := range []string{"kernel", "bias"} {
		if len(in) <= i+1 || in[i+1] == nil {
			continue
		}
		v := in[i+1]
		if i == 0 && p.Kernel != nil && v.Const != nil {
			continue // the kernel tensor's build-time value, set by AddConvolutionNd
		}
		if (i == 0 && p.Kernel != nil) || (i == 1 && p.Bias != nil) {
			return p, fmt.Errorf("%s is both weights and tensor input %d; with the input, the weights must be empty", what, i+1)
		}
		dims, ok := v.Shape.Ints()
		if !ok {
			return p, fmt.Errorf("%s tensor %v must have a static shape", what, v.Shape)
		}
		t := ir.NewTensor(v.DType, dims)
		if i == 0 {
			p.Kernel = t
		} else {
			p.Bias = t
		}
	}
	return p, nil
}

// inferConvGeometry checks a convolution's or, with transposed, a
// deconvolution's settings against its input and returns the output.
// Weights are [K, C/groups, kernel...] for a convolution and
// [C, K/groups, kernel...] for a deconvolution.
func inferConvGeometry(x *ir.Value, p network.ConvolutionParams, transposed bool) ([]*ir.Value, error) {
	what := "convolution"
	if transposed {
		what = "deconvolution"
	}
	nsp := len(p.KernelSize)
	if nsp < 1 || nsp > 3 {
		return nil, fmt.Errorf("kernel size %v: TensorRT's %s takes 1 to 3 spatial dims", p.KernelSize, what)
	}
	if len(x.Shape) != nsp+2 {
		return nil, fmt.Errorf("input %v has rank %d, a %d-D %s needs rank %d", x.Shape, len(x.Shape), nsp, what, nsp+2)
	}
	if !x.DType.IsFloat() || x.DType == ir.Float64 {
		return nil, fmt.Errorf("%s supports float32, float16 and bfloat16, got %v", what, x.DType)
	}
	if !x.Shape[1].Static() {
		return nil, fmt.Errorf("input %v: the channel dim must be static", x.Shape)
	}
	g := max(p.NbGroups, 1)
	C, K := x.Shape[1].Size, p.NbOutputMaps
	w := p.Kernel
	if w == nil || w.DType != x.DType {
		return nil, fmt.Errorf("kernel weights must be set and of the input's dtype %v", x.DType)
	}
	wantW, layout := append([]int64{K, C / g}, p.KernelSize...), fmt.Sprintf("[K=%d, C/groups=%d/%d, %v]", K, C, g, p.KernelSize)
	if transposed {
		wantW, layout = append([]int64{C, K / g}, p.KernelSize...), fmt.Sprintf("[C=%d, K/groups=%d/%d, %v]", C, K, g, p.KernelSize)
	}
	if C%g != 0 || K%g != 0 || !ir.S(w.Shape...).Equal(ir.S(wantW...)) {
		return nil, fmt.Errorf("kernel weights %v do not match %s", ir.S(w.Shape...), layout)
	}
	if p.Bias != nil && (p.Bias.DType != x.DType || len(p.Bias.Shape) != 1 || p.Bias.Shape[0] != K) {
		return nil, fmt.Errorf("bias %v%v must be %v[%d]", p.Bias.DType, ir.S(p.Bias.Shape...), x.DType, K)
	}
	st, dil := spatialDefaults(p.Stride, nsp, 1), spatialDefaults(p.Dilation, nsp, 1)
	pre, post := spatialDefaults(p.PrePadding, nsp, 0), spatialDefaults(p.PostPadding, nsp, 0)
	if len(st) != nsp || len(dil) != nsp || len(pre) != nsp || len(post) != nsp {
		return nil, fmt.Errorf("stride %v, dilation %v, padding %v %v must have %d entries", st, dil, pre, post, nsp)
	}
	out := ir.Shape{x.Shape[0], ir.D(K)}
	for i := 0; i < nsp; i++ {
		if st[i] < 1 || dil[i] < 1 || pre[i] < 0 || post[i] < 0 {
			return nil, fmt.Errorf("bad stride %v / dilation %v / padding %v %v (padding must be >= 0)", st, dil, pre, post)
		}
		d := x.Shape[2+i]
		if !d.Static() {
			out = append(out, ir.Sym(""))
			continue
		}
		if transposed {
			o := kernels.ConvTransposeOutSize(d.Size, p.KernelSize[i], st[i], dil[i], pre[i], post[i])
			if o < 1 {
				return nil, fmt.Errorf("spatial dim %d: padding %d+%d crops the whole output", i, pre[i], post[i])
			}
			out = append(out, ir.D(o))
			continue
		}
		o := kernels.ConvOutSize(d.Size, p.KernelSize[i], st[i], dil[i], pre[i], post[i])
		if o < 1 {
			return nil, fmt.Errorf("spatial dim %d (%d) is smaller than the dilated kernel", i, d.Size)
		}
		out = append(out, ir.D(o))
	}
	return []*ir.Value{{DType: x.DType, Shape: out}}, nil
}

// runtimeWeights takes the kernel and bias from tensor inputs 1 and 2
// where present.
func runtimeWeights(kernel, bias *ir.Tensor, in []*ir.Tensor) (*ir.Tensor, *ir.Tensor) {
	if len(in) > 1 && in[1] != nil {
		kernel = in[1]
	}
	if len(in) > 2 && in[2] != nil {
		bias = in[2]
	}
	return kernel, bias
}

func runConv(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(network.ConvolutionParams)
	p.Kernel, p.Bias = runtimeWeights(p.Kernel, p.Bias, in)
	return one1(kernels.Conv(in[0], p.Kernel, p.Bias, kernels.ConvParams{
		Strides: p.Stride, Dilations: p.Dilation, PadsBegin: p.PrePadding, PadsEnd: p.PostPadding, Group: max(p.NbGroups, 1),
	}))
}

// one1 wraps a single output tensor.
func one1(t *ir.Tensor, err error) ([]*ir.Tensor, error) {
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{t}, nil
}
