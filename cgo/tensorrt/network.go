//go:build tensorrt

package tensorrt

// #include <stdlib.h>
// #include "shim.h"
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// tensor is an ITensor of one Network, with the dtype and dims TensorRT
// inferred for it (dynamic dims are -1 there and unnamed here, except for
// network inputs, which keep the model's symbols).
type tensor struct {
	h     *C.trtc_tensor
	net   *Network
	name  string
	dtype ir.DType
	shape ir.Shape
}

func (t *tensor) Name() string    { return t.name }
func (t *tensor) DType() ir.DType { return t.dtype }
func (t *tensor) Shape() ir.Shape { return t.shape }

var poisoned = &tensor{name: "<error>"}

// Network is network.Network over a TensorRT INetworkDefinition (strongly
// typed). It owns the C builder until Build or until it is collected.
type Network struct {
	b       *C.trtc_builder
	cleanup runtime.Cleanup
	namer   network.Namer
	err     error
	layers  int
	// recurrences maps each recurrence layer's output to the layer
	// (network_loop.go).
	recurrences map[*tensor]*C.trtc_recurrence
	inputs      []inputSpec
	// inputHandles[i] is inputs[i]'s ITensor.
	inputHandles []*C.trtc_tensor
}

// NewNetwork creates a builder and an empty network; a failure (no
// libnvinfer, a version mismatch) is the network's sticky error.
func NewNetwork() *Network { return NewTypedNetwork(true) }

// SetNodePrecision pins the layers made for model node node to dt
// (ILayer::setPrecision and setOutputType) on a weakly typed TensorRT 10
// network; with BuilderFlag::kOBEY_PRECISION_CONSTRAINTS the builder keeps
// them. It returns the number of layers set.
func (n *Network) SetNodePrecision(node string, dt ir.DType) (int, error) {
	if n.err != nil {
		return 0, n.err
	}
	t, err := toTRT(dt)
	if err != nil {
		return 0, err
	}
	cnode := C.CString(node)
	defer C.free(unsafe.Pointer(cnode))
	var count C.int32_t
	if err := check(C.trtc_set_node_precision(n.b, cnode, C.int32_t(t), &count), "setting the precision of node "+node+"'s layers"); err != nil {
		return 0, err
	}
	return int(count), nil
}

// NewTypedNetwork makes a network over a new builder: strongly typed
// (NetworkDefinitionCreationFlag::kSTRONGLY_TYPED), or weakly typed on
// TensorRT 10, whose builder then chooses types from the precision flags
// (backend.PrecisionFlags). TensorRT 11 refuses a weakly typed one.
func NewTypedNetwork(stronglyTyped bool) *Network {
	n := &Network{}
	var b *C.trtc_builder
	if err := check(C.trtc_builder_create(&b, cbool(stronglyTyped)), "creating the builder"); err != nil {
		n.err = err
		return n
	}
	n.b = b
	n.cleanup = runtime.AddCleanup(n, func(b *C.trtc_builder) { C.trtc_builder_destroy(b) }, b)
	return n
}

// release destroys the C builder now (after a build).
func (n *Network) release() {
	if n.b != nil {
		n.cleanup.Stop()
		C.trtc_builder_destroy(n.b)
		n.b = nil
	}
}

func (n *Network) BeginNode(op, node string) { n.namer.BeginNode(op, node) }
func (n *Network) Err() error                { return n.err }
func (n *Network) NumLayers() int            { return n.layers }

func (n *Network) fail(layer string, err error) {
	if n.err == nil {
		n.err = &network.Error{Layer: layer, Err: err}
	}
}

// handle resolves a tensor of this network; nil stays nil (an absent
// optional input).
func (n *Network) handle(t network.Tensor, i int) (*C.trtc_tensor, error) {
	if t == nil {
		return nil, nil
	}
	tt, ok := t.(*tensor)
	if !ok || tt == nil {
		return nil, nil
	}
	if tt.net != n || tt.h == nil {
		return nil, fmt.Errorf("input %d: tensor %q is not of this network", i, tt.name)
	}
	return tt.h, nil
}

// wrap makes the Go tensor of a layer output. The shim refuses outputs
// TensorRT could not shape; nbDims -1 reaching here is still an error, never
// a rank-0 shape.
func (n *Network) wrap(o C.trtc_out, name string) (*tensor, error) {
	if o.tensor == nil {
		return nil, fmt.Errorf("output %s: TensorRT returned no tensor", name)
	}
	ds, err := godims(o.dims, "output "+name)
	if err != nil {
		return nil, err
	}
	shape := make(ir.Shape, 0, len(ds))
	for _, d := range ds {
		if d < 0 {
			shape = append(shape, ir.Dim{Size: -1})
		} else {
			shape = append(shape, ir.Dim{Size: d})
		}
	}
	return &tensor{h: o.tensor, net: n, name: name, dtype: fromTRT(int32(o.dtype)), shape: shape}, nil
}

// shimCall adds one layer through the shim.
type shimCall func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status

// layer names the layer, resolves its inputs, calls the shim and wraps the
// output; on any failure it records the sticky error.
func (n *Network) layer(kind network.LayerKind, ins []network.Tensor, call shimCall) network.Tensor {
	name := n.namer.Name(kind)
	if n.err != nil {
		return poisoned
	}
	hs := make([]*C.trtc_tensor, len(ins))
	for i, t := range ins {
		h, err := n.handle(t, i)
		if err != nil {
			n.fail(name, err)
			return poisoned
		}
		hs[i] = h
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var out C.trtc_out
	if err := check(call(cname, hs, &out), "adding layer "+name); err != nil {
		n.fail(name, err)
		return poisoned
	}
	runtime.KeepAlive(n)
	t, err := n.wrap(out, name+"_out0")
	if err != nil {
		n.fail(name, err)
		return poisoned
	}
	n.layers++
	return t
}

// AddInput declares a network input; dynamic dims become -1.
func (n *Network) AddInput(name string, dt ir.DType, shape ir.Shape) network.Tensor {
	if n.err != nil {
		return poisoned
	}
	trt, err := toTRT(dt)
	if err != nil {
		n.fail("input "+name, err)
		return poisoned
	}
	dims := make([]int64, len(shape))
	for i, d := range shape {
		dims[i] = d.Size
		if !d.Static() {
			dims[i] = -1
		}
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var out C.trtc_out
	if err := check(C.trtc_add_input(n.b, cname, C.int32_t(trt), cdims(dims), &out), "adding input "+name); err != nil {
		n.fail("input "+name, err)
		return poisoned
	}
	t, err := n.wrap(out, name)
	if err != nil {
		n.fail("input "+name, err)
		return poisoned
	}
	n.inputs = append(n.inputs, inputSpec{Name: name, DType: dt, Shape: shape.Clone()})
	n.inputHandles = append(n.inputHandles, t.h)
	t.shape = shape.Clone()
	return t
}

// MarkOutput marks t as a network output called name.
func (n *Network) MarkOutput(t network.Tensor, name string) {
	if n.err != nil {
		return
	}
	h, err := n.handle(t, 0)
	if err == nil && h == nil {
		err = fmt.Errorf("missing output tensor")
	}
	if err != nil {
		n.fail("output "+name, err)
		return
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	if err := check(C.trtc_mark_output(n.b, h, cname), "marking output "+name); err != nil {
		n.fail("output "+name, err)
	}
}

func (n *Network) AddElementWise(a, b network.Tensor, op network.ElementWiseOperation) network.Tensor {
	return n.layer(network.KindElementWise, []network.Tensor{a, b}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_elementwise(n.b, name, in[0], in[1], C.int32_t(op), out)
	})
}

func (n *Network) AddActivation(x network.Tensor, p network.ActivationParams) network.Tensor {
	return n.layer(network.KindActivation, []network.Tensor{x}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_activation(n.b, name, in[0], C.int32_t(p.Type), C.float(p.Alpha), C.float(p.Beta), out)
	})
}

func (n *Network) AddUnary(x network.Tensor, op network.UnaryOperation) network.Tensor {
	return n.layer(network.KindUnary, []network.Tensor{x}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_unary(n.b, name, in[0], C.int32_t(op), out)
	})
}

// AddConstant copies w into the builder (TensorRT reads it at build time).
func (n *Network) AddConstant(w *ir.Tensor) network.Tensor {
	if w == nil {
		n.fail(n.namer.Name(network.KindConstant), fmt.Errorf("nil weights"))
		return poisoned
	}
	trt, err := toTRT(w.DType)
	if w.DType == ir.Float8E4M3FN { // kFP8 weights, one byte each (quantized weights feeding a dequantize layer)
		trt, err = dtFP8, nil
	}
	if err != nil {
		n.fail(n.namer.Name(network.KindConstant), err)
		return poisoned
	}
	return n.layer(network.KindConstant, nil, func(name *C.char, _ []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		data, size := bytesPtr(w.Data)
		return C.trtc_add_constant(n.b, name, C.int32_t(trt), cdims(w.Shape), data, size, out)
	})
}

func (n *Network) AddMatrixMultiply(a network.Tensor, opA network.MatrixOperation, b network.Tensor, opB network.MatrixOperation) network.Tensor {
	return n.layer(network.KindMatrixMultiply, []network.Tensor{a, b}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_matrix_multiply(n.b, name, in[0], C.int32_t(opA), in[1], C.int32_t(opB), out)
	})
}

// convSettings checks a convolution's or deconvolution's weights (what
// names the layer kind in messages) and gives the shim's settings and the
// bias bytes (nil without bias).
func convSettings(what string, p network.ConvolutionParams) (C.trtc_conv_params, []byte, error) {
	if (p.Kernel == nil) == (p.KernelT == nil) {
		return C.trtc_conv_params{}, nil, fmt.Errorf("%s needs kernel weights or a kernel tensor, one of them", what)
	}
	kdt := ir.Undefined
	if p.Kernel != nil {
		kdt = p.Kernel.DType
	} else {
		kdt = p.KernelT.DType()
	}
	wt, err := toTRT(kdt)
	if err != nil {
		return C.trtc_conv_params{}, nil, err
	}
	var bias []byte
	if p.Bias != nil {
		if p.Bias.DType != kdt {
			return C.trtc_conv_params{}, nil, fmt.Errorf("bias dtype %v differs from kernel dtype %v", p.Bias.DType, kdt)
		}
		bias = p.Bias.Data
	}
	return C.trtc_conv_params{
		nb_output_maps: C.int64_t(p.NbOutputMaps), kernel_size: cdims(p.KernelSize), stride: cdims(p.Stride),
		pre_padding: cdims(p.PrePadding), post_padding: cdims(p.PostPadding), dilation: cdims(p.Dilation),
		nb_groups: C.int64_t(p.NbGroups), weights_dtype: C.int32_t(wt),
	}, bias, nil
}

// AddConvolutionNd copies the kernel ([K, C/groups, kernel...]) and bias
// into the builder.
func (n *Network) AddConvolutionNd(x network.Tensor, p network.ConvolutionParams) network.Tensor {
	cp, bias, err := convSettings("convolution", p)
	if err != nil {
		n.fail(n.namer.Name(network.KindConvolution), err)
		return poisoned
	}
	ins := []network.Tensor{x, p.KernelT}
	return n.layer(network.KindConvolution, ins, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		var kdata []byte
		if p.Kernel != nil {
			kdata = p.Kernel.Data
		}
		k, kn := bytesPtr(kdata)
		b, bn := bytesPtr(bias)
		return C.trtc_add_convolution(n.b, name, in[0], cp, k, kn, in[1], b, bn, out)
	})
}

// AddDeconvolutionNd copies the kernel ([C, K/groups, kernel...]) and bias
// into the builder. DeconvolutionParams has ConvolutionParams' fields.
func (n *Network) AddDeconvolutionNd(x network.Tensor, p network.DeconvolutionParams) network.Tensor {
	cp, bias, err := convSettings("deconvolution", network.ConvolutionParams(p))
	if err == nil && p.KernelT != nil {
		err = fmt.Errorf("deconvolutions take kernel weights here, not a kernel tensor")
	}
	if err != nil {
		n.fail(n.namer.Name(network.KindDeconvolution), err)
		return poisoned
	}
	return n.layer(network.KindDeconvolution, []network.Tensor{x}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		k, kn := bytesPtr(p.Kernel.Data)
		b, bn := bytesPtr(bias)
		return C.trtc_add_deconvolution(n.b, name, in[0], cp, k, kn, b, bn, out)
	})
}

func (n *Network) AddPoolingNd(x network.Tensor, p network.PoolingParams) network.Tensor {
	cp := C.trtc_pool_params{
		_type: C.int32_t(p.Type), window: cdims(p.WindowSize), stride: cdims(p.Stride),
		pre_padding: cdims(p.PrePadding), post_padding: cdims(p.PostPadding),
		padding_mode: C.int32_t(p.PaddingMode), exclude_padding: cbool(p.AverageCountExcludesPadding),
		blend_factor: C.float(p.BlendFactor),
	}
	return n.layer(network.KindPooling, []network.Tensor{x}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_pooling(n.b, name, in[0], cp, out)
	})
}

func (n *Network) AddShuffle(x network.Tensor, p network.ShuffleParams) network.Tensor {
	cp := C.trtc_shuffle_params{
		first_transpose: cdimsInt(p.FirstTranspose), reshape: cdims(p.Reshape),
		second_transpose: cdimsInt(p.SecondTranspose), zero_is_placeholder: cbool(p.ZeroIsPlaceholder),
	}
	return n.layer(network.KindShuffle, []network.Tensor{x, p.ReshapeTensor}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_shuffle(n.b, name, in[0], cp, in[1], out)
	})
}

func (n *Network) AddReduce(x network.Tensor, op network.ReduceOperation, axes uint32, keepDims bool) network.Tensor {
	return n.layer(network.KindReduce, []network.Tensor{x}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_reduce(n.b, name, in[0], C.int32_t(op), C.uint32_t(axes), cbool(keepDims), out)
	})
}

func (n *Network) AddSoftMax(x network.Tensor, axes uint32) network.Tensor {
	return n.layer(network.KindSoftMax, []network.Tensor{x}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_softmax(n.b, name, in[0], C.uint32_t(axes), out)
	})
}

func (n *Network) AddConcatenation(xs []network.Tensor, axis int) network.Tensor {
	return n.layer(network.KindConcatenation, xs, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		if len(in) == 0 {
			return C.trtc_add_concatenation(n.b, name, nil, 0, C.int32_t(axis), out)
		}
		return C.trtc_add_concatenation(n.b, name, &in[0], C.int32_t(len(in)), C.int32_t(axis), out)
	})
}

func (n *Network) AddEinsum(xs []network.Tensor, equation string) network.Tensor {
	eq := C.CString(equation)
	defer C.free(unsafe.Pointer(eq))
	return n.layer(network.KindEinsum, xs, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		if len(in) == 0 {
			return C.trtc_add_einsum(n.b, name, nil, 0, eq, out)
		}
		return C.trtc_add_einsum(n.b, name, &in[0], C.int32_t(len(in)), eq, out)
	})
}

func (n *Network) AddPluginV3(xs []network.Tensor, p network.PluginV3) network.Tensor {
	if err := p.Check(); err != nil {
		n.fail("PluginV3 "+p.Creator, err)
		return poisoned
	}
	// C memory for every string and field, freed when the call returns
	// (createPlugin reads the fields during the call).
	var allocs []unsafe.Pointer
	defer func() {
		for _, a := range allocs {
			C.free(a)
		}
	}()
	cstr := func(s string) *C.char {
		c := C.CString(s)
		allocs = append(allocs, unsafe.Pointer(c))
		return c
	}
	cbytes := func(b []byte) unsafe.Pointer {
		c := C.CBytes(b)
		allocs = append(allocs, c)
		return c
	}
	creator, version, ns := cstr(p.Creator), cstr(p.Version), cstr(p.Namespace)
	fields := (*[1 << 20]C.trtc_plugin_field)(C.malloc(C.size_t(max(1, len(p.Fields))) * C.size_t(unsafe.Sizeof(C.trtc_plugin_field{}))))[:len(p.Fields):len(p.Fields)]
	allocs = append(allocs, unsafe.Pointer(unsafe.SliceData(fields)))
	for i, f := range p.Fields {
		var data []byte
		switch f.Type {
		case network.PluginFieldFloat32:
			data = unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(f.Float32s))), 4*len(f.Float32s))
		case network.PluginFieldInt32:
			data = unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(f.Int32s))), 4*len(f.Int32s))
		case network.PluginFieldInt64:
			data = unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(f.Int64s))), 8*len(f.Int64s))
		case network.PluginFieldChar:
			data = []byte(f.Chars)
		}
		fields[i] = C.trtc_plugin_field{name: cstr(f.Name), data: cbytes(data), _type: C.int32_t(f.Type), length: C.int32_t(f.Len())}
	}
	var fp *C.trtc_plugin_field
	if len(fields) > 0 {
		fp = &fields[0]
	}
	return n.layer(network.KindPluginV3, xs, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		if len(in) == 0 {
			return C.trtc_add_plugin_v3(n.b, name, nil, 0, creator, version, ns, fp, C.int32_t(len(fields)), out)
		}
		return C.trtc_add_plugin_v3(n.b, name, &in[0], C.int32_t(len(in)), creator, version, ns, fp, C.int32_t(len(fields)), out)
	})
}

func (n *Network) AddOneHot(indices, values, depth network.Tensor, axis int) network.Tensor {
	return n.layer(network.KindOneHot, []network.Tensor{indices, values, depth}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_onehot(n.b, name, in[0], in[1], in[2], C.int32_t(axis), out)
	})
}

func (n *Network) AddSlice(x network.Tensor, p network.SliceParams) network.Tensor {
	cp := C.trtc_slice_params{start: cdims(p.Start), size: cdims(p.Size), stride: cdims(p.Stride), mode: C.int32_t(p.Mode)}
	ins := []network.Tensor{x, p.StartT, p.SizeT, p.StrideT, p.Fill, p.Axes}
	return n.layer(network.KindSlice, ins, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_slice(n.b, name, in[0], cp, in[1], in[2], in[3], in[4], in[5], out)
	})
}

func (n *Network) AddGather(data, indices network.Tensor, axis int, mode network.GatherMode) network.Tensor {
	return n.layer(network.KindGather, []network.Tensor{data, indices}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_gather(n.b, name, in[0], in[1], C.int32_t(axis), C.int32_t(mode), out)
	})
}

// AddGatherND gathers with GatherMode::kND; the first nbElementWiseDims
// dims of data and indices are paired, not gathered.
func (n *Network) AddGatherND(data, indices network.Tensor, nbElementWiseDims int) network.Tensor {
	if nbElementWiseDims < 0 {
		n.fail(n.namer.Name(network.KindGather), fmt.Errorf("gather ND: %d element-wise dims", nbElementWiseDims))
		return poisoned
	}
	return n.layer(network.KindGather, []network.Tensor{data, indices}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_gather_nd(n.b, name, in[0], in[1], C.int32_t(nbElementWiseDims), out)
	})
}

func (n *Network) AddSelect(cond, then, els network.Tensor) network.Tensor {
	return n.layer(network.KindSelect, []network.Tensor{cond, then, els}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_select(n.b, name, in[0], in[1], in[2], out)
	})
}

func (n *Network) AddCast(x network.Tensor, to ir.DType) network.Tensor {
	trt, err := toTRT(to)
	if err != nil {
		n.fail(n.namer.Name(network.KindCast), err)
		return poisoned
	}
	return n.layer(network.KindCast, []network.Tensor{x}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_cast(n.b, name, in[0], C.int32_t(trt), out)
	})
}

func (n *Network) AddIdentity(x network.Tensor) network.Tensor {
	return n.layer(network.KindIdentity, []network.Tensor{x}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_identity(n.b, name, in[0], out)
	})
}

func (n *Network) AddNormalization(x, scale, bias network.Tensor, axes uint32, epsilon float32) network.Tensor {
	return n.layer(network.KindNormalization, []network.Tensor{x, scale, bias}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_normalization(n.b, name, in[0], in[1], in[2], C.uint32_t(axes), C.float(epsilon), out)
	})
}

func (n *Network) AddShape(x network.Tensor) network.Tensor {
	return n.layer(network.KindShape, []network.Tensor{x}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_shape(n.b, name, in[0], out)
	})
}

func (n *Network) AddFill(p network.FillParams) network.Tensor {
	trt, err := toTRT(p.DType)
	if err != nil {
		n.fail(n.namer.Name(network.KindFill), err)
		return poisoned
	}
	dims := p.Dims
	if dims == nil {
		dims = []int64{} // a scalar, unless DimsT gives the shape
	}
	cp := C.trtc_fill_params{op: C.int32_t(p.Op), dims: cdims(dims), dtype: C.int32_t(trt), alpha: C.double(p.Alpha), beta: C.double(p.Beta)}
	return n.layer(network.KindFill, []network.Tensor{p.DimsT, p.AlphaT, p.BetaT}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_fill(n.b, name, cp, in[0], in[1], in[2], out)
	})
}

func (n *Network) AddCumulative(x, axis network.Tensor, op network.CumulativeOperation, exclusive, reverse bool) network.Tensor {
	return n.layer(network.KindCumulative, []network.Tensor{x, axis}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_cumulative(n.b, name, in[0], in[1], C.int32_t(op), cbool(exclusive), cbool(reverse), out)
	})
}

func (n *Network) AddRotaryEmbedding(x, cosCache, sinCache, positionIDs network.Tensor, interleaved bool, rotaryDim int) network.Tensor {
	xs := []network.Tensor{x, cosCache, sinCache}
	if positionIDs != nil {
		xs = append(xs, positionIDs)
	}
	return n.layer(network.KindRotaryEmbedding, xs, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		var pos *C.trtc_tensor
		if len(in) > 3 {
			pos = in[3]
		}
		return C.trtc_add_rotary_embedding(n.b, name, in[0], in[1], in[2], pos, cbool(interleaved), C.int32_t(rotaryDim), out)
	})
}

// AddTopK returns values and Int32 indices.
func (n *Network) AddTopK(x network.Tensor, op network.TopKOperation, k int64, axes uint32) (network.Tensor, network.Tensor) {
	var idx C.trtc_out
	var layerName string
	vals := n.layer(network.KindTopK, []network.Tensor{x}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		layerName = C.GoString(name)
		return C.trtc_add_topk(n.b, name, in[0], C.int32_t(op), C.int64_t(k), C.uint32_t(axes), out, &idx)
	})
	if vals == network.Tensor(poisoned) {
		return poisoned, poisoned
	}
	it, err := n.wrap(idx, layerName+"_out1")
	if err != nil {
		n.fail(layerName, err)
		return poisoned, poisoned
	}
	return vals, it
}

// AddResize adds an IResizeLayer whose output size is p.OutputDims,
// p.OutputDimsT or p.Scales (exactly one).
func (n *Network) AddResize(x network.Tensor, p network.ResizeParams) network.Tensor {
	rank := -1 // a missing input is the shim's to report
	if t, ok := x.(*tensor); ok && t != nil && t.h != nil {
		rank = len(t.shape)
	}
	if err := checkResize(p, rank); err != nil {
		n.fail(n.namer.Name(network.KindResize), err)
		return poisoned
	}
	cp := C.trtc_resize_params{
		mode: C.int32_t(p.Mode), output_dims: cdims(p.OutputDims), nb_scales: C.int32_t(len(p.Scales)),
		coord_transform: C.int32_t(p.CoordTransform), selector: C.int32_t(p.Selector),
		nearest_rounding: C.int32_t(p.NearestRounding), cubic_coeff: C.float(cubicCoeff(p.CubicCoeff)),
		exclude_outside: cbool(p.ExcludeOutside),
	}
	for i, s := range p.Scales {
		cp.scales[i] = C.float(s)
	}
	return n.layer(network.KindResize, []network.Tensor{x, p.OutputDimsT}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_resize(n.b, name, in[0], cp, in[1], out)
	})
}

// AddScatter is addScatter(data, indices, updates, mode), with setAxis in
// ScatterELEMENT mode.
func (n *Network) AddScatter(data, indices, updates network.Tensor, mode network.ScatterMode, axis int) network.Tensor {
	return n.layer(network.KindScatter, []network.Tensor{data, indices, updates}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_scatter(n.b, name, in[0], in[1], in[2], C.int32_t(mode), C.int32_t(axis), out)
	})
}

// Loops (ILoop) and if-conditionals (IIfConditional): the handles are
// TensorRT's objects, owned by the network. The network keeps each
// recurrence layer by its output, for SetRecurrenceInput.

type loop struct {
	h    *C.trtc_loop
	net  *Network
	name string
}

func (l *loop) LoopName() string { return l.name }

type conditional struct {
	h    *C.trtc_conditional
	net  *Network
	name string
}

func (c *conditional) ConditionalName() string { return c.name }

func (n *Network) loopHandle(l network.Loop, kind network.LayerKind) (*C.trtc_loop, bool) {
	h, ok := l.(*loop)
	if !ok || h == nil || h.net != n {
		n.fail(n.namer.Name(kind), fmt.Errorf("the loop is not one of this network's"))
		return nil, false
	}
	return h.h, true
}

func (n *Network) condHandle(c network.Conditional, kind network.LayerKind) (*C.trtc_conditional, bool) {
	h, ok := c.(*conditional)
	if !ok || h == nil || h.net != n {
		n.fail(n.namer.Name(kind), fmt.Errorf("the conditional is not one of this network's"))
		return nil, false
	}
	return h.h, true
}

// noOutput adds a layer without outputs (trip limit, condition).
func (n *Network) noOutput(kind network.LayerKind, ins []network.Tensor, call func(name *C.char, in []*C.trtc_tensor) C.trtc_status) {
	name := n.namer.Name(kind)
	if n.err != nil {
		return
	}
	hs := make([]*C.trtc_tensor, len(ins))
	for i, t := range ins {
		h, err := n.handle(t, i)
		if err != nil {
			n.fail(name, err)
			return
		}
		hs[i] = h
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	if err := check(call(cname, hs), "adding layer "+name); err != nil {
		n.fail(name, err)
		return
	}
	runtime.KeepAlive(n)
	n.layers++
}

func (n *Network) AddLoop() network.Loop {
	name := n.namer.Name("Loop")
	l := &loop{net: n, name: name}
	if n.err != nil {
		return l
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	if err := check(C.trtc_add_loop(n.b, cname, &l.h), "adding loop "+name); err != nil {
		n.fail(name, err)
	}
	runtime.KeepAlive(n)
	return l
}

func (n *Network) AddTripLimit(l network.Loop, t network.Tensor, kind network.TripLimit) {
	h, ok := n.loopHandle(l, network.KindTripLimit)
	if !ok {
		return
	}
	n.noOutput(network.KindTripLimit, []network.Tensor{t}, func(name *C.char, in []*C.trtc_tensor) C.trtc_status {
		return C.trtc_add_trip_limit(n.b, name, h, in[0], C.int32_t(kind))
	})
}

func (n *Network) AddRecurrence(l network.Loop, initial network.Tensor) network.Tensor {
	h, ok := n.loopHandle(l, network.KindRecurrence)
	if !ok {
		return poisoned
	}
	var rec *C.trtc_recurrence
	out := n.layer(network.KindRecurrence, []network.Tensor{initial}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_recurrence(n.b, name, h, in[0], &rec, out)
	})
	if t, ok := out.(*tensor); ok && t != poisoned && rec != nil {
		if n.recurrences == nil {
			n.recurrences = map[*tensor]*C.trtc_recurrence{}
		}
		n.recurrences[t] = rec
	}
	return out
}

func (n *Network) SetRecurrenceInput(rec, next network.Tensor) {
	if n.err != nil {
		return
	}
	t, _ := rec.(*tensor)
	h := n.recurrences[t]
	if h == nil {
		n.fail("SetRecurrenceInput", fmt.Errorf("tensor %q is not the output of a recurrence layer of this network", rec.Name()))
		return
	}
	nh, err := n.handle(next, 1)
	if err == nil && nh == nil {
		err = fmt.Errorf("the next value is missing")
	}
	if err == nil {
		err = check(C.trtc_set_recurrence_input(n.b, h, nh), "setting the next value of recurrence "+t.name)
	}
	if err != nil {
		n.fail(t.name, err)
	}
	runtime.KeepAlive(n)
}

func (n *Network) AddIterator(l network.Loop, x network.Tensor, axis int, reverse bool) network.Tensor {
	h, ok := n.loopHandle(l, network.KindIterator)
	if !ok {
		return poisoned
	}
	rev := 0
	if reverse {
		rev = 1
	}
	return n.layer(network.KindIterator, []network.Tensor{x}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_iterator(n.b, name, h, in[0], C.int32_t(axis), C.int32_t(rev), out)
	})
}

func (n *Network) AddLoopOutput(l network.Loop, x network.Tensor, kind network.LoopOutput, axis int, length network.Tensor) network.Tensor {
	h, ok := n.loopHandle(l, network.KindLoopOutput)
	if !ok {
		return poisoned
	}
	return n.layer(network.KindLoopOutput, []network.Tensor{x, length}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_loop_output(n.b, name, h, in[0], C.int32_t(kind), C.int32_t(axis), in[1], out)
	})
}

func (n *Network) AddIfConditional() network.Conditional {
	name := n.namer.Name("Conditional")
	c := &conditional{net: n, name: name}
	if n.err != nil {
		return c
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	if err := check(C.trtc_add_if_conditional(n.b, cname, &c.h), "adding conditional "+name); err != nil {
		n.fail(name, err)
	}
	runtime.KeepAlive(n)
	return c
}

func (n *Network) SetCondition(c network.Conditional, cond network.Tensor) {
	h, ok := n.condHandle(c, network.KindCondition)
	if !ok {
		return
	}
	n.noOutput(network.KindCondition, []network.Tensor{cond}, func(name *C.char, in []*C.trtc_tensor) C.trtc_status {
		return C.trtc_set_condition(n.b, name, h, in[0])
	})
}

func (n *Network) AddIfInput(c network.Conditional, x network.Tensor) network.Tensor {
	h, ok := n.condHandle(c, network.KindIfConditionalInput)
	if !ok {
		return poisoned
	}
	return n.layer(network.KindIfConditionalInput, []network.Tensor{x}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_if_input(n.b, name, h, in[0], out)
	})
}

func (n *Network) AddIfOutput(c network.Conditional, trueOut, falseOut network.Tensor) network.Tensor {
	h, ok := n.condHandle(c, network.KindIfConditionalOutput)
	if !ok {
		return poisoned
	}
	return n.layer(network.KindIfConditionalOutput, []network.Tensor{trueOut, falseOut}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_if_output(n.b, name, h, in[0], in[1], out)
	})
}

var _ network.Network = (*Network)(nil)

// AddQuantize and AddDequantize: addQuantize/addDequantize(input, scale,
// toType) with setAxis, setInput(2, zeroPt) and setBlockShape (see
// network.Network).
func (n *Network) AddQuantize(x, scale, zeroPt network.Tensor, p network.QuantizeParams) network.Tensor {
	trt, block, ok := n.qdqArgs(network.KindQuantize, p)
	if !ok {
		return poisoned
	}
	return n.layer(network.KindQuantize, []network.Tensor{x, scale, zeroPt}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_quantize(n.b, name, in[0], in[1], in[2], C.int32_t(trt), C.int32_t(p.Axis), block, out)
	})
}

func (n *Network) AddDequantize(x, scale, zeroPt network.Tensor, p network.QuantizeParams) network.Tensor {
	trt, block, ok := n.qdqArgs(network.KindDequantize, p)
	if !ok {
		return poisoned
	}
	return n.layer(network.KindDequantize, []network.Tensor{x, scale, zeroPt}, func(name *C.char, in []*C.trtc_tensor, out *C.trtc_out) C.trtc_status {
		return C.trtc_add_dequantize(n.b, name, in[0], in[1], in[2], C.int32_t(trt), C.int32_t(p.Axis), block, out)
	})
}

// qdqArgs gives the shim's output type and block shape (nil: nb -1, no
// setBlockShape), or records the error.
func (n *Network) qdqArgs(kind network.LayerKind, p network.QuantizeParams) (int32, C.trtc_dims, bool) {
	trt, err := layerTRT(p.ToType)
	if err != nil {
		n.fail(n.namer.Name(kind), err)
		return 0, C.trtc_dims{}, false
	}
	return trt, cdims(p.BlockShape), true
}
