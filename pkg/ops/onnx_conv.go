package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// Conv: N-D cross-correlation with groups, dilations, strides, explicit or
// automatic padding, and an optional bias. kernel_shape defaults to W's
// spatial dims.

func init() {
	Register(Op{Key: "onnx.Conv", Infer: inferConv, Run: runConv})
}

// Geometry is the resolved window geometry of a Conv or pooling node for
// concrete spatial input dims.
type Geometry struct {
	Kernel, Strides, Dilations, PadsBegin, PadsEnd, Out []int64
}

// WindowGeometry resolves a Conv/MaxPool/AveragePool node's kernel_shape,
// strides, dilations, pads, auto_pad and (for pools) ceil_mode against the
// spatial input dims. kernel is the kernel size when the node has no
// kernel_shape (Conv's W); ceil is whether ceil_mode applies.
// maxWindow bounds each kernel size, stride, dilation and pad.
const maxWindow = 1 << 31

func WindowGeometry(n *ir.Node, in, kernel []int64, ceil bool) (Geometry, error) {
	nsp := len(in)
	g := Geometry{Kernel: n.AttrInts("kernel_shape", kernel)}
	if len(g.Kernel) != nsp {
		return g, fmt.Errorf("kernel_shape %v has %d dims, input has %d spatial dims", g.Kernel, len(g.Kernel), nsp)
	}
	ones := func() []int64 {
		s := make([]int64, nsp)
		for i := range s {
			s[i] = 1
		}
		return s
	}
	g.Strides = n.AttrInts("strides", ones())
	g.Dilations = n.AttrInts("dilations", ones())
	if len(g.Strides) != nsp || len(g.Dilations) != nsp {
		return g, fmt.Errorf("strides %v / dilations %v do not have %d entries", g.Strides, g.Dilations, nsp)
	}
	pads := n.AttrInts("pads", make([]int64, 2*nsp))
	if len(pads) != 2*nsp {
		return g, fmt.Errorf("pads %v do not have %d entries", pads, 2*nsp)
	}
	for i := 0; i < nsp; i++ {
		if g.Kernel[i] < 1 || g.Strides[i] < 1 || g.Dilations[i] < 1 || pads[i] < 0 || pads[nsp+i] < 0 {
			return g, fmt.Errorf("bad window: kernel_shape %v strides %v dilations %v pads %v", g.Kernel, g.Strides, g.Dilations, pads)
		}
		// trtc's bound on window parameters and input dims, so that the
		// window arithmetic ((k-1)*dilation+1, in+pads) cannot overflow.
		if g.Kernel[i] > maxWindow || g.Strides[i] > maxWindow || g.Dilations[i] > maxWindow || pads[i] > maxWindow || pads[nsp+i] > maxWindow || in[i] > 1<<62 {
			return g, fmt.Errorf("window too large: kernel_shape %v strides %v dilations %v pads %v on spatial dims %v (trtc's limit is %d per value)", g.Kernel, g.Strides, g.Dilations, pads, in, int64(maxWindow))
		}
	}
	g.PadsBegin, g.PadsEnd = pads[:nsp], pads[nsp:]
	autoPad := n.AttrString("auto_pad", "NOTSET")
	g.Out = make([]int64, nsp)
	switch autoPad {
	case "NOTSET", "":
	case "VALID":
		g.PadsBegin, g.PadsEnd = make([]int64, nsp), make([]int64, nsp)
	case "SAME_UPPER", "SAME_LOWER":
		g.PadsBegin, g.PadsEnd = make([]int64, nsp), make([]int64, nsp)
		for i := 0; i < nsp; i++ {
			g.PadsBegin[i], g.PadsEnd[i] = kernels.SamePads(in[i], g.Kernel[i], g.Strides[i], g.Dilations[i], autoPad == "SAME_LOWER")
			g.Out[i] = (in[i] + g.Strides[i] - 1) / g.Strides[i]
		}
		return g, nil
	default:
		return g, fmt.Errorf("auto_pad %q is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER", autoPad)
	}
	for i := 0; i < nsp; i++ {
		g.Out[i] = kernels.PoolOutSize(in[i], g.Kernel[i], g.Strides[i], g.Dilations[i], g.PadsBegin[i], g.PadsEnd[i], ceil)
	}
	return g, nil
}

// windowOutShape infers [N, channels, out spatial...] where spatial dims
// may be symbolic (their outputs then are too).
func windowOutShape(n *ir.Node, x ir.Shape, channels ir.Dim, kernel []int64, ceil bool) (ir.Shape, error) {
	nsp := len(x) - 2
	out := ir.Shape{x[0], channels}
	in := make([]int64, nsp)
	static := true
	for i := 0; i < nsp; i++ {
		in[i] = x[2+i].Size
		if !x[2+i].Static() {
			in[i], static = 1<<20, false // any size, to check the attributes
		}
	}
	g, err := WindowGeometry(n, in, kernel, ceil)
	if err != nil {
		return nil, err
	}
	for i := 0; i < nsp; i++ {
		if !static && !x[2+i].Static() {
			out = append(out, ir.Sym(""))
			continue
		}
		if g.Out[i] < 1 {
			return nil, fmt.Errorf("spatial dim %d of size %d is smaller than the window (kernel %d, dilation %d, pads %d+%d)",
				i, in[i], g.Kernel[i], g.Dilations[i], g.PadsBegin[i], g.PadsEnd[i])
		}
		out = append(out, ir.D(g.Out[i]))
	}
	return out, nil
}

func inferConv(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 2); err != nil {
		return nil, err
	}
	dt, err := sameDType(in)
	if err != nil {
		return nil, err
	}
	x, w := in[0].Shape, in[1].Shape
	if len(x) < 3 || len(w) != len(x) {
		return nil, fmt.Errorf("Conv needs X of rank >= 3 and W of the same rank, got %v and %v", x, w)
	}
	g := n.AttrInt("group", 1)
	if g < 1 {
		return nil, fmt.Errorf("group %d must be >= 1", g)
	}
	if x[1].Static() && w[1].Static() && x[1].Size != w[1].Size*g {
		return nil, fmt.Errorf("X has %d channels but W %v with group %d expects %d", x[1].Size, w, g, w[1].Size*g)
	}
	if w[0].Static() && w[0].Size%g != 0 {
		return nil, fmt.Errorf("W has %d output channels, not a multiple of group %d", w[0].Size, g)
	}
	kernel, ok := w[2:].Ints()
	if !ok {
		kernel = n.AttrInts("kernel_shape", nil)
		if kernel == nil {
			return nil, fmt.Errorf("W %v has dynamic spatial dims and the node has no kernel_shape", w)
		}
	} else if ks := n.AttrInts("kernel_shape", nil); ks != nil && !ir.S(ks...).Equal(ir.S(kernel...)) {
		return nil, fmt.Errorf("kernel_shape %v does not match W %v", ks, w)
	}
	if len(in) > 2 && in[2] != nil && (len(in[2].Shape) != 1 || (in[2].Shape[0].Static() && w[0].Static() && in[2].Shape[0].Size != w[0].Size)) {
		return nil, fmt.Errorf("bias %v must be 1-D with %v elements", in[2].Shape, w[0])
	}
	s, err := windowOutShape(n, x, w[0], kernel, false)
	if err != nil {
		return nil, err
	}
	return out1(dt, s), nil
}

func runConv(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	x, w := in[0], in[1]
	var b *ir.Tensor
	if len(in) > 2 {
		b = in[2]
	}
	g, err := WindowGeometry(n, x.Shape[2:], w.Shape[2:], false)
	if err != nil {
		return nil, err
	}
	return t1(kernels.Conv(x, w, b, kernels.ConvParams{
		Strides: g.Strides, Dilations: g.Dilations, PadsBegin: g.PadsBegin, PadsEnd: g.PadsEnd,
		Group: n.AttrInt("group", 1),
	}))
}
