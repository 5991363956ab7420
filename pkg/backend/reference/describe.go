package reference

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Describe lists the layers of a reference engine blob as `trtc inspect
// --layers` prints them, in the form the recording fake of TensorRT records
// the shim's calls for the same network (network.LayerInfo; make
// check-tensorrt compares the two field for field): TensorRT's LayerType,
// the input and output tensors (-1 for a dynamic dim, shape tensors
// marked), and every setting the shim makes, named after TensorRT's setter
// in snake case with the exceptions docs/tensorrt.md lists ("The record's
// parameter names"). Enumerators are TensorRT's without "k", dtypes trtc's
// names ("float32"), weights {dtype, count, fnv1a}.
//
// As the shim does: a tensor marked as a network output takes the output's
// name, and a network input (or a tensor already marked) marked as an
// output gets an identity layer "[Identity]-[output]-[NAME]", listed after
// the other layers.
func Describe(blob []byte) ([]network.LayerInfo, error) {
	if len(blob) < len(planMagic) || string(blob[:len(planMagic)]) != planMagic {
		return nil, errors.New("not a reference engine (bad magic)")
	}
	var p plan
	if err := gob.NewDecoder(bytes.NewReader(blob[len(planMagic):])).Decode(&p); err != nil {
		return nil, fmt.Errorf("decoding reference engine: %w", err)
	}
	if p.Version != planVersion {
		return nil, fmt.Errorf("reference engine version %d, this trtc reads version %d", p.Version, planVersion)
	}
	if len(p.OutName) != len(p.Outputs) {
		return nil, fmt.Errorf("%d outputs, %d output names", len(p.Outputs), len(p.OutName))
	}
	names := make([]string, len(p.Tensors))
	for i, t := range p.Tensors {
		names[i] = t.Name
	}
	valid := func(id int) error {
		if id < 0 || id >= len(p.Tensors) {
			return fmt.Errorf("tensor id %d out of range", id)
		}
		return nil
	}
	// Output names, as the shim's MarkOutput gives them.
	isInput := map[int]bool{}
	for _, id := range p.Inputs {
		isInput[id] = true
	}
	type extra struct{ in, out int } // identity layers for outputs
	var extras []extra
	marked := map[int]bool{}
	outName := map[int]string{} // extras' output names, by index in extras
	for i, id := range p.Outputs {
		if err := valid(id); err != nil {
			return nil, fmt.Errorf("output %s: %w", p.OutName[i], err)
		}
		if isInput[id] || marked[id] {
			outName[len(extras)] = p.OutName[i]
			extras = append(extras, extra{id, i})
		} else {
			names[id] = p.OutName[i]
		}
		marked[id] = true
	}
	tensor := func(id int) (network.TensorInfo, error) {
		if err := valid(id); err != nil {
			return network.TensorInfo{}, err
		}
		t := p.Tensors[id]
		return network.TensorInfo{Name: names[id], DType: t.DType.String(), Shape: dimsOf(t.Shape), ShapeTensor: t.ShapeTensor}, nil
	}
	shapeOf := func(id int) ir.Shape {
		if id < 0 || id >= len(p.Tensors) {
			return nil
		}
		return p.Tensors[id].Shape
	}
	out := make([]network.LayerInfo, 0, len(p.Layers)+len(extras))
	for _, l := range p.Layers {
		d, ok := describers[l.Kind]
		if !ok {
			return nil, fmt.Errorf("layer %s: kind %q has no describer", l.Name, l.Kind)
		}
		info := network.LayerInfo{Name: l.Name, Type: l.Kind.LayerType(), Inputs: []network.TensorInfo{}, Outputs: []network.TensorInfo{}}
		last := -1
		for i, id := range l.In {
			if id >= 0 {
				last = i
			}
		}
		for _, id := range l.In[:last+1] {
			if id < 0 {
				// An absent optional input before a given one: the
				// shim leaves that input unset.
				info.Inputs = append(info.Inputs, network.TensorInfo{})
				continue
			}
			t, err := tensor(id)
			if err != nil {
				return nil, fmt.Errorf("layer %s: %w", l.Name, err)
			}
			info.Inputs = append(info.Inputs, t)
		}
		for _, id := range l.Out {
			t, err := tensor(id)
			if err != nil {
				return nil, fmt.Errorf("layer %s: %w", l.Name, err)
			}
			info.Outputs = append(info.Outputs, t)
		}
		params, err := d(l, shapeOf)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", l.Name, err)
		}
		info.Params = params
		out = append(out, info)
	}
	for i, e := range extras {
		in, err := tensor(e.in)
		if err != nil {
			return nil, err
		}
		o := in
		o.Name = outName[i]
		out = append(out, network.LayerInfo{Name: "[Identity]-[output]-[" + o.Name + "]", Type: network.KindIdentity.LayerType(),
			Inputs: []network.TensorInfo{in}, Outputs: []network.TensorInfo{o}, Params: map[string]any{}})
	}
	return out, nil
}

func dimsOf(s ir.Shape) []int64 {
	shape := make([]int64, len(s))
	for i, d := range s {
		shape[i] = d.Size
		if !d.Static() {
			shape[i] = -1
		}
	}
	return shape
}

// describer gives a layer's settings; shape gives a tensor's build-time
// shape by id (nil for an absent one).
type describer func(l *layer, shape func(id int) ir.Shape) (map[string]any, error)

// describers give each layer kind's settings, as the shim sets them (the
// setter's name in snake case; docs/tensorrt.md). A test walks
// network.Kinds and fails on a kind without an entry.
var describers = map[network.LayerKind]describer{
	network.KindElementWise: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[elementWiseParams](l)
		return map[string]any{"operation": word(p.Op)}, err
	},
	network.KindActivation: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[network.ActivationParams](l)
		return map[string]any{"operation": word(p.Type), "alpha": float64(p.Alpha), "beta": float64(p.Beta)}, err
	},
	network.KindUnary: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[unaryParams](l)
		return map[string]any{"operation": word(p.Op)}, err
	},
	network.KindConstant: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[constantParams](l)
		if err != nil || p.Weights == nil {
			return nil, errors.Join(err, errors.New("missing weights"))
		}
		w := p.Weights
		return map[string]any{"dimensions": dimList(w.Shape), "dtype": w.DType.String(), "weights": weightsOf(w, w.DType)}, nil
	},
	network.KindMatrixMultiply: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[matMulParams](l)
		return map[string]any{"operation0": word(p.OpA), "operation1": word(p.OpB)}, err
	},
	network.KindConvolution: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[network.ConvolutionParams](l)
		m := convParams(p)
		if hasInput(l, 1) { // the kernel is input 1; the weights are empty
			m["kernel_weights"] = weightsOf(nil, p.Kernel.DType)
		}
		return m, err
	},
	network.KindDeconvolution: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[network.DeconvolutionParams](l)
		return convParams(network.ConvolutionParams(p)), err
	},
	network.KindPooling: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[network.PoolingParams](l)
		m := map[string]any{"operation": word(p.Type), "window_size_nd": dimList(p.WindowSize),
			"padding_mode": word(p.PaddingMode), "average_count_excludes_padding": p.AverageCountExcludesPadding}
		setDims(m, map[string][]int64{"stride_nd": p.Stride, "pre_padding": p.PrePadding, "post_padding": p.PostPadding})
		if p.Type == network.PoolingMAX_AVERAGE_BLEND {
			m["blend_factor"] = float64(p.BlendFactor)
		}
		return m, err
	},
	network.KindShuffle: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[shuffleParams](l)
		m := map[string]any{"zero_is_placeholder": p.ZeroIsPlaceholder}
		if p.FirstTranspose != nil {
			m["first_transpose"] = permList(p.FirstTranspose)
		}
		if p.SecondTranspose != nil {
			m["second_transpose"] = permList(p.SecondTranspose)
		}
		if !p.DynamicReshape && p.StaticReshape {
			m["reshape_dimensions"] = dimList(p.Reshape)
		}
		return m, err
	},
	network.KindReduce: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[reduceParams](l)
		return map[string]any{"operation": word(p.Op), "axes": int64(p.Axes), "keep_dimensions": p.KeepDims}, err
	},
	network.KindSoftMax: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[softMaxParams](l)
		return map[string]any{"axes": int64(p.Axes)}, err
	},
	network.KindConcatenation: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[concatParams](l)
		return map[string]any{"axis": int64(p.Axis)}, err
	},
	network.KindSlice: func(l *layer, shape func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[network.SliceParams](l)
		// The shim sets static start, size and stride always; where a
		// tensor input replaces one, of the rank of a given one, else of
		// the tensor's length, else of the input's rank, filled with
		// TensorRT's defaults.
		rank := -1
		for _, d := range [][]int64{p.Start, p.Size, p.Stride} {
			if rank < 0 && d != nil {
				rank = len(d)
			}
		}
		for i := 1; i <= 3 && rank < 0; i++ {
			if hasInput(l, i) {
				if s := shape(l.In[i]); len(s) == 1 && s[0].Static() {
					rank = int(s[0].Size)
				}
			}
		}
		if rank < 0 && len(l.In) > 0 {
			rank = len(shape(l.In[0]))
		}
		orDefault := func(d []int64, v int64) []any {
			if d != nil {
				return dimList(d)
			}
			out := []any{}
			for range rank {
				out = append(out, v)
			}
			return out
		}
		return map[string]any{"start": orDefault(p.Start, 0), "size": orDefault(p.Size, 0), "stride": orDefault(p.Stride, 1),
			"mode": word(p.Mode)}, err
	},
	network.KindGather: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[gatherParams](l)
		m := map[string]any{"mode": word(p.Mode)}
		if p.Mode == network.GatherND {
			m["nb_element_wise_dims"] = int64(p.NbElementWiseDims)
		} else {
			m["gather_axis"] = int64(p.Axis)
		}
		return m, err
	},
	network.KindSelect:   noParams,
	network.KindIdentity: noParams,
	network.KindShape:    noParams,
	network.KindCast: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[castParams](l)
		return map[string]any{"dtype": p.To.String()}, err
	},
	network.KindNormalization: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[normParams](l)
		return map[string]any{"axes": int64(p.Axes), "epsilon": float64(p.Epsilon)}, err
	},
	network.KindFill: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[network.FillParams](l)
		d := p.Dims
		if hasInput(l, 0) || d == nil {
			d = []int64{}
		}
		m := map[string]any{"dimensions": dimList(d), "mode": word(p.Op), "dtype": p.DType.String()}
		if !hasInput(l, 1) && !hasInput(l, 2) {
			m["alpha"], m["beta"] = p.Alpha, p.Beta
		}
		return m, err
	},
	network.KindCumulative: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[cumulativeParams](l)
		return map[string]any{"operation": word(p.Op), "exclusive": p.Exclusive, "reverse": p.Reverse}, err
	},
	network.KindTopK: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[topKParams](l)
		// The shim asks for int32 indices (setIndicesType, 10.14 on; the
		// only type before).
		return map[string]any{"operation": word(p.Op), "k": p.K, "axes": int64(p.Axes), "indices_type": ir.Int32.String()}, err
	},
	network.KindResize: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[network.ResizeParams](l)
		cubic := p.CubicCoeff
		if cubic == 0 {
			cubic = -0.75 // TensorRT's default
		}
		m := map[string]any{"mode": word(p.Mode), "coordinate_transformation": word(p.CoordTransform),
			"selector_for_single_pixel": word(p.Selector), "nearest_rounding": word(p.NearestRounding),
			"cubic_coeff": float64(cubic), "exclude_outside": p.ExcludeOutside}
		switch {
		case hasInput(l, 1): // output dims from input 1
		case len(p.Scales) > 0:
			s := []any{}
			for _, v := range p.Scales {
				s = append(s, float64(v))
			}
			m["scales"] = s
		default:
			m["output_dimensions"] = dimList(p.OutputDims)
		}
		return m, err
	},
	network.KindEinsum: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[einsumParams](l)
		return map[string]any{"equation": p.Equation}, err
	},
	network.KindRotaryEmbedding: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[rotaryParams](l)
		return map[string]any{"interleaved": p.Interleaved, "rotary_embedding_dim": int64(p.RotaryDim)}, err
	},
	network.KindOneHot: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[oneHotParams](l)
		return map[string]any{"axis": int64(p.Axis)}, err
	},
	// Loop and conditional boundary layers: the settings the shim passes
	// (addTripLimit's kind, addIterator's axis and reverse,
	// addLoopOutput's kind and axis) and, as "loop"/"conditional", which
	// of the network's loops or conditionals (1-based, in the order added)
	// the layer belongs to.
	network.KindTripLimit: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[tripLimitParams](l)
		return map[string]any{"trip_limit": word(p.Kind), "loop": int64(p.Region)}, err
	},
	network.KindRecurrence: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[recurrenceParams](l)
		return map[string]any{"loop": int64(p.Region)}, err
	},
	network.KindIterator: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[iteratorParams](l)
		return map[string]any{"axis": int64(p.Axis), "reverse": p.Reverse, "loop": int64(p.Region)}, err
	},
	network.KindLoopOutput: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[loopOutputParams](l)
		m := map[string]any{"loop_output": word(p.Kind), "loop": int64(p.Region)}
		if p.Kind != network.LoopOutputLAST_VALUE {
			m["axis"] = int64(p.Axis)
		}
		return m, err
	},
	network.KindCondition: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[conditionParams](l)
		return map[string]any{"conditional": int64(p.Region)}, err
	},
	network.KindIfConditionalInput: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[condInputParams](l)
		return map[string]any{"conditional": int64(p.Region)}, err
	},
	network.KindIfConditionalOutput: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[condOutputParams](l)
		return map[string]any{"conditional": int64(p.Region)}, err
	},
	// The recording fake has no plugin registry (the shim's plugin layers
	// fail there), so no record is compared with this: creator, version,
	// namespace and fields are TensorRT's names (PluginField's name, type,
	// length, data); cpu_op is trtc's own, the op the reference backend
	// runs in the plugin's place.
	network.KindPluginV3: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[pluginV3Params](l)
		fields := make([]map[string]any, 0, len(p.Spec.Fields))
		for _, f := range p.Spec.Fields {
			var data any
			switch f.Type {
			case network.PluginFieldFloat32:
				data = f.Float32s
			case network.PluginFieldInt32:
				data = f.Int32s
			case network.PluginFieldInt64:
				data = f.Int64s
			case network.PluginFieldChar:
				data = f.Chars
			}
			fields = append(fields, map[string]any{"name": f.Name, "type": f.Type.String(), "length": f.Len(), "data": data})
		}
		return map[string]any{"creator": p.Spec.Creator, "version": p.Spec.Version, "namespace": p.Spec.Namespace,
			"fields": fields, "cpu_op": p.Spec.CPUOp}, err
	},
	// addQuantize/addDequantize's output type is to_type (setToType); the
	// axis is absent when per tensor (TensorRT's default, not set);
	// block_shape is setBlockShape's (TensorRT 10.15 on).
	network.KindQuantize:   describeQDQ,
	network.KindDequantize: describeQDQ,
	network.KindScatter: func(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
		p, err := paramsOf[scatterParams](l)
		m := map[string]any{"mode": word(p.Mode)}
		if p.Mode == network.ScatterELEMENT {
			m["axis"] = int64(p.Axis)
		}
		return m, err
	},
}

func noParams(*layer, func(int) ir.Shape) (map[string]any, error) { return map[string]any{}, nil }

// paramsOf asserts a layer's parameter struct, as an error instead of a
// panic for a malformed blob.
func paramsOf[T any](l *layer) (T, error) {
	p, ok := l.Params.(T)
	if !ok {
		var zero T
		return zero, fmt.Errorf("parameters are %T, want %T", l.Params, zero)
	}
	return p, nil
}

// convParams are a (de)convolution's settings: the per-dim ones and the
// group count only where the converter set them (TensorRT's defaults
// otherwise), the bias as empty weights of the kernel's dtype when absent.
func convParams(p network.ConvolutionParams) map[string]any {
	var kt ir.DType
	if p.Kernel != nil {
		kt = p.Kernel.DType
	}
	m := map[string]any{"nb_output_maps": p.NbOutputMaps, "kernel_size_nd": dimList(p.KernelSize),
		"kernel_weights": weightsOf(p.Kernel, kt), "bias_weights": weightsOf(p.Bias, kt)}
	setDims(m, map[string][]int64{"stride_nd": p.Stride, "pre_padding": p.PrePadding, "post_padding": p.PostPadding, "dilation_nd": p.Dilation})
	if p.NbGroups > 0 {
		m["nb_groups"] = p.NbGroups
	}
	return m
}

// setDims sets each per-dim setting that is given.
func setDims(m map[string]any, ds map[string][]int64) {
	for k, v := range ds {
		if v != nil {
			m[k] = dimList(v)
		}
	}
}

// dimList is a Dims value as the fake records it.
func dimList(d []int64) []any {
	out := []any{}
	for _, x := range d {
		out = append(out, x)
	}
	return out
}

// permList is a Permutation: all 8 entries, identity past the given ones.
func permList(p []int) []any {
	out := []any{}
	for i := range 8 {
		if i < len(p) {
			out = append(out, int64(p[i]))
		} else {
			out = append(out, int64(i))
		}
	}
	return out
}

// weightsOf is a Weights value: its dtype (dt for absent weights), element
// count and the FNV-1a hash of its bytes.
func weightsOf(w *ir.Tensor, dt ir.DType) map[string]any {
	h := fnv.New64a()
	count := int64(0)
	if w != nil {
		h.Write(w.Data)
		count = w.Numel()
		dt = w.DType
	}
	return map[string]any{"dtype": dt.String(), "count": count, "fnv1a": fmt.Sprintf("%016x", h.Sum64())}
}

func hasInput(l *layer, i int) bool { return i < len(l.In) && l.In[i] >= 0 }

// word is an enum value as TensorRT's enumerator without its "k" ("SUM"),
// from the generated String methods of package network.
func word(v fmt.Stringer) string { return strings.TrimPrefix(v.String(), "k") }

// DescribeLayers is Describe, for backend.LayerDescriber.
func (Backend) DescribeLayers(blob []byte) ([]network.LayerInfo, error) { return Describe(blob) }

var _ backend.LayerDescriber = Backend{}

func describeQDQ(l *layer, _ func(int) ir.Shape) (map[string]any, error) {
	p, err := paramsOf[quantizeParams](l)
	m := map[string]any{"to_type": p.ToType.String()}
	if p.Axis >= 0 {
		m["axis"] = int64(p.Axis)
	}
	if len(p.BlockShape) > 0 {
		m["block_shape"] = dimList(p.BlockShape)
	}
	return m, err
}
