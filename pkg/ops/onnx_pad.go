package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// Pad. Before opset 11 the pads and the constant value are attributes
// ("pads", "value"); from 11 they are inputs 1 and 2, and from 18 input 3
// names the axes the pads refer to. Pads list every begin, then every end;
// negative pads crop. Modes: constant, reflect, edge, wrap (opset 19).

func init() {
	Register(Op{Key: "onnx.Pad", Infer: inferPad, Run: runPad})
}

// PadAmounts resolves a Pad node's pads for an input of rank rank: pads is
// the "pads" attribute or input, axes the axes input (nil for all dims).
func PadAmounts(rank int, pads, axes []int64) (pre, post []int64, err error) {
	dims := make([]int, rank)
	for i := range dims {
		dims[i] = i
	}
	if axes != nil {
		if dims, err = normAxes(axes, rank); err != nil {
			return nil, nil, err
		}
	}
	if len(pads) != 2*len(dims) {
		return nil, nil, fmt.Errorf("%d pads for %d axes; want 2 per axis", len(pads), len(dims))
	}
	pre, post = make([]int64, rank), make([]int64, rank)
	for i, d := range dims {
		pre[d], post[d] = pads[i], pads[len(dims)+i]
	}
	return pre, post, nil
}

// padInputs returns the pads and axes of a node whose inputs are known.
func padInputs(n *ir.Node, pads, axes *ir.Value) ([]int64, []int64, bool) {
	if n.HasAttr("pads") {
		return n.AttrInts("pads", nil), nil, true
	}
	p, ok := ShapeDataOf(pads)
	if !ok || !p.IsStatic() {
		return nil, nil, false
	}
	pv, _ := p.Ints()
	if axes == nil {
		return pv, nil, true
	}
	a, ok := constInts(axes)
	return pv, a, ok
}

func inferPad(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	if _, err := kernels.ParsePadMode(n.AttrString("mode", "constant")); err != nil {
		return nil, err
	}
	get := func(i int) *ir.Value {
		if i < len(in) {
			return in[i]
		}
		return nil
	}
	if !n.HasAttr("pads") {
		p := get(1)
		if p == nil {
			return nil, fmt.Errorf("pads (input 1) is missing")
		}
		if p.DType != ir.Int64 || len(p.Shape) != 1 {
			return nil, fmt.Errorf("pads must be a 1-D int64 tensor, got %v%v", p.DType, p.Shape)
		}
		if v := get(2); v != nil && (v.DType != in[0].DType || len(v.Shape) > 1) {
			return nil, fmt.Errorf("constant_value must be a %v scalar, got %v%v", in[0].DType, v.DType, v.Shape)
		}
	}
	x := in[0].Shape
	pads, axes, ok := padInputs(n, get(1), get(3))
	if !ok {
		out := x.Clone()
		if a := get(3); a != nil {
			av, known := constInts(a)
			ax, err := normAxes(av, len(x))
			if !known || err != nil {
				return out1(in[0].DType, unknownDims(len(x))), nil
			}
			for _, d := range ax {
				out[d] = ir.Sym("")
			}
			return out1(in[0].DType, out), nil
		}
		return out1(in[0].DType, unknownDims(len(x))), nil
	}
	pre, post, err := PadAmounts(len(x), pads, axes)
	if err != nil {
		return nil, err
	}
	out := x.Clone()
	for d := range out {
		if pre[d] == 0 && post[d] == 0 {
			continue
		}
		if !x[d].Static() {
			out[d] = ir.Sym("")
			continue
		}
		if s := x[d].Size + pre[d] + post[d]; s >= 0 {
			out[d] = ir.D(s)
		} else {
			return nil, fmt.Errorf("pads %d, %d leave dim %d of size %d negative", pre[d], post[d], d, x[d].Size)
		}
	}
	return out1(in[0].DType, out), nil
}

func runPad(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	mode, err := kernels.ParsePadMode(n.AttrString("mode", "constant"))
	if err != nil {
		return nil, err
	}
	x := in[0]
	get := func(i int) *ir.Tensor {
		if i < len(in) {
			return in[i]
		}
		return nil
	}
	var pads, axes []int64
	var value *ir.Tensor
	if n.HasAttr("pads") {
		pads = n.AttrInts("pads", nil)
		if v := n.AttrFloat("value", 0); v != 0 {
			value = ir.Scalar(x.DType, float64(v))
		}
	} else {
		if get(1) == nil {
			return nil, fmt.Errorf("pads (input 1) is missing")
		}
		pads = get(1).Ints()
		if v := get(2); v != nil && v.Numel() > 0 {
			value = v
		}
		if a := get(3); a != nil {
			axes = a.Ints()
		}
	}
	pre, post, err := PadAmounts(len(x.Shape), pads, axes)
	if err != nil {
		return nil, err
	}
	return t1(kernels.Pad(x, pre, post, mode, value))
}
