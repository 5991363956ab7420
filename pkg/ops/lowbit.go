package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// lowBitOps are the ops that take tensors of the low-bit storage types
// (ir.DType.IsLowBit: float8, float8e8m0, float4e2m1, int4, uint4, int2,
// uint2): conversion, (de)quantization, and ops that only relabel data,
// whose kernels copy bytes. Every other op refuses them with an
// UnsupportedDTypeError, which the compiler reports as an unsupported model
// (exit 4) instead of running arithmetic on bit patterns.
var lowBitOps = map[string]bool{
	"onnx.Cast": true, "onnx.CastLike": true,
	"onnx.QuantizeLinear": true, "onnx.DequantizeLinear": true,
	"onnx.Identity": true, "onnx.Reshape": true, "onnx.Flatten": true,
	"onnx.Squeeze": true, "onnx.Unsqueeze": true, "onnx.Shape": true, "onnx.Size": true,
}

// LowBitOK reports whether op takes low-bit tensors.
func LowBitOK(op string) bool { return lowBitOps[op] }

func checkLowBit(n *ir.Node, in, out []*ir.Value) error {
	if lowBitOps[n.Op] {
		return nil
	}
	for i, v := range in {
		if v != nil && v.DType.IsLowBit() {
			return &UnsupportedDTypeError{What: fmt.Sprintf("%s input %d", n.OpType(), i), DType: v.DType}
		}
	}
	for i, v := range out {
		if v != nil && v.DType.IsLowBit() {
			return &UnsupportedDTypeError{What: fmt.Sprintf("%s output %d", n.OpType(), i), DType: v.DType}
		}
	}
	return nil
}
