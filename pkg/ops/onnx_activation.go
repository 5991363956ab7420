package ops

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// ONNX activations. Attribute defaults are the ONNX spec's.

// Selu's defaults, as the ONNX spec writes them.
const (
	SeluAlpha = 1.67326319217681884765625
	SeluGamma = 1.05070102214813232421875
)

// activations maps an op type to its kernel op and how its attributes give
// the kernel's alpha and beta.
var activations = map[string]struct {
	op     kernels.ActOp
	params func(n *ir.Node) (float64, float64)
}{
	"Sigmoid":   {kernels.ActSigmoid, noParams},
	"Tanh":      {kernels.ActTanh, noParams},
	"Softsign":  {kernels.ActSoftsign, noParams},
	"Softplus":  {kernels.ActSoftplus, func(*ir.Node) (float64, float64) { return 1, 1 }},
	"HardSwish": {kernels.ActHardSwish, noParams},
	"Mish":      {kernels.ActMish, noParams},
	"LeakyRelu": {kernels.ActLeakyRelu, func(n *ir.Node) (float64, float64) {
		return float64(n.AttrFloat("alpha", 0.01)), 0
	}},
	"Elu": {kernels.ActElu, func(n *ir.Node) (float64, float64) {
		return float64(n.AttrFloat("alpha", 1)), 0
	}},
	"Celu": {kernels.ActCelu, func(n *ir.Node) (float64, float64) {
		return float64(n.AttrFloat("alpha", 1)), 0
	}},
	"Selu": {kernels.ActSelu, func(n *ir.Node) (float64, float64) {
		return float64(n.AttrFloat("alpha", SeluAlpha)), float64(n.AttrFloat("gamma", SeluGamma))
	}},
	"HardSigmoid": {kernels.ActHardSigmoid, func(n *ir.Node) (float64, float64) {
		return float64(n.AttrFloat("alpha", 0.2)), float64(n.AttrFloat("beta", 0.5))
	}},
	"ThresholdedRelu": {kernels.ActThresholdedRelu, func(n *ir.Node) (float64, float64) {
		return float64(n.AttrFloat("alpha", 1)), 0
	}},
	"Shrink": {kernels.ActShrink, func(n *ir.Node) (float64, float64) {
		return float64(n.AttrFloat("bias", 0)), float64(n.AttrFloat("lambd", 0.5))
	}},
}

func noParams(*ir.Node) (float64, float64) { return 0, 0 }

func init() {
	for op, a := range activations {
		a := a
		Register(Op{
			Key:   "onnx." + op,
			Infer: inferSameFloat,
			Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
				alpha, beta := a.params(n)
				return t1(kernels.Activation(a.op, in[0], alpha, beta))
			},
		})
	}
	Register(Op{Key: "onnx.Gelu", Infer: inferGelu, Run: runGelu})
	Register(Op{Key: "onnx.Relu", Infer: inferSameNumeric, Run: runRelu})
	Register(Op{Key: "onnx.Clip", Infer: inferClip, Run: runClip})
	Register(Op{Key: "onnx.PRelu", Infer: inferPRelu, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		return t1(kernels.PRelu(in[0], in[1]))
	}})
}

func inferSameFloat(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	if !in[0].DType.IsFloat() {
		return nil, fmt.Errorf("input 0 is %v, want a floating-point type", in[0].DType)
	}
	return out1(in[0].DType, in[0].Shape.Clone()), nil
}

func inferSameNumeric(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	if dt := in[0].DType; !dt.IsFloat() && !dt.IsInt() {
		return nil, fmt.Errorf("input 0 is %v, want a numeric type", dt)
	}
	return out1(in[0].DType, in[0].Shape.Clone()), nil
}

// GeluApproximations are the values of Gelu's approximate attribute.
var GeluApproximations = map[string]kernels.ActOp{"none": kernels.ActGeluErf, "tanh": kernels.ActGeluTanh}

func inferGelu(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if a := n.AttrString("approximate", "none"); !validGelu(a) {
		return nil, fmt.Errorf("approximate is %q, want \"none\" or \"tanh\"", a)
	}
	return inferSameFloat(n, in)
}

func validGelu(a string) bool { _, ok := GeluApproximations[a]; return ok }

func runGelu(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	op, ok := GeluApproximations[n.AttrString("approximate", "none")]
	if !ok {
		return nil, fmt.Errorf("approximate is %q, want \"none\" or \"tanh\"", n.AttrString("approximate", ""))
	}
	return t1(kernels.Activation(op, in[0], 0, 0))
}

func runRelu(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	if in[0].DType.IsFloat() {
		return t1(kernels.Activation(kernels.ActRelu, in[0], 0, 0))
	}
	return t1(kernels.Clip(in[0], 0, 0, true, false))
}

// inferClip: bounds are attributes before opset 11 and optional scalar
// inputs of the input's dtype from 11 on.
func inferClip(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	out, err := inferSameNumeric(n, in)
	if err != nil {
		return nil, err
	}
	for i := 1; i < len(in) && i < 3; i++ {
		if in[i] == nil {
			continue
		}
		if in[i].DType != in[0].DType {
			return nil, fmt.Errorf("input %d (bound) is %v but input 0 is %v", i, in[i].DType, in[0].DType)
		}
		if numel, ok := in[i].Shape.Ints(); !ok || ir.Numel(numel) != 1 {
			return nil, fmt.Errorf("input %d (bound) has shape %v, want a scalar", i, in[i].Shape)
		}
	}
	return out, nil
}

// ClipBounds reads Clip's bounds from attributes (opset < 11) or inputs;
// has is false for an absent bound.
func ClipBounds(n *ir.Node, in []*ir.Tensor) (lo, hi float64, hasLo, hasHi bool) {
	lo, hasLo = clipBound(n, in, "min", 1)
	hi, hasHi = clipBound(n, in, "max", 2)
	return
}

func clipBound(n *ir.Node, in []*ir.Tensor, attr string, i int) (float64, bool) {
	if n.HasAttr(attr) {
		return float64(n.AttrFloat(attr, 0)), true
	}
	if i < len(in) && in[i] != nil && in[i].Numel() > 0 {
		return in[i].Float(0), true
	}
	return 0, false
}

func runClip(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	lo, hi, hasLo, hasHi := ClipBounds(n, in)
	// float64 holds every int32 bound exactly; int64 bounds past 2^53 are
	// rounded, and the kernel treats a bound beyond the type's range as open.
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return nil, fmt.Errorf("clip bound is NaN")
	}
	return t1(kernels.Clip(in[0], lo, hi, hasLo, hasHi))
}

func inferPRelu(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 2); err != nil {
		return nil, err
	}
	if _, err := sameDType(in[:2]); err != nil {
		return nil, err
	}
	s, err := ir.Broadcast(in[0].Shape, in[1].Shape)
	if err != nil {
		return nil, err
	}
	return out1(in[0].DType, s), nil
}
