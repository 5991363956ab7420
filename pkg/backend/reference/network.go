package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// tensor is a network.Tensor of this backend.
type tensor struct {
	id  int
	val ir.Value // Name, DType, Shape; Const/ShapeData when known at build
	// scope is the loop or conditional the tensor is computed in (0: the
	// top level; layers_loop.go).
	scope int
}

func (t *tensor) Name() string    { return t.val.Name }
func (t *tensor) DType() ir.DType { return t.val.DType }
func (t *tensor) Shape() ir.Shape { return t.val.Shape }

// layer is one recorded layer. Params is the kind's parameter struct with
// every tensor-valued parameter moved into In.
type layer struct {
	Kind   network.LayerKind
	Name   string
	In     []int // tensor ids; -1 for an absent optional input
	Out    []int
	Params any
	// Node is the graph node the layer was converted from, for messages
	// that send the node to fallback.
	Node string
	// Scope is the region (loop or conditional, plan.Regions[Scope-1])
	// the layer belongs to, 0 for the top level; Branch the branches of a
	// conditional it runs in (layers_loop.go).
	Scope  int
	Branch uint8
}

// kindImpl is one layer kind's semantics.
type kindImpl struct {
	// infer checks inputs and returns output dtypes and shapes.
	infer func(l *layer, in []*ir.Value) ([]*ir.Value, error)
	// run executes the layer on concrete tensors.
	run func(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error)
	// noFold keeps the layer from build-time evaluation (random fills).
	noFold bool
}

var kinds = map[network.LayerKind]*kindImpl{}

func registerKind(k network.LayerKind, impl kindImpl) {
	if _, dup := kinds[k]; dup {
		panic("reference: layer kind registered twice: " + string(k))
	}
	kinds[k] = &impl
}

// Implements reports whether the reference backend executes a layer kind.
func Implements(k network.LayerKind) bool { _, ok := kinds[k]; return ok }

// foldLimit bounds build-time evaluation.
const foldLimit = 16 << 20

// Network records layers.
type Network struct {
	namer   network.Namer
	tensors []*tensor
	layers  []*layer
	inputs  []int
	outputs []int
	outName []string
	regions []planRegion
	err     error
	// target is the TensorRT release the network must build on (zero:
	// any); see SetTargetVersion.
	target network.Version
}

// NewNetwork returns an empty network.
func NewNetwork() *Network { return &Network{} }

func (n *Network) BeginNode(op, node string) { n.namer.BeginNode(op, node) }
func (n *Network) Err() error                { return n.err }
func (n *Network) NumLayers() int            { return len(n.layers) }

func (n *Network) fail(layer string, err error) {
	if n.err == nil {
		n.err = &network.Error{Layer: layer, Err: err}
	}
}

// poisoned stands in for the output of a failed layer.
var poisoned = &tensor{id: -1, val: ir.Value{Name: "<error>"}}

func (n *Network) newTensor(v ir.Value) *tensor {
	t := &tensor{id: len(n.tensors), val: v}
	n.tensors = append(n.tensors, t)
	return t
}

// own checks that t belongs to this network.
func (n *Network) own(t network.Tensor) (*tensor, error) {
	rt, ok := t.(*tensor)
	if !ok || rt == nil {
		if t == nil {
			return nil, fmt.Errorf("missing input tensor")
		}
		return nil, fmt.Errorf("tensor %q is not of this network", t.Name())
	}
	if rt.id < 0 || rt.id >= len(n.tensors) || n.tensors[rt.id] != rt {
		return nil, fmt.Errorf("tensor %q is not of this network", rt.val.Name)
	}
	return rt, nil
}

// add records a layer: checks inputs, infers outputs, folds constants.
// Optional inputs may be nil (recorded as -1).
func (n *Network) add(kind network.LayerKind, params any, inputs ...network.Tensor) []network.Tensor {
	impl := kinds[kind]
	name := n.namer.Name(kind)
	if n.err != nil {
		return poison(1)
	}
	if impl == nil {
		n.fail(name, fmt.Errorf("layer kind %s is not implemented by the reference backend", kind))
		return poison(1)
	}
	l := &layer{Kind: kind, Name: name, Params: params, Node: n.namer.Node()}
	vals := make([]*ir.Value, len(inputs))
	allConst := true
	for i, t := range inputs {
		if t == nil || isNilTensor(t) {
			l.In = append(l.In, -1)
			continue
		}
		rt, err := n.own(t)
		if err != nil {
			n.fail(name, fmt.Errorf("input %d: %w", i, err))
			return poison(1)
		}
		if rt.scope != 0 && l.Scope != 0 && rt.scope != l.Scope {
			n.fail(name, fmt.Errorf("input %d is computed in %s, another input in %s: a layer belongs to one loop or conditional, and trtc nests none", i, n.regionName(rt.scope), n.regionName(l.Scope)))
			return poison(1)
		}
		if rt.scope != 0 {
			l.Scope = rt.scope
		}
		l.In = append(l.In, rt.id)
		vals[i] = &rt.val
		if rt.val.Const == nil {
			allConst = false
		}
	}
	if err := n.checkRules(l, vals); err != nil {
		n.fail(name, err)
		return poison(1)
	}
	outs, err := impl.infer(l, vals)
	if err == nil {
		err = checkOutputs(l, outs)
	}
	if err != nil {
		n.fail(name, err)
		return poison(1)
	}
	if allConst && !impl.noFold {
		n.fold(l, impl, vals, outs)
	}
	res := make([]network.Tensor, len(outs))
	for i, o := range outs {
		o.Name = fmt.Sprintf("%s_out%d", name, i)
		t := n.newTensor(*o)
		t.scope = l.Scope
		l.Out = append(l.Out, t.id)
		res[i] = t
	}
	n.layers = append(n.layers, l)
	return res
}

func isNilTensor(t network.Tensor) bool {
	rt, ok := t.(*tensor)
	return ok && rt == nil
}

func poison(k int) []network.Tensor {
	out := make([]network.Tensor, k)
	for i := range out {
		out[i] = poisoned
	}
	return out
}

func (n *Network) fold(l *layer, impl *kindImpl, vals, outs []*ir.Value) {
	for _, o := range outs {
		dims, ok := o.Shape.Ints()
		if !ok || ir.Numel(dims)*int64(max(1, o.DType.Size())) > foldLimit {
			return
		}
	}
	args := make([]*ir.Tensor, len(vals))
	for i, v := range vals {
		if v != nil {
			args[i] = v.Const
		}
	}
	res, err := impl.run(l, args)
	if err != nil || len(res) != len(outs) {
		return
	}
	for i, r := range res {
		outs[i].Const = r
		if (r.DType == ir.Int64 || r.DType == ir.Int32) && len(r.Shape) <= 1 && r.Numel() <= 16 {
			outs[i].ShapeData = ir.S(r.Ints()...)
		}
	}
}

// AddInput declares a network input.
func (n *Network) AddInput(name string, dt ir.DType, shape ir.Shape) network.Tensor {
	if n.err != nil {
		return poisoned
	}
	if !dt.Supported() {
		n.fail("input "+name, fmt.Errorf("unsupported dtype %v", dt))
		return poisoned
	}
	if dt.IsLowBit() {
		n.fail("input "+name, lowBitIOError(dt))
		return poisoned
	}
	t := n.newTensor(ir.Value{Name: name, DType: dt, Shape: shape.Clone()})
	n.inputs = append(n.inputs, t.id)
	return t
}

// MarkOutput marks t as a network output called name.
func (n *Network) MarkOutput(t network.Tensor, name string) {
	if n.err != nil {
		return
	}
	rt, err := n.own(t)
	if err != nil {
		n.fail("output "+name, err)
		return
	}
	if rt.val.DType.IsLowBit() {
		n.fail("output "+name, lowBitIOError(rt.val.DType))
		return
	}
	for _, o := range n.outName {
		if o == name {
			n.fail("output "+name, fmt.Errorf("output name %q is used twice", name))
			return
		}
	}
	n.outputs = append(n.outputs, rt.id)
	n.outName = append(n.outName, name)
}

func one(ts []network.Tensor) network.Tensor { return ts[0] }

func (n *Network) AddElementWise(a, b network.Tensor, op network.ElementWiseOperation) network.Tensor {
	return one(n.add(network.KindElementWise, elementWiseParams{op}, a, b))
}
func (n *Network) AddActivation(x network.Tensor, p network.ActivationParams) network.Tensor {
	return one(n.add(network.KindActivation, p, x))
}
func (n *Network) AddUnary(x network.Tensor, op network.UnaryOperation) network.Tensor {
	return one(n.add(network.KindUnary, unaryParams{op}, x))
}
func (n *Network) AddConstant(w *ir.Tensor) network.Tensor {
	if w == nil {
		n.fail(n.namer.Name(network.KindConstant), fmt.Errorf("nil weights"))
		return poisoned
	}
	return one(n.add(network.KindConstant, constantParams{w}))
}
func (n *Network) AddMatrixMultiply(a network.Tensor, opA network.MatrixOperation, b network.Tensor, opB network.MatrixOperation) network.Tensor {
	return one(n.add(network.KindMatrixMultiply, matMulParams{opA, opB}, a, b))
}
func (n *Network) AddConvolutionNd(x network.Tensor, p network.ConvolutionParams) network.Tensor {
	kt := p.KernelT
	p.KernelT = nil
	if kt == nil || isNilTensor(kt) {
		return one(n.add(network.KindConvolution, p, x))
	}
	// The kernel tensor's build-time value (conv_kernel_const) is the
	// layer's kernel: the plan packs it as it packs kernel weights.
	if rt, err := n.own(kt); err == nil && rt.val.Const != nil {
		p.Kernel = rt.val.Const
	}
	return one(n.add(network.KindConvolution, p, x, kt))
}
func (n *Network) AddPoolingNd(x network.Tensor, p network.PoolingParams) network.Tensor {
	return one(n.add(network.KindPooling, p, x))
}
func (n *Network) AddShuffle(x network.Tensor, p network.ShuffleParams) network.Tensor {
	shape := p.ReshapeTensor
	p.ReshapeTensor = nil
	return one(n.add(network.KindShuffle, shuffleParams{p, shape != nil, p.Reshape != nil}, x, shape))
}
func (n *Network) AddReduce(x network.Tensor, op network.ReduceOperation, axes uint32, keepDims bool) network.Tensor {
	return one(n.add(network.KindReduce, reduceParams{op, axes, keepDims}, x))
}
func (n *Network) AddSoftMax(x network.Tensor, axes uint32) network.Tensor {
	return one(n.add(network.KindSoftMax, softMaxParams{axes}, x))
}
func (n *Network) AddConcatenation(xs []network.Tensor, axis int) network.Tensor {
	return one(n.add(network.KindConcatenation, concatParams{axis}, xs...))
}
func (n *Network) AddSlice(x network.Tensor, p network.SliceParams) network.Tensor {
	in := []network.Tensor{x, p.StartT, p.SizeT, p.StrideT, p.Fill, p.Axes}
	p.StartT, p.SizeT, p.StrideT, p.Fill, p.Axes = nil, nil, nil, nil, nil
	return one(n.add(network.KindSlice, p, in...))
}
func (n *Network) AddEinsum(xs []network.Tensor, equation string) network.Tensor {
	return one(n.add(network.KindEinsum, einsumParams{equation}, xs...))
}
func (n *Network) AddOneHot(indices, values, depth network.Tensor, axis int) network.Tensor {
	return one(n.add(network.KindOneHot, oneHotParams{axis}, indices, values, depth))
}
func (n *Network) AddRotaryEmbedding(x, cosCache, sinCache, positionIDs network.Tensor, interleaved bool, rotaryDim int) network.Tensor {
	if positionIDs == nil {
		return one(n.add(network.KindRotaryEmbedding, rotaryParams{interleaved, rotaryDim}, x, cosCache, sinCache))
	}
	return one(n.add(network.KindRotaryEmbedding, rotaryParams{interleaved, rotaryDim}, x, cosCache, sinCache, positionIDs))
}
func (n *Network) AddGather(data, indices network.Tensor, axis int, mode network.GatherMode) network.Tensor {
	return one(n.add(network.KindGather, gatherParams{Axis: axis, Mode: mode}, data, indices))
}
func (n *Network) AddGatherND(data, indices network.Tensor, nbElementWiseDims int) network.Tensor {
	return one(n.add(network.KindGather, gatherParams{Mode: network.GatherND, NbElementWiseDims: nbElementWiseDims}, data, indices))
}
func (n *Network) AddSelect(cond, then, els network.Tensor) network.Tensor {
	return one(n.add(network.KindSelect, nil, cond, then, els))
}
func (n *Network) AddCast(x network.Tensor, to ir.DType) network.Tensor {
	return one(n.add(network.KindCast, castParams{to}, x))
}
func (n *Network) AddIdentity(x network.Tensor) network.Tensor {
	return one(n.add(network.KindIdentity, nil, x))
}
func (n *Network) AddNormalization(x, scale, bias network.Tensor, axes uint32, eps float32) network.Tensor {
	return one(n.add(network.KindNormalization, normParams{axes, eps}, x, scale, bias))
}
func (n *Network) AddShape(x network.Tensor) network.Tensor {
	return one(n.add(network.KindShape, nil, x))
}
func (n *Network) AddFill(p network.FillParams) network.Tensor {
	in := []network.Tensor{p.DimsT, p.AlphaT, p.BetaT}
	p.DimsT, p.AlphaT, p.BetaT = nil, nil, nil
	return one(n.add(network.KindFill, p, in...))
}
func (n *Network) AddCumulative(x, axis network.Tensor, op network.CumulativeOperation, exclusive, reverse bool) network.Tensor {
	return one(n.add(network.KindCumulative, cumulativeParams{op, exclusive, reverse}, x, axis))
}
func (n *Network) AddTopK(x network.Tensor, op network.TopKOperation, k int64, axes uint32) (network.Tensor, network.Tensor) {
	r := n.add(network.KindTopK, topKParams{op, k, axes}, x)
	if len(r) < 2 {
		return poisoned, poisoned
	}
	return r[0], r[1]
}

func (n *Network) AddResize(x network.Tensor, p network.ResizeParams) network.Tensor {
	dims := p.OutputDimsT
	p.OutputDimsT = nil
	return one(n.add(network.KindResize, p, x, dims))
}

func (n *Network) AddDeconvolutionNd(x network.Tensor, p network.DeconvolutionParams) network.Tensor {
	if p.KernelT != nil {
		n.fail(n.namer.Name(network.KindDeconvolution), fmt.Errorf("deconvolutions take kernel weights here, not a kernel tensor"))
		return poisoned
	}
	return one(n.add(network.KindDeconvolution, p, x))
}

func (n *Network) AddScatter(data, indices, updates network.Tensor, mode network.ScatterMode, axis int) network.Tensor {
	return one(n.add(network.KindScatter, scatterParams{mode, axis}, data, indices, updates))
}

// Parameter structs of kinds whose TensorRT settings are not a struct in
// package network. Exported fields, so the plan encoder can write them.
type (
	elementWiseParams struct{ Op network.ElementWiseOperation }
	unaryParams       struct{ Op network.UnaryOperation }
	constantParams    struct{ Weights *ir.Tensor }
	matMulParams      struct{ OpA, OpB network.MatrixOperation }
	shuffleParams     struct {
		network.ShuffleParams
		DynamicReshape bool
		// StaticReshape records Reshape != nil, since the plan encoding
		// (gob) does not keep an empty slice apart from a nil one and an
		// empty Reshape means "to a scalar".
		StaticReshape bool
	}
	reduceParams struct {
		Op       network.ReduceOperation
		Axes     uint32
		KeepDims bool
	}
	softMaxParams struct{ Axes uint32 }
	concatParams  struct{ Axis int }
	gatherParams  struct {
		Axis int
		Mode network.GatherMode
		// NbElementWiseDims leading dims of data and indices are paired
		// element-wise (ND mode only here).
		NbElementWiseDims int
		// DynamicDims has bit d set when data's dim d is dynamic at build
		// time (set by inferGather): negative indices into it are
		// undefined in TensorRT.
		DynamicDims uint32
	}
	castParams struct{ To ir.DType }
	normParams struct {
		Axes    uint32
		Epsilon float32
	}
	cumulativeParams struct {
		Op                 network.CumulativeOperation
		Exclusive, Reverse bool
	}
	topKParams struct {
		Op   network.TopKOperation
		K    int64
		Axes uint32
	}
)

var _ network.Network = (*Network)(nil)

func (n *Network) AddPluginV3(inputs []network.Tensor, p network.PluginV3) network.Tensor {
	return one(n.add(network.KindPluginV3, pluginV3Params{p}, inputs...))
}

func (n *Network) AddQuantize(x, scale, zeroPt network.Tensor, p network.QuantizeParams) network.Tensor {
	return one(n.add(network.KindQuantize, quantizeParams{p}, x, scale, zeroPt))
}

func (n *Network) AddDequantize(x, scale, zeroPt network.Tensor, p network.QuantizeParams) network.Tensor {
	return one(n.add(network.KindDequantize, quantizeParams{p}, x, scale, zeroPt))
}

// lowBitIOError: TensorRT's I/O formats are those of kFLOAT, kHALF, kBF16,
// kINT8, kINT32, kINT64, kBOOL and kUINT8; the quantized types kFP8, kINT4
// and kFP4 exist inside a network only, between quantize and dequantize
// layers (and as constant weights).
func lowBitIOError(dt ir.DType) error {
	return fmt.Errorf("%v cannot be an engine input or output: TensorRT holds low-bit types only between quantize and dequantize layers", dt)
}
