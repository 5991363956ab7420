package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// ConvTranspose: N-D transposed convolution with groups, strides,
// dilations, pads, output_padding, output_shape and auto_pad, and an
// optional bias. W is [C, M/group, kernel...].

func init() {
	Register(Op{Key: "onnx.ConvTranspose", Infer: inferConvTranspose, Run: runConvTranspose})
}

// floorDiv2 is Python's t // 2, which the ONNX reference uses to split a
// (possibly negative) total padding.
func floorDiv2(t int64) int64 {
	if t < 0 {
		return -((-t + 1) / 2)
	}
	return t / 2
}

// ConvTransposeGeometry resolves a ConvTranspose node's attributes against
// concrete spatial input dims and the kernel's spatial dims. PadsEnd has
// output_padding subtracted, so it (and PadsBegin, with output_shape) may
// be negative; Out[i] = kernels.ConvTransposeOutSize with these pads.
func ConvTransposeGeometry(n *ir.Node, in, kernel []int64) (Geometry, error) {
	nsp := len(in)
	g := Geometry{Kernel: n.AttrInts("kernel_shape", kernel)}
	if len(g.Kernel) != nsp || !ir.S(g.Kernel...).Equal(ir.S(kernel...)) {
		return g, fmt.Errorf("kernel_shape %v does not match W's spatial dims %v", g.Kernel, kernel)
	}
	ones := make([]int64, nsp)
	for i := range ones {
		ones[i] = 1
	}
	g.Strides = n.AttrInts("strides", ones)
	g.Dilations = n.AttrInts("dilations", ones)
	outPad := n.AttrInts("output_padding", make([]int64, nsp))
	pads := n.AttrInts("pads", make([]int64, 2*nsp))
	if len(g.Strides) != nsp || len(g.Dilations) != nsp || len(outPad) != nsp || len(pads) != 2*nsp {
		return g, fmt.Errorf("strides %v, dilations %v, output_padding %v, pads %v do not fit %d spatial dims", g.Strides, g.Dilations, outPad, pads, nsp)
	}
	for i := 0; i < nsp; i++ {
		if g.Kernel[i] < 1 || g.Strides[i] < 1 || g.Dilations[i] < 1 || pads[i] < 0 || pads[nsp+i] < 0 || outPad[i] < 0 {
			return g, fmt.Errorf("bad geometry: kernel %v strides %v dilations %v pads %v output_padding %v", g.Kernel, g.Strides, g.Dilations, pads, outPad)
		}
		// trtc's bounds, so that stride*(in-1) + (k-1)*dilation + ...
		// cannot overflow int64.
		const lim = 1 << 30
		if g.Kernel[i] > lim || g.Strides[i] > lim || g.Dilations[i] > lim || pads[i] > lim || pads[nsp+i] > lim || outPad[i] > lim || in[i] > 1<<31 {
			return g, fmt.Errorf("geometry too large: kernel %v strides %v dilations %v pads %v output_padding %v on spatial dims %v (trtc's limit is %d per value, %d per input dim)",
				g.Kernel, g.Strides, g.Dilations, pads, outPad, in, int64(lim), int64(1<<31))
		}
	}
	autoPad := n.AttrString("auto_pad", "NOTSET")
	outShape := n.AttrInts("output_shape", nil)
	if len(outShape) == nsp+2 {
		outShape = outShape[2:]
	}
	if outShape != nil && len(outShape) != nsp {
		return g, fmt.Errorf("output_shape %v does not have %d spatial dims", outShape, nsp)
	}
	for _, d := range outShape {
		if d > 1<<48 {
			return g, fmt.Errorf("output_shape %v is past any size trtc can hold", outShape)
		}
	}
	g.PadsBegin, g.PadsEnd, g.Out = make([]int64, nsp), make([]int64, nsp), make([]int64, nsp)
	switch autoPad {
	case "NOTSET", "", "VALID", "SAME_UPPER", "SAME_LOWER":
	default:
		return g, fmt.Errorf("auto_pad %q is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER", autoPad)
	}
	for i := 0; i < nsp; i++ {
		full := g.Strides[i]*(in[i]-1) + outPad[i] + (g.Kernel[i]-1)*g.Dilations[i] + 1
		target := int64(-1)
		switch {
		case outShape != nil:
			target = outShape[i]
		case autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER":
			target = in[i] * g.Strides[i]
		}
		switch {
		case target >= 0:
			total := full - target
			if autoPad == "SAME_UPPER" {
				g.PadsBegin[i] = floorDiv2(total)
				g.PadsEnd[i] = total - g.PadsBegin[i]
			} else {
				g.PadsEnd[i] = floorDiv2(total)
				g.PadsBegin[i] = total - g.PadsEnd[i]
			}
		case autoPad == "VALID":
		default:
			g.PadsBegin[i], g.PadsEnd[i] = pads[i], pads[nsp+i]
		}
		g.PadsEnd[i] -= outPad[i]
		g.Out[i] = kernels.ConvTransposeOutSize(in[i], g.Kernel[i], g.Strides[i], g.Dilations[i], g.PadsBegin[i], g.PadsEnd[i])
		if g.Out[i] < 1 {
			return g, fmt.Errorf("spatial dim %d: output size %d (input %d, pads %v)", i, g.Out[i], in[i], pads)
		}
	}
	return g, nil
}

func inferConvTranspose(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 2); err != nil {
		return nil, err
	}
	dt, err := sameDType(in)
	if err != nil {
		return nil, err
	}
	if !dt.IsFloat() {
		return nil, fmt.Errorf("ConvTranspose needs float inputs, got %v", dt)
	}
	x, w := in[0].Shape, in[1].Shape
	if len(x) < 3 || len(w) != len(x) {
		return nil, fmt.Errorf("ConvTranspose needs X of rank >= 3 and W of the same rank, got %v and %v", x, w)
	}
	g := n.AttrInt("group", 1)
	if g < 1 {
		return nil, fmt.Errorf("group %d must be >= 1", g)
	}
	if x[1].Static() && w[0].Static() && x[1].Size != w[0].Size {
		return nil, fmt.Errorf("X has %d channels but W %v expects %d", x[1].Size, w, w[0].Size)
	}
	if x[1].Static() && x[1].Size%g != 0 {
		return nil, fmt.Errorf("X has %d channels, not a multiple of group %d", x[1].Size, g)
	}
	kernel, ok := w[2:].Ints()
	if !ok {
		return nil, fmt.Errorf("W %v must have static spatial dims", w)
	}
	m := ir.Sym("")
	if w[1].Static() {
		m = ir.D(w[1].Size * g)
	}
	if len(in) > 2 && in[2] != nil && (len(in[2].Shape) != 1 || (in[2].Shape[0].Static() && m.Static() && in[2].Shape[0].Size != m.Size)) {
		return nil, fmt.Errorf("bias %v must be 1-D with %v elements", in[2].Shape, m)
	}
	sp := make([]int64, len(x)-2)
	static := true
	for i := range sp {
		sp[i] = x[2+i].Size
		if !x[2+i].Static() {
			sp[i], static = 1<<20, false // any size, to check the attributes
		}
	}
	geo, err := ConvTransposeGeometry(n, sp, kernel)
	if err != nil {
		return nil, err
	}
	out := ir.Shape{x[0], m}
	for i := range sp {
		if !static && !x[2+i].Static() {
			out = append(out, ir.Sym(""))
			continue
		}
		out = append(out, ir.D(geo.Out[i]))
	}
	return out1(dt, out), nil
}

func runConvTranspose(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	x, w := in[0], in[1]
	var b *ir.Tensor
	if len(in) > 2 {
		b = in[2]
	}
	if len(x.Shape) < 3 || len(w.Shape) != len(x.Shape) {
		return nil, fmt.Errorf("ConvTranspose needs X of rank >= 3 and W of the same rank")
	}
	g, err := ConvTransposeGeometry(n, x.Shape[2:], w.Shape[2:])
	if err != nil {
		return nil, err
	}
	return t1(kernels.ConvTranspose(x, w, b, kernels.ConvParams{
		Strides: g.Strides, Dilations: g.Dilations, PadsBegin: g.PadsBegin, PadsEnd: g.PadsEnd,
		Group: n.AttrInt("group", 1),
	}))
}
