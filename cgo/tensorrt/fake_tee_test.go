//go:build tensorrt && fakenvinfer

package tensorrt

// teeNetwork builds one network twice: in the reference backend, whose
// tensors the converters see (so they decide as they do for the reference
// plan), and through the shim into the recording fake of TensorRT, fed with
// the reference's output dtypes and shapes (the fake does not infer
// shapes). It also describes each call as a network.LayerInfo in
// TensorRT's terms: the reference side of the comparison, until the
// reference backend describes its plans itself (referenceLayers).

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/backend/reference"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// trtNames maps each network enum type's values to TensorRT's enumerator
// names without "k", from enumcheck.h (generated from pkg/network/enums.go,
// and asserted against the headers when the shim compiles).
var trtNames = sync.OnceValue(func() map[string]map[int64]string {
	f, err := os.Open("enumcheck.h")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	re := regexp.MustCompile(`^TRTC_ENUM\((\w+), k(\w+), (-?\d+)\)`)
	out := map[string]map[int64]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := re.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		v, _ := strconv.ParseInt(m[3], 10, 64)
		if out[m[1]] == nil {
			out[m[1]] = map[int64]string{}
		}
		if _, dup := out[m[1]][v]; !dup {
			out[m[1]][v] = m[2]
		}
	}
	return out
})

// enumName is TensorRT's name of v, an enum of pkg/network.
func enumName(v any) string {
	t := fmt.Sprintf("%T", v)
	t = t[strings.LastIndex(t, ".")+1:]
	n, ok := trtNames()[t][reflectInt(v)]
	if !ok {
		return fmt.Sprintf("%s(%d)", t, reflectInt(v))
	}
	return n
}

func reflectInt(v any) int64 {
	i, _ := strconv.ParseInt(fmt.Sprintf("%d", v), 10, 64)
	return i
}

// tensorRef names a tensor of the description; MarkOutput renames it, as
// ITensor::setName does.
type tensorRef struct {
	name  string
	dtype ir.DType
	shape ir.Shape
}

type layerDesc struct {
	info network.LayerInfo
	ins  []*tensorRef // nil: an unset optional input
	outs []*tensorRef
}

type teeNetwork struct {
	ref    *reference.Network
	trt    *Network
	m      map[network.Tensor]network.Tensor
	refs   map[network.Tensor]*tensorRef
	inputs map[network.Tensor]bool
	marked map[network.Tensor]bool
	layers []*layerDesc
	// diverged is the first call the shim refused where the reference did
	// not.
	diverged error
}

func newTee() *teeNetwork {
	fakeFeedClear()
	return &teeNetwork{ref: reference.NewNetwork(), trt: NewNetwork(), m: map[network.Tensor]network.Tensor{},
		refs: map[network.Tensor]*tensorRef{}, inputs: map[network.Tensor]bool{}, marked: map[network.Tensor]bool{}}
}

func (n *teeNetwork) BeginNode(op, node string) { n.ref.BeginNode(op, node); n.trt.BeginNode(op, node) }
func (n *teeNetwork) NumLayers() int            { return n.ref.NumLayers() }
func (n *teeNetwork) Err() error {
	if err := n.ref.Err(); err != nil {
		return err
	}
	return n.trt.Err()
}

// tt maps a reference tensor to the shim's; nil stays nil.
func (n *teeNetwork) tt(t network.Tensor) network.Tensor {
	if t == nil {
		return nil
	}
	if m, ok := n.m[t]; ok {
		return m
	}
	return nil
}

func (n *teeNetwork) ref1(t network.Tensor) *tensorRef {
	if t == nil {
		return nil
	}
	if r, ok := n.refs[t]; ok {
		return r
	}
	return &tensorRef{name: "<unknown " + t.Name() + ">"}
}

// call runs one Add on both networks: ref gives the reference's outputs,
// trt (given the mapped inputs) the shim's; the fake gets the reference's
// output dtypes and shapes first.
func (n *teeNetwork) call(kind network.LayerKind, ins []network.Tensor, params map[string]any,
	ref func() []network.Tensor, trt func() []network.Tensor) []network.Tensor {
	outs := ref()
	if n.ref.Err() != nil || n.trt.Err() != nil {
		return outs
	}
	for _, o := range outs {
		if err := fakeFeed(o.DType(), o.Shape()); err != nil {
			n.diverged = err
			return outs
		}
	}
	touts := trt()
	fakeFeedClear()
	if err := n.trt.Err(); err != nil {
		n.diverged = fmt.Errorf("the shim refused a layer the reference backend built: %w", err)
		return outs
	}
	d := &layerDesc{info: network.LayerInfo{Type: kind.LayerType(), Params: params}}
	d.info.Name = strings.TrimSuffix(outs[0].Name(), "_out0")
	last := -1
	for i, t := range ins {
		if t != nil {
			last = i
		}
	}
	for _, t := range ins[:last+1] {
		d.ins = append(d.ins, n.ref1(t))
	}
	for i, o := range outs {
		r := &tensorRef{name: o.Name(), dtype: o.DType(), shape: o.Shape()}
		n.refs[o], n.m[o] = r, touts[i]
		d.outs = append(d.outs, r)
	}
	n.layers = append(n.layers, d)
	return outs
}

func one(t network.Tensor) []network.Tensor { return []network.Tensor{t} }

func (n *teeNetwork) AddInput(name string, dt ir.DType, shape ir.Shape) network.Tensor {
	r := n.ref.AddInput(name, dt, shape)
	t := n.trt.AddInput(name, dt, shape)
	n.m[r], n.refs[r], n.inputs[r] = t, &tensorRef{name: name, dtype: dt, shape: shape.Clone()}, true
	return r
}

// MarkOutput: the shim names the tensor after the output, first adding an
// identity layer when the tensor is a network input or already an output.
func (n *teeNetwork) MarkOutput(t network.Tensor, name string) {
	n.ref.MarkOutput(t, name)
	if n.ref.Err() != nil || n.trt.Err() != nil {
		return
	}
	r := n.ref1(t)
	if n.inputs[t] || n.marked[t] {
		fakeFeed(t.DType(), t.Shape())
		out := &tensorRef{name: name, dtype: t.DType(), shape: t.Shape()}
		n.layers = append(n.layers, &layerDesc{info: network.LayerInfo{Name: "[Identity]-[output]-[" + name + "]", Type: "IDENTITY",
			Params: map[string]any{}}, ins: []*tensorRef{r}, outs: []*tensorRef{out}})
	} else {
		r.name = name
	}
	n.marked[t] = true
	n.trt.MarkOutput(n.tt(t), name)
	fakeFeedClear()
}

func tensorInfo(r *tensorRef) network.TensorInfo {
	ti := network.TensorInfo{Name: r.name, DType: r.dtype.String(), Shape: []int64{}}
	for _, d := range r.shape {
		if d.Static() {
			ti.Shape = append(ti.Shape, d.Size)
		} else {
			ti.Shape = append(ti.Shape, -1)
		}
	}
	return ti
}

// describe is the tee's description of the network, with the tensors'
// final names.
func (n *teeNetwork) describe() []network.LayerInfo {
	var out []network.LayerInfo
	for _, d := range n.layers {
		li := d.info
		li.Inputs, li.Outputs = []network.TensorInfo{}, []network.TensorInfo{}
		for _, r := range d.ins {
			if r == nil {
				li.Inputs = append(li.Inputs, network.TensorInfo{})
				continue
			}
			li.Inputs = append(li.Inputs, tensorInfo(r))
		}
		for _, r := range d.outs {
			li.Outputs = append(li.Outputs, tensorInfo(r))
		}
		out = append(out, li)
	}
	return out
}

// Parameter descriptions, in the names the shim's TensorRT calls have
// (the setter's name in snake case; see docs/tensorrt.md).

func dims(d []int64) []any {
	out := []any{}
	for _, x := range d {
		out = append(out, x)
	}
	return out
}

func perm(p []int) []any {
	out := []any{}
	for i := 0; i < 8; i++ {
		if i < len(p) {
			out = append(out, int64(p[i]))
		} else {
			out = append(out, int64(i))
		}
	}
	return out
}

func weights(w *ir.Tensor, dt ir.DType) map[string]any {
	h := fnv.New64a()
	count := int64(0)
	if w != nil {
		h.Write(w.Data)
		count = w.Numel()
		dt = w.DType
	}
	return map[string]any{"dtype": dt.String(), "count": count, "fnv1a": fmt.Sprintf("%016x", h.Sum64())}
}

func (n *teeNetwork) AddElementWise(a, b network.Tensor, op network.ElementWiseOperation) network.Tensor {
	return n.call(network.KindElementWise, []network.Tensor{a, b}, map[string]any{"operation": enumName(op)},
		func() []network.Tensor { return one(n.ref.AddElementWise(a, b, op)) },
		func() []network.Tensor { return one(n.trt.AddElementWise(n.tt(a), n.tt(b), op)) })[0]
}

func (n *teeNetwork) AddActivation(x network.Tensor, p network.ActivationParams) network.Tensor {
	return n.call(network.KindActivation, []network.Tensor{x},
		map[string]any{"operation": enumName(p.Type), "alpha": float64(p.Alpha), "beta": float64(p.Beta)},
		func() []network.Tensor { return one(n.ref.AddActivation(x, p)) },
		func() []network.Tensor { return one(n.trt.AddActivation(n.tt(x), p)) })[0]
}

func (n *teeNetwork) AddUnary(x network.Tensor, op network.UnaryOperation) network.Tensor {
	return n.call(network.KindUnary, []network.Tensor{x}, map[string]any{"operation": enumName(op)},
		func() []network.Tensor { return one(n.ref.AddUnary(x, op)) },
		func() []network.Tensor { return one(n.trt.AddUnary(n.tt(x), op)) })[0]
}

func (n *teeNetwork) AddConstant(w *ir.Tensor) network.Tensor {
	var p map[string]any
	if w != nil {
		p = map[string]any{"dimensions": dims(w.Shape), "dtype": w.DType.String(), "weights": weights(w, w.DType)}
	}
	return n.call(network.KindConstant, nil, p,
		func() []network.Tensor { return one(n.ref.AddConstant(w)) },
		func() []network.Tensor { return one(n.trt.AddConstant(w)) })[0]
}

func (n *teeNetwork) AddMatrixMultiply(a network.Tensor, opA network.MatrixOperation, b network.Tensor, opB network.MatrixOperation) network.Tensor {
	return n.call(network.KindMatrixMultiply, []network.Tensor{a, b}, map[string]any{"operation0": enumName(opA), "operation1": enumName(opB)},
		func() []network.Tensor { return one(n.ref.AddMatrixMultiply(a, opA, b, opB)) },
		func() []network.Tensor { return one(n.trt.AddMatrixMultiply(n.tt(a), opA, n.tt(b), opB)) })[0]
}

func convParams(p network.ConvolutionParams) map[string]any {
	var kt ir.DType
	if p.Kernel != nil {
		kt = p.Kernel.DType
	}
	m := map[string]any{"nb_output_maps": p.NbOutputMaps, "kernel_size_nd": dims(p.KernelSize),
		"kernel_weights": weights(p.Kernel, kt), "bias_weights": weights(p.Bias, kt)}
	for k, v := range map[string][]int64{"stride_nd": p.Stride, "pre_padding": p.PrePadding, "post_padding": p.PostPadding, "dilation_nd": p.Dilation} {
		if v != nil {
			m[k] = dims(v)
		}
	}
	if p.NbGroups > 0 {
		m["nb_groups"] = p.NbGroups
	}
	return m
}

func (n *teeNetwork) AddConvolutionNd(x network.Tensor, p network.ConvolutionParams) network.Tensor {
	return n.call(network.KindConvolution, []network.Tensor{x}, convParams(p),
		func() []network.Tensor { return one(n.ref.AddConvolutionNd(x, p)) },
		func() []network.Tensor { return one(n.trt.AddConvolutionNd(n.tt(x), p)) })[0]
}

func (n *teeNetwork) AddDeconvolutionNd(x network.Tensor, p network.DeconvolutionParams) network.Tensor {
	return n.call(network.KindDeconvolution, []network.Tensor{x}, convParams(network.ConvolutionParams(p)),
		func() []network.Tensor { return one(n.ref.AddDeconvolutionNd(x, p)) },
		func() []network.Tensor { return one(n.trt.AddDeconvolutionNd(n.tt(x), p)) })[0]
}

func (n *teeNetwork) AddPoolingNd(x network.Tensor, p network.PoolingParams) network.Tensor {
	m := map[string]any{"operation": enumName(p.Type), "window_size_nd": dims(p.WindowSize),
		"padding_mode": enumName(p.PaddingMode), "average_count_excludes_padding": p.AverageCountExcludesPadding}
	for k, v := range map[string][]int64{"stride_nd": p.Stride, "pre_padding": p.PrePadding, "post_padding": p.PostPadding} {
		if v != nil {
			m[k] = dims(v)
		}
	}
	if p.Type == network.PoolingMAX_AVERAGE_BLEND {
		m["blend_factor"] = float64(p.BlendFactor)
	}
	return n.call(network.KindPooling, []network.Tensor{x}, m,
		func() []network.Tensor { return one(n.ref.AddPoolingNd(x, p)) },
		func() []network.Tensor { return one(n.trt.AddPoolingNd(n.tt(x), p)) })[0]
}

func (n *teeNetwork) AddShuffle(x network.Tensor, p network.ShuffleParams) network.Tensor {
	m := map[string]any{"zero_is_placeholder": p.ZeroIsPlaceholder}
	if p.FirstTranspose != nil {
		m["first_transpose"] = perm(p.FirstTranspose)
	}
	if p.SecondTranspose != nil {
		m["second_transpose"] = perm(p.SecondTranspose)
	}
	if p.ReshapeTensor == nil && p.Reshape != nil {
		m["reshape_dimensions"] = dims(p.Reshape)
	}
	tp := p
	return n.call(network.KindShuffle, []network.Tensor{x, p.ReshapeTensor}, m,
		func() []network.Tensor { return one(n.ref.AddShuffle(x, p)) },
		func() []network.Tensor {
			tp.ReshapeTensor = n.tt(p.ReshapeTensor)
			return one(n.trt.AddShuffle(n.tt(x), tp))
		})[0]
}

func (n *teeNetwork) AddReduce(x network.Tensor, op network.ReduceOperation, axes uint32, keep bool) network.Tensor {
	return n.call(network.KindReduce, []network.Tensor{x}, map[string]any{"operation": enumName(op), "axes": int64(axes), "keep_dimensions": keep},
		func() []network.Tensor { return one(n.ref.AddReduce(x, op, axes, keep)) },
		func() []network.Tensor { return one(n.trt.AddReduce(n.tt(x), op, axes, keep)) })[0]
}

func (n *teeNetwork) AddSoftMax(x network.Tensor, axes uint32) network.Tensor {
	return n.call(network.KindSoftMax, []network.Tensor{x}, map[string]any{"axes": int64(axes)},
		func() []network.Tensor { return one(n.ref.AddSoftMax(x, axes)) },
		func() []network.Tensor { return one(n.trt.AddSoftMax(n.tt(x), axes)) })[0]
}

func (n *teeNetwork) AddConcatenation(xs []network.Tensor, axis int) network.Tensor {
	return n.call(network.KindConcatenation, xs, map[string]any{"axis": int64(axis)},
		func() []network.Tensor { return one(n.ref.AddConcatenation(xs, axis)) },
		func() []network.Tensor {
			txs := make([]network.Tensor, len(xs))
			for i, x := range xs {
				txs[i] = n.tt(x)
			}
			return one(n.trt.AddConcatenation(txs, axis))
		})[0]
}

func (n *teeNetwork) AddEinsum(xs []network.Tensor, equation string) network.Tensor {
	return n.call(network.KindEinsum, xs, map[string]any{"equation": equation},
		func() []network.Tensor { return one(n.ref.AddEinsum(xs, equation)) },
		func() []network.Tensor {
			txs := make([]network.Tensor, len(xs))
			for i, x := range xs {
				txs[i] = n.tt(x)
			}
			return one(n.trt.AddEinsum(txs, equation))
		})[0]
}

func (n *teeNetwork) AddOneHot(indices, values, depth network.Tensor, axis int) network.Tensor {
	return n.call(network.KindOneHot, []network.Tensor{indices, values, depth}, map[string]any{"axis": int64(axis)},
		func() []network.Tensor { return one(n.ref.AddOneHot(indices, values, depth, axis)) },
		func() []network.Tensor { return one(n.trt.AddOneHot(n.tt(indices), n.tt(values), n.tt(depth), axis)) })[0]
}

func (n *teeNetwork) AddPluginV3(xs []network.Tensor, p network.PluginV3) network.Tensor {
	fields := make([]any, len(p.Fields))
	for i, f := range p.Fields {
		fields[i] = map[string]any{"name": f.Name, "type": f.Type.String(), "length": int64(f.Len())}
	}
	return n.call(network.KindPluginV3, xs, map[string]any{"creator": p.Creator, "version": p.Version, "namespace": p.Namespace, "fields": fields},
		func() []network.Tensor { return one(n.ref.AddPluginV3(xs, p)) },
		func() []network.Tensor {
			txs := make([]network.Tensor, len(xs))
			for i, x := range xs {
				txs[i] = n.tt(x)
			}
			return one(n.trt.AddPluginV3(txs, p))
		})[0]
}

func (n *teeNetwork) AddSlice(x network.Tensor, p network.SliceParams) network.Tensor {
	// The shim's static start/size/stride where a tensor replaces them: the
	// rank of a given one, else the tensor's length, else the input's.
	rank := -1
	for _, d := range [][]int64{p.Start, p.Size, p.Stride} {
		if rank < 0 && d != nil {
			rank = len(d)
		}
	}
	for _, t := range []network.Tensor{p.StartT, p.SizeT, p.StrideT} {
		if rank < 0 && t != nil && len(t.Shape()) == 1 && t.Shape()[0].Static() {
			rank = int(t.Shape()[0].Size)
		}
	}
	if rank < 0 {
		rank = len(x.Shape())
	}
	orDefault := func(d []int64, v int64) []any {
		if d != nil {
			return dims(d)
		}
		out := []any{}
		for range rank {
			out = append(out, v)
		}
		return out
	}
	m := map[string]any{"start": orDefault(p.Start, 0), "size": orDefault(p.Size, 0), "stride": orDefault(p.Stride, 1), "mode": enumName(p.Mode)}
	tp := p
	return n.call(network.KindSlice, []network.Tensor{x, p.StartT, p.SizeT, p.StrideT, p.Fill, p.Axes}, m,
		func() []network.Tensor { return one(n.ref.AddSlice(x, p)) },
		func() []network.Tensor {
			tp.StartT, tp.SizeT, tp.StrideT, tp.Fill, tp.Axes = n.tt(p.StartT), n.tt(p.SizeT), n.tt(p.StrideT), n.tt(p.Fill), n.tt(p.Axes)
			return one(n.trt.AddSlice(n.tt(x), tp))
		})[0]
}

func (n *teeNetwork) AddGather(data, indices network.Tensor, axis int, mode network.GatherMode) network.Tensor {
	m := map[string]any{"mode": enumName(mode)}
	if mode == network.GatherND {
		m["nb_element_wise_dims"] = int64(0)
	} else {
		m["gather_axis"] = int64(axis)
	}
	return n.call(network.KindGather, []network.Tensor{data, indices}, m,
		func() []network.Tensor { return one(n.ref.AddGather(data, indices, axis, mode)) },
		func() []network.Tensor { return one(n.trt.AddGather(n.tt(data), n.tt(indices), axis, mode)) })[0]
}

func (n *teeNetwork) AddGatherND(data, indices network.Tensor, nb int) network.Tensor {
	return n.call(network.KindGather, []network.Tensor{data, indices}, map[string]any{"mode": "ND", "nb_element_wise_dims": int64(nb)},
		func() []network.Tensor { return one(n.ref.AddGatherND(data, indices, nb)) },
		func() []network.Tensor { return one(n.trt.AddGatherND(n.tt(data), n.tt(indices), nb)) })[0]
}

func (n *teeNetwork) AddSelect(c, a, b network.Tensor) network.Tensor {
	return n.call(network.KindSelect, []network.Tensor{c, a, b}, map[string]any{},
		func() []network.Tensor { return one(n.ref.AddSelect(c, a, b)) },
		func() []network.Tensor { return one(n.trt.AddSelect(n.tt(c), n.tt(a), n.tt(b))) })[0]
}

func (n *teeNetwork) AddCast(x network.Tensor, to ir.DType) network.Tensor {
	return n.call(network.KindCast, []network.Tensor{x}, map[string]any{"dtype": to.String()},
		func() []network.Tensor { return one(n.ref.AddCast(x, to)) },
		func() []network.Tensor { return one(n.trt.AddCast(n.tt(x), to)) })[0]
}

func (n *teeNetwork) AddIdentity(x network.Tensor) network.Tensor {
	return n.call(network.KindIdentity, []network.Tensor{x}, map[string]any{},
		func() []network.Tensor { return one(n.ref.AddIdentity(x)) },
		func() []network.Tensor { return one(n.trt.AddIdentity(n.tt(x))) })[0]
}

func (n *teeNetwork) AddNormalization(x, scale, bias network.Tensor, axes uint32, eps float32) network.Tensor {
	return n.call(network.KindNormalization, []network.Tensor{x, scale, bias}, map[string]any{"axes": int64(axes), "epsilon": float64(eps)},
		func() []network.Tensor { return one(n.ref.AddNormalization(x, scale, bias, axes, eps)) },
		func() []network.Tensor {
			return one(n.trt.AddNormalization(n.tt(x), n.tt(scale), n.tt(bias), axes, eps))
		})[0]
}

func (n *teeNetwork) AddShape(x network.Tensor) network.Tensor {
	return n.call(network.KindShape, []network.Tensor{x}, map[string]any{},
		func() []network.Tensor { return one(n.ref.AddShape(x)) },
		func() []network.Tensor { return one(n.trt.AddShape(n.tt(x))) })[0]
}

func (n *teeNetwork) AddFill(p network.FillParams) network.Tensor {
	d := p.Dims
	if p.DimsT != nil || d == nil {
		d = []int64{}
	}
	m := map[string]any{"dimensions": dims(d), "mode": enumName(p.Op), "dtype": p.DType.String()}
	if p.AlphaT == nil && p.BetaT == nil {
		m["alpha"], m["beta"] = p.Alpha, p.Beta
	}
	tp := p
	return n.call(network.KindFill, []network.Tensor{p.DimsT, p.AlphaT, p.BetaT}, m,
		func() []network.Tensor { return one(n.ref.AddFill(p)) },
		func() []network.Tensor {
			tp.DimsT, tp.AlphaT, tp.BetaT = n.tt(p.DimsT), n.tt(p.AlphaT), n.tt(p.BetaT)
			return one(n.trt.AddFill(tp))
		})[0]
}

func (n *teeNetwork) AddCumulative(x, axis network.Tensor, op network.CumulativeOperation, exclusive, reverse bool) network.Tensor {
	return n.call(network.KindCumulative, []network.Tensor{x, axis}, map[string]any{"operation": enumName(op), "exclusive": exclusive, "reverse": reverse},
		func() []network.Tensor { return one(n.ref.AddCumulative(x, axis, op, exclusive, reverse)) },
		func() []network.Tensor { return one(n.trt.AddCumulative(n.tt(x), n.tt(axis), op, exclusive, reverse)) })[0]
}

func (n *teeNetwork) AddTopK(x network.Tensor, op network.TopKOperation, k int64, axes uint32) (network.Tensor, network.Tensor) {
	outs := n.call(network.KindTopK, []network.Tensor{x}, map[string]any{"operation": enumName(op), "k": k, "axes": int64(axes), "indices_type": "int32"},
		func() []network.Tensor { v, i := n.ref.AddTopK(x, op, k, axes); return []network.Tensor{v, i} },
		func() []network.Tensor { v, i := n.trt.AddTopK(n.tt(x), op, k, axes); return []network.Tensor{v, i} })
	return outs[0], outs[1]
}

func (n *teeNetwork) AddResize(x network.Tensor, p network.ResizeParams) network.Tensor {
	m := map[string]any{"mode": enumName(p.Mode), "coordinate_transformation": enumName(p.CoordTransform),
		"selector_for_single_pixel": enumName(p.Selector), "nearest_rounding": enumName(p.NearestRounding),
		"cubic_coeff": float64(cubicCoeff(p.CubicCoeff)), "exclude_outside": p.ExcludeOutside}
	switch {
	case p.OutputDimsT != nil:
	case len(p.Scales) > 0:
		s := []any{}
		for _, v := range p.Scales {
			s = append(s, float64(v))
		}
		m["scales"] = s
	default:
		m["output_dimensions"] = dims(p.OutputDims)
	}
	tp := p
	return n.call(network.KindResize, []network.Tensor{x, p.OutputDimsT}, m,
		func() []network.Tensor { return one(n.ref.AddResize(x, p)) },
		func() []network.Tensor {
			tp.OutputDimsT = n.tt(p.OutputDimsT)
			return one(n.trt.AddResize(n.tt(x), tp))
		})[0]
}

func (n *teeNetwork) AddScatter(data, indices, updates network.Tensor, mode network.ScatterMode, axis int) network.Tensor {
	m := map[string]any{"mode": enumName(mode)}
	if mode == network.ScatterELEMENT {
		m["axis"] = int64(axis)
	}
	return n.call(network.KindScatter, []network.Tensor{data, indices, updates}, m,
		func() []network.Tensor { return one(n.ref.AddScatter(data, indices, updates, mode, axis)) },
		func() []network.Tensor {
			return one(n.trt.AddScatter(n.tt(data), n.tt(indices), n.tt(updates), mode, axis))
		})[0]
}

var _ network.Network = (*teeNetwork)(nil)

// teeBackend compiles through teeNetwork: Build serializes the reference
// plan (which the compiler keeps) and builds the shim's network into the
// fake, whose "plan" is its record; each build's record and description
// are kept in builds for the test.
type teeBackend struct{}

type teeBuild struct {
	record    []network.LayerInfo // what the fake recorded
	reference []network.LayerInfo // the reference side
	err       error
}

var (
	teeMu     sync.Mutex
	teeBuilds []teeBuild
)

func (teeBackend) Name() string                             { return "tensorrt-fake-tee" }
func (teeBackend) NewNetwork() network.Network              { return newTee() }
func (teeBackend) Load(blob []byte) (backend.Engine, error) { return reference.Load(blob) }

func (teeBackend) Build(net network.Network, opts backend.BuildOptions) ([]byte, backend.Target, error) {
	n := net.(*teeNetwork)
	blob, _, err := (reference.Backend{}).Build(n.ref, opts)
	if err != nil {
		return nil, backend.Target{}, err
	}
	b := teeBuild{err: n.diverged}
	if b.err == nil {
		b.record, b.err = buildRecord(n.trt)
	}
	if b.err == nil {
		b.reference, b.err = referenceLayers(blob, n)
	}
	teeMu.Lock()
	teeBuilds = append(teeBuilds, b)
	teeMu.Unlock()
	return blob, backend.Target{Backend: "tensorrt-fake-tee"}, nil
}

func init() { backend.Register(teeBackend{}) }
