package ops

import (
	"fmt"
	"slices"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// Einsum (opset 12): the "equation" attribute over any number of inputs of
// one numeric dtype.

func init() {
	Register(Op{Key: "onnx.Einsum", Infer: inferEinsum, Run: runEinsum})
}

// EinsumSpec parses an Einsum node's equation for its inputs' ranks.
func EinsumSpec(n *ir.Node, ranks []int) (*kernels.EinsumSpec, error) {
	if !n.HasAttr("equation") {
		return nil, fmt.Errorf("the equation attribute is missing")
	}
	return kernels.ParseEinsum(n.AttrString("equation", ""), ranks)
}

func inferEinsum(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("Einsum needs at least one input")
	}
	if err := needInputs(in, len(in)); err != nil {
		return nil, err
	}
	dt, err := sameDType(in)
	if err != nil {
		return nil, err
	}
	switch dt {
	case ir.Float32, ir.Float64, ir.Float16, ir.BFloat16, ir.Int32, ir.Int64, ir.Uint32, ir.Uint64:
	default:
		return nil, fmt.Errorf("Einsum of %v is not supported", dt)
	}
	ranks := make([]int, len(in))
	for i, v := range in {
		ranks[i] = len(v.Shape)
	}
	sp, err := EinsumSpec(n, ranks)
	if err != nil {
		return nil, err
	}
	out := make(ir.Shape, len(sp.Output))
	for i, c := range sp.Output {
		// The label's size: a static dim other than 1 wins (1 broadcasts).
		d := ir.Dim{Size: -2}
		for k, labels := range sp.Inputs {
			for j, l := range labels {
				if l != c {
					continue
				}
				x := in[k].Shape[j]
				switch {
				case d.Size == -2 || (d.Static() && d.Size == 1):
					d = x
				case x.Static() && d.Static() && x.Size != 1 && x.Size != d.Size:
					return nil, fmt.Errorf("label %q is %d in one input and %d in input %d", rune(c), d.Size, x.Size, k)
				case !d.Static() && x.Static() && x.Size != 1:
					d = x
				}
			}
		}
		if !d.Static() && d.Sym == "" {
			d = ir.Sym("")
		}
		out[i] = d
	}
	return out1(dt, out), nil
}

func runEinsum(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	if slices.Contains(in, nil) {
		return nil, fmt.Errorf("Einsum inputs are all required")
	}
	return t1(kernels.Einsum(n.AttrString("equation", ""), in))
}
