package kernels

import (
	"fmt"
	"math"
	"slices"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// LossReduction is a training loss's reduction attribute.
type LossReduction string

const (
	LossNone LossReduction = "none"
	LossSum  LossReduction = "sum"
	LossMean LossReduction = "mean"
)

// NLLLoss is NegativeLogLikelihoodLoss: input [N, C, d...] of log
// probabilities, target [N, d...] of class indices, optional weight [C].
// Each element's loss is -input[n, target, d...] * weight[target]; targets
// equal to ignoreIndex (when hasIgnore) contribute 0 and no weight. "mean"
// divides the sum by the sum of the weights used. Computed in float64,
// returned in the input's dtype.
func NLLLoss(input, target, weight *ir.Tensor, red LossReduction, ignoreIndex int64, hasIgnore bool) (*ir.Tensor, error) {
	if len(input.Shape) < 2 {
		return nil, fmt.Errorf("input has rank %d, needs at least 2 (N, C)", len(input.Shape))
	}
	n, c := input.Shape[0], input.Shape[1]
	rest := input.Shape[2:]
	want := append([]int64{n}, rest...)
	if !slices.Equal(target.Shape, want) {
		return nil, fmt.Errorf("target has shape %v, want %v", target.Shape, want)
	}
	if weight != nil && (len(weight.Shape) != 1 || weight.Shape[0] != c) {
		return nil, fmt.Errorf("weight has shape %v, want [%d]", weight.Shape, c)
	}
	inner := ir.Numel(rest)
	x := ToFloat64(input)
	loss := make([]float64, n*inner)
	var num, den float64
	for i := int64(0); i < n; i++ {
		for d := int64(0); d < inner; d++ {
			k := i*inner + d
			t := target.Int(int(k))
			if hasIgnore && t == ignoreIndex {
				continue
			}
			if t < 0 || t >= c {
				return nil, fmt.Errorf("target %d at element %d is outside [0, %d)", t, k, c)
			}
			w := 1.0
			if weight != nil {
				w = weight.Float(int(t))
			}
			loss[k] = -x[(i*c+t)*inner+d] * w
			num += loss[k]
			den += w
		}
	}
	var out *ir.Tensor
	switch red {
	case LossNone:
		out = ir.FromSlice(ir.Float64, want, loss)
	case LossSum:
		out = ir.FromSlice(ir.Float64, nil, []float64{num})
	case LossMean:
		v := num / den
		if den == 0 {
			v = math.NaN()
			if num == 0 {
				v = 0 // every target ignored: ONNX's reference returns 0
			}
		}
		out = ir.FromSlice(ir.Float64, nil, []float64{v})
	default:
		return nil, fmt.Errorf("reduction %q is not none, sum or mean", red)
	}
	return Cast(out, input.DType)
}

// LogSoftmaxAxis1 is log(softmax(x)) over axis 1 of x [N, C, d...], in
// float64, returned in x's dtype.
func LogSoftmaxAxis1(x *ir.Tensor) *ir.Tensor {
	n, c := x.Shape[0], x.Shape[1]
	inner := ir.Numel(x.Shape[2:])
	v := ToFloat64(x)
	out := make([]float64, len(v))
	for i := int64(0); i < n; i++ {
		for d := int64(0); d < inner; d++ {
			m := math.Inf(-1)
			for j := int64(0); j < c; j++ {
				m = math.Max(m, v[(i*c+j)*inner+d])
			}
			s := 0.0
			for j := int64(0); j < c; j++ {
				s += math.Exp(v[(i*c+j)*inner+d] - m)
			}
			ls := math.Log(s) + m
			for j := int64(0); j < c; j++ {
				out[(i*c+j)*inner+d] = v[(i*c+j)*inner+d] - ls
			}
		}
	}
	t, _ := Cast(ir.FromSlice(ir.Float64, x.Shape, out), x.DType)
	return t
}

// ToFloat64 returns t's elements as float64.
func ToFloat64(t *ir.Tensor) []float64 {
	if t.DType == ir.Float64 {
		return ir.View[float64](t)
	}
	return t.Floats()
}
