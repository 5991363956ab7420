package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// LpNormalization (x divided by its L1 or L2 norm along one axis, a zero
// norm taken as 1) and
// MeanVarianceNormalization ((x - mean) / (sqrt(var) + 1e-9) over axes, as
// ONNX's function body defines it).

func init() {
	Register(Op{Key: "onnx.LpNormalization", Infer: inferLpNorm, Run: runLpNorm})
	Register(Op{Key: "onnx.MeanVarianceNormalization", Infer: inferMVN, Run: runMVN})
}

// MVNEpsilon is what ONNX's MeanVarianceNormalization adds to the standard
// deviation.
const MVNEpsilon = 1e-9

func inferLpNorm(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if !x.DType.IsFloat() {
		return nil, fmt.Errorf("LpNormalization needs a float input, got %v", x.DType)
	}
	if _, err := ir.NormAxis(n.AttrInt("axis", -1), len(x.Shape)); err != nil {
		return nil, err
	}
	if p := n.AttrInt("p", 2); p != 1 && p != 2 {
		return nil, fmt.Errorf("p %d must be 1 or 2", p)
	}
	return out1(x.DType, x.Shape.Clone()), nil
}

func runLpNorm(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	x := in[0]
	axis, err := ir.NormAxis(n.AttrInt("axis", -1), len(x.Shape))
	if err != nil {
		return nil, err
	}
	op := kernels.ReduceL2
	if n.AttrInt("p", 2) == 1 {
		op = kernels.ReduceL1
	}
	norm, err := kernels.Reduce(x, op, []int{axis}, true)
	if err != nil {
		return nil, err
	}
	// A zero norm divides by 1 (the vector stays zero), as ONNX's
	// reference does.
	for i := 0; i < int(norm.Numel()); i++ {
		if norm.Float(i) == 0 {
			norm.SetFloat(i, 1)
		}
	}
	return t1(kernels.Binary(kernels.OpDiv, x, norm))
}

// MVNAxes returns a MeanVarianceNormalization node's axes for rank.
func MVNAxes(n *ir.Node, rank int) ([]int, error) {
	raw := n.AttrInts("axes", []int64{0, 2, 3})
	axes := make([]int, len(raw))
	for i, a := range raw {
		v, err := ir.NormAxis(a, rank)
		if err != nil {
			return nil, err
		}
		axes[i] = v
	}
	return axes, nil
}

func inferMVN(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if !x.DType.IsFloat() {
		return nil, fmt.Errorf("MeanVarianceNormalization needs a float input, got %v", x.DType)
	}
	if _, err := MVNAxes(n, len(x.Shape)); err != nil {
		return nil, err
	}
	return out1(x.DType, x.Shape.Clone()), nil
}

func runMVN(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	x := in[0]
	axes, err := MVNAxes(n, len(x.Shape))
	if err != nil {
		return nil, err
	}
	mean, err := kernels.Reduce(x, kernels.ReduceMean, axes, true)
	if err != nil {
		return nil, err
	}
	d, err := kernels.Binary(kernels.OpSub, x, mean)
	if err != nil {
		return nil, err
	}
	sq, _ := kernels.Binary(kernels.OpMul, d, d)
	variance, err := kernels.Reduce(sq, kernels.ReduceMean, axes, true)
	if err != nil {
		return nil, err
	}
	std, err := kernels.Unary(kernels.UnarySqrt, variance)
	if err != nil {
		return nil, err
	}
	eps := ir.NewTensor(x.DType, nil)
	eps.SetFloat(0, MVNEpsilon)
	den, err := kernels.Binary(kernels.OpAdd, std, eps)
	if err != nil {
		return nil, err
	}
	return t1(kernels.Binary(kernels.OpDiv, d, den))
}
