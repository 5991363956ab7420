package onnx_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/converters/onnx"
)

// noConverter lists ONNX ops that have a CPU kernel but deliberately no
// converter, each with the reason.
// layerKindTable is the reason of ops whose TensorRT layers are new layer
// kinds, which wait for the one declaration of layer kinds and rules.
const layerKindTable = "its TensorRT layers are new layer kinds, to be added once the layer-kind table lands"

const qlinearReason = "TensorRT takes quantized networks as Q/DQ graphs (QuantizeLinear/DequantizeLinear around float ops), not as integer ops"

const bitwiseReason = "TensorRT's ElementWise kAND/kOR/kXOR take bool only; it has no integer bit operations"

var noConverter = map[string]string{
	"onnx.DynamicQuantizeLinear": "its scale and zero point come from a data-dependent global min/max, which needs a " +
		"Reduce over every dim and a scalar-to-shape broadcast per run; not converted yet",
	"onnx.NonMaxSuppression": layerKindTable + " (INMSLayer)",
	"onnx.BitwiseAnd":        bitwiseReason,
	"onnx.BitwiseOr":         bitwiseReason,
	"onnx.BitwiseXor":        bitwiseReason,
	"onnx.BitwiseNot":        bitwiseReason,
	"onnx.BitShift":          bitwiseReason,
	"onnx.BitCast":           "no TensorRT layer reinterprets bits (ICastLayer converts values)",
	"onnx.Compress":          layerKindTable + " (INonZeroLayer, then Gather): the output size depends on the data",
	"onnx.MatMulInteger":     qlinearReason,
	"onnx.ConvInteger":       qlinearReason,
	"onnx.QLinearMatMul":     qlinearReason,
	"onnx.QLinearConv":       qlinearReason,
	"onnx.NonZero":           layerKindTable + " (INonZeroLayer)",
	"onnx.Unique":            "the output size depends on the data and TensorRT has no unique/sort-by-key layer",
	"onnx.MaxUnpool":         "a converter (Scatter of X at I into a Fill of zeros) is not written yet",
}

// Every ONNX op trtc can run has a converter or a stated reason not to.
func TestEveryOpHasConverterOrReason(t *testing.T) {
	convtest.CheckConverterOrReason(t, "onnx.", onnx.Register, noConverter)
}
