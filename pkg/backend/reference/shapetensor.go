package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Shape tensors, as TensorRT infers them once a network is complete
// (NvInfer.h, ITensor::isShapeTensor): a tensor is a shape tensor when a
// layer needs its values to compute shapes (a "shape slot": the reshape
// dims of IShuffleLayer, the start/size/stride/axes of ISliceLayer, the
// dims of IFillLayer, the output dims of IResizeLayer, the axis of
// ICumulativeLayer), and, through "polymorphic" layers, when it is an input
// of a layer whose output is a shape tensor (IElementWiseLayer: "The inputs
// are shape tensors if the output is a shape tensor"). IShapeLayer ends the
// chain: its output is a shape tensor whose values come from its input's
// dims, not its values.
//
// The rules each shape tensor must keep are shapeRules below, each with the
// header passage it comes from. An engine input that is a shape tensor must
// be given values in every optimization profile (setShapeValues); Build
// checks that against BuildOptions.Profiles.

// shapeSlots lists the inputs of l that TensorRT requires to be shape
// tensors, by index into l.In (the order the layer's Add method records).
func shapeSlots(l *layer) []int {
	switch l.Kind {
	case network.KindShuffle: // x, reshape dims
		return []int{1}
	case network.KindSlice: // x, start, size, stride, fill, axes
		return []int{1, 2, 3, 5}
	case network.KindFill: // dims, alpha, beta
		return []int{0}
	case network.KindResize: // x, output dims
		return []int{1}
	case network.KindCumulative: // x, axis
		return []int{1}
	case network.KindOneHot: // indices, values, depth
		return []int{2}
	case network.KindLoopOutput: // input, concatenation length
		return []int{1}
	}
	return nil
}

// slotName names a shape slot for messages.
func slotName(k network.LayerKind, i int) string {
	switch k {
	case network.KindShuffle:
		return "reshape dimensions (input 1)"
	case network.KindSlice:
		return [...]string{"input", "start (input 1)", "size (input 2)", "stride (input 3)", "fill (input 4)", "axes (input 5)"}[i]
	case network.KindFill:
		return "dimensions (input 0)"
	case network.KindResize:
		return "output dimensions (input 1)"
	case network.KindCumulative:
		return "axis (input 1)"
	case network.KindOneHot:
		return "depth (input 2)"
	case network.KindLoopOutput:
		return "concatenation length (input 1)"
	}
	return fmt.Sprintf("input %d", i)
}

// polymorphic reports whether the inputs of a layer of kind k are shape
// tensors when its output is one, and which inputs: nil for all of them.
// Kinds not listed (IShapeLayer, and layers that compute on execution
// tensors only) end the chain.
func polymorphic(l *layer) (bool, []int) {
	switch l.Kind {
	case network.KindElementWise, network.KindUnary, network.KindActivation,
		network.KindMatrixMultiply, network.KindSelect, network.KindConcatenation,
		network.KindGather, network.KindReduce, network.KindIdentity, network.KindCast:
		return true, nil
	case network.KindShuffle, network.KindSlice:
		return true, []int{0}
	case network.KindFill: // alpha and beta (LINSPACE start and delta)
		return true, []int{1, 2}
	}
	return false, nil
}

// Limits on shape tensors from TensorRT's headers.
const (
	// shapeInputVolume: IOptimizationProfile::setShapeValues, "the
	// dimensions of t are fixed at network definition time and the volume
	// does not exceed 64".
	shapeInputVolume = 64
	// shapeSliceVolume: ISliceLayer, "A slice layer can produce a shape
	// tensor if ... The number of elements in the output tensor does not
	// exceed 2 * Dims::MAX_DIMS" (MAX_DIMS is 8).
	shapeSliceVolume = 16
)

// shapeUse records why a tensor is a shape tensor: the layer and input
// slot that first needed its values.
type shapeUse struct {
	layer *layer
	slot  int
}

// shapeTensors marks every shape tensor of the network: shape slots, then
// backwards through polymorphic layers (layers are in topological order, so
// one reverse pass reaches every producer).
func (n *Network) shapeTensors() []*shapeUse {
	uses := make([]*shapeUse, len(n.tensors))
	for _, l := range n.layers {
		for _, s := range shapeSlots(l) {
			if s < len(l.In) && l.In[s] >= 0 && uses[l.In[s]] == nil {
				uses[l.In[s]] = &shapeUse{l, s}
			}
		}
	}
	for i := len(n.layers) - 1; i >= 0; i-- {
		l := n.layers[i]
		isShape := false
		for _, o := range l.Out {
			isShape = isShape || uses[o] != nil
		}
		if !isShape {
			continue
		}
		ok, slots := polymorphic(l)
		if !ok {
			continue
		}
		if slots == nil {
			for s := range l.In {
				slots = append(slots, s)
			}
		}
		for _, s := range slots {
			if s < len(l.In) && l.In[s] >= 0 && uses[l.In[s]] == nil {
				uses[l.In[s]] = &shapeUse{l, s}
			}
		}
	}
	return uses
}

// ShapeTensorError is a network that breaks one of TensorRT's shape-tensor
// rules: which layer, which tensor, the rule and where TensorRT states it.
type ShapeTensorError struct {
	Layer, Tensor string
	Rule, Source  string
}

func (e *ShapeTensorError) Error() string {
	return fmt.Sprintf("tensor %q is a shape tensor (%s) but %s [TensorRT: %s]", e.Tensor, e.Layer, e.Rule, e.Source)
}

// checkShapeTensors applies the shape-tensor rules to a complete network
// and returns the marks.
func (n *Network) checkShapeTensors() ([]bool, error) {
	uses := n.shapeTensors()
	producer := make([]*layer, len(n.tensors))
	for _, l := range n.layers {
		for _, o := range l.Out {
			producer[o] = l
		}
	}
	marks := make([]bool, len(n.tensors))
	for id, u := range uses {
		if u == nil {
			continue
		}
		marks[id] = true
		v := &n.tensors[id].val
		where := fmt.Sprintf("needed by layer %s as its %s", u.layer.Name, slotName(u.layer.Kind, u.slot))
		fail := func(rule, src string) error {
			return &network.Error{Layer: u.layer.Name, Err: &ShapeTensorError{Layer: where, Tensor: v.Name, Rule: rule, Source: src}}
		}
		switch v.DType {
		case ir.Int32, ir.Int64, ir.Bool, ir.Float32:
		default:
			return nil, fail(fmt.Sprintf("has type %v; a shape tensor has type Int32, Int64, Bool or Float", v.DType),
				"NvInfer.h ITensor::isShapeTensor")
		}
		dims, static := v.Shape.Ints()
		if !static {
			return nil, fail(fmt.Sprintf("its shape %v is not known at build time", v.Shape),
				"NvInfer.h ITensor::isShapeTensor, \"its shape must be determinable at build time\"")
		}
		if len(dims) > 1 {
			return nil, fail(fmt.Sprintf("has rank %d; a shape tensor is 0-D or 1-D", len(dims)),
				"NvInferRuntime.h IOptimizationProfile::setShapeValues (\"1 if the tensor rank is 0, or dims.d[0] if the rank is 1\")")
		}
		if producer[id] == nil {
			// An engine input; its values are checked against the
			// profiles by Build.
			if ir.Numel(dims) > shapeInputVolume {
				return nil, fail(fmt.Sprintf("is an engine input of %d elements; a shape-tensor input holds at most %d", ir.Numel(dims), shapeInputVolume),
					"NvInferRuntime.h IOptimizationProfile::setShapeValues, \"the volume does not exceed 64\"")
			}
			if v.DType != ir.Int32 && v.DType != ir.Int64 {
				return nil, fail(fmt.Sprintf("is an engine input of type %v; shape-tensor inputs are Int32 or Int64", v.DType),
					"NvInferRuntime.h IOptimizationProfile::setShapeValues, \"input shape tensors can be type kINT32 or kINT64\"")
			}
		}
		if p := producer[id]; p != nil && p.Kind == network.KindSlice {
			if ir.Numel(dims) > shapeSliceVolume {
				return nil, fail(fmt.Sprintf("is made by slice layer %s with %d elements; a slice makes a shape tensor of at most 16", p.Name, ir.Numel(dims)),
					"NvInfer.h ISliceLayer, \"The number of elements in the output tensor does not exceed 2 * Dims::MAX_DIMS\"")
			}
			for s := 1; s <= 5 && s < len(p.In); s++ {
				if s == 4 || p.In[s] < 0 {
					continue
				}
				if n.tensors[p.In[s]].val.Const == nil {
					return nil, fail(fmt.Sprintf("is made by slice layer %s whose %s is not a build-time constant", p.Name, slotName(p.Kind, s)),
						"NvInfer.h ISliceLayer, \"start, size, and stride are build time constants\" for a slice that produces a shape tensor")
				}
			}
		}
		if p := producer[id]; p != nil && p.Kind == network.KindFill {
			fp, _ := p.Params.(network.FillParams)
			if fp.Op != network.FillLINSPACE {
				return nil, fail(fmt.Sprintf("is made by fill layer %s with operation %s; only LINSPACE fills make shape tensors", p.Name, word(fp.Op)),
					"NvInfer.h IFillLayer, \"An IFillLayer can produce a shape tensor if ... The FillOperation is kLINSPACE\"")
			}
			if len(p.In) > 0 && p.In[0] >= 0 && n.tensors[p.In[0]].val.Const == nil && n.tensors[p.In[0]].val.ShapeData == nil {
				return nil, fail(fmt.Sprintf("is made by fill layer %s whose dimensions are not computable by constant folding", p.Name),
					"NvInfer.h IFillLayer, \"the values of input 0 must be computable by constant folding\"")
			}
		}
	}
	for _, l := range n.layers {
		for _, s := range shapeSlots(l) {
			if s >= len(l.In) || l.In[s] < 0 {
				continue
			}
			v := &n.tensors[l.In[s]].val
			if v.DType != ir.Int32 && v.DType != ir.Int64 {
				return nil, &network.Error{Layer: l.Name, Err: &ShapeTensorError{
					Layer: fmt.Sprintf("the %s of layer %s", slotName(l.Kind, s), l.Name), Tensor: v.Name,
					Rule: fmt.Sprintf("has type %v; this input must be Int32 or Int64", v.DType), Source: "NvInfer.h " + slotSource(l.Kind)}}
			}
		}
	}
	return marks, nil
}

// slotSource is the header passage giving each shape slot's type.
func slotSource(k network.LayerKind) string {
	switch k {
	case network.KindShuffle:
		return "IShuffleLayer::setInput, \"1: The dimensions for the reshape operation, as a 1D tensor of type Int32 or Int64\""
	case network.KindSlice:
		return "ISliceLayer::setInput, \"The start tensor ... as a 1D tensor of type Int32 or Int64\""
	case network.KindFill:
		return "IFillLayer::setInput, \"0: Shape, a 1D shape tensor\""
	case network.KindResize:
		return "IResizeLayer::setInput, \"1: The output dimensions, as a 1D tensor of type Int32 or Int64\""
	case network.KindCumulative:
		return "INetworkDefinition::addCumulative, \"a build-time constant 0D shape tensor\""
	case network.KindOneHot:
		return "INetworkDefinition::addOneHot, \"depth - a shape tensor containing the width of the added one-hot dimension\""
	}
	return string(k)
}

// ShapeInputs lists the network's inputs that are shape tensors, with the
// layer that needs each one's values. It is meaningful once the network is
// complete (as ITensor::isShapeTensor is).
func (n *Network) ShapeInputs() map[string]string {
	uses := n.shapeTensors()
	out := map[string]string{}
	for _, id := range n.inputs {
		if u := uses[id]; u != nil {
			out[n.tensors[id].val.Name] = u.layer.Name
		}
	}
	return out
}
