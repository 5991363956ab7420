package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// QuantizeLinear and DequantizeLinear (opsets 10-25): per tensor, per axis
// (axis, default 1) and blocked (block_size, opset 21); integer targets
// int8, uint8, int16, uint16, int4, uint4, int2, uint2 (rounding half to
// even, then clamping) and the float8/float4 targets (Cast's saturate rule).
// The output dtype is output_dtype when set, else the zero point's dtype,
// else uint8 (QuantizeLinear), or the scale's dtype (DequantizeLinear).
// DynamicQuantizeLinear derives a uint8 scale and zero point from the range.

func init() {
	Register(Op{Key: "onnx.QuantizeLinear", Infer: inferQuantize, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		p, err := quantParams(n, len(in[0].Shape))
		if err != nil {
			return nil, err
		}
		zp := optIn(in, 2)
		zdt := ir.Undefined
		if zp != nil {
			zdt = zp.DType
		}
		return t1(kernels.QuantizeLinear(in[0], in[1], zp, p, quantizeDType(n, zdt), n.AttrInt("saturate", 1) != 0))
	}})
	Register(Op{Key: "onnx.DequantizeLinear", Infer: inferDequantize, KeepIf: quantizedWeights, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		p, err := quantParams(n, len(in[0].Shape))
		if err != nil {
			return nil, err
		}
		return t1(kernels.DequantizeLinear(in[0], in[1], optIn(in, 2), p, dequantizeDType(n, in[1].DType)))
	}})
	Register(Op{Key: "onnx.DynamicQuantizeLinear", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 1); err != nil {
			return nil, err
		}
		if in[0].DType != ir.Float32 {
			return nil, fmt.Errorf("input is %v, DynamicQuantizeLinear takes float32", in[0].DType)
		}
		return []*ir.Value{{DType: ir.Uint8, Shape: in[0].Shape.Clone()}, {DType: ir.Float32, Shape: ir.Shape{}}, {DType: ir.Uint8, Shape: ir.Shape{}}}, nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		y, s, z := kernels.DynamicQuantizeLinear(in[0])
		return []*ir.Tensor{y, s, z}, nil
	}})
}

func optIn(in []*ir.Tensor, i int) *ir.Tensor {
	if i < len(in) {
		return in[i]
	}
	return nil
}

func optVal(in []*ir.Value, i int) *ir.Value {
	if i < len(in) {
		return in[i]
	}
	return nil
}

func quantParams(n *ir.Node, rank int) (kernels.QuantParams, error) {
	axis := n.AttrInt("axis", 1)
	bs := n.AttrInt("block_size", 0)
	if bs < 0 {
		return kernels.QuantParams{}, fmt.Errorf("block_size is %d", bs)
	}
	if axis < 0 {
		axis += int64(rank)
	}
	return kernels.QuantParams{Axis: int(axis), BlockSize: int(bs)}, nil
}

func quantizeDType(n *ir.Node, zp ir.DType) ir.DType {
	if dt := ir.DType(n.AttrInt("output_dtype", 0)); dt != ir.Undefined {
		return dt
	}
	if zp != ir.Undefined {
		return zp
	}
	return ir.Uint8
}

func dequantizeDType(n *ir.Node, scale ir.DType) ir.DType {
	if dt := ir.DType(n.AttrInt("output_dtype", 0)); dt != ir.Undefined {
		return dt
	}
	return scale
}

var quantTargets = map[ir.DType]bool{
	ir.Int8: true, ir.Uint8: true, ir.Int16: true, ir.Uint16: true, ir.Int4: true, ir.Uint4: true,
	ir.Int2: true, ir.Uint2: true, ir.Float8E4M3FN: true, ir.Float8E4M3FNUZ: true, ir.Float8E5M2: true,
	ir.Float8E5M2FNUZ: true, ir.Float4E2M1: true,
}

// checkQuantArgs checks the scale and zero point against the data (x) and
// returns the parameters.
func checkQuantArgs(n *ir.Node, x, scale, zp *ir.Value) (kernels.QuantParams, error) {
	p, err := quantParams(n, len(x.Shape))
	if err != nil {
		return p, err
	}
	if !(scale.DType == ir.Float32 || scale.DType == ir.Float16 || scale.DType == ir.BFloat16) {
		return p, fmt.Errorf("scale is %v, want float32, float16 or bfloat16", scale.DType)
	}
	if zp != nil && !zp.Shape.Equal(scale.Shape) && !(zp.Shape.Rank() <= 1 && scale.Shape.Rank() <= 1) {
		return p, fmt.Errorf("zero point has shape %v, scale has %v", zp.Shape, scale.Shape)
	}
	xd, xok := x.Shape.Ints()
	sd, sok := scale.Shape.Ints()
	if xok && sok {
		if _, err := p.ScaleIndex(xd, sd); err != nil {
			return p, err
		}
	} else if len(x.Shape) > 0 && (p.Axis < 0 || p.Axis >= len(x.Shape)) && (scale.Shape.Rank() > 0) {
		return p, fmt.Errorf("axis %d is out of range for rank %d", n.AttrInt("axis", 1), len(x.Shape))
	}
	return p, nil
}

func inferQuantize(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 2); err != nil {
		return nil, err
	}
	x, scale, zp := in[0], in[1], optVal(in, 2)
	if !(x.DType == ir.Float32 || x.DType == ir.Float16 || x.DType == ir.BFloat16 || x.DType == ir.Int32) {
		return nil, fmt.Errorf("input is %v, QuantizeLinear takes float32, float16, bfloat16 or int32", x.DType)
	}
	zdt := ir.Undefined
	if zp != nil {
		zdt = zp.DType
	}
	dt := quantizeDType(n, zdt)
	if !quantTargets[dt] {
		return nil, &UnsupportedDTypeError{What: "QuantizeLinear to", DType: dt}
	}
	if zp != nil && zp.DType != dt {
		return nil, fmt.Errorf("zero point is %v but output_dtype is %v", zp.DType, dt)
	}
	if _, err := checkQuantArgs(n, x, scale, zp); err != nil {
		return nil, err
	}
	return out1(dt, x.Shape.Clone()), nil
}

func inferDequantize(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 2); err != nil {
		return nil, err
	}
	x, scale, zp := in[0], in[1], optVal(in, 2)
	if !quantTargets[x.DType] && x.DType != ir.Int32 {
		return nil, fmt.Errorf("input is %v, which DequantizeLinear does not take", x.DType)
	}
	if zp != nil && zp.DType != x.DType {
		return nil, fmt.Errorf("zero point is %v but input is %v", zp.DType, x.DType)
	}
	if _, err := checkQuantArgs(n, x, scale, zp); err != nil {
		return nil, err
	}
	dt := dequantizeDType(n, scale.DType)
	if !(dt == ir.Float32 || dt == ir.Float16 || dt == ir.BFloat16) {
		return nil, fmt.Errorf("output_dtype %v is not a float type", dt)
	}
	return out1(dt, x.Shape.Clone()), nil
}

// quantizedWeights reports whether a DequantizeLinear of constants is the
// quantized weights TensorRT takes through a dequantize layer (explicit
// quantization: a constant of int8, float8e4m3fn, int4 or float4e2m1 with
// no zero point or zeros, a float output) read only by ops whose
// converters take the weights as a tensor (Conv, MatMul, Gemm): such a
// node is not folded, so the engine keeps the weights in the low type and
// the Q/DQ placement TensorRT fuses into quantized kernels. Other constant
// DequantizeLinear nodes (int32 biases, asymmetric uint8, weights of a
// ConvTranspose, whose layer takes kernel weights) fold.
func quantizedWeights(n *ir.Node, in []*ir.Value, consumers []string) bool {
	if len(consumers) == 0 {
		return false
	}
	for _, op := range consumers {
		if op != "onnx.Conv" && op != "onnx.MatMul" && op != "onnx.Gemm" {
			return false
		}
	}
	if len(in) < 2 || in[0] == nil || in[0].Const == nil || in[1] == nil || in[1].Const == nil {
		return false
	}
	switch in[0].DType {
	case ir.Int8, ir.Float8E4M3FN, ir.Int4, ir.Float4E2M1:
	default:
		return false
	}
	if len(in) > 2 && in[2] != nil {
		zp := in[2].Const
		if zp == nil {
			return false
		}
		for i := range int(zp.Numel()) {
			if zp.Float(i) != 0 {
				return false
			}
		}
	}
	return len(in[0].Shape) > 0
}
