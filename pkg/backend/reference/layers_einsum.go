package reference

import (
	"fmt"
	"slices"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Einsum is IEinsumLayer: "one or more inputs of rank >= 0", each Float32 or
// Float16 ("not necessarily the same"), and "one output of type
// DataType::kFLOAT" (NvInfer.h). The equation takes lower-case labels, ","
// between the inputs' terms, "->" and "..."; a label repeated in one term
// takes the diagonal, labels shared by inputs broadcast (size 1) and
// multiply, labels the output omits are summed.

type einsumParams struct{ Equation string }

func init() {
	registerKind(network.KindEinsum, kindImpl{infer: inferEinsum, run: runEinsum})
}

// einsumSpec parses the equation for the inputs' ranks, in TensorRT's
// syntax only (lower-case labels).
func einsumSpec(eq string, ranks []int) (*kernels.EinsumSpec, error) {
	for _, c := range eq {
		if !(c >= 'a' && c <= 'z' || c == ',' || c == '-' || c == '>' || c == '.' || c == ' ') {
			return nil, fmt.Errorf("equation %q has %q, which is no lower-case label", eq, c)
		}
	}
	return kernels.ParseEinsum(eq, ranks)
}

func inferEinsum(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if len(in) == 0 || slices.Contains(in, nil) {
		return nil, fmt.Errorf("einsum needs its inputs")
	}
	ranks := make([]int, len(in))
	for i, v := range in {
		ranks[i] = len(v.Shape)
	}
	sp, err := einsumSpec(l.Params.(einsumParams).Equation, ranks)
	if err != nil {
		return nil, err
	}
	out := make(ir.Shape, len(sp.Output))
	for i, c := range sp.Output {
		// A static dim other than 1 wins; 1 broadcasts.
		var d ir.Dim
		set := false
		for k, labels := range sp.Inputs {
			for j, lb := range labels {
				if lb != c {
					continue
				}
				x := in[k].Shape[j]
				switch {
				case !set || (d.Static() && d.Size == 1):
					d, set = x, true
				case x.Static() && d.Static() && x.Size != 1 && x.Size != d.Size:
					return nil, fmt.Errorf("label %q is %d in one input and %d in input %d", rune(c), d.Size, x.Size, k)
				case !d.Static() && x.Static() && x.Size != 1:
					d = x
				}
			}
		}
		out[i] = d
	}
	return []*ir.Value{{DType: ir.Float32, Shape: out}}, nil
}

func runEinsum(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	xs := make([]*ir.Tensor, len(in))
	for i, x := range in {
		if x.DType == ir.Float32 {
			xs[i] = x
			continue
		}
		c, err := kernels.Cast(x, ir.Float32)
		if err != nil {
			return nil, err
		}
		xs[i] = c
	}
	return one1(kernels.Einsum(l.Params.(einsumParams).Equation, xs))
}
