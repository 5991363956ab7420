package reference

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"strings"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Describe lists the layers of a reference engine blob as `trtc inspect
// --layers` prints them and as the recording fake of TensorRT records the
// shim's layer calls (network.LayerInfo): TensorRT's LayerType, the input
// and output tensors (-1 for a dynamic dim, shape tensors marked), and
// every setting of the layer under TensorRT's names in snake case, with
// enumerators without their "k".
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
	tensor := func(id int) (network.TensorInfo, error) {
		if id < 0 || id >= len(p.Tensors) {
			return network.TensorInfo{}, fmt.Errorf("tensor id %d out of range", id)
		}
		t := p.Tensors[id]
		shape := make([]int64, len(t.Shape))
		for i, d := range t.Shape {
			shape[i] = d.Size
			if !d.Static() {
				shape[i] = -1
			}
		}
		return network.TensorInfo{Name: t.Name, DType: t.DType.String(), Shape: shape, ShapeTensor: t.ShapeTensor}, nil
	}
	out := make([]network.LayerInfo, 0, len(p.Layers))
	for _, l := range p.Layers {
		d, ok := describers[l.Kind]
		if !ok {
			return nil, fmt.Errorf("layer %s: kind %q has no describer", l.Name, l.Kind)
		}
		info := network.LayerInfo{Name: l.Name, Type: l.Kind.LayerType(), Inputs: []network.TensorInfo{}, Outputs: []network.TensorInfo{}}
		for _, id := range l.In {
			if id < 0 {
				continue // an absent optional input
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
		params, err := d(l)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", l.Name, err)
		}
		info.Params = params
		out = append(out, info)
	}
	return out, nil
}

// describers give each layer kind's settings. A test walks network.Kinds
// and fails on a kind without an entry.
var describers = map[network.LayerKind]func(l *layer) (map[string]any, error){
	network.KindElementWise: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[elementWiseParams](l)
		return map[string]any{"operation": word(p.Op)}, err
	},
	network.KindActivation: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[network.ActivationParams](l)
		return map[string]any{"operation": word(p.Type), "alpha": p.Alpha, "beta": p.Beta}, err
	},
	network.KindUnary: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[unaryParams](l)
		return map[string]any{"operation": word(p.Op)}, err
	},
	network.KindConstant: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[constantParams](l)
		if err != nil || p.Weights == nil {
			return nil, errors.Join(err, errors.New("missing weights"))
		}
		return map[string]any{"dtype": dataTypeName(p.Weights.DType), "dimensions": ints(p.Weights.Shape),
			"count": p.Weights.Numel()}, nil
	},
	network.KindMatrixMultiply: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[matMulParams](l)
		return map[string]any{"op0": word(p.OpA), "op1": word(p.OpB)}, err
	},
	network.KindConvolution: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[network.ConvolutionParams](l)
		return convParams(p.NbOutputMaps, p.KernelSize, p.Kernel, p.Bias, p.Stride, p.PrePadding, p.PostPadding, p.Dilation, p.NbGroups), err
	},
	network.KindDeconvolution: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[network.DeconvolutionParams](l)
		return convParams(p.NbOutputMaps, p.KernelSize, p.Kernel, p.Bias, p.Stride, p.PrePadding, p.PostPadding, p.Dilation, p.NbGroups), err
	},
	network.KindPooling: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[network.PoolingParams](l)
		n := len(p.WindowSize)
		stride := p.Stride
		if stride == nil {
			stride = p.WindowSize
		}
		return map[string]any{
			"operation":                      word(p.Type),
			"window_size":                    orEmpty(p.WindowSize),
			"stride":                         orEmpty(stride),
			"pre_padding":                    orFill(p.PrePadding, n, 0),
			"post_padding":                   orFill(p.PostPadding, n, 0),
			"padding_mode":                   word(p.PaddingMode),
			"average_count_excludes_padding": p.AverageCountExcludesPadding,
			"blend_factor":                   p.BlendFactor,
		}, err
	},
	network.KindShuffle: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[shuffleParams](l)
		m := map[string]any{
			"first_transpose":     permOf(p.FirstTranspose, l),
			"reshape_dims":        nil, // no reshape, or dims from input 1
			"second_transpose":    p.SecondTranspose,
			"zero_is_placeholder": p.ZeroIsPlaceholder,
		}
		if p.StaticReshape {
			m["reshape_dims"] = orEmpty(p.Reshape)
		}
		if p.SecondTranspose == nil {
			m["second_transpose"] = []int{}
		}
		return m, err
	},
	network.KindReduce: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[reduceParams](l)
		return map[string]any{"operation": word(p.Op), "axes": p.Axes, "keep_dims": p.KeepDims}, err
	},
	network.KindSoftMax: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[softMaxParams](l)
		return map[string]any{"axes": p.Axes}, err
	},
	network.KindConcatenation: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[concatParams](l)
		return map[string]any{"axis": p.Axis}, err
	},
	network.KindSlice: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[network.SliceParams](l)
		// A setting given by a tensor input is null here; the tensor is
		// among the inputs.
		m := map[string]any{"start": nilIf(p.Start, l, 1), "size": nilIf(p.Size, l, 2), "stride": nilIf(p.Stride, l, 3),
			"mode": word(p.Mode)}
		return m, err
	},
	network.KindGather: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[gatherParams](l)
		return map[string]any{"axis": p.Axis, "mode": word(p.Mode),
			"num_elementwise_dims": p.NbElementWiseDims}, err
	},
	network.KindSelect:   func(l *layer) (map[string]any, error) { return map[string]any{}, nil },
	network.KindIdentity: func(l *layer) (map[string]any, error) { return map[string]any{}, nil },
	network.KindShape:    func(l *layer) (map[string]any, error) { return map[string]any{}, nil },
	network.KindCast: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[castParams](l)
		return map[string]any{"dtype": dataTypeName(p.To)}, err
	},
	network.KindNormalization: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[normParams](l)
		return map[string]any{"axes": p.Axes, "epsilon": p.Epsilon, "num_groups": 1}, err
	},
	network.KindFill: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[network.FillParams](l)
		m := map[string]any{"mode": word(p.Op), "dtype": dataTypeName(p.DType),
			"dimensions": nilIf(p.Dims, l, 0), "alpha": p.Alpha, "beta": p.Beta}
		if hasInput(l, 1) || hasInput(l, 2) {
			m["alpha"], m["beta"] = nil, nil // from inputs 1 and 2
		}
		return m, err
	},
	network.KindCumulative: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[cumulativeParams](l)
		return map[string]any{"operation": word(p.Op), "exclusive": p.Exclusive, "reverse": p.Reverse}, err
	},
	network.KindTopK: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[topKParams](l)
		return map[string]any{"operation": word(p.Op), "k": p.K, "axes": p.Axes}, err
	},
	network.KindResize: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[network.ResizeParams](l)
		cubic := p.CubicCoeff
		if cubic == 0 {
			cubic = -0.75
		}
		m := map[string]any{
			"mode":                       word(p.Mode),
			"output_dimensions":          p.OutputDims,
			"scales":                     p.Scales,
			"coordinate_transformation":  word(p.CoordTransform),
			"selector_for_single_pixel":  word(p.Selector),
			"nearest_rounding":           word(p.NearestRounding),
			"cubic_coeff":                cubic,
			"exclude_outside":            p.ExcludeOutside,
			"output_dimensions_is_input": hasInput(l, 1),
		}
		if p.OutputDims == nil {
			m["output_dimensions"] = nil
		}
		if p.Scales == nil {
			m["scales"] = nil
		}
		return m, err
	},
	network.KindEinsum: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[einsumParams](l)
		return map[string]any{"equation": p.Equation}, err
	},
	network.KindOneHot: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[oneHotParams](l)
		return map[string]any{"axis": p.Axis}, err
	},
	network.KindPluginV3: func(l *layer) (map[string]any, error) {
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
	network.KindScatter: func(l *layer) (map[string]any, error) {
		p, err := paramsOf[scatterParams](l)
		return map[string]any{"mode": word(p.Mode), "axis": p.Axis}, err
	},
}

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

func convParams(maps int64, kernel []int64, w, b *ir.Tensor, stride, pre, post, dil []int64, groups int64) map[string]any {
	n := len(kernel)
	if groups == 0 {
		groups = 1
	}
	kdt := any(nil)
	if w != nil {
		kdt = dataTypeName(w.DType)
	}
	return map[string]any{
		"num_output_maps": maps,
		"kernel_size":     orEmpty(kernel),
		"stride":          orFill(stride, n, 1),
		"pre_padding":     orFill(pre, n, 0),
		"post_padding":    orFill(post, n, 0),
		"dilation":        orFill(dil, n, 1),
		"num_groups":      groups,
		"kernel_dtype":    kdt,
		"bias":            b != nil,
	}
}

func orEmpty(s []int64) []int64 {
	if s == nil {
		return []int64{}
	}
	return s
}

// orFill gives TensorRT's default (all v) for an unset per-dim setting.
func orFill(s []int64, n int, v int64) []int64 {
	if s != nil {
		return s
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func permOf(p []int, _ *layer) []int {
	if p == nil {
		return []int{}
	}
	return p
}

func hasInput(l *layer, i int) bool { return i < len(l.In) && l.In[i] >= 0 }

// nilIf is a static setting, or nil where input i overrides it.
func nilIf(s []int64, l *layer, i int) any {
	if hasInput(l, i) {
		return nil
	}
	return orEmpty(s)
}

func ints(s []int64) []int64 { return append([]int64{}, s...) }

// word is an enum value as TensorRT's enumerator without its "k" ("SUM"),
// from the generated String methods of package network.
func word(v fmt.Stringer) string { return strings.TrimPrefix(v.String(), "k") }

// dataTypeName is TensorRT's DataType enumerator without "k" for a dtype.
func dataTypeName(d ir.DType) string {
	switch d {
	case ir.Float32:
		return "FLOAT"
	case ir.Float16:
		return "HALF"
	case ir.BFloat16:
		return "BF16"
	case ir.Int8:
		return "INT8"
	case ir.Uint8:
		return "UINT8"
	case ir.Int32:
		return "INT32"
	case ir.Int64:
		return "INT64"
	case ir.Bool:
		return "BOOL"
	}
	return d.String()
}

// DescribeLayers is Describe, for backend.LayerDescriber.
func (Backend) DescribeLayers(blob []byte) ([]network.LayerInfo, error) { return Describe(blob) }

var _ backend.LayerDescriber = Backend{}
