package ops

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// ATen activations and unary math. Float-only functions promote integer
// inputs to float32, as PyTorch does.

// floatIn returns input 0 as a float ref and its dtype.
func floatIn(p *plan, in []*ir.Value) (ref, ir.DType, error) {
	if err := need(in, 0); err != nil {
		return ref{}, 0, err
	}
	dt := in[0].DType
	if dt.IsFloat() {
		return inRef(0), dt, nil
	}
	return p.cast(inRef(0), dt, ir.Float32), ir.Float32, nil
}

// unaryChain registers ops that are one ONNX op (with attrs) on a float
// input.
func unaryATen(key, onnxOp string, a func(n *ir.Node) map[string]ir.Attr) {
	registerATen(key, false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		p := &plan{}
		x, _, err := floatIn(p, in)
		if err != nil {
			return nil, err
		}
		var at map[string]ir.Attr
		if a != nil {
			at = a(n)
		}
		p.out = []ref{p.add(onnxOp, at, x)}
		return p, nil
	})
}

func init() {
	for key, onnxOp := range map[string]string{
		"aten.sigmoid.default": "onnx.Sigmoid", "aten.tanh.default": "onnx.Tanh",
		"aten.exp.default": "onnx.Exp", "aten.log.default": "onnx.Log", "aten.sqrt.default": "onnx.Sqrt",
		"aten.erf.default": "onnx.Erf", "aten.hardswish.default": "onnx.HardSwish",
		"aten.sin.default": "onnx.Sin", "aten.cos.default": "onnx.Cos",
	} {
		unaryATen(key, onnxOp, nil)
	}
	unaryATen("aten.hardsigmoid.default", "onnx.HardSigmoid", func(*ir.Node) map[string]ir.Attr {
		return attrs("alpha", float32(1.0/6), "beta", float32(0.5))
	})
	unaryATen("aten.leaky_relu.default", "onnx.LeakyRelu", func(n *ir.Node) map[string]ir.Attr {
		v, _, ok := ScalarAttr(n, "negative_slope")
		if !ok {
			v = 0.01
		}
		return attrs("alpha", v)
	})
	registerATen("aten.gelu.default", false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		p := &plan{}
		x, _, err := floatIn(p, in)
		if err != nil {
			return nil, err
		}
		a := n.AttrString("approximate", "none")
		if !validGelu(a) {
			return nil, fmt.Errorf("approximate is %q, want \"none\" or \"tanh\"", a)
		}
		p.out = []ref{p.add("onnx.Gelu", attrs("approximate", a), x)}
		return p, nil
	})
	registerATen("aten.rsqrt.default", false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		p := &plan{}
		x, _, err := floatIn(p, in)
		if err != nil {
			return nil, err
		}
		p.out = []ref{p.add("onnx.Reciprocal", nil, p.add("onnx.Sqrt", nil, x))}
		return p, nil
	})
	registerATen("aten.silu.default", false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		p := &plan{}
		x, _, err := floatIn(p, in)
		if err != nil {
			return nil, err
		}
		p.out = []ref{p.add("onnx.Mul", nil, x, p.add("onnx.Sigmoid", nil, x))}
		return p, nil
	})
	for _, key := range []string{"aten.relu.default", "aten.relu_.default"} {
		registerATen(key, false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
			if err := need(in, 0); err != nil {
				return nil, err
			}
			p := &plan{}
			p.out = []ref{p.add("onnx.Relu", nil, inRef(0))}
			return p, nil
		})
	}
	for _, key := range []string{"aten.neg.default", "aten.abs.default"} {
		onnxOp := map[string]string{"aten.neg.default": "onnx.Neg", "aten.abs.default": "onnx.Abs"}[key]
		registerATen(key, false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
			if err := need(in, 0); err != nil {
				return nil, err
			}
			p := &plan{}
			p.out = []ref{p.add(onnxOp, nil, inRef(0))}
			return p, nil
		})
	}
	// clamp / hardtanh: bounds are Scalar attributes; absent is open.
	clamp := func(lo, hi string, defLo, defHi float64) lowerFunc {
		return func(n *ir.Node, in []*ir.Value) (*plan, error) {
			if err := need(in, 0); err != nil {
				return nil, err
			}
			p := &plan{}
			dt := in[0].DType
			x := inRef(0)
			l, lInt, hasL := ScalarAttr(n, lo)
			h, hInt, hasH := ScalarAttr(n, hi)
			if !hasL && !math.IsNaN(defLo) {
				l, hasL, lInt = defLo, true, false
			}
			if !hasH && !math.IsNaN(defHi) {
				h, hasH, hInt = defHi, true, false
			}
			if !hasL && !hasH {
				return nil, fmt.Errorf("%s and %s are both None", lo, hi)
			}
			if (hasL && !lInt || hasH && !hInt) && !dt.IsFloat() {
				x, dt = p.cast(x, dt, ir.Float32), ir.Float32
			}
			var a, b ref
			if hasL {
				a = p.scalar(dt, l)
			}
			if hasH {
				b = p.scalar(dt, h)
			}
			p.out = []ref{p.add("onnx.Clip", nil, x, a, b)}
			return p, nil
		}
	}
	registerATen("aten.clamp.default", false, clamp("min", "max", math.NaN(), math.NaN()))
	registerATen("aten.hardtanh.default", false, clamp("min_val", "max_val", -1, 1))
	registerATen("aten.clamp.Tensor", false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0); err != nil {
			return nil, err
		}
		p := &plan{}
		y := inRef(0)
		if len(in) > 1 && in[1] != nil {
			y = p.add("onnx.Max", nil, y, p.cast(inRef(1), in[1].DType, in[0].DType))
		}
		if len(in) > 2 && in[2] != nil {
			y = p.add("onnx.Min", nil, y, p.cast(inRef(2), in[2].DType, in[0].DType))
		}
		p.out = []ref{y}
		return p, nil
	})
}
