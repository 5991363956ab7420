package network

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Tensor is an ITensor: a value flowing between layers. Dynamic dims are
// ir.Sym dims (TensorRT reports them as -1).
type Tensor interface {
	Name() string
	DType() ir.DType
	Shape() ir.Shape
}

// LayerKind names a layer type as TensorRT's LayerType does; it is the first
// part of every layer name.
type LayerKind string

// Version is a TensorRT release, major.minor.
type Version struct{ Major, Minor int }

// Less reports whether v is an earlier release than w.
func (v Version) Less(w Version) bool {
	return v.Major < w.Major || (v.Major == w.Major && v.Minor < w.Minor)
}

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// OldestVersion and NewestVersion bound the TensorRT releases trtc builds
// for: the oldest the shim supports, and the newest whose headers
// `make check-tensorrt` and `make check-rules` were run against. A compile
// with the reference backend targets NewestVersion unless told otherwise
// (`trtc compile --trt-version`); one with the TensorRT backend targets the
// loaded library.
var (
	OldestVersion = Version{10, 0}
	NewestVersion = Version{11, 1}
)

// ParseVersion reads "MAJOR.MINOR" or "MAJOR.MINOR.PATCH" (the patch, as in
// getInferLibVersion's "10.8.0", is dropped: rules and APIs change with
// minor releases).
func ParseVersion(s string) (Version, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("TensorRT version %q: want MAJOR.MINOR such as 10.8", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || v > 1000 {
			return Version{}, fmt.Errorf("TensorRT version %q: %q is not a release number", s, p)
		}
		n[i] = v
	}
	return Version{n[0], n[1]}, nil
}

// CheckTarget reports whether trtc can build for v: OldestVersion to
// NewestVersion.
func CheckTarget(v Version) error {
	if v.Less(OldestVersion) || NewestVersion.Less(v) {
		return fmt.Errorf("TensorRT %v is not supported: trtc builds for %v to %v", v, OldestVersion, NewestVersion)
	}
	return nil
}

// Since is the first TensorRT release with the kind (pkg/network/kinddef).
// The constants, Kinds and each kind's LayerType and Since are generated
// into kinds_gen.go from that declaration (make tables).
func (k LayerKind) Since() Version { return kindSince[k] }

// ActivationParams are IActivationLayer's alpha and beta (meaning per type,
// as TensorRT documents: LEAKY_RELU alpha=slope, CLIP alpha=min beta=max,
// HARD_SIGMOID alpha*x+beta clipped, ...).
type ActivationParams struct {
	Type        ActivationType
	Alpha, Beta float32
}

// ConvolutionParams are IConvolutionLayer's settings for N spatial dims.
type ConvolutionParams struct {
	NbOutputMaps int64
	KernelSize   []int64
	Kernel       *ir.Tensor // [K, C/groups, kernel...]
	// KernelT, when set (Kernel nil), is the kernel as a tensor
	// (setInput(1), empty kernel weights): TensorRT's form for quantized
	// weights, a constant of the low type through a dequantize layer. Its
	// values must be known at build time.
	KernelT     Tensor
	Bias        *ir.Tensor // [K] or nil
	Stride      []int64    // default 1s
	PrePadding  []int64    // default 0s
	PostPadding []int64    // default 0s
	Dilation    []int64    // default 1s
	NbGroups    int64      // default 1
}

// DeconvolutionParams are IDeconvolutionLayer's settings for N spatial
// dims (addDeconvolutionNd with setStrideNd, setPrePadding, setPostPadding,
// setDilationNd, setNbGroups). Kernel is [C, K/groups, kernel...], the
// transpose of a convolution's layout; each output spatial dim is
// (in-1)*stride + (kernel-1)*dilation + 1 - prePadding - postPadding.
type DeconvolutionParams struct {
	NbOutputMaps int64
	KernelSize   []int64
	Kernel       *ir.Tensor // [C, K/groups, kernel...]
	KernelT      Tensor     // unused: deconvolutions take kernel weights
	Bias         *ir.Tensor // [K] or nil
	Stride       []int64    // default 1s
	PrePadding   []int64    // default 0s
	PostPadding  []int64    // default 0s
	Dilation     []int64    // default 1s
	NbGroups     int64      // default 1
}

// PoolingParams are IPoolingLayer's settings for N spatial dims.
type PoolingParams struct {
	Type                        PoolingType
	WindowSize                  []int64
	Stride                      []int64 // default = WindowSize
	PrePadding, PostPadding     []int64
	PaddingMode                 PaddingMode
	AverageCountExcludesPadding bool
	BlendFactor                 float32
}

// ShuffleParams are IShuffleLayer's: transpose, reshape, transpose.
type ShuffleParams struct {
	FirstTranspose []int // nil = identity
	// Reshape gives static dims (0 copies the input dim when
	// ZeroIsPlaceholder, -1 is inferred); nil with ReshapeTensor nil means no
	// reshape.
	Reshape           []int64
	ReshapeTensor     Tensor // 1-D Int64 shape tensor (setInput(1, ...))
	ZeroIsPlaceholder bool
	SecondTranspose   []int
}

// SliceParams are ISliceLayer's. Static Start/Size/Stride, or tensors that
// override them (setInput(1..3)); Fill is the value for SampleFILL.
type SliceParams struct {
	Start, Size, Stride    []int64
	StartT, SizeT, StrideT Tensor
	Mode                   SampleMode
	Fill                   Tensor
	Axes                   Tensor // TensorRT 10.9+: setInput(5, axes)
}

// FillParams are IFillLayer's: a shape (static or a tensor), a dtype, and
// alpha/beta (LINSPACE start and delta, or tensors for them).
type FillParams struct {
	Op          FillOperation
	Dims        []int64
	DimsT       Tensor
	DType       ir.DType
	Alpha, Beta float64
	AlphaT      Tensor
	BetaT       Tensor
}

// QuantizeParams are IQuantizeLayer's and IDequantizeLayer's: the
// quantization axis (-1 for per tensor; for blocked quantization the
// blocked dim), the block shape (nil unless blocked: the input's rank, 1
// except the blocked dim's block size), and the output type (setToType):
// Int8, Float8E4M3FN (kFP8), Int4 or Float4E2M1 (kFP4) for Quantize,
// Float32, Float16 or BFloat16 for Dequantize.
type QuantizeParams struct {
	Axis       int
	BlockShape []int64
	ToType     ir.DType
}

// ResizeParams are IResizeLayer's. The output size is static OutputDims,
// a 1-D Int32/Int64 shape tensor OutputDimsT (setInput(1, ...)), or
// per-dim Scales (output dim = floor(input dim * scale)); exactly one is
// set. The coordinate transformation uses the scales when they are given,
// else output/input. Selector UPPER maps an output dim of 1 to input
// coordinate 0. NearestRounding applies to NEAREST; CubicCoeff (default
// -0.75 when 0) and ExcludeOutside to CUBIC.
type ResizeParams struct {
	Mode            InterpolationMode
	OutputDims      []int64
	OutputDimsT     Tensor
	Scales          []float32
	CoordTransform  ResizeCoordinateTransformation
	Selector        ResizeSelector
	NearestRounding ResizeRoundMode
	CubicCoeff      float32
	ExcludeOutside  bool
}

// Network is INetworkDefinition. See the package doc for error handling and
// layer naming. Axes masks are bit masks, bit i for dim i.
type Network interface {
	// BeginNode sets the scope for naming the layers that follow.
	BeginNode(op, node string)

	AddInput(name string, dt ir.DType, shape ir.Shape) Tensor
	MarkOutput(t Tensor, name string)

	AddElementWise(a, b Tensor, op ElementWiseOperation) Tensor
	AddActivation(x Tensor, p ActivationParams) Tensor
	AddUnary(x Tensor, op UnaryOperation) Tensor
	AddConstant(w *ir.Tensor) Tensor
	AddMatrixMultiply(a Tensor, opA MatrixOperation, b Tensor, opB MatrixOperation) Tensor
	AddConvolutionNd(x Tensor, p ConvolutionParams) Tensor
	AddPoolingNd(x Tensor, p PoolingParams) Tensor
	AddShuffle(x Tensor, p ShuffleParams) Tensor
	AddReduce(x Tensor, op ReduceOperation, axes uint32, keepDims bool) Tensor
	AddSoftMax(x Tensor, axes uint32) Tensor
	AddConcatenation(xs []Tensor, axis int) Tensor
	AddSlice(x Tensor, p SliceParams) Tensor
	// AddEinsum is addEinsum(xs, equation) in TensorRT's syntax: lower-case
	// labels, "," between inputs, optional "->" and "...". Inputs are
	// Float32 or Float16; the output is Float32.
	AddEinsum(xs []Tensor, equation string) Tensor
	// AddOneHot is addOneHot(indices, values, depth, axis): Int32 indices
	// in [0, depth) (TensorRT documents no other), values [off, on], depth
	// a 0-D build-time constant; the output has a new dim of depth at axis.
	AddOneHot(indices, values, depth Tensor, axis int) Tensor
	// AddRotaryEmbedding is addRotaryEmbedding(x, cosCache, sinCache,
	// interleaved, rotaryDim) (TensorRT 10.15+) with positionIDs (nil when
	// absent) as input 3 (setInput): rotary position embedding of x
	// [batch, heads, sequence, headSize]; the caches are [batch, sequence,
	// R/2], or [maxPositionId+1, R/2] indexed by positionIDs [batch,
	// sequence] (R = rotaryDim, the head size when 0).
	AddRotaryEmbedding(x, cosCache, sinCache, positionIDs Tensor, interleaved bool, rotaryDim int) Tensor
	// AddPluginV3 is a TensorRT plugin layer: the creator
	// getPluginRegistry()->getCreator(Creator, Version, Namespace), an
	// IPluginCreatorV3One, makes the plugin with createPlugin(name,
	// Fields, kBUILD), and addPluginV3(inputs, nbInputs, nullptr, 0,
	// plugin) adds it. trtc supports plugins with one output.
	AddPluginV3(inputs []Tensor, p PluginV3) Tensor
	AddGather(data, indices Tensor, axis int, mode GatherMode) Tensor
	// AddGatherND is addGatherV2(data, indices, kND) with
	// setNbElementWiseDims(nbElementWiseDims): the leading dims shared by
	// data and indices (ONNX GatherND's batch_dims).
	AddGatherND(data, indices Tensor, nbElementWiseDims int) Tensor
	AddSelect(cond, then, els Tensor) Tensor
	AddCast(x Tensor, to ir.DType) Tensor
	AddIdentity(x Tensor) Tensor
	AddNormalization(x, scale, bias Tensor, axes uint32, epsilon float32) Tensor
	AddShape(x Tensor) Tensor
	AddFill(p FillParams) Tensor
	AddCumulative(x, axis Tensor, op CumulativeOperation, exclusive, reverse bool) Tensor
	AddTopK(x Tensor, op TopKOperation, k int64, axes uint32) (values, indices Tensor)
	AddResize(x Tensor, p ResizeParams) Tensor
	AddDeconvolutionNd(x Tensor, p DeconvolutionParams) Tensor
	// AddScatter is addScatter(data, indices, updates, mode) with setAxis
	// (ELEMENT mode only): a copy of data with updates written at the
	// indexed positions. Indices must lie in [0, dim).
	AddScatter(data, indices, updates Tensor, mode ScatterMode, axis int) Tensor
	// AddQuantize is addQuantize(x, scale, p.ToType) with setAxis,
	// setBlockShape (TensorRT 10.15 on; earlier releases infer the block
	// from the scale's shape) and, when zeroPt is not nil, setInput(2,
	// zeroPt): y = clamp(round_half_even(x / scale) + zeroPt) in the low
	// type (float8 saturates at ±448). Only symmetric quantization: a zero
	// point is a build-time constant of zeros.
	AddQuantize(x, scale, zeroPt Tensor, p QuantizeParams) Tensor
	// AddDequantize is addDequantize(x, scale, p.ToType) with the same
	// settings: y = (x - zeroPt) * scale in p.ToType.
	AddDequantize(x, scale, zeroPt Tensor, p QuantizeParams) Tensor

	// Loops (ILoop) and if-conditionals (IIfConditional). A loop's body is
	// every layer that reads, directly or through other body layers, an
	// output of its IRecurrenceLayers or IIteratorLayers; a conditional's
	// branches are the layers that read its IIfConditionalInputLayers'
	// outputs, each in the branch whose output it feeds. Body and branch
	// layers may read tensors from outside; values leave only through
	// AddLoopOutput and AddIfOutput. trtc nests neither (the reference
	// backend refuses a loop or conditional inside another).
	//
	// AddLoop is addLoop. AddTripLimit is ILoop::addTripLimit: kCOUNT
	// with a 0-D Int32/Int64 count computed before the loop, kWHILE with a
	// 0-D Bool computed in the body from its recurrences.
	AddLoop() Loop
	AddTripLimit(loop Loop, t Tensor, kind TripLimit)
	// AddRecurrence is ILoop::addRecurrence(initial): its output is
	// initial in the first iteration and the value SetRecurrenceInput
	// gives (IRecurrenceLayer::setInput(1, next), which must be called
	// before the network is built) in every later one.
	AddRecurrence(loop Loop, initial Tensor) Tensor
	SetRecurrenceInput(recurrence, next Tensor)
	// AddIterator is ILoop::addIterator(t, axis, reverse): slice i of t
	// along axis in iteration i (M-1-i when reverse, M the kCOUNT limit).
	AddIterator(loop Loop, t Tensor, axis int, reverse bool) Tensor
	// AddLoopOutput is ILoop::addLoopOutput(t, kind, axis) and, for
	// kCONCATENATE and kREVERSE, setInput(1, length): length is a 0-D
	// Int32/Int64 shape tensor computed before the loop (nil for
	// kLAST_VALUE, whose t must be a recurrence of the loop).
	AddLoopOutput(loop Loop, t Tensor, kind LoopOutput, axis int, length Tensor) Tensor
	// AddIfConditional is addIfConditional; SetCondition its
	// setCondition (a 0-D Bool computed outside), AddIfInput its addInput
	// and AddIfOutput its addOutput(trueOut, falseOut): one output of the
	// conditional, trueOut's value when the condition is true.
	AddIfConditional() Conditional
	SetCondition(c Conditional, cond Tensor)
	AddIfInput(c Conditional, t Tensor) Tensor
	AddIfOutput(c Conditional, trueOut, falseOut Tensor) Tensor

	// Err is the first error any Add met, or nil.
	Err() error
	// NumLayers counts layers added so far.
	NumLayers() int
}

// Loop is an ILoop of a network: its boundary layers are added through the
// Network methods that take it.
type Loop interface{ LoopName() string }

// Conditional is an IIfConditional of a network.
type Conditional interface{ ConditionalName() string }

// Error is a layer error: which layer, and what is wrong.
type Error struct {
	Layer string
	Err   error
}

func (e *Error) Error() string { return fmt.Sprintf("layer %s: %v", e.Layer, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Namer makes layer names for a backend: "[Kind]-[op]-[node]" and, from the
// second layer of a kind in one node, "[Kind]-[op]-[node]_N". Outside any node
// (network inputs) the name is "[Kind]-[name]".
type Namer struct {
	op, node string
	counts   map[LayerKind]int
	used     map[string]bool
}

// BeginNode starts a node's scope.
func (n *Namer) BeginNode(op, node string) {
	n.op, n.node = op, node
	if n.counts == nil {
		n.counts = map[LayerKind]int{}
	}
	clear(n.counts)
}

// Node is the graph node of the current scope ("" outside any node).
func (n *Namer) Node() string { return n.node }

// Name returns the next unique name for a layer of kind k.
func (n *Namer) Name(k LayerKind) string {
	if n.used == nil {
		n.used = map[string]bool{}
	}
	if n.counts == nil {
		n.counts = map[LayerKind]int{}
	}
	base := "[" + string(k) + "]-[" + n.op + "]-[" + n.node + "]"
	if n.node == "" {
		base = "[" + string(k) + "]"
	}
	c := n.counts[k]
	n.counts[k] = c + 1
	name := base
	if c > 0 {
		name = base + "_" + strconv.Itoa(c)
	}
	for n.used[name] { // a node name reused across the graph
		c++
		name = base + "_" + strconv.Itoa(c)
	}
	n.used[name] = true
	return name
}

// AxesMask turns axis indices into TensorRT's bit mask.
func AxesMask(axes ...int) uint32 {
	var m uint32
	for _, a := range axes {
		m |= 1 << uint(a)
	}
	return m
}

// MaskAxes lists the axes set in a mask.
func MaskAxes(mask uint32, rank int) []int {
	var out []int
	for i := 0; i < rank; i++ {
		if mask&(1<<uint(i)) != 0 {
			out = append(out, i)
		}
	}
	return out
}

// PluginFieldType is TensorRT's PluginFieldType (NvInferPluginBase.h); the
// values are TensorRT's.
type PluginFieldType int32

// The field types trtc passes to plugin creators.
const (
	PluginFieldFloat32 PluginFieldType = 1  // kFLOAT32
	PluginFieldInt32   PluginFieldType = 5  // kINT32
	PluginFieldChar    PluginFieldType = 6  // kCHAR
	PluginFieldInt64   PluginFieldType = 10 // kINT64
)

func (t PluginFieldType) String() string {
	switch t {
	case PluginFieldFloat32:
		return "kFLOAT32"
	case PluginFieldInt32:
		return "kINT32"
	case PluginFieldChar:
		return "kCHAR"
	case PluginFieldInt64:
		return "kINT64"
	}
	return fmt.Sprintf("PluginFieldType(%d)", int32(t))
}

// PluginField is one PluginField of the collection a plugin creator
// receives: the data of its Type (Float32s, Int32s, Int64s or Chars).
type PluginField struct {
	Name     string
	Type     PluginFieldType
	Float32s []float32
	Int32s   []int32
	Int64s   []int64
	Chars    string
}

// Len is the field's length (PluginField::length).
func (f PluginField) Len() int {
	switch f.Type {
	case PluginFieldFloat32:
		return len(f.Float32s)
	case PluginFieldInt32:
		return len(f.Int32s)
	case PluginFieldInt64:
		return len(f.Int64s)
	case PluginFieldChar:
		return len(f.Chars)
	}
	return 0
}

// PluginCreatorInfo is a creator a TensorRT plugin registry holds
// (IPluginRegistry::getAllCreators): name, version and namespace, its
// interface kind ("PLUGIN CREATOR_V3ONE" for the IPluginCreatorV3One that
// plugin layers need; other kinds have no name here) and, for a V3One
// creator, the fields it declares (getFieldNames).
type PluginCreatorInfo struct {
	Name, Version, Namespace, Kind string
	Fields                         []PluginFieldInfo
}

// PluginFieldInfo is one field a plugin creator declares.
type PluginFieldInfo struct {
	Name string
	Type PluginFieldType
}

// PluginV3 names a TensorRT IPluginV3 plugin and the fields it is created
// with.
type PluginV3 struct {
	Creator, Version, Namespace string
	Fields                      []PluginField
	// CPUOp is the key of a trtc op (built in, or defined by a Go plugin:
	// pkg/ops Def) that computes what the TensorRT plugin computes, with
	// the fields as its node's attributes (a float32 field of length 1 as
	// a float, longer as floats; int32/int64 as int or ints; chars as a
	// string). The reference backend runs the layer through that op's
	// inference and kernel; without one it refuses the layer, saying so.
	// TensorRT ignores it.
	CPUOp string
}

// Check reports what is wrong with the description itself.
func (p PluginV3) Check() error {
	if p.Creator == "" || p.Version == "" {
		return fmt.Errorf("plugin creator name and version are required (have %q, %q)", p.Creator, p.Version)
	}
	seen := map[string]bool{}
	for _, f := range p.Fields {
		if f.Name == "" || seen[f.Name] {
			return fmt.Errorf("plugin %s: field name %q is empty or repeated", p.Creator, f.Name)
		}
		seen[f.Name] = true
		switch f.Type {
		case PluginFieldFloat32, PluginFieldInt32, PluginFieldInt64, PluginFieldChar:
		default:
			return fmt.Errorf("plugin %s: field %s has type %v, which trtc does not pass", p.Creator, f.Name, f.Type)
		}
	}
	return nil
}
