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

const windowReason = "a window of constant size folds to a constant; a size computed at run time needs a Fill with a runtime count, not converted yet"

var noConverter = map[string]string{
	"onnx.CumProd": "TensorRT's Cumulative layer has only CumulativeOperation SUM (EnumMax is 1 in TensorRT 10 and 11); " +
		"a product through exp(cumsum(log|x|)) is neither exact nor defined for zeros and integers",
	"onnx.NonMaxSuppression":         layerKindTable + " (INMSLayer)",
	"onnx.BitwiseAnd":                bitwiseReason,
	"onnx.BitwiseOr":                 bitwiseReason,
	"onnx.BitwiseXor":                bitwiseReason,
	"onnx.BitwiseNot":                bitwiseReason,
	"onnx.BitShift":                  bitwiseReason,
	"onnx.BitCast":                   "no TensorRT layer reinterprets bits (ICastLayer converts values)",
	"onnx.Compress":                  layerKindTable + " (INonZeroLayer, then Gather): the output size depends on the data",
	"onnx.ReverseSequence":           layerKindTable + " (IReverseSequenceLayer)",
	"onnx.GridSample":                layerKindTable + " (IGridSampleLayer)",
	"onnx.ConvInteger":               qlinearReason,
	"onnx.LpPool":                    "a converter (Unary ABS, ElementWise POW, Pooling AVERAGE with padding counted, scaled by the window size, POW 1/p) is not written yet",
	"onnx.LRN":                       "a converter (ElementWise PROD, a channel-window sum as in onnx-tensorrt, POW, DIV) is not written yet",
	"onnx.AffineGrid":                "a converter (constant base grid, MatrixMultiply with theta) is not written yet; it folds when theta and size are constant",
	"onnx.CenterCropPad":             "a converter (Slice and Padding with offsets from the shape input) is not written yet",
	"onnx.NonZero":                   layerKindTable + " (INonZeroLayer)",
	"onnx.DFT":                       "TensorRT has no Fourier layer; a converter as a MatrixMultiply by a constant DFT matrix is not written yet",
	"onnx.Unique":                    "the output size depends on the data and TensorRT has no unique/sort-by-key layer",
	"onnx.MaxUnpool":                 "a converter (Scatter of X at I into a Fill of zeros) is not written yet",
	"onnx.Det":                       "TensorRT has no determinant or LU layer",
	"onnx.EyeLike":                   "its output depends only on the input's shape, so it folds to a constant wherever that shape is static",
	"onnx.Multinomial":               "TensorRT has no sampling layer (a cumulative sum and a search per draw); the seeded kernel runs it",
	"onnx.STFT":                      "TensorRT has no Fourier layer; framing, windowing and a MatrixMultiply by a constant DFT matrix are not written as a converter yet",
	"onnx.MelWeightMatrix":           "its output depends only on its (usually constant) scalar inputs, so it folds to a constant; with run-time inputs it needs loops TensorRT lacks",
	"onnx.HannWindow":                windowReason,
	"onnx.HammingWindow":             windowReason,
	"onnx.BlackmanWindow":            windowReason,
	"onnx.NegativeLogLikelihoodLoss": "a training loss: TensorRT has no loss layers and inference graphs rarely hold one",
	"onnx.SoftmaxCrossEntropyLoss":   "a training loss: TensorRT has no loss layers and inference graphs rarely hold one",
}

// Every ONNX op trtc can run has a converter or a stated reason not to.
func TestEveryOpHasConverterOrReason(t *testing.T) {
	convtest.CheckConverterOrReason(t, "onnx.", onnx.Register, noConverter)
}
