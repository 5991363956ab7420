package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Quantize and Dequantize: IQuantizeLayer and IDequantizeLayer, emulated
// bit for bit as NvInfer.h defines them.
//
//	Q:  y = clamp(round(x / scale) + zeroPt)   round half to even; Int8
//	    clamps to [-128, 127], Int4 to [-8, 7]; Float8E4M3FN (kFP8)
//	    rounds to nearest even and saturates at ±448, Float4E2M1 (kFP4)
//	    at ±6. x / scale is a float32 division.
//	DQ: y = (x - zeroPt) * scale in float32, then the output type.
//
// The scale is per tensor (one element), per channel (1-D, along Axis) or
// blocked (the input's rank, the blocked dim Axis divided into blocks of
// BlockShape[Axis]); the zero point, if any, is a constant of zeros (only
// symmetric quantization), so the result does not depend on it. The rules
// (quant_*) are in rules.go.

func init() {
	registerKind(network.KindQuantize, kindImpl{infer: inferQuantize, run: runQuantize})
	registerKind(network.KindDequantize, kindImpl{infer: inferQuantize, run: runDequantize})
}

type quantizeParams struct{ network.QuantizeParams }

func inferQuantize(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if len(in) < 2 || in[0] == nil || in[1] == nil {
		return nil, fmt.Errorf("needs input and scale")
	}
	return []*ir.Value{{DType: l.Params.(quantizeParams).ToType, Shape: in[0].Shape.Clone()}}, nil
}

// kernelParams maps the layer's settings onto the kernels' QuantParams.
func (p quantizeParams) kernelParams(scale []int64) kernels.QuantParams {
	q := kernels.QuantParams{Axis: p.Axis}
	if len(scale) == 0 || ir.Numel(scale) == 1 && len(p.BlockShape) == 0 {
		q.Axis = 0
		return q
	}
	if len(p.BlockShape) > p.Axis && p.Axis >= 0 {
		q.BlockSize = int(p.BlockShape[p.Axis])
	}
	return q
}

func runQuantize(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(quantizeParams)
	x, scale := in[0], in[1]
	if p.Axis < 0 && len(p.BlockShape) == 0 && ir.Numel(scale.Shape) != 1 {
		return nil, fmt.Errorf("scale %v with no axis", scale.Shape)
	}
	out, err := kernels.QuantizeLinear(x, scale, nil, p.kernelParams(scale.Shape), p.ToType, true)
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{out}, nil
}

func runDequantize(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(quantizeParams)
	x, scale := in[0], in[1]
	out, err := kernels.DequantizeLinear(x, scale, nil, p.kernelParams(scale.Shape), p.ToType)
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{out}, nil
}

// quantDType is the quantized side of a Q or DQ layer.
func quantDType(l *layer, in []*ir.Value) ir.DType {
	if l.Kind == network.KindQuantize {
		return l.Params.(quantizeParams).ToType
	}
	return in[0].DType
}

// quantMode classifies the scale: per tensor, per channel or blocked.
func quantMode(l *layer, in []*ir.Value) string {
	s := in[1].Shape
	switch {
	case len(l.Params.(quantizeParams).BlockShape) > 0 || len(s) > 1:
		return "blocked"
	case len(s) == 0 || s[0].Static() && s[0].Size == 1:
		return "per-tensor"
	}
	return "per-channel"
}

func init() {
	ruleChecks["quant_scale_shape"] = func(_ *Network, l *layer, in []*ir.Value) error {
		p := l.Params.(quantizeParams)
		x, s := in[0].Shape, in[1].Shape
		switch quantMode(l, in) {
		case "per-channel":
			if p.Axis < 0 || p.Axis >= len(x) {
				return fmt.Errorf("per-channel scale %v needs an axis of the input (rank %d), not %d", s, len(x), p.Axis)
			}
			if !x[p.Axis].Static() || !s[0].Static() || s[0].Size != x[p.Axis].Size {
				return fmt.Errorf("per-channel scale %v does not match dim %d of input %v", s, p.Axis, x)
			}
		case "blocked":
			if len(s) != len(x) {
				return fmt.Errorf("blocked scale %v does not have the input's rank %d", s, len(x))
			}
			if p.Axis < 0 || p.Axis >= len(x) || len(p.BlockShape) != len(x) {
				return fmt.Errorf("blocked quantization needs the blocked axis and a block shape of rank %d (axis %d, block shape %v)", len(x), p.Axis, p.BlockShape)
			}
			for d := range x {
				want := x[d]
				if !want.Static() || !s[d].Static() {
					return fmt.Errorf("blocked scale %v over input %v: dims must be static", s, x)
				}
				b := p.BlockShape[d]
				if d != p.Axis && b != 1 || d == p.Axis && b < 1 {
					return fmt.Errorf("block shape %v: only dim %d is blocked", p.BlockShape, p.Axis)
				}
				if n := (want.Size + b - 1) / b; s[d].Size != n {
					return fmt.Errorf("blocked scale %v over input %v with block shape %v: dim %d should be %d", s, x, p.BlockShape, d, n)
				}
			}
		}
		if len(in) > 2 && in[2] != nil && !in[2].Shape.Equal(in[1].Shape) {
			return fmt.Errorf("zero point %v does not have the scale's shape %v", in[2].Shape, in[1].Shape)
		}
		return nil
	}
	ruleChecks["quant_scale_const"] = func(n *Network, _ *layer, in []*ir.Value) error {
		c := in[1].Const
		if c == nil {
			if n.newer(network.Version{Major: 10, Minor: 13}) {
				return fmt.Errorf("scale is not a build-time constant (TensorRT %v needs one; 10.13 and later do not)", n.target)
			}
			return nil
		}
		for i := range int(c.Numel()) {
			if v := c.Float(i); !(v > 0) {
				return fmt.Errorf("scale coefficient %d is %g, not positive", i, v)
			}
		}
		return nil
	}
	ruleChecks["quant_zero_point"] = func(_ *Network, l *layer, in []*ir.Value) error {
		if len(in) < 3 || in[2] == nil {
			return nil
		}
		zp := in[2]
		if q := quantDType(l, in); zp.DType != q {
			return fmt.Errorf("zero point is %v, the quantized type is %v", zp.DType, q)
		}
		if zp.Const == nil {
			return fmt.Errorf("zero point is not a build-time constant")
		}
		for i := range int(zp.Const.Numel()) {
			if zp.Const.Float(i) != 0 {
				return fmt.Errorf("zero point coefficient %d is %g: only symmetric quantization (zero points of 0)", i, zp.Const.Float(i))
			}
		}
		return nil
	}
	ruleChecks["quant_per_channel_weights"] = func(_ *Network, l *layer, in []*ir.Value) error {
		if quantMode(l, in) == "per-channel" && in[0].Const == nil {
			return fmt.Errorf("per-channel scale %v on an input that is not a build-time constant (activations are quantized per tensor)", in[1].Shape)
		}
		return nil
	}
	ruleChecks["quant_block"] = func(n *Network, l *layer, in []*ir.Value) error {
		if quantMode(l, in) != "blocked" {
			return nil
		}
		q, r := quantDType(l, in), len(in[0].Shape)
		switch {
		case q != ir.Int4 && q != ir.Float8E4M3FN && q != ir.Float4E2M1:
			return fmt.Errorf("blocked quantization of %v: TensorRT blocks Int4, Float8E4M3FN and Float4E2M1 only", q)
		case q != ir.Int4 && n.newer(network.Version{Major: 11, Minor: 0}):
			return fmt.Errorf("blocked quantization of %v needs TensorRT 11.0 (the target is %v)", q, n.target)
		case n.newer(network.Version{Major: 11, Minor: 0}) && in[0].Const == nil:
			return fmt.Errorf("blocked quantization of an input that is not a build-time constant needs TensorRT 11.0 (the target is %v)", n.target)
		case r != 2 && n.newer(network.Version{Major: 10, Minor: 8}):
			return fmt.Errorf("blocked quantization of a rank-%d input needs TensorRT 10.8 (2-D only before; the target is %v)", r, n.target)
		}
		if a := l.Params.(quantizeParams).Axis; a != r-1 && a != r-2 {
			return fmt.Errorf("blocked axis %d of a rank-%d input: TensorRT blocks the last or second to last dim", a, r)
		}
		return nil
	}
	ruleChecks["quant_fp4_since"] = func(n *Network, l *layer, in []*ir.Value) error {
		if quantDType(l, in) == ir.Float4E2M1 && n.newer(network.Version{Major: 10, Minor: 8}) {
			return fmt.Errorf("Float4E2M1 (kFP4) needs TensorRT 10.8, the target is %v", n.target)
		}
		return nil
	}
	ruleChecks["quant_not_scalar"] = func(_ *Network, _ *layer, in []*ir.Value) error {
		if len(in[0].Shape) == 0 {
			return fmt.Errorf("input is a scalar")
		}
		return nil
	}
}

func init() {
	ruleChecks["conv_kernel_const"] = func(_ *Network, l *layer, in []*ir.Value) error {
		if len(in) < 2 || in[1] == nil {
			return nil
		}
		if in[1].Const == nil {
			return fmt.Errorf("the kernel tensor has no build-time value")
		}
		if in[1].DType != in[0].DType {
			return fmt.Errorf("the kernel tensor is %v, the input %v", in[1].DType, in[0].DType)
		}
		return nil
	}
}
