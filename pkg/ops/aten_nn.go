package ops

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// ATen convolution, matrix products, normalization, softmax, pooling and
// reductions.

// ATenSpatialInts reads a per-spatial-dim int list attribute of an ATen
// node (stride, padding, dilation, output_padding) for nsp spatial dims:
// absent means def for every dim, and a single value repeats, as PyTorch
// allows.
func ATenSpatialInts(n *ir.Node, name string, def int64, nsp int) ([]int64, error) {
	v := n.AttrInts(name, nil)
	switch {
	case len(v) == 0:
		v = []int64{def}
		fallthrough
	case len(v) == 1:
		out := make([]int64, nsp)
		for i := range out {
			out[i] = v[0]
		}
		return out, nil
	case len(v) == nsp:
		return v, nil
	}
	return nil, fmt.Errorf("%s %v for %d spatial dims", name, v, nsp)
}

// ATenConvParams returns convolution's stride, padding and dilation lists
// for nsp spatial dims.
func ATenConvParams(n *ir.Node, nsp int) (stride, padding, dilation []int64, err error) {
	if stride, err = ATenSpatialInts(n, "stride", 1, nsp); err != nil {
		return
	}
	if padding, err = ATenSpatialInts(n, "padding", 0, nsp); err != nil {
		return
	}
	dilation, err = ATenSpatialInts(n, "dilation", 1, nsp)
	return
}

func convLower(n *ir.Node, in []*ir.Value) (*plan, error) {
	if err := need(in, 0, 1); err != nil {
		return nil, err
	}
	if n.AttrInt("transposed", 0) != 0 {
		return nil, fmt.Errorf("transposed convolution is not supported")
	}
	nsp := len(in[1].Shape) - 2
	if nsp < 1 {
		return nil, fmt.Errorf("weight %v needs rank >= 3", in[1].Shape)
	}
	stride, padding, dilation, err := ATenConvParams(n, nsp)
	if err != nil {
		return nil, err
	}
	pads := append(append([]int64{}, padding...), padding...)
	p := &plan{}
	args := []ref{inRef(0), inRef(1)}
	if len(in) > 2 && in[2] != nil {
		args = append(args, inRef(2))
	}
	p.out = []ref{p.add("onnx.Conv", attrs("strides", stride, "pads", pads, "dilations", dilation, "group", n.AttrInt("groups", 1)), args...)}
	return p, nil
}

// linear: x @ w^T + b.
func linearLower(n *ir.Node, in []*ir.Value) (*plan, error) {
	if err := need(in, 0, 1); err != nil {
		return nil, err
	}
	p := &plan{}
	wt := p.add("onnx.Transpose", nil, inRef(1))
	if len(in[1].Shape) == 1 {
		wt = inRef(1)
	}
	y := p.add("onnx.MatMul", nil, inRef(0), wt)
	if len(in) > 2 && in[2] != nil {
		y = p.add("onnx.Add", nil, y, inRef(2))
	}
	p.out = []ref{y}
	return p, nil
}

// batchNormArgs fills absent weight/bias with ones/zeros of C.
func batchNormLower(outs int) lowerFunc {
	return func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0, 3, 4); err != nil {
			return nil, err
		}
		if n.AttrInt("training", 0) != 0 {
			return nil, fmt.Errorf("batch norm in training mode is not supported (export in eval mode)")
		}
		p := &plan{}
		cdims, ok := in[3].Shape.Ints()
		if !ok || len(cdims) != 1 {
			return nil, fmt.Errorf("running_mean has shape %v, want a static [C]", in[3].Shape)
		}
		fill := func(i int, v float64) ref {
			if i < len(in) && in[i] != nil {
				return inRef(i)
			}
			t := ir.NewTensor(in[0].DType, cdims)
			for j := 0; j < int(t.Numel()); j++ {
				t.SetFloat(j, v)
			}
			return p.konst(t)
		}
		eps, _, ok := ScalarAttr(n, "eps")
		if !ok {
			eps = 1e-5
		}
		y := p.add("onnx.BatchNormalization", attrs("epsilon", eps), inRef(0), fill(1, 1), fill(2, 0), inRef(3), inRef(4))
		p.out = []ref{y}
		for i := 1; i < outs; i++ {
			p.out = append(p.out, p.konst(ir.NewTensor(in[0].DType, []int64{0})))
		}
		return p, nil
	}
}

func layerNormLower(outs int) lowerFunc {
	return func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0); err != nil {
			return nil, err
		}
		ns := n.AttrInts("normalized_shape", nil)
		rank := len(in[0].Shape)
		if len(ns) == 0 || len(ns) > rank {
			return nil, fmt.Errorf("normalized_shape %v for input %v", ns, in[0].Shape)
		}
		axis := rank - len(ns)
		p := &plan{}
		fill := func(i int, v float64) ref {
			if i < len(in) && in[i] != nil {
				return inRef(i)
			}
			t := ir.NewTensor(in[0].DType, ns)
			for j := 0; j < int(t.Numel()); j++ {
				t.SetFloat(j, v)
			}
			return p.konst(t)
		}
		eps, _, ok := ScalarAttr(n, "eps")
		if !ok {
			eps = 1e-5
		}
		r := p.addN("onnx.LayerNormalization", attrs("axis", axis, "epsilon", eps), 3, inRef(0), fill(1, 1), fill(2, 0))
		p.out = r[:outs]
		return p, nil
	}
}

func softmaxLower(onnxOp string) lowerFunc {
	return func(n *ir.Node, in []*ir.Value) (*plan, error) {
		p := &plan{}
		x, dt, err := floatIn(p, in)
		if err != nil {
			return nil, err
		}
		if n.HasAttr("dtype") {
			x = p.cast(x, dt, ir.DType(n.AttrInt("dtype", 0)))
		}
		d, err := normDim(n.AttrInt("dim", -1), len(in[0].Shape))
		if err != nil {
			return nil, err
		}
		p.out = []ref{p.add(onnxOp, attrs("axis", d), x)}
		return p, nil
	}
}

// ATenPoolParams returns a 2-D pool's kernel, stride (default: the kernel),
// padding and dilation.
func ATenPoolParams(n *ir.Node) (kernel, stride, padding, dilation []int64, err error) {
	two := func(name string, def []int64) ([]int64, error) {
		v := n.AttrInts(name, nil)
		switch len(v) {
		case 0:
			return def, nil
		case 1:
			return []int64{v[0], v[0]}, nil
		case 2:
			return v, nil
		}
		return nil, fmt.Errorf("%s %v, want 1 or 2 values", name, v)
	}
	if kernel, err = two("kernel_size", nil); err != nil || kernel == nil {
		return nil, nil, nil, nil, fmt.Errorf("kernel_size %v: want 1 or 2 values", n.AttrInts("kernel_size", nil))
	}
	if stride, err = two("stride", kernel); err != nil {
		return
	}
	if padding, err = two("padding", []int64{0, 0}); err != nil {
		return
	}
	dilation, err = two("dilation", []int64{1, 1})
	return
}

func poolLower(isMax bool, outs int) lowerFunc {
	return func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0); err != nil {
			return nil, err
		}
		if r := len(in[0].Shape); r != 4 {
			return nil, fmt.Errorf("2-D pooling needs a rank-4 input, got %v", in[0].Shape)
		}
		k, s, pd, dl, err := ATenPoolParams(n)
		if err != nil {
			return nil, err
		}
		a := attrs("kernel_shape", k, "strides", s, "pads", []int64{pd[0], pd[1], pd[0], pd[1]}, "ceil_mode", n.AttrInt("ceil_mode", 0))
		p := &plan{}
		if !isMax {
			if n.HasAttr("divisor_override") {
				return nil, fmt.Errorf("divisor_override is not supported")
			}
			a["count_include_pad"] = ir.Attr{Kind: ir.AttrInt, I: n.AttrInt("count_include_pad", 1)}
			p.out = []ref{p.add("onnx.AveragePool", a, inRef(0))}
			return p, nil
		}
		a["dilations"] = ir.Attr{Kind: ir.AttrInts, Ints: dl}
		if outs == 1 {
			p.out = []ref{p.add("onnx.MaxPool", a, inRef(0))}
			return p, nil
		}
		r := p.addN("onnx.MaxPool", a, 2, inRef(0))
		// ONNX indices count over the whole tensor, PyTorch's within
		// each (n, c) plane.
		x := in[0].Shape
		if !x[2].Static() || !x[3].Static() {
			return nil, fmt.Errorf("pooling indices need static spatial dims")
		}
		plane := p.konst(ir.FromSlice(ir.Int64, nil, []int64{x[2].Size * x[3].Size}))
		p.out = []ref{r[0], p.add("onnx.Mod", nil, r[1], plane)}
		return p, nil
	}
}

// ATenAdaptiveKernel returns the pooling window of adaptive_avg_pool2d
// when the input divides evenly into output_size.
func ATenAdaptiveKernel(n *ir.Node, x ir.Shape) ([]int64, error) {
	out := n.AttrInts("output_size", nil)
	if len(out) == 1 {
		out = []int64{out[0], out[0]}
	}
	if len(out) != 2 || len(x) != 4 {
		return nil, fmt.Errorf("output_size %v for input %v", n.AttrInts("output_size", nil), x)
	}
	k := make([]int64, 2)
	for i := 0; i < 2; i++ {
		d := x[2+i]
		if !d.Static() || out[i] <= 0 || d.Size%out[i] != 0 {
			return nil, fmt.Errorf("input size %v is not a multiple of output_size %v", x[2:], out)
		}
		k[i] = d.Size / out[i]
	}
	return k, nil
}

func reduceLower(onnxOp string, dimAttr string) lowerFunc {
	return func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0); err != nil {
			return nil, err
		}
		p := &plan{}
		x, dt := inRef(0), in[0].DType
		if onnxOp == "onnx.ReduceMean" && !dt.IsFloat() {
			return nil, fmt.Errorf("mean of %v is not defined; cast first", dt)
		}
		if n.HasAttr("dtype") {
			x, dt = p.cast(x, dt, ir.DType(n.AttrInt("dtype", 0))), ir.DType(n.AttrInt("dtype", 0))
		} else if onnxOp == "onnx.ReduceSum" && (dt.IsInt() || dt == ir.Bool) && dt != ir.Int64 {
			x, dt = p.cast(x, dt, ir.Int64), ir.Int64
		}
		var dims []int64
		switch a := n.Attrs[dimAttr]; a.Kind {
		case ir.AttrInts:
			dims = a.Ints
		case ir.AttrInt:
			dims = []int64{a.I}
		}
		if len(dims) == 0 {
			for i := range in[0].Shape {
				dims = append(dims, int64(i))
			}
		}
		keep := n.AttrInt("keepdim", 0)
		if len(in[0].Shape) == 0 {
			p.out = []ref{p.add("onnx.Identity", nil, x)}
			return p, nil
		}
		p.out = []ref{p.add(onnxOp, attrs("keepdims", keep), x, p.ints(dims...))}
		return p, nil
	}
}

func init() {
	registerATen("aten.convolution.default", false, convLower)
	registerATen("aten.conv2d.default", false, convLower)
	registerATen("aten.conv1d.default", false, convLower)
	registerATen("aten.linear.default", false, linearLower)
	for _, k := range []string{"aten.mm.default", "aten.bmm.default", "aten.matmul.default"} {
		registerATen(k, false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
			if err := need(in, 0, 1); err != nil {
				return nil, err
			}
			p := &plan{}
			p.out = []ref{p.add("onnx.MatMul", nil, inRef(0), inRef(1))}
			return p, nil
		})
	}
	registerATen("aten.addmm.default", false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0, 1, 2); err != nil {
			return nil, err
		}
		alpha, _, ok := ScalarAttr(n, "alpha")
		if !ok {
			alpha = 1
		}
		beta, _, ok := ScalarAttr(n, "beta")
		if !ok {
			beta = 1
		}
		p := &plan{}
		y := p.add("onnx.MatMul", nil, inRef(1), inRef(2))
		if alpha != 1 {
			y = p.add("onnx.Mul", nil, y, p.scalar(in[1].DType, alpha))
		}
		c := inRef(0)
		if beta != 1 {
			c = p.add("onnx.Mul", nil, c, p.scalar(in[0].DType, beta))
		}
		p.out = []ref{p.add("onnx.Add", nil, y, c)}
		return p, nil
	})
	registerATen("aten._native_batch_norm_legit_no_training.default", false, batchNormLower(3))
	registerATen("aten.batch_norm.default", false, batchNormLower(1))
	registerATen("aten.native_layer_norm.default", false, layerNormLower(3))
	registerATen("aten.layer_norm.default", false, layerNormLower(1))
	registerATen("aten._softmax.default", false, softmaxLower("onnx.Softmax"))
	registerATen("aten.softmax.int", false, softmaxLower("onnx.Softmax"))
	registerATen("aten._log_softmax.default", false, softmaxLower("onnx.LogSoftmax"))
	registerATen("aten.log_softmax.int", false, softmaxLower("onnx.LogSoftmax"))
	registerATen("aten.max_pool2d_with_indices.default", false, poolLower(true, 2))
	registerATen("aten.max_pool2d.default", false, poolLower(true, 1))
	registerATen("aten.avg_pool2d.default", false, poolLower(false, 1))
	registerATen("aten.adaptive_avg_pool2d.default", false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0); err != nil {
			return nil, err
		}
		k, err := ATenAdaptiveKernel(n, in[0].Shape)
		if err != nil {
			return nil, err
		}
		p := &plan{}
		p.out = []ref{p.add("onnx.AveragePool", attrs("kernel_shape", k, "strides", k), inRef(0))}
		return p, nil
	})
	registerATen("aten.mean.dim", false, reduceLower("onnx.ReduceMean", "dim"))
	registerATen("aten.sum.dim_IntList", false, reduceLower("onnx.ReduceSum", "dim"))
	registerATen("aten.amax.default", false, reduceLower("onnx.ReduceMax", "dim"))
	registerATen("aten.any.dim", false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0); err != nil {
			return nil, err
		}
		d, err := normDim(n.AttrInt("dim", 0), len(in[0].Shape))
		if err != nil {
			return nil, err
		}
		p := &plan{}
		b := p.cast(toBool(p, inRef(0), in[0].DType), ir.Bool, ir.Int32)
		m := p.add("onnx.ReduceMax", attrs("keepdims", n.AttrInt("keepdim", 0)), b, p.ints(int64(d)))
		p.out = []ref{p.cast(m, ir.Int32, ir.Bool)}
		return p, nil
	})
	registerATen("aten.cumsum.default", false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0); err != nil {
			return nil, err
		}
		d, err := normDim(n.AttrInt("dim", 0), len(in[0].Shape))
		if err != nil {
			return nil, err
		}
		p := &plan{}
		x, dt := inRef(0), in[0].DType
		if n.HasAttr("dtype") {
			x = p.cast(x, dt, ir.DType(n.AttrInt("dtype", 0)))
		} else if !dt.IsFloat() && dt != ir.Int64 {
			x = p.cast(x, dt, ir.Int64)
		}
		p.out = []ref{p.add("onnx.CumSum", nil, x, p.ints(int64(d)))}
		return p, nil
	})
	registerATen("aten.scaled_dot_product_attention.default", false, sdpaLower)
}

// sdpaLower: softmax(q k^T * scale + mask) v, with is_causal a lower
// triangular mask (static sequence lengths).
func sdpaLower(n *ir.Node, in []*ir.Value) (*plan, error) {
	if err := need(in, 0, 1, 2); err != nil {
		return nil, err
	}
	q, k := in[0].Shape, in[1].Shape
	if len(q) < 2 || len(k) != len(q) || len(in[2].Shape) != len(q) {
		return nil, fmt.Errorf("query, key and value need one rank >= 2")
	}
	if d, _, ok := ScalarAttr(n, "dropout_p"); ok && d != 0 {
		return nil, fmt.Errorf("dropout_p %g is not supported", d)
	}
	if n.AttrInt("enable_gqa", 0) != 0 {
		return nil, fmt.Errorf("enable_gqa is not supported")
	}
	dt := in[0].DType
	e := q[len(q)-1]
	scale, _, ok := ScalarAttr(n, "scale")
	if !ok {
		if !e.Static() {
			return nil, fmt.Errorf("the head dim is dynamic and no scale is given")
		}
		scale = 1 / math.Sqrt(float64(e.Size))
	}
	rank := len(q)
	perm := make([]int64, rank)
	for i := range perm {
		perm[i] = int64(i)
	}
	perm[rank-1], perm[rank-2] = perm[rank-2], perm[rank-1]
	p := &plan{}
	kt := p.add("onnx.Transpose", attrs("perm", perm), inRef(1))
	s := p.add("onnx.Mul", nil, p.add("onnx.MatMul", nil, inRef(0), kt), p.scalar(dt, scale))
	if n.AttrInt("is_causal", 0) != 0 {
		l, sl := q[rank-2], k[rank-2]
		if !l.Static() || !sl.Static() {
			return nil, fmt.Errorf("is_causal needs static sequence lengths")
		}
		m := ir.NewTensor(dt, []int64{l.Size, sl.Size})
		for i := int64(0); i < l.Size; i++ {
			for j := i + 1; j < sl.Size; j++ {
				m.SetFloat(int(i*sl.Size+j), math.Inf(-1))
			}
		}
		s = p.add("onnx.Add", nil, s, p.konst(m))
	}
	if len(in) > 3 && in[3] != nil {
		if in[3].DType == ir.Bool {
			s = p.add("onnx.Where", nil, inRef(3), s, p.scalar(dt, math.Inf(-1)))
		} else {
			s = p.add("onnx.Add", nil, s, p.cast(inRef(3), in[3].DType, dt))
		}
	}
	a := p.add("onnx.Softmax", attrs("axis", rank-1), s)
	p.out = []ref{p.add("onnx.MatMul", nil, a, inRef(2))}
	return p, nil
}
