// Package kinddef is the one declaration of every TensorRT layer kind trtc
// builds and of the TensorRT rules each kind must meet: its inputs (which are
// optional, which are shape tensors, allowed dtypes, ranks), its outputs'
// dtypes, the further rules that depend on parameters (limits, axes), the
// TensorRT 10.x release that introduced the kind or a feature of it, and the
// header passage each rule comes from.
//
// It is data, in the manner of Go's cmd/compile/internal/ssa/_gen: `make
// tables` (cgo/tensorrt/internal/gentables) reads Kinds and writes
//
//   - pkg/network/kinds_gen.go: the LayerKind constants, network.Kinds and
//     each kind's TensorRT LayerType name and minimum version;
//   - pkg/backend/reference/rules_gen.go: the rule table the reference
//     backend enforces when a layer is added, and the gob registrations of
//     its parameter types;
//   - docs/backends.md: the kinds, their rules and sources, and how each
//     backend implements them.
//
// The generator refuses a kind without a reference implementation
// (registerKind in pkg/backend/reference), a kind whose Network methods are
// missing from network.Network, and a kind whose shim functions are not
// declared in cgo/tensorrt/shim.h and called by cgo/tensorrt/network.go.
// Every custom rule (Rule.Check) needs a check function in the reference
// backend and a test case there: tests refuse a rule without either.
//
// The package imports nothing of trtc, so the generator can read it before
// the code it generates compiles.
package kinddef

// Version is a TensorRT release, major.minor.
type Version struct{ Major, Minor int }

// Source is the header passage a rule comes from: the file under
// NVIDIA/TensorRT's include/ and a short quote of the rule's text.
type Source struct {
	File  string
	Quote string
}

// Input is one input of a layer kind, in setInput order.
type Input struct {
	Name string
	// Optional inputs may be absent (nil); a present one is checked.
	Optional bool
	// ShapeTensor: TensorRT needs the input's values at build time or as
	// a host-bound shape tensor (reshape dims, slice start/size, ...).
	ShapeTensor bool
	// DTypes are the allowed dtypes, by pkg/ir name (Float32, Int64, ...).
	DTypes []string
	// DTypeSource is where DTypes come from.
	DTypeSource Source
	// MinRank and MaxRank bound the input's rank when RankSource is set
	// (without it the rank is not bounded here). MaxRank 0 means no upper
	// bound, except with MinRank 0 too: then the input is a scalar.
	MinRank, MaxRank int
	// RankSource is where the rank bounds come from.
	RankSource Source
	// Since is the release that added this input (zero: the kind's).
	Since Version
	// Int64Since, where set, is the first release whose headers document
	// Int64 for this input (earlier ones say Int32 only); Int64Source
	// quotes it.
	Int64Since  Version
	Int64Source Source
	// Variadic: this input repeats (Concatenation's inputs).
	Variadic bool
}

// Output is one output of a layer kind whose dtype TensorRT restricts
// beyond what the layer's inputs and parameters already fix.
type Output struct {
	Name        string
	DTypes      []string
	DTypeSource Source
}

// Rule is a rule that depends on the layer's parameters or on several
// inputs. Check names the reference backend's function that enforces it
// (ruleChecks in pkg/backend/reference/rules.go).
type Rule struct {
	Check  string
	Text   string
	Source Source
	Since  Version
}

// Kind is one layer kind.
type Kind struct {
	// Name is trtc's name (the LayerKind value, first part of layer names).
	Name string
	// LayerType is TensorRT's LayerType enumerator without its "k".
	LayerType string
	// Since is the first TensorRT release with the kind.
	Since Version
	// Methods are the network.Network methods that add the kind.
	Methods []string
	// Shim are the cgo/tensorrt/shim.h functions those methods call.
	Shim []string
	// Params are the reference backend's parameter types of the kind (Go
	// expressions in package reference), registered with encoding/gob.
	Params  []string
	Inputs  []Input
	Outputs []Output
	Rules   []Rule
}

// Header files.
const (
	NvInfer     = "NvInfer.h"
	NvInferBase = "NvInferRuntimeBase.h"
	NvInferRT   = "NvInferRuntime.h"
)

// dtype sets, by pkg/ir name.
var (
	float       = []string{"Float32", "Float16", "BFloat16"}
	floatInt    = []string{"Float32", "Float16", "BFloat16", "Int32", "Int64"}
	indexTypes  = []string{"Int32", "Int64"}
	boolOnly    = []string{"Bool"}
	notUint8    = []string{"Float32", "Float16", "BFloat16", "Int8", "Int32", "Int64", "Bool"}
	castTypes   = []string{"Float32", "Float16", "BFloat16", "Int8", "Int32", "Int64", "Bool", "Uint8"}
	fillOutputs = []string{"Float32", "Float16", "Int32", "Int64"}
)

// Sources quoted by several kinds.
var (
	uint8Src = Source{NvInferBase, "Use the IdentityLayer to convert kUINT8 network-level inputs to {kFLOAT, kHALF} prior to use with other TensorRT layers"}
	int32Src = Source{NvInfer, "Int32 tensors are not valid input tensors."}
	ewSrc    = Source{NvInfer, "Operations kAND, kOR, and kXOR must have inputs of DataType::kBOOL. ... All other operations must have inputs of floating-point type, DataType::kINT8, DataType::kINT32, or DataType::kINT64."}
)

// Kinds is every layer kind, in LayerKind declaration order.
var Kinds = []Kind{
	{
		Name: "ElementWise", LayerType: "ELEMENTWISE", Since: Version{10, 0},
		Methods: []string{"AddElementWise"}, Shim: []string{"trtc_add_elementwise"},
		Params: []string{"elementWiseParams{}"},
		Inputs: []Input{
			{Name: "input1", DTypes: notUint8, DTypeSource: ewSrc},
			{Name: "input2", DTypes: notUint8, DTypeSource: ewSrc},
		},
		Rules: []Rule{
			{Check: "same_rank_and_type", Text: "both inputs have the same rank and dtype",
				Source: Source{NvInfer, "The input tensors must have the same rank and compatible type."}},
			{Check: "logical_bool", Text: "kAND, kOR and kXOR take Bool inputs; other operations do not",
				Source: ewSrc},
		},
	},
	{
		Name: "Activation", LayerType: "ACTIVATION", Since: Version{10, 0},
		Methods: []string{"AddActivation"}, Shim: []string{"trtc_add_activation"},
		Params: []string{"network.ActivationParams{}"},
		Inputs: []Input{{Name: "input", DTypes: floatInt, DTypeSource: Source{NvInfer, "Int32 and Int64 are valid only for activation type kRELU."}}},
		Rules: []Rule{
			{Check: "int_relu_only", Text: "Int32 and Int64 inputs only for kRELU",
				Source: Source{NvInfer, "Int32 and Int64 are valid only for activation type kRELU."}},
		},
	},
	{
		Name: "Unary", LayerType: "UNARY", Since: Version{10, 0},
		Methods: []string{"AddUnary"}, Shim: []string{"trtc_add_unary"},
		Params: []string{"unaryParams{}"},
		Inputs: []Input{{Name: "input", DTypes: []string{"Float32", "Float16", "BFloat16", "Int8", "Int32", "Int64", "Bool"}, DTypeSource: uint8Src}},
		Rules: []Rule{
			{Check: "unary_op_dtype", Text: "kNOT takes Bool; kABS and kSIGN take floating point, Int8, Int32 or Int64; every other operation (kNEG included) floating point only",
				Source: Source{NvInfer, "Operation kSIGN and kABS must have inputs of floating-point type, DataType::kINT8, DataType::kINT32 or DataType::kINT64. ... All other operations must have inputs of floating-point type."}},
			{Check: "unary_isnan_since", Text: "kISNAN needs TensorRT 10.1",
				Source: Source{NvInfer, "kISNAN = 24, //!< Return true if input value is a NaN for floating-point data type."}, Since: Version{10, 1}},
		},
	},
	{
		Name: "Constant", LayerType: "CONSTANT", Since: Version{10, 0},
		Methods: []string{"AddConstant"}, Shim: []string{"trtc_add_constant"},
		Params: []string{"constantParams{}"},
		// Float8E4M3FN: kFP8 weights (one byte each), the quantized weights
		// of a dequantize layer. kINT4 weights are packed two to a byte,
		// which the shim does not write.
		Outputs: []Output{{Name: "output", DTypes: []string{"Float32", "Float16", "BFloat16", "Int8", "Int32", "Int64", "Bool", "Float8E4M3FN"}, DTypeSource: Source{NvInfer, "DataType::kUINT8 not supported."}}},
	},
	{
		Name: "MatrixMultiply", LayerType: "MATRIX_MULTIPLY", Since: Version{10, 0},
		Methods: []string{"AddMatrixMultiply"}, Shim: []string{"trtc_add_matrix_multiply"},
		Params: []string{"matMulParams{}"},
		Inputs: []Input{
			{Name: "input0", DTypes: float, DTypeSource: int32Src},
			{Name: "input1", DTypes: float, DTypeSource: int32Src},
		},
	},
	{
		Name: "Convolution", LayerType: "CONVOLUTION", Since: Version{10, 0},
		Methods: []string{"AddConvolutionNd"}, Shim: []string{"trtc_add_convolution"},
		Params: []string{"network.ConvolutionParams{}"},
		Inputs: []Input{
			{Name: "input", DTypes: float, DTypeSource: int32Src,
				MinRank: 4, MaxRank: 5, RankSource: Source{NvInfer, "Only 2D or 3D convolution is supported."}},
			// setInput(1): the kernel as a tensor (dequantized weights).
			{Name: "kernel", Optional: true, DTypes: float, DTypeSource: Source{NvInfer, "Input 1 is the kernel tensor. If used, the kernel weights parameter must be set to empty weights."}},
		},
		Rules: []Rule{
			{Check: "static_channels", Text: "the channel dim (1) of the input is a build-time constant",
				Source: Source{NvInfer, "It is an error to specify a wildcard value for the 'C' dimension of the input tensor."}},
			{Check: "conv_kernel_const", Text: "a kernel tensor (input 1) has build-time values (constant weights, through a dequantize layer in a quantized network), of the input's dtype; trtc's reading: TensorRT's convolutions take weights, and a kernel input in explicit quantization",
				Source: Source{NvInfer, "Input 1 is the kernel tensor."}},
		},
	},
	{
		Name: "Pooling", LayerType: "POOLING", Since: Version{10, 0},
		Methods: []string{"AddPoolingNd"}, Shim: []string{"trtc_add_pooling"},
		Params: []string{"network.PoolingParams{}"},
		Inputs: []Input{{Name: "input", DTypes: float, DTypeSource: int32Src,
			MinRank: 4, MaxRank: 5, RankSource: Source{NvInfer, "Only 2D or 3D pooling is supported."}}},
	},
	{
		Name: "Shuffle", LayerType: "SHUFFLE", Since: Version{10, 0},
		Methods: []string{"AddShuffle"}, Shim: []string{"trtc_add_shuffle"},
		Params: []string{"shuffleParams{}"},
		Inputs: []Input{
			{Name: "input", DTypes: notUint8, DTypeSource: uint8Src},
			{Name: "reshape_dims", Optional: true, ShapeTensor: true, DTypes: indexTypes,
				DTypeSource: Source{NvInfer, "The layer has an optional second input. If present, it must be a 1D"},
				MinRank:     1, MaxRank: 1, RankSource: Source{NvInfer, "The layer has an optional second input. If present, it must be a 1D"},
				Int64Since: Version{10, 4}, Int64Source: Source{NvInfer, "If present, it must be a 1D tensor of type Int32 or Int64"}},
		},
	},
	{
		Name: "Reduce", LayerType: "REDUCE", Since: Version{10, 0},
		Methods: []string{"AddReduce"}, Shim: []string{"trtc_add_reduce"},
		Params: []string{"reduceParams{}"},
		Inputs: []Input{{Name: "input", DTypes: floatInt, DTypeSource: uint8Src}},
		Rules: []Rule{
			{Check: "axes_in_rank", Text: "the axes mask names dims of the input only",
				Source: Source{NvInfer, "The bit in position i of bitmask reduceAxes corresponds to explicit dimension i"}},
		},
	},
	{
		Name: "SoftMax", LayerType: "SOFTMAX", Since: Version{10, 0},
		Methods: []string{"AddSoftMax"}, Shim: []string{"trtc_add_softmax"},
		Params: []string{"softMaxParams{}"},
		Inputs: []Input{{Name: "input", DTypes: float, DTypeSource: int32Src}},
		Rules: []Rule{
			{Check: "softmax_one_axis", Text: "the axes mask has exactly one bit, a dim of the input",
				Source: Source{NvInfer, "Set the axis along which softmax is computed. Currently, only one axis can be set."}},
		},
	},
	{
		Name: "Concatenation", LayerType: "CONCATENATION", Since: Version{10, 0},
		Methods: []string{"AddConcatenation"}, Shim: []string{"trtc_add_concatenation"},
		Params: []string{"concatParams{}"},
		Inputs: []Input{{Name: "inputs", Variadic: true, DTypes: notUint8, DTypeSource: uint8Src}},
		Rules: []Rule{
			{Check: "concat_same_dims", Text: "every input has the same dtype, rank and dims except along the axis",
				Source: Source{NvInfer, "All tensors must have the same dimensions except along the concatenation axis."}},
		},
	},
	{
		Name: "Slice", LayerType: "SLICE", Since: Version{10, 0},
		Methods: []string{"AddSlice"}, Shim: []string{"trtc_add_slice"},
		Params: []string{"network.SliceParams{}"},
		Inputs: []Input{
			{Name: "input", DTypes: notUint8, DTypeSource: uint8Src},
			{Name: "start", Optional: true, ShapeTensor: true, DTypes: indexTypes, DTypeSource: Source{NvInfer, "1: The start tensor to begin slicing, as a 1D"}, MinRank: 1, MaxRank: 1, RankSource: Source{NvInfer, "1: The start tensor to begin slicing, as a 1D"}, Int64Since: Version{10, 4}, Int64Source: Source{NvInfer, "1: The start tensor to begin slicing, as a 1D tensor of type Int32 or Int64."}},
			{Name: "size", Optional: true, ShapeTensor: true, DTypes: indexTypes, DTypeSource: Source{NvInfer, "2: The size tensor of the resulting slice, as a 1D"}, MinRank: 1, MaxRank: 1, RankSource: Source{NvInfer, "2: The size tensor of the resulting slice, as a 1D"}, Int64Since: Version{10, 4}, Int64Source: Source{NvInfer, "2: The size tensor of the resulting slice, as a 1D tensor of type Int32 or Int64."}},
			{Name: "stride", Optional: true, ShapeTensor: true, DTypes: indexTypes, DTypeSource: Source{NvInfer, "3: The stride of the slicing operation, as a 1D"}, MinRank: 1, MaxRank: 1, RankSource: Source{NvInfer, "3: The stride of the slicing operation, as a 1D"}, Int64Since: Version{10, 4}, Int64Source: Source{NvInfer, "3: The stride of the slicing operation, as a 1D tensor of type Int32 or Int64."}},
			{Name: "fill", Optional: true, DTypes: notUint8, DTypeSource: Source{NvInfer, "4: Value for the kFILL slice mode. The fill value data type should either be the same or be implicitly convertible to the input data type."}},
			{Name: "axes", Optional: true, ShapeTensor: true, DTypes: indexTypes, DTypeSource: Source{NvInfer, "5: The axes tensor indicating the corresponding axes that start, size, and stride should apply to, as a 1D tensor or type Int32 or Int64."}, MinRank: 1, MaxRank: 1, RankSource: Source{NvInfer, "as a 1D tensor of type Int32 or Int64"}, Since: Version{10, 3}},
		},
	},
	{
		Name: "Gather", LayerType: "GATHER", Since: Version{10, 0},
		Methods: []string{"AddGather", "AddGatherND"}, Shim: []string{"trtc_add_gather", "trtc_add_gather_nd"},
		Params: []string{"gatherParams{}"},
		Inputs: []Input{
			{Name: "data", DTypes: notUint8, DTypeSource: uint8Src, MinRank: 1, RankSource: Source{NvInfer, "Data is a tensor of rank r >= 1"}},
			{Name: "indices", DTypes: indexTypes, DTypeSource: Source{NvInfer, "The types of Data and Output must be the same, and Indices shall be DataType::kINT32 or DataType::kINT64."}},
		},
		Rules: []Rule{
			{Check: "gather_elementwise_dims", Text: "kND: 0 <= nbElementWiseDims < rank(data)-1... kELEMENT: nbElementWiseDims = 0",
				Source: Source{NvInfer, "GatherMode::kND:      0 <= nbElementWiseDims < rank(Data)-1."}},
		},
	},
	{
		Name: "Select", LayerType: "SELECT", Since: Version{10, 0},
		Methods: []string{"AddSelect"}, Shim: []string{"trtc_add_select"},
		Inputs: []Input{
			{Name: "condition", DTypes: boolOnly, DTypeSource: Source{NvInfer, "condition The condition tensor to the layer. Must have type DataType::kBOOL."}},
			{Name: "then", DTypes: notUint8, DTypeSource: uint8Src},
			{Name: "else", DTypes: notUint8, DTypeSource: uint8Src},
		},
		Rules: []Rule{
			{Check: "select_same_rank", Text: "the three inputs share one rank; then and else one dtype",
				Source: Source{NvInfer, "All three input tensors must have the same rank, and along each axis"}},
		},
	},
	{
		Name: "Cast", LayerType: "CAST", Since: Version{10, 0},
		Methods: []string{"AddCast"}, Shim: []string{"trtc_add_cast"},
		Params: []string{"castParams{}"},
		Inputs: []Input{{Name: "input", DTypes: castTypes, DTypeSource: Source{NvInfer, "toType The DataType of the output tensor"}}},
		Rules: []Rule{
			{Check: "uint8_float_only", Text: "a cast from or to Uint8 has Float32 or Float16 on the other side",
				Source: Source{NvInferBase, "kUINT8 conversions are only supported for {kFLOAT, kHALF}."}},
		},
	},
	{
		Name: "Identity", LayerType: "IDENTITY", Since: Version{10, 0},
		Methods: []string{"AddIdentity"}, Shim: []string{"trtc_add_identity"},
		Inputs: []Input{{Name: "input", DTypes: castTypes, DTypeSource: Source{NvInfer, "A layer that represents the identity function."}}},
	},
	{
		Name: "Normalization", LayerType: "NORMALIZATION", Since: Version{10, 0},
		Methods: []string{"AddNormalization"}, Shim: []string{"trtc_add_normalization"},
		Params: []string{"normParams{}"},
		Inputs: []Input{
			{Name: "input", DTypes: float, DTypeSource: int32Src},
			{Name: "scale", DTypes: float, DTypeSource: int32Src},
			{Name: "bias", DTypes: float, DTypeSource: int32Src},
		},
		Rules: []Rule{
			{Check: "norm_scale_bias", Text: "scale and bias have the same shape and the input's rank",
				Source: Source{NvInfer, `must have the same rank and be unidirectionally broadcastable to the shape of \p input.`}},
		},
	},
	{
		Name: "Shape", LayerType: "SHAPE", Since: Version{10, 0},
		Methods: []string{"AddShape"}, Shim: []string{"trtc_add_shape"},
		Inputs: []Input{{Name: "input", DTypes: castTypes, DTypeSource: Source{NvInfer, "Add a shape layer to the network."}}},
	},
	{
		Name: "Fill", LayerType: "FILL", Since: Version{10, 0},
		Methods: []string{"AddFill"}, Shim: []string{"trtc_add_fill"},
		Params: []string{"network.FillParams{}"},
		Inputs: []Input{
			{Name: "dimensions", Optional: true, ShapeTensor: true, DTypes: indexTypes, DTypeSource: Source{NvInfer, "If the Dimensions input is provided, it must be a 1D tensor of type Int32 or Int64 whose length is computable by constant folding."}, MinRank: 1, MaxRank: 1, RankSource: Source{NvInfer, "it must be a 1D tensor of type Int32 or Int64"}},
			{Name: "alpha", Optional: true, DTypes: fillOutputs, DTypeSource: Source{NvInfer, "must be DataType::kFLOAT, DataType::kHALF, DataType::kINT32, or DataType::kINT64"}},
			{Name: "beta", Optional: true, DTypes: fillOutputs, DTypeSource: Source{NvInfer, "must be DataType::kFLOAT, DataType::kHALF, DataType::kINT32, or DataType::kINT64"}},
		},
		Rules: []Rule{
			{Check: "linspace_static_rank1", Text: "kLINSPACE with static alpha/beta fills a 1-D tensor",
				Source: Source{NvInfer, "For FillOperation::kLINSPACE, dimensions.nbDims must be 1 for static start/delta."}},
			{Check: "static_alpha_exact", Text: "static alpha/beta are doubles: an Int64 fill whose start or delta is past 2^53 passes them as tensors",
				Source: Source{NvInfer, "void setAlpha(double alpha) noexcept"}},
		},
	},
	{
		Name: "Cumulative", LayerType: "CUMULATIVE", Since: Version{10, 8},
		Methods: []string{"AddCumulative"}, Shim: []string{"trtc_add_cumulative"},
		Params: []string{"cumulativeParams{}"},
		Inputs: []Input{
			{Name: "input", DTypes: floatInt, DTypeSource: uint8Src},
			{Name: "axis", ShapeTensor: true, DTypes: indexTypes, DTypeSource: Source{NvInfer, "it must be a build-time constant 0D shape tensor"},
				MinRank: 0, MaxRank: 0, RankSource: Source{NvInfer, "it must be a build-time constant 0D shape tensor"}},
		},
		Rules: []Rule{
			{Check: "cumulative_axis_const", Text: "the axis is a build-time constant in [-rank, rank-1]",
				Source: Source{NvInfer, "Currently, it must be a build-time constant 0D shape tensor and must be in the range [-rank(input), rank(input)-1]."}},
		},
	},
	{
		Name: "TopK", LayerType: "TOPK", Since: Version{10, 0},
		Methods: []string{"AddTopK"}, Shim: []string{"trtc_add_topk"},
		Params: []string{"topKParams{}"},
		Inputs: []Input{{Name: "input", DTypes: floatInt, DTypeSource: uint8Src}},
		Rules: []Rule{
			{Check: "topk_k_limit", Text: "1 <= K <= 3840",
				Source: Source{NvInfer, "Currently only values of K up to 3840 are supported."}},
			{Check: "topk_last_four_axes", Text: "exactly one reduce axis, one of the last four dims",
				Source: Source{NvInfer, "Currently reduceAxes must specify exactly one dimension, and it must be one of the last four dimensions."}},
		},
	},
	{
		Name: "Resize", LayerType: "RESIZE", Since: Version{10, 0},
		Methods: []string{"AddResize"}, Shim: []string{"trtc_add_resize"},
		Params: []string{"network.ResizeParams{}"},
		Inputs: []Input{
			{Name: "input", DTypes: float, DTypeSource: int32Src},
			{Name: "output_dims", Optional: true, ShapeTensor: true, DTypes: indexTypes, DTypeSource: Source{NvInfer, "1: The output dimensions, as a 1D"}, MinRank: 1, MaxRank: 1, RankSource: Source{NvInfer, "1: The output dimensions, as a 1D"}, Int64Since: Version{10, 4}, Int64Source: Source{NvInfer, "1: The output dimensions, as a 1D tensor of type Int32 or Int64."}},
		},
		Rules: []Rule{
			{Check: "resize_dims_by_mode", Text: "kNEAREST resizes at most the last 8 dims, kLINEAR the last 3, kCUBIC the last 2",
				Source: Source{NvInfer, "dimensions of N-D, where 0 < m <= min(8, N) and N > 0 ... dimensions of N-D, where 0 < m <= min(3, N) and N > 0 ... kCUBIC = 2 //!< Supports bicubic (2D) interpolation"}},
		},
	},
	{
		Name: "Deconvolution", LayerType: "DECONVOLUTION", Since: Version{10, 0},
		Methods: []string{"AddDeconvolutionNd"}, Shim: []string{"trtc_add_deconvolution"},
		Params: []string{"network.DeconvolutionParams{}"},
		Inputs: []Input{{Name: "input", DTypes: float, DTypeSource: int32Src,
			MinRank: 4, MaxRank: 5, RankSource: Source{NvInfer, "Only 2D or 3D deconvolution is supported."}}},
		Rules: []Rule{
			{Check: "static_channels", Text: "the channel dim (1) of the input is a build-time constant",
				Source: Source{NvInfer, "It is an error to specify a wildcard value for the 'C' dimension of the input tensor."}},
		},
	},
	{
		Name: "Einsum", LayerType: "EINSUM", Since: Version{10, 0},
		Methods: []string{"AddEinsum"}, Shim: []string{"trtc_add_einsum"},
		Params: []string{"einsumParams{}"},
		Inputs: []Input{{Name: "inputs", Variadic: true, DTypes: []string{"Float32", "Float16"},
			DTypeSource: Source{NvInfer, "All the inputs must have type DataType::kFLOAT or DataType::kHALF, not necessarily the same."}}},
		Rules: []Rule{
			{Check: "einsum_equation", Text: "the equation has one term per input, of lower-case ASCII labels (and \"...\"), one label per dim",
				Source: Source{NvInfer, "The equation specifies ASCII lower-case letters for each dimension in the inputs in the same order as the dimensions, separated by comma for each input."}},
		},
	},
	{
		Name: "OneHot", LayerType: "ONE_HOT", Since: Version{10, 0},
		Methods: []string{"AddOneHot"}, Shim: []string{"trtc_add_onehot"},
		Params: []string{"oneHotParams{}"},
		Inputs: []Input{
			{Name: "indices", DTypes: []string{"Int32"}, DTypeSource: Source{NvInfer, "Indices is an Int32 tensor that determines which locations in Output to set as on_value."}},
			{Name: "values", DTypes: notUint8, DTypeSource: uint8Src,
				MinRank: 1, MaxRank: 1, RankSource: Source{NvInfer, "Values is a two-element (rank=1) tensor that consists of [off_value, on_value]"}},
			{Name: "depth", ShapeTensor: true, DTypes: indexTypes, DTypeSource: Source{NvInfer, "which contains the depth (number of classes) of the one-hot encoding."},
				MinRank: 0, MaxRank: 0, RankSource: Source{NvInfer, "which contains the depth (number of classes) of the one-hot encoding."},
				Int64Since: Version{10, 4}, Int64Source: Source{NvInfer, "Depth is an 0D tensor of type Int32 or Int64"}},
		},
		Rules: []Rule{
			{Check: "onehot_values_two", Text: "values holds exactly two elements, [off, on]",
				Source: Source{NvInfer, "Values is a two-element (rank=1) tensor that consists of [off_value, on_value]"}},
			{Check: "onehot_depth_const", Text: "depth is a positive build-time constant",
				Source: Source{NvInfer, "The depth tensor must be a"}},
			{Check: "onehot_axis", Text: "-rank(indices)-1 <= axis <= rank(indices)",
				Source: Source{NvInfer, "Valid range for axis is -rank(indices)-1 <= axis <= rank(indices)."}},
		},
	},
	{
		// The header gives shapes but no dtypes; the layer rotates
		// floating-point activations (the converters use it for float
		// inputs only), so the table takes the float types.
		Name: "RotaryEmbedding", LayerType: "ROTARY_EMBEDDING", Since: Version{10, 15},
		Methods: []string{"AddRotaryEmbedding"}, Shim: []string{"trtc_add_rotary_embedding"},
		Params: []string{"rotaryParams{}"},
		Inputs: []Input{
			{Name: "input", DTypes: float, DTypeSource: Source{NvInfer, "The RotaryEmbedding layer applies RoPE to the"},
				MinRank: 4, MaxRank: 4, RankSource: Source{NvInfer, "The shape must be (batchSize, numHeads, sequenceLength, headSize)."}},
			{Name: "cos_cache", DTypes: float, DTypeSource: Source{NvInfer, "The cosine cache tensor for use in RoPE computation."},
				MinRank: 2, MaxRank: 3, RankSource: Source{NvInfer, "must have shape (batchSize, sequenceLength, headSize / 2) if"}},
			{Name: "sin_cache", DTypes: float, DTypeSource: Source{NvInfer, "The sine cache tensor for use in RoPE computation."},
				MinRank: 2, MaxRank: 3, RankSource: Source{NvInfer, "must have shape (maxPositionId+1, headSize / 2) if"}},
			{Name: "position_ids", Optional: true, DTypes: indexTypes, DTypeSource: Source{NvInfer, "which is used for indexing into the cosine and sine caches."},
				MinRank: 2, MaxRank: 2, RankSource: Source{NvInfer, "must have shape (batchSize, sequenceLength)."}},
		},
		Rules: []Rule{
			{Check: "rotary_dim", Text: "rotaryEmbeddingDim is 0 (the head size, which must be even) or even and at most the head size",
				Source: Source{NvInfer, "Must be non-negative and even."}},
			{Check: "rotary_cache_shape", Text: "without position ids the caches are [batch, sequence, R/2]; with them [maxPositionId+1, R/2] (R: rotaryEmbeddingDim, or the head size when 0)",
				Source: Source{NvInfer, "must have shape (batchSize, sequenceLength, headSize / 2) if"}},
		},
	},
	{
		// The plugin decides which dtypes it takes (IPluginV3OneBuild::
		// supportsFormatCombination); trtc passes any dtype it holds and
		// TensorRT refuses what the plugin does not support.
		Name: "PluginV3", LayerType: "PLUGIN_V3", Since: Version{10, 0},
		Methods: []string{"AddPluginV3"}, Shim: []string{"trtc_add_plugin_v3"},
		Params: []string{"pluginV3Params{}"},
		Inputs: []Input{{Name: "inputs", Variadic: true, DTypes: castTypes,
			DTypeSource: Source{NvInferRT, "Return true if plugin supports the format and datatype for the input/output indexed by pos."}}},
	},
	{
		Name: "Scatter", LayerType: "SCATTER", Since: Version{10, 0},
		Methods: []string{"AddScatter"}, Shim: []string{"trtc_add_scatter"},
		Params: []string{"scatterParams{}"},
		Inputs: []Input{
			{Name: "data", DTypes: notUint8, DTypeSource: uint8Src},
			{Name: "indices", DTypes: indexTypes, DTypeSource: Source{NvInfer, "The types of Data, Update, and Output shall be the same, and Indices shall be"}},
			{Name: "updates", DTypes: notUint8, DTypeSource: uint8Src},
		},
		Rules: []Rule{
			{Check: "scatter_same_type", Text: "updates have data's dtype",
				Source: Source{NvInfer, "The types of Data, Update, and Output shall be the same"}},
		},
	},
	// Loops (ILoop) and if-conditionals (IIfConditional): their boundary
	// layers. The structure rules that only a complete network shows (a
	// loop has a trip limit, every recurrence its input 1, a conditional
	// its condition) are checked when the reference backend builds
	// (pkg/backend/reference/layers_loop.go).
	{
		Name: "TripLimit", LayerType: "TRIP_LIMIT", Since: Version{10, 0},
		Methods: []string{"AddLoop", "AddTripLimit"}, Shim: []string{"trtc_add_loop", "trtc_add_trip_limit"},
		Params: []string{"tripLimitParams{}"},
		Inputs: []Input{{Name: "limit", DTypes: []string{"Int32", "Int64", "Bool"},
			DTypeSource: Source{NvInfer, "Tensor is a scalar of type kINT32 or kINT64 that contains the trip count."},
			MinRank:     0, MaxRank: 0, RankSource: Source{NvInfer, "Tensor is a scalar of type kBOOL. Loop terminates when value is false."}}},
		Rules: []Rule{
			{Check: "trip_limit_kind_dtype", Text: "a kCOUNT limit is Int32 or Int64, a kWHILE limit Bool",
				Source: Source{NvInfer, "kWHILE = 1  //!< Tensor is a scalar of type kBOOL. Loop terminates when value is false."}},
			{Check: "trip_limit_scope", Text: "at most one limit of each kind; kCOUNT computed before the loop, kWHILE in its body",
				Source: Source{NvInfer, "There may be at most one kCOUNT and one kWHILE limiter for a loop."}},
		},
	},
	{
		Name: "Recurrence", LayerType: "RECURRENCE", Since: Version{10, 0},
		Methods: []string{"AddRecurrence", "SetRecurrenceInput"}, Shim: []string{"trtc_add_recurrence", "trtc_set_recurrence_input"},
		Params: []string{"recurrenceParams{}"},
		Inputs: []Input{
			{Name: "initial", DTypes: notUint8, DTypeSource: uint8Src},
			{Name: "next", Optional: true, DTypes: notUint8, DTypeSource: uint8Src},
		},
		Rules: []Rule{
			{Check: "recurrence_initial_outside", Text: "input 0 comes from outside the loop",
				Source: Source{NvInfer, "The initial value of the output tensor. The value must come from outside the loop."}},
			{Check: "recurrence_next_dims", Text: "input 1 has input 0's dtype and dimensions and belongs to the same loop",
				Source: Source{NvInfer, "The value usually comes from inside the loop, and must have the same"}},
		},
	},
	{
		Name: "Iterator", LayerType: "ITERATOR", Since: Version{10, 0},
		Methods: []string{"AddIterator"}, Shim: []string{"trtc_add_iterator"},
		Params: []string{"iteratorParams{}"},
		Inputs: []Input{{Name: "input", DTypes: notUint8, DTypeSource: uint8Src,
			MinRank: 1, RankSource: Source{NvInfer, "For reverse=false, the layer is equivalent to addGather(tensor, I, 0) where I is a"}}},
		Rules: []Rule{
			{Check: "iterator_axis", Text: "0 <= axis < rank(input), and the input comes from outside the loop",
				Source: Source{NvInfer, "Set axis to iterate over."}},
		},
	},
	{
		Name: "LoopOutput", LayerType: "LOOP_OUTPUT", Since: Version{10, 0},
		Methods: []string{"AddLoopOutput"}, Shim: []string{"trtc_add_loop_output"},
		Params: []string{"loopOutputParams{}"},
		Inputs: []Input{
			{Name: "input", DTypes: notUint8, DTypeSource: uint8Src},
			{Name: "length", Optional: true, ShapeTensor: true, DTypes: indexTypes,
				DTypeSource: Source{NvInfer, "The concatenation length scalar value, must come from outside the loop, as a 0D"},
				MinRank:     0, MaxRank: 0, RankSource: Source{NvInfer, "The second input must be a 0D shape tensor, defined before the loop commences,"}},
		},
		Rules: []Rule{
			{Check: "loop_output_inside", Text: "input 0 is computed in the loop; the length comes from outside it",
				Source: Source{NvInfer, "The first input tensor must be defined inside the loop; the output tensor is outside the loop."}},
			{Check: "loop_output_kind", Text: "kLAST_VALUE takes one input, a recurrence of the same loop; kCONCATENATE and kREVERSE a length too, and 0 <= axis <= rank(input)",
				Source: Source{NvInfer, "If getLoopOutput() is kCONCATENATE or kREVERSE, a second input must be provided."}},
		},
	},
	{
		Name: "Condition", LayerType: "CONDITION", Since: Version{10, 0},
		Methods: []string{"AddIfConditional", "SetCondition"}, Shim: []string{"trtc_add_if_conditional", "trtc_set_condition"},
		Params: []string{"conditionParams{}"},
		Inputs: []Input{{Name: "condition", DTypes: boolOnly,
			DTypeSource: Source{NvInfer, "tensor must be a 0D execution tensor (scalar) with type DataType::kBOOL."},
			MinRank:     0, MaxRank: 0, RankSource: Source{NvInfer, "Condition is a 0D boolean tensor (representing a scalar)."}}},
		Rules: []Rule{
			{Check: "condition_once", Text: "one condition per conditional, computed outside it",
				Source: Source{NvInfer, "Set the condition tensor for this If-Conditional construct."}},
		},
	},
	{
		Name: "IfConditionalInput", LayerType: "CONDITIONAL_INPUT", Since: Version{10, 0},
		Methods: []string{"AddIfInput"}, Shim: []string{"trtc_add_if_input"},
		Params: []string{"condInputParams{}"},
		Inputs: []Input{{Name: "input", DTypes: notUint8, DTypeSource: uint8Src}},
		Rules: []Rule{
			{Check: "cond_input_outside", Text: "the input comes from outside the conditional",
				Source: Source{NvInfer, "An input to the conditional that can be used by either or both of the conditional"}},
		},
	},
	{
		Name: "IfConditionalOutput", LayerType: "CONDITIONAL_OUTPUT", Since: Version{10, 0},
		Methods: []string{"AddIfOutput"}, Shim: []string{"trtc_add_if_output"},
		Params: []string{"condOutputParams{}"},
		Inputs: []Input{
			{Name: "true_output", DTypes: notUint8, DTypeSource: uint8Src},
			{Name: "false_output", DTypes: notUint8, DTypeSource: uint8Src},
		},
		Rules: []Rule{
			{Check: "cond_output_match", Text: "both outputs have one dtype and rank, and equal dims where both are known at build time (the 10.0 header says shape, 11.1 rank), and are computed in the conditional",
				Source: Source{NvInfer, "Corresponding output tensors from the true/false subgraphs have the same type and"}},
		},
	},
}

// The quantized storage types TensorRT's Q/DQ layers produce and consume
// (kINT8, kFP8 = float8 e4m3, kINT4, kFP4 = float4 e2m1).
var (
	quantTypes = []string{"Int8", "Float8E4M3FN", "Int4", "Float4E2M1"}
	quantSrc   = Source{NvInfer, "IQuantizeLayer supports DataType::kINT8, DataType::kFP8, ... DataType::kINT4"}
	dequantSrc = Source{NvInfer, "IDequantizeLayer supports DataType::kINT8"}
	qScaleSrc  = Source{NvInfer, "The \\p scale value must be a scalar for per-tensor quantization"}
	qZeroSrc   = Source{NvInfer, "\\p zeroPt must only contain zero-valued coefficients, because only symmetric quantization is supported."}
	qAxisSrc   = Source{NvInfer, "Per-channel quantization is supported only for weight inputs."}
	qBlockSrc  = Source{NvInfer, "the shape of \\p scale tensor must match the shape of the input, except for"}
	qScaleCSrc = Source{NvInfer, "All \\p scale coefficients must have"}
	qFP4Src    = Source{NvInferBase, "kFP4 = 10,"}
	qScalarSrc = Source{NvInfer, "The input tensor for this layer must not be a scalar."}
)

// quantRules are the rules IQuantizeLayer and IDequantizeLayer share.
var quantRules = []Rule{
	{Check: "quant_scale_shape", Text: "scale is a scalar or one-element tensor (per tensor), 1-D as long as the axis (per channel), or of the input's rank (blocked); the zero point, if any, has the scale's shape",
		Source: qScaleSrc},
	{Check: "quant_scale_const", Text: "scale is a build-time constant with positive coefficients (TensorRT before 10.13; from 10.13 on only the zero point must be)",
		Source: qScaleCSrc},
	{Check: "quant_zero_point", Text: "the zero point, if present, is a build-time constant of only zeros, of the quantized dtype",
		Source: qZeroSrc},
	{Check: "quant_per_channel_weights", Text: "per-channel (de)quantization only of weights: an input that is a build-time constant",
		Source: qAxisSrc},
	{Check: "quant_block", Text: "blocked (de)quantization: Int4 only before TensorRT 11 (also Float8 and Float4 from 11.0), 2-D weights only before 10.8; the blocked dim is the last or second to last",
		Source: qBlockSrc},
	{Check: "quant_fp4_since", Text: "kFP4 needs TensorRT 10.8", Source: qFP4Src, Since: Version{10, 8}},
	{Check: "quant_not_scalar", Text: "the input is not a scalar", Source: qScalarSrc},
}

func init() {
	Kinds = append(Kinds,
		Kind{
			Name: "Quantize", LayerType: "QUANTIZE", Since: Version{10, 0},
			Methods: []string{"AddQuantize"}, Shim: []string{"trtc_add_quantize"},
			Params: []string{"quantizeParams{}"},
			Inputs: []Input{
				{Name: "input", DTypes: float, DTypeSource: Source{NvInfer, "input type, if constrained, must be constrained to DataType::kFLOAT, DataType::kHALF, or DataType::kBF16"}},
				{Name: "scale", DTypes: float, DTypeSource: Source{NvInfer, "IQuantizeLayer supports DataType::kFLOAT, DataType::kHALF, or DataType::kBF16 precision"}},
				{Name: "zero_point", Optional: true, DTypes: quantTypes, DTypeSource: Source{NvInfer, "Its data type must match the"}},
			},
			Outputs: []Output{{Name: "output", DTypes: quantTypes, DTypeSource: quantSrc}},
			Rules:   quantRules,
		},
		Kind{
			Name: "Dequantize", LayerType: "DEQUANTIZE", Since: Version{10, 0},
			Methods: []string{"AddDequantize"}, Shim: []string{"trtc_add_dequantize"},
			Params: []string{"quantizeParams{}"},
			Inputs: []Input{
				{Name: "input", DTypes: quantTypes, DTypeSource: dequantSrc},
				{Name: "scale", DTypes: float, DTypeSource: Source{NvInfer, "output type, if constrained, must be constrained to DataType::kFLOAT, DataType::kHALF, or DataType::kBF16"}},
				{Name: "zero_point", Optional: true, DTypes: quantTypes, DTypeSource: Source{NvInfer, "Its data type must be identical to"}},
			},
			Outputs: []Output{{Name: "output", DTypes: float, DTypeSource: Source{NvInfer, "output type, if constrained, must be constrained to DataType::kFLOAT, DataType::kHALF, or DataType::kBF16"}}},
			Rules:   quantRules,
		})
}
