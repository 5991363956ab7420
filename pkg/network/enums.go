package network

// Enum values are TensorRT's (NvInferRuntimeBase.h / NvInfer.h, 10.x and
// 11.x); the cgo backend passes them through unchanged. Each type's String
// (TensorRT's enumerator name) and its Num* count are generated from these
// constants into enumnames_gen.go (make tables), and cgo/tensorrt/enumcheck.h
// asserts every value against TensorRT's headers.

// ElementWiseOperation is nvinfer1::ElementWiseOperation.
type ElementWiseOperation int32

const (
	ElementWiseSUM       ElementWiseOperation = 0
	ElementWisePROD      ElementWiseOperation = 1
	ElementWiseMAX       ElementWiseOperation = 2
	ElementWiseMIN       ElementWiseOperation = 3
	ElementWiseSUB       ElementWiseOperation = 4
	ElementWiseDIV       ElementWiseOperation = 5
	ElementWisePOW       ElementWiseOperation = 6
	ElementWiseFLOOR_DIV ElementWiseOperation = 7
	ElementWiseAND       ElementWiseOperation = 8
	ElementWiseOR        ElementWiseOperation = 9
	ElementWiseXOR       ElementWiseOperation = 10
	ElementWiseEQUAL     ElementWiseOperation = 11
	ElementWiseGREATER   ElementWiseOperation = 12
	ElementWiseLESS      ElementWiseOperation = 13
)

// ActivationType is nvinfer1::ActivationType.
type ActivationType int32

const (
	ActivationRELU             ActivationType = 0
	ActivationSIGMOID          ActivationType = 1
	ActivationTANH             ActivationType = 2
	ActivationLEAKY_RELU       ActivationType = 3
	ActivationELU              ActivationType = 4
	ActivationSELU             ActivationType = 5
	ActivationSOFTSIGN         ActivationType = 6
	ActivationSOFTPLUS         ActivationType = 7
	ActivationCLIP             ActivationType = 8
	ActivationHARD_SIGMOID     ActivationType = 9
	ActivationSCALED_TANH      ActivationType = 10
	ActivationTHRESHOLDED_RELU ActivationType = 11
	ActivationGELU_ERF         ActivationType = 12
	ActivationGELU_TANH        ActivationType = 13
)

// UnaryOperation is nvinfer1::UnaryOperation.
type UnaryOperation int32

const (
	UnaryEXP   UnaryOperation = 0
	UnaryLOG   UnaryOperation = 1
	UnarySQRT  UnaryOperation = 2
	UnaryRECIP UnaryOperation = 3
	UnaryABS   UnaryOperation = 4
	UnaryNEG   UnaryOperation = 5
	UnarySIN   UnaryOperation = 6
	UnaryCOS   UnaryOperation = 7
	UnaryTAN   UnaryOperation = 8
	UnarySINH  UnaryOperation = 9
	UnaryCOSH  UnaryOperation = 10
	UnaryASIN  UnaryOperation = 11
	UnaryACOS  UnaryOperation = 12
	UnaryATAN  UnaryOperation = 13
	UnaryASINH UnaryOperation = 14
	UnaryACOSH UnaryOperation = 15
	UnaryATANH UnaryOperation = 16
	UnaryCEIL  UnaryOperation = 17
	UnaryFLOOR UnaryOperation = 18
	UnaryERF   UnaryOperation = 19
	UnaryNOT   UnaryOperation = 20
	UnarySIGN  UnaryOperation = 21
	UnaryROUND UnaryOperation = 22
	UnaryISINF UnaryOperation = 23
	UnaryISNAN UnaryOperation = 24
)

// ReduceOperation is nvinfer1::ReduceOperation.
type ReduceOperation int32

const (
	ReduceSUM  ReduceOperation = 0
	ReducePROD ReduceOperation = 1
	ReduceMAX  ReduceOperation = 2
	ReduceMIN  ReduceOperation = 3
	ReduceAVG  ReduceOperation = 4
)

// PoolingType is nvinfer1::PoolingType.
type PoolingType int32

const (
	PoolingMAX               PoolingType = 0
	PoolingAVERAGE           PoolingType = 1
	PoolingMAX_AVERAGE_BLEND PoolingType = 2
)

// MatrixOperation is nvinfer1::MatrixOperation.
type MatrixOperation int32

const (
	MatrixNONE      MatrixOperation = 0
	MatrixTRANSPOSE MatrixOperation = 1
	MatrixVECTOR    MatrixOperation = 2
)

// GatherMode is nvinfer1::GatherMode.
type GatherMode int32

const (
	GatherDEFAULT GatherMode = 0
	GatherELEMENT GatherMode = 1
	GatherND      GatherMode = 2
)

// SampleMode is nvinfer1::SampleMode (slice out-of-bounds behaviour).
type SampleMode int32

const (
	SampleSTRICT_BOUNDS SampleMode = 0
	SampleWRAP          SampleMode = 1
	SampleCLAMP         SampleMode = 2
	SampleFILL          SampleMode = 3
	SampleREFLECT       SampleMode = 4
)

// FillOperation is nvinfer1::FillOperation.
type FillOperation int32

const (
	FillLINSPACE       FillOperation = 0
	FillRANDOM_UNIFORM FillOperation = 1
	FillRANDOM_NORMAL  FillOperation = 2
)

// CumulativeOperation is nvinfer1::CumulativeOperation.
type CumulativeOperation int32

const CumulativeSUM CumulativeOperation = 0

// TopKOperation is nvinfer1::TopKOperation.
type TopKOperation int32

const (
	TopKMAX TopKOperation = 0
	TopKMIN TopKOperation = 1
)

// InterpolationMode is nvinfer1::InterpolationMode (ResizeMode before
// TensorRT 10).
type InterpolationMode int32

const (
	InterpolationNEAREST InterpolationMode = 0
	InterpolationLINEAR  InterpolationMode = 1
	InterpolationCUBIC   InterpolationMode = 2
)

// ResizeCoordinateTransformation is nvinfer1::ResizeCoordinateTransformation.
type ResizeCoordinateTransformation int32

const (
	ResizeALIGN_CORNERS ResizeCoordinateTransformation = 0
	ResizeASYMMETRIC    ResizeCoordinateTransformation = 1
	ResizeHALF_PIXEL    ResizeCoordinateTransformation = 2
)

// ResizeSelector is nvinfer1::ResizeSelector: how an output dim of 1 picks
// its input coordinate.
type ResizeSelector int32

const (
	ResizeSelectorFORMULA ResizeSelector = 0
	ResizeSelectorUPPER   ResizeSelector = 1
)

// ResizeRoundMode is nvinfer1::ResizeRoundMode (nearest neighbour).
type ResizeRoundMode int32

const (
	ResizeRoundHALF_UP   ResizeRoundMode = 0
	ResizeRoundHALF_DOWN ResizeRoundMode = 1
	ResizeRoundFLOOR     ResizeRoundMode = 2
	ResizeRoundCEIL      ResizeRoundMode = 3
)

// ScatterMode is nvinfer1::ScatterMode.
type ScatterMode int32

const (
	ScatterELEMENT ScatterMode = 0
	ScatterND      ScatterMode = 1
)

// PaddingMode is nvinfer1::PaddingMode (convolution/pooling output size).
type PaddingMode int32

const (
	PaddingEXPLICIT_ROUND_DOWN PaddingMode = 0
	PaddingEXPLICIT_ROUND_UP   PaddingMode = 1
	PaddingSAME_UPPER          PaddingMode = 2
	PaddingSAME_LOWER          PaddingMode = 3
)

// TripLimit is nvinfer1::TripLimit: how a loop's ITripLimitLayer ends it.
type TripLimit int32

const (
	TripLimitCOUNT TripLimit = 0 // a 0-D Int32/Int64 trip count
	TripLimitWHILE TripLimit = 1 // a 0-D Bool: the loop runs while it is true
)

// LoopOutput is nvinfer1::LoopOutput: what an ILoopOutputLayer emits.
type LoopOutput int32

const (
	LoopOutputLAST_VALUE  LoopOutput = 0
	LoopOutputCONCATENATE LoopOutput = 1
	LoopOutputREVERSE     LoopOutput = 2
)
