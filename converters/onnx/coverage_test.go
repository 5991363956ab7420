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

const qlinearReason = "an int32 convolution of uint8/int8 data with zero points has no TensorRT layer: TensorRT convolves in float, or quantized through symmetric Q/DQ layers (QLinearConv with symmetric int8 and constant weights converts that way)"

const bitwiseReason = "TensorRT's ElementWise kAND/kOR/kXOR take bool only; it has no integer bit operations"

var noConverter = map[string]string{
	"onnx.NonMaxSuppression": layerKindTable + " (INMSLayer)",
	"onnx.BitwiseAnd":        bitwiseReason,
	"onnx.BitwiseOr":         bitwiseReason,
	"onnx.BitwiseXor":        bitwiseReason,
	"onnx.BitwiseNot":        bitwiseReason,
	"onnx.BitShift":          bitwiseReason,
	"onnx.BitCast":           "no TensorRT layer reinterprets bits (ICastLayer converts values)",
	"onnx.Compress":          layerKindTable + " (INonZeroLayer, then Gather): the output size depends on the data",
	"onnx.ConvInteger":       qlinearReason,
	"onnx.NonZero":           layerKindTable + " (INonZeroLayer)",
	"onnx.Unique":            "the output size depends on the data and TensorRT has no unique/sort-by-key layer",
	"onnx.MaxUnpool":         "a converter (Scatter of X at I into a Fill of zeros) is not written yet",
	"onnx.Multinomial":       "TensorRT has no sampling layer (a cumulative sum and a search per draw); the seeded kernel runs it",
	"onnx.STFT":              "TensorRT has no Fourier layer; framing, windowing and a MatrixMultiply by a constant DFT matrix are not written as a converter yet",
	"onnx.MelWeightMatrix":   "its output depends only on its (usually constant) scalar inputs, so it folds to a constant; with run-time inputs it needs loops TensorRT lacks",
}

// Every ONNX op trtc can run has a converter or a stated reason not to.
func TestEveryOpHasConverterOrReason(t *testing.T) {
	convtest.CheckConverterOrReason(t, "onnx.", onnx.Register, noConverter)
}
