package lower

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// More decompositions: the ATen ops of Torch-TensorRT's converter list that
// real models produce (reductions, sorting, indexing, scatter, math), each
// onto ops trtc already runs and converts. Names follow ATen's schema
// arguments, as the frontend writes them.

// unaryOnnx maps ATen unary ops onto ONNX ones of the same definition.
var unaryOnnx = map[string]string{
	"floor": "onnx.Floor", "ceil": "onnx.Ceil", "round": "onnx.Round", "sign": "onnx.Sign",
	"reciprocal": "onnx.Reciprocal", "tan": "onnx.Tan", "atan": "onnx.Atan", "asin": "onnx.Asin",
	"acos": "onnx.Acos", "sinh": "onnx.Sinh", "cosh": "onnx.Cosh", "asinh": "onnx.Asinh",
	"acosh": "onnx.Acosh", "atanh": "onnx.Atanh", "softplus": "", "isnan": "onnx.IsNaN",
}

func init() {
	d := decompositions
	for name, op := range unaryOnnx {
		if op == "" {
			continue
		}
		op := op
		d["aten."+name+".default"] = func(r *rewriter, n *ir.Node) error {
			r.emit(op, nil, []string{n.Inputs[0]}, out(n, 0))
			return nil
		}
	}
	d["aten.trunc.default"] = decTrunc
	d["aten.expm1.default"] = decMath(func(r *rewriter, x string, dt ir.DType) string {
		return r.emit1("onnx.Sub", nil, r.emit1("onnx.Exp", nil, x), r.konst(ir.Scalar(dt, 1)))
	})
	d["aten.log1p.default"] = decMath(func(r *rewriter, x string, dt ir.DType) string {
		return r.emit1("onnx.Log", nil, r.emit1("onnx.Add", nil, x, r.konst(ir.Scalar(dt, 1))))
	})
	d["aten.log2.default"] = decMath(func(r *rewriter, x string, dt ir.DType) string {
		return r.emit1("onnx.Div", nil, r.emit1("onnx.Log", nil, x), r.konst(ir.Scalar(dt, math.Ln2)))
	})
	d["aten.log10.default"] = decMath(func(r *rewriter, x string, dt ir.DType) string {
		return r.emit1("onnx.Div", nil, r.emit1("onnx.Log", nil, x), r.konst(ir.Scalar(dt, math.Ln10)))
	})
	d["aten.exp2.default"] = decMath(func(r *rewriter, x string, dt ir.DType) string {
		return r.emit1("onnx.Pow", nil, r.konst(ir.Scalar(dt, 2)), x)
	})
	d["aten.atan2.default"] = decAtan2
	d["aten.argmax.default"] = decArg("onnx.ArgMax")
	d["aten.argmin.default"] = decArg("onnx.ArgMin")
	d["aten.max.dim"] = decMaxMinDim("onnx.ReduceMax", "onnx.ArgMax")
	d["aten.min.dim"] = decMaxMinDim("onnx.ReduceMin", "onnx.ArgMin")
	d["aten.max.default"] = decReduceAll("onnx.ReduceMax")
	d["aten.min.default"] = decReduceAll("onnx.ReduceMin")
	d["aten.sum.default"] = decReduceAll("onnx.ReduceSum")
	d["aten.mean.default"] = decReduceAll("onnx.ReduceMean")
	d["aten.prod.default"] = decReduceAll("onnx.ReduceProd")
	d["aten.prod.dim_int"] = decReduceDims("onnx.ReduceProd")
	d["aten.amin.default"] = decReduceDims("onnx.ReduceMin")
	d["aten.logsumexp.default"] = decReduceDims("onnx.ReduceLogSumExp")
	d["aten.topk.default"] = decTopK
	d["aten.sort.default"] = decSort
	d["aten.sort.stable"] = decSort
	for _, k := range []string{"aten.var.correction", "aten.var.dim", "aten.std.correction", "aten.std.dim", "aten.var_mean.correction", "aten.var_mean.dim", "aten.std_mean.correction"} {
		d[k] = decVar
	}
	d["aten.linalg_vector_norm.default"] = decVectorNorm
	d["aten.cumprod.default"] = func(r *rewriter, n *ir.Node) error {
		if n.HasAttr("dtype") {
			return errors.New("cumprod with a dtype is not supported")
		}
		r.emit("onnx.CumProd", nil, []string{n.Inputs[0], r.scalarI(n.AttrInt("dim", 0))}, out(n, 0))
		return nil
	}
	d["aten.repeat.default"] = decRepeat
	d["aten.tile.default"] = decTile
	symAware["aten.tile.default"] = true
	d["aten.stack.default"] = decStack
	d["aten.unbind.int"] = decUnbind
	d["aten.narrow.default"] = func(r *rewriter, n *ir.Node) error {
		s := n.AttrInt("start", 0)
		r.emit("aten.slice.Tensor", map[string]ir.Attr{"dim": attrInt(n.AttrInt("dim", 0)), "start": attrInt(s),
			"end": attrInt(s + n.AttrInt("length", 0)), "step": attrInt(1)}, []string{n.Inputs[0]}, out(n, 0))
		return nil
	}
	d["aten.clamp_min.default"] = decClampScalar("min")
	d["aten.clamp_max.default"] = decClampScalar("max")
	d["aten.clamp_min.Tensor"] = decClampTensor(1)
	d["aten.clamp_max.Tensor"] = decClampTensor(2)
	for _, k := range []string{"aten.div.Tensor_mode", "aten.div.Scalar_mode", "aten.floor_divide.default", "aten.floor_divide.Scalar"} {
		d[k] = decDivMode
	}
	for _, f := range []string{"and", "or", "xor"} {
		for _, ov := range []string{"Tensor", "Scalar"} {
			d["aten.bitwise_"+f+"."+ov] = decBitwise("onnx." + strings.ToUpper(f[:1]) + f[1:])
		}
	}
	d["aten.bitwise_not.default"] = decBitwise("onnx.Not")
	for _, dir := range []string{"left", "right"} {
		for _, ov := range []string{"Tensor", "Tensor_Scalar", "Scalar_Tensor"} {
			d["aten.bitwise_"+dir+"_shift."+ov] = decBitwise("shift_" + dir)
		}
		py := map[string]string{"left": "l", "right": "r"}[dir]
		for _, ov := range []string{"Tensor", "Scalar"} {
			d["aten.__"+py+"shift__."+ov] = decBitwise("shift_" + dir)
		}
	}
	for _, f := range []string{"and", "or", "xor"} {
		for _, ov := range []string{"Tensor", "Scalar"} {
			d["aten.__"+f+"__."+ov] = decBitwise("onnx." + strings.ToUpper(f[:1]) + f[1:])
		}
	}
	d["aten._adaptive_avg_pool2d.default"] = func(r *rewriter, n *ir.Node) error {
		r.emit("aten.adaptive_avg_pool2d.default", map[string]ir.Attr{"output_size": n.Attrs["output_size"]}, []string{n.Inputs[0]}, out(n, 0))
		return nil
	}
	d["aten._native_batch_norm_legit.no_stats"] = decBatchNormNoStats
	d["aten.index.Tensor"] = decIndexMulti  // several index tensors only (needsDecomposition)
	d["aten.pow.Tensor_Scalar"] = decIntPow // integer tensors only (needsDecomposition)
	d["aten.native_dropout.default"] = decNativeDropout
	d["aten._scaled_dot_product_flash_attention_for_cpu.default"] = decSDPAVariant
	d["aten._scaled_dot_product_efficient_attention.default"] = decSDPAVariant
	d["aten._scaled_dot_product_flash_attention.default"] = decSDPAVariant
	d["aten._scaled_dot_product_cudnn_attention.default"] = decSDPAVariant
	d["aten.einsum.default"] = func(r *rewriter, n *ir.Node) error {
		r.emit("onnx.Einsum", map[string]ir.Attr{"equation": attrStr(n.AttrString("equation", ""))}, n.Inputs, out(n, 0))
		return nil
	}
	d["aten.baddbmm.default"] = decBaddbmm(false)
	d["aten.addbmm.default"] = decBaddbmm(true)
	d["aten.to.dtype"] = func(r *rewriter, n *ir.Node) error {
		r.emit("aten._to_copy.default", map[string]ir.Attr{"dtype": attrInt(n.AttrInt("dtype", 0))}, []string{n.Inputs[0]}, out(n, 0))
		return nil
	}
	d["aten.type_as.default"] = func(r *rewriter, n *ir.Node) error {
		o, err := needShape(r, n, 1)
		if err != nil {
			return err
		}
		r.emit("aten._to_copy.default", map[string]ir.Attr{"dtype": attrInt(int64(o.DType))}, []string{n.Inputs[0]}, out(n, 0))
		return nil
	}
	d["aten.pixel_shuffle.default"] = func(r *rewriter, n *ir.Node) error {
		r.emit("onnx.DepthToSpace", map[string]ir.Attr{"blocksize": attrInt(n.AttrInt("upscale_factor", 1)), "mode": attrStr("CRD")}, []string{n.Inputs[0]}, out(n, 0))
		return nil
	}
	d["aten.gather.default"] = func(r *rewriter, n *ir.Node) error {
		r.emit("onnx.GatherElements", map[string]ir.Attr{"axis": attrInt(n.AttrInt("dim", 0))}, []string{n.Inputs[0], n.Input(1)}, out(n, 0))
		return nil
	}
	d["aten.scatter.src"] = decScatter("none")
	d["aten.scatter.value"] = decScatter("none")
	d["aten.scatter_add.default"] = decScatter("add")
	d["aten.scatter_reduce.two"] = decScatter("")
	d["aten.index_put.default"] = decIndexPut
	d["aten.instance_norm.default"] = decInstanceNorm
	d["aten.conv3d.default"] = decConvND
	d["aten.max_pool3d.default"] = decPoolND("onnx.MaxPool")
	d["aten.max_pool3d_with_indices.default"] = decPoolND("onnx.MaxPool")
	d["aten.avg_pool3d.default"] = decPoolND("onnx.AveragePool")
	d["aten.adaptive_avg_pool1d.default"] = decAdaptive1d
	d["aten.grid_sampler.default"] = decGridSampler
	d["aten.grid_sampler_2d.default"] = decGridSampler
	d["aten.where.ScalarSelf"] = decWhereScalar
	d["aten.where.ScalarOther"] = decWhereScalar
	d["aten.where.Scalar"] = decWhereScalar
}

func decMath(f func(r *rewriter, x string, dt ir.DType) string) decomposer {
	return func(r *rewriter, n *ir.Node) error {
		x, err := needShape(r, n, 0)
		if err != nil {
			return err
		}
		in := n.Inputs[0]
		dt := x.DType
		if !dt.IsFloat() {
			dt = ir.Float32
			in = r.emit1("onnx.Cast", map[string]ir.Attr{"to": attrInt(int64(dt))}, in)
		}
		y := f(r, in, dt)
		r.emit("onnx.Identity", nil, []string{y}, out(n, 0))
		return nil
	}
}

// trunc: ceil below zero, floor above.
func decTrunc(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	if !x.DType.IsFloat() {
		r.emit("aten.alias.default", nil, []string{n.Inputs[0]}, out(n, 0))
		return nil
	}
	neg := r.emit1("onnx.Less", nil, n.Inputs[0], r.konst(ir.Scalar(x.DType, 0)))
	r.emit("onnx.Where", nil, []string{neg, r.emit1("onnx.Ceil", nil, n.Inputs[0]), r.emit1("onnx.Floor", nil, n.Inputs[0])}, out(n, 0))
	return nil
}

// atan2(y, x) from atan(y / x) with the quadrant corrections.
func decAtan2(r *rewriter, n *ir.Node) error {
	yv, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	dt := yv.DType
	if !dt.IsFloat() {
		return errors.New("atan2 of integers is not supported")
	}
	y, x := n.Inputs[0], n.Input(1)
	if x == "" {
		return errors.New("other is missing")
	}
	k := func(v float64) string { return r.konst(ir.Scalar(dt, v)) }
	at := r.emit1("onnx.Atan", nil, r.emit1("onnx.Div", nil, y, x))
	xneg := r.emit1("onnx.Less", nil, x, k(0))
	xpos := r.emit1("onnx.Greater", nil, x, k(0))
	yneg := r.emit1("onnx.Less", nil, y, k(0))
	ypos := r.emit1("onnx.Greater", nil, y, k(0))
	// x < 0: atan + pi (y >= 0) or atan - pi (y < 0).
	left := r.emit1("onnx.Where", nil, yneg, r.emit1("onnx.Sub", nil, at, k(math.Pi)), r.emit1("onnx.Add", nil, at, k(math.Pi)))
	// x == 0: +-pi/2 by the sign of y, 0 when y == 0.
	axis := r.emit1("onnx.Where", nil, ypos, k(math.Pi/2), r.emit1("onnx.Where", nil, yneg, k(-math.Pi/2), k(0)))
	r.emit("onnx.Where", nil, []string{xpos, at, r.emit1("onnx.Where", nil, xneg, left, axis)}, out(n, 0))
	return nil
}

func decArg(op string) decomposer {
	return func(r *rewriter, n *ir.Node) error {
		x := n.Inputs[0]
		keep := n.AttrInt("keepdim", 0)
		if !n.HasAttr("dim") {
			x = r.emit1("onnx.Reshape", nil, x, r.ints(-1))
			keep = 0
			r.emit(op, map[string]ir.Attr{"axis": attrInt(0), "keepdims": attrInt(0)}, []string{x}, out(n, 0))
			return nil
		}
		r.emit(op, map[string]ir.Attr{"axis": attrInt(n.AttrInt("dim", 0)), "keepdims": attrInt(keep)}, []string{x}, out(n, 0))
		return nil
	}
}

func decMaxMinDim(reduce, arg string) decomposer {
	return func(r *rewriter, n *ir.Node) error {
		dim, keep := n.AttrInt("dim", 0), n.AttrInt("keepdim", 0)
		if o := out(n, 0); o != "" {
			r.emit(reduce, map[string]ir.Attr{"keepdims": attrInt(keep)}, []string{n.Inputs[0], r.ints(dim)}, o)
		}
		if o := out(n, 1); o != "" {
			r.emit(arg, map[string]ir.Attr{"axis": attrInt(dim), "keepdims": attrInt(keep)}, []string{n.Inputs[0]}, o)
		}
		return nil
	}
}

func decReduceAll(op string) decomposer {
	return func(r *rewriter, n *ir.Node) error {
		x := n.Inputs[0]
		if n.HasAttr("dtype") {
			x = r.emit1("aten._to_copy.default", map[string]ir.Attr{"dtype": attrInt(n.AttrInt("dtype", 0))}, x)
		} else if v := r.in(n, 0); v != nil && (op == "onnx.ReduceSum" || op == "onnx.ReduceProd") && (v.DType == ir.Bool || v.DType.IsInt() && v.DType != ir.Int64) {
			// PyTorch sums and multiplies integers and bools as int64.
			x = r.emit1("aten._to_copy.default", map[string]ir.Attr{"dtype": attrInt(int64(ir.Int64))}, x)
		}
		r.emit(op, map[string]ir.Attr{"keepdims": attrInt(0)}, []string{x}, out(n, 0))
		return nil
	}
}

// dimsAttr reads a reduction's dim (int or int list); none means all.
func dimsAttr(n *ir.Node) []int64 {
	a, ok := n.Attrs["dim"]
	if !ok {
		return nil
	}
	if a.Kind == ir.AttrInts {
		return a.Ints
	}
	return []int64{a.I}
}

func decReduceDims(op string) decomposer {
	return func(r *rewriter, n *ir.Node) error {
		x := n.Inputs[0]
		if n.HasAttr("dtype") {
			x = r.emit1("aten._to_copy.default", map[string]ir.Attr{"dtype": attrInt(n.AttrInt("dtype", 0))}, x)
		}
		ins := []string{x}
		if dims := dimsAttr(n); len(dims) > 0 {
			ins = append(ins, r.ints(dims...))
		}
		r.emit(op, map[string]ir.Attr{"keepdims": attrInt(n.AttrInt("keepdim", 0))}, ins, out(n, 0))
		return nil
	}
}

func decTopK(r *rewriter, n *ir.Node) error {
	k := n.AttrInt("k", 1)
	r.emit("onnx.TopK", map[string]ir.Attr{"axis": attrInt(n.AttrInt("dim", -1)), "largest": attrInt(n.AttrInt("largest", 1)),
		"sorted": attrInt(1)}, []string{n.Inputs[0], r.ints(k)}, out(n, 0), out(n, 1))
	return nil
}

// sort is a TopK of the whole dim (descending is largest first).
func decSort(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	dim, err := ir.NormAxis(n.AttrInt("dim", -1), len(x.Shape))
	if err != nil {
		return err
	}
	if !x.Shape[dim].Static() {
		return fmt.Errorf("sort over the symbolic dim %d of %v", dim, x.Shape)
	}
	r.emit("onnx.TopK", map[string]ir.Attr{"axis": attrInt(int64(dim)), "largest": attrInt(n.AttrInt("descending", 0)), "sorted": attrInt(1)},
		[]string{n.Inputs[0], r.ints(x.Shape[dim].Size)}, out(n, 0), out(n, 1))
	return nil
}

// var/std (.correction, .dim with unbiased) and var_mean/std_mean:
// sum((x - mean)^2) / (N - correction).
func decVar(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	rank := len(x.Shape)
	dims := dimsAttr(n)
	if len(dims) == 0 {
		for i := 0; i < rank; i++ {
			dims = append(dims, int64(i))
		}
	}
	count := int64(1)
	for _, d := range dims {
		a, err := ir.NormAxis(d, rank)
		if err != nil {
			return err
		}
		if !x.Shape[a].Static() {
			return fmt.Errorf("variance over the symbolic dim %d of %v", a, x.Shape)
		}
		count *= x.Shape[a].Size
	}
	corr := 1.0
	if strings.HasSuffix(n.Op, ".dim") {
		if n.AttrInt("unbiased", 1) == 0 {
			corr = 0
		}
	} else if c, _, ok := ops.ScalarAttr(n, "correction"); ok {
		corr = c
	}
	keep := n.AttrInt("keepdim", 0)
	axes := r.ints(dims...)
	mean := r.emit1("onnx.ReduceMean", map[string]ir.Attr{"keepdims": attrInt(1)}, n.Inputs[0], axes)
	diff := r.emit1("onnx.Sub", nil, n.Inputs[0], mean)
	ss := r.emit1("onnx.ReduceSumSquare", map[string]ir.Attr{"keepdims": attrInt(keep)}, diff, axes)
	denom := math.Max(0, float64(count)-corr)
	isStd := strings.HasPrefix(n.Op, "aten.std")
	name := out(n, 0)
	v := r.emit("onnx.Div", nil, []string{ss, r.konst(ir.Scalar(x.DType, denom))}, map[bool]string{true: "", false: name}[isStd])[0]
	if isStd {
		r.emit("onnx.Sqrt", nil, []string{v}, name)
	}
	if m := out(n, 1); m != "" {
		if keep != 0 {
			r.emit("onnx.Identity", nil, []string{mean}, m)
		} else {
			r.emit("onnx.ReduceMean", map[string]ir.Attr{"keepdims": attrInt(0)}, []string{n.Inputs[0], axes}, m)
		}
	}
	return nil
}

func decVectorNorm(r *rewriter, n *ir.Node) error {
	ord, _, ok := ops.ScalarAttr(n, "ord")
	if !ok {
		ord = 2
	}
	x := n.Inputs[0]
	if n.HasAttr("dtype") {
		x = r.emit1("aten._to_copy.default", map[string]ir.Attr{"dtype": attrInt(n.AttrInt("dtype", 0))}, x)
	}
	ins := []string{x}
	if dims := dimsAttr(n); len(dims) > 0 {
		ins = append(ins, r.ints(dims...))
	}
	keep := map[string]ir.Attr{"keepdims": attrInt(n.AttrInt("keepdim", 0))}
	o := out(n, 0)
	switch {
	case ord == 2:
		r.emit("onnx.ReduceL2", keep, ins, o)
	case ord == 1:
		r.emit("onnx.ReduceL1", keep, ins, o)
	case math.IsInf(ord, 1):
		ins[0] = r.emit1("onnx.Abs", nil, x)
		r.emit("onnx.ReduceMax", keep, ins, o)
	case math.IsInf(ord, -1):
		ins[0] = r.emit1("onnx.Abs", nil, x)
		r.emit("onnx.ReduceMin", keep, ins, o)
	case ord > 0:
		xv, err := needShape(r, n, 0)
		if err != nil {
			return err
		}
		p := r.konst(ir.Scalar(xv.DType, ord))
		ins[0] = r.emit1("onnx.Pow", nil, r.emit1("onnx.Abs", nil, x), p)
		s := r.emit("onnx.ReduceSum", keep, ins)[0]
		r.emit("onnx.Pow", nil, []string{s, r.konst(ir.Scalar(xv.DType, 1/ord))}, o)
	default:
		return fmt.Errorf("vector norm of order %g is not supported", ord)
	}
	return nil
}

func decRepeat(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	reps := n.AttrInts("repeats", nil)
	if len(reps) < len(x.Shape) {
		return fmt.Errorf("%d repeats for rank %d", len(reps), len(x.Shape))
	}
	in := n.Inputs[0]
	if extra := len(reps) - len(x.Shape); extra > 0 {
		axes := make([]int64, extra)
		for i := range axes {
			axes[i] = int64(i)
		}
		in = r.emit1("onnx.Unsqueeze", nil, in, r.ints(axes...))
	}
	r.emit("onnx.Tile", nil, []string{in, r.ints(reps...)}, out(n, 0))
	return nil
}

// tile is repeat with its dims padded with leading ones to the input's
// rank (symbolic counts carried over for the symbolic-integer pass).
func decTile(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	dims := n.AttrInts("dims", nil)
	pad := len(x.Shape) - len(dims)
	if pad < 0 {
		pad = 0
	}
	reps := append(onesN(pad), dims...)
	a := map[string]ir.Attr{"repeats": attrInts(reps...)}
	if s, ok := n.Attrs["_symref_dims"]; ok {
		refs := append(make([]string, pad), s.Strings...)
		a["_symref_repeats"] = ir.Attr{Kind: ir.AttrStrings, Strings: refs}
	}
	r.emit("aten.repeat.default", a, []string{n.Inputs[0]}, out(n, 0))
	return nil
}

func decStack(r *rewriter, n *ir.Node) error {
	if len(n.Inputs) == 0 {
		return errors.New("stack of no tensors")
	}
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	dim, err := ir.NormAxis(n.AttrInt("dim", 0), len(x.Shape)+1)
	if err != nil {
		return err
	}
	us := make([]string, len(n.Inputs))
	for i, in := range n.Inputs {
		us[i] = r.emit1("aten.unsqueeze.default", map[string]ir.Attr{"dim": attrInt(int64(dim))}, in)
	}
	r.emit("aten.cat.default", map[string]ir.Attr{"dim": attrInt(int64(dim)), "_list_tensors": attrInt(int64(len(us)))}, us, out(n, 0))
	return nil
}

func decUnbind(r *rewriter, n *ir.Node) error {
	_, dim, err := needShapeDim(r, n)
	if err != nil {
		return err
	}
	for i, o := range n.Outputs {
		if o == "" {
			continue
		}
		r.emit("aten.select.int", map[string]ir.Attr{"dim": attrInt(int64(dim)), "index": attrInt(int64(i))}, []string{n.Inputs[0]}, o)
	}
	return nil
}

func decClampScalar(which string) decomposer {
	return func(r *rewriter, n *ir.Node) error {
		a := map[string]ir.Attr{}
		v, isInt, ok := ops.ScalarAttr(n, which)
		if !ok {
			return fmt.Errorf("%s is missing", which)
		}
		a[which] = attrFloat(v)
		if isInt {
			a["_int_"+which] = attrInt(1)
		}
		r.emit("aten.clamp.default", a, []string{n.Inputs[0]}, out(n, 0))
		return nil
	}
}

func decClampTensor(slot int) decomposer {
	return func(r *rewriter, n *ir.Node) error {
		ins := []string{n.Inputs[0], "", ""}
		ins[slot] = n.Input(1)
		r.emit("aten.clamp.Tensor", nil, ins, out(n, 0))
		return nil
	}
}

// div with rounding_mode ("trunc", "floor"; none is true division) and
// floor_divide.
func decDivMode(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	mode := n.AttrString("rounding_mode", "")
	if strings.HasPrefix(n.Op, "aten.floor_divide") {
		mode = "floor"
	}
	a, b := n.Inputs[0], n.Input(1)
	dt := x.DType
	if b == "" {
		v, isInt, ok := ops.ScalarAttr(n, "other")
		if !ok {
			return errors.New("other is missing")
		}
		dt = ops.ResultType(x.DType, len(x.Shape), 0, 0, true, isInt)
		b = r.konst(ir.Scalar(dt, v))
	} else if bv := r.in(n, 1); bv != nil {
		dt = ops.ResultType(x.DType, len(x.Shape), bv.DType, len(bv.Shape), false, false)
		if bv.DType != dt {
			b = r.emit1("onnx.Cast", map[string]ir.Attr{"to": attrInt(int64(dt))}, b)
		}
	}
	if x.DType != dt {
		a = r.emit1("onnx.Cast", map[string]ir.Attr{"to": attrInt(int64(dt))}, a)
	}
	o := out(n, 0)
	switch {
	case mode == "":
		if dt.IsInt() || dt == ir.Bool {
			f := ir.Float32
			a = r.emit1("onnx.Cast", map[string]ir.Attr{"to": attrInt(int64(f))}, a)
			b = r.emit1("onnx.Cast", map[string]ir.Attr{"to": attrInt(int64(f))}, b)
		}
		r.emit("onnx.Div", nil, []string{a, b}, o)
	case dt.IsInt():
		// Exact: (a - mod) / b with floored (fmod 0) or truncated (fmod 1) mod.
		f := int64(0)
		if mode == "trunc" {
			f = 1
		}
		m := r.emit1("onnx.Mod", map[string]ir.Attr{"fmod": attrInt(f)}, a, b)
		r.emit("onnx.Div", nil, []string{r.emit1("onnx.Sub", nil, a, m), b}, o)
	case mode == "floor":
		r.emit("onnx.Floor", nil, []string{r.emit1("onnx.Div", nil, a, b)}, o)
	case mode == "trunc":
		q := r.emit1("onnx.Div", nil, a, b)
		neg := r.emit1("onnx.Less", nil, q, r.konst(ir.Scalar(dt, 0)))
		r.emit("onnx.Where", nil, []string{neg, r.emit1("onnx.Ceil", nil, q), r.emit1("onnx.Floor", nil, q)}, o)
	default:
		return fmt.Errorf("rounding_mode %q is not known", mode)
	}
	return nil
}

// Bitwise ops and shifts, with PyTorch's type promotion of the two
// operands (a Scalar self in bitwise_*_shift.Scalar_Tensor, a Scalar other in
// the .Scalar and .Tensor_Scalar forms). On bool results they are the
// logical ops, which TensorRT runs; on integers they are ONNX BitwiseAnd/Or/
// Xor/Not and BitShift, which have kernels only: TensorRT's elementwise
// AND/OR/XOR take bool operands alone. A right shift of a signed integer is
// arithmetic (PyTorch's >>), which the BitShift kernel does for signed types.
func decBitwise(op string) decomposer {
	return func(r *rewriter, n *ir.Node) error {
		x, err := needShape(r, n, 0)
		if err != nil {
			return err
		}
		if op == "onnx.Not" {
			if x.DType == ir.Bool {
				r.emit("onnx.Not", nil, []string{n.Inputs[0]}, out(n, 0))
				return nil
			}
			if !x.DType.IsInt() {
				return fmt.Errorf("input is %v: bitwise_not takes bool or integer tensors", x.DType)
			}
			r.emit("onnx.BitwiseNot", nil, []string{n.Inputs[0]}, out(n, 0))
			return nil
		}
		// Operands: a tensor and a tensor, or a tensor and a Scalar.
		a, b := n.Inputs[0], n.Input(1)
		dt := x.DType
		scalarName := "other"
		scalarFirst := strings.HasSuffix(n.Op, ".Scalar_Tensor")
		if scalarFirst {
			scalarName = "self"
		}
		if b == "" {
			v, isInt, ok := ops.ScalarAttr(n, scalarName)
			if !ok {
				return fmt.Errorf("%s is missing", scalarName)
			}
			if !isInt && v != math.Trunc(v) {
				return fmt.Errorf("%s is %g: bitwise ops take integers", scalarName, v)
			}
			dt = ops.ResultType(x.DType, len(x.Shape), 0, 0, true, isInt)
			b = r.konst(ir.Scalar(dt, v))
		} else {
			bv := r.value(b)
			if bv == nil {
				return fmt.Errorf("input %q has no type", b)
			}
			dt = ops.ResultType(x.DType, len(x.Shape), bv.DType, len(bv.Shape), false, false)
			if bv.DType != dt {
				b = r.emit1("onnx.Cast", map[string]ir.Attr{"to": attrInt(int64(dt))}, b)
			}
		}
		if x.DType != dt {
			a = r.emit1("onnx.Cast", map[string]ir.Attr{"to": attrInt(int64(dt))}, a)
		}
		if scalarFirst {
			a, b = b, a
		}
		shift := strings.HasPrefix(op, "shift")
		switch {
		case dt == ir.Bool && !shift:
			r.emit(op, nil, []string{a, b}, out(n, 0))
		case !dt.IsInt():
			return fmt.Errorf("operands promote to %v: bitwise ops take bool or integer tensors", dt)
		case shift:
			dir := "LEFT"
			if op == "shift_right" {
				dir = "RIGHT"
			}
			r.emit("onnx.BitShift", map[string]ir.Attr{"direction": attrStr(dir)}, []string{a, b}, out(n, 0))
		default:
			r.emit("onnx.Bitwise"+strings.TrimPrefix(op, "onnx."), nil, []string{a, b}, out(n, 0))
		}
		return nil
	}
}

// native_dropout in eval (train false): the input, and a mask of ones; in
// training mode a random keep mask (decompose_random.go).
func decNativeDropout(r *rewriter, n *ir.Node) error {
	if n.AttrInt("train", 0) != 0 {
		if p, _, _ := ops.ScalarAttr(n, "p"); p != 0 {
			x, err := needShape(r, n, 0)
			if err != nil {
				return err
			}
			y, keep, err := dropoutTrain(r, n, x, p)
			if err != nil {
				return err
			}
			r.emit("onnx.Identity", nil, []string{y}, out(n, 0))
			if m := out(n, 1); m != "" {
				r.emit("onnx.Identity", nil, []string{keep}, m)
			}
			return nil
		}
	}
	r.emit("aten.alias.default", nil, []string{n.Inputs[0]}, out(n, 0))
	if m := out(n, 1); m != "" {
		t := ir.Scalar(ir.Bool, 1)
		t.Shape = []int64{1}
		r.emit("onnx.ConstantOfShape", map[string]ir.Attr{"value": {Kind: ir.AttrTensor, T: t}}, []string{r.emit1("onnx.Shape", nil, n.Inputs[0])}, m)
	}
	return nil
}

// The SDPA kernels export writes (_scaled_dot_product_flash_attention_for_cpu,
// _efficient_, _flash_, _cudnn_) compute scaled_dot_product_attention;
// their auxiliary outputs (logsumexp, seeds) must be unused.
func decSDPAVariant(r *rewriter, n *ir.Node) error {
	for i := 1; i < len(n.Outputs); i++ {
		if n.Outputs[i] != "" {
			return fmt.Errorf("output %d (%s) is used; trtc computes the attention output only", i, n.Outputs[i])
		}
	}
	if d, _, _ := ops.ScalarAttr(n, "dropout_p"); d != 0 {
		return fmt.Errorf("dropout_p %g is not supported", d)
	}
	mask := ""
	switch {
	case n.Op == "aten._scaled_dot_product_flash_attention_for_cpu.default":
		mask = n.Input(3) // (query, key, value, attn_mask) as the frontend lists tensors
	case strings.Contains(n.Op, "efficient") || strings.Contains(n.Op, "cudnn"):
		mask = n.Input(3)
	}
	a := map[string]ir.Attr{"is_causal": attrInt(n.AttrInt("is_causal", 0))}
	if s, ok := n.Attrs["scale"]; ok {
		a["scale"] = s
	}
	r.emit("aten.scaled_dot_product_attention.default", a, []string{n.Inputs[0], n.Inputs[1], n.Inputs[2], mask}, out(n, 0))
	return nil
}

// baddbmm: beta * self + alpha * bmm(b1, b2); addbmm sums the products
// over the batch.
func decBaddbmm(sum bool) decomposer {
	return func(r *rewriter, n *ir.Node) error {
		x, err := needShape(r, n, 0)
		if err != nil {
			return err
		}
		p := r.emit1("aten.bmm.default", nil, n.Input(1), n.Input(2))
		if sum {
			p = r.emit1("onnx.ReduceSum", map[string]ir.Attr{"keepdims": attrInt(0)}, p, r.ints(0))
		}
		if alpha, _, ok := ops.ScalarAttr(n, "alpha"); ok && alpha != 1 {
			p = r.emit1("onnx.Mul", nil, p, r.konst(ir.Scalar(x.DType, alpha)))
		}
		beta, _, ok := ops.ScalarAttr(n, "beta")
		if !ok {
			beta = 1
		}
		if beta == 0 {
			r.emit("onnx.Identity", nil, []string{p}, out(n, 0))
			return nil
		}
		s := n.Inputs[0]
		if beta != 1 {
			s = r.emit1("onnx.Mul", nil, s, r.konst(ir.Scalar(x.DType, beta)))
		}
		r.emit("onnx.Add", nil, []string{s, p}, out(n, 0))
		return nil
	}
}

// scatter (.src, .value), scatter_add and scatter_reduce.two as ONNX
// ScatterElements; a scalar value is expanded to the index's shape.
func decScatter(reduction string) decomposer {
	return func(r *rewriter, n *ir.Node) error {
		x, err := needShape(r, n, 0)
		if err != nil {
			return err
		}
		idx := n.Input(1)
		src := n.Input(2)
		if n.Op == "aten.scatter.value" {
			iv, err := needShape(r, n, 1)
			if err != nil {
				return err
			}
			dims, ok := staticDims(iv)
			if !ok {
				return errors.New("scatter of a value with a dynamic index shape")
			}
			v, _, _ := ops.ScalarAttr(n, "value")
			src = r.emit1("aten.full.default", map[string]ir.Attr{"size": attrInts(dims...), "fill_value": attrFloat(v), "dtype": attrInt(int64(x.DType))})
		}
		if reduction == "" {
			m := map[string]string{"sum": "add", "prod": "mul", "amax": "max", "amin": "min"}[n.AttrString("reduce", "")]
			if m == "" {
				return fmt.Errorf("scatter_reduce %q is not supported", n.AttrString("reduce", ""))
			}
			if n.AttrInt("include_self", 1) == 0 {
				return errors.New("scatter_reduce with include_self=False is not supported")
			}
			reduction = m
		}
		if n.HasAttr("reduce") && n.Op != "aten.scatter_reduce.two" {
			return errors.New("scatter with reduce is not supported")
		}
		r.emit("onnx.ScatterElements", map[string]ir.Attr{"axis": attrInt(n.AttrInt("dim", 0)), "reduction": attrStr(reduction)},
			[]string{n.Inputs[0], idx, src}, out(n, 0))
		return nil
	}
}

// index_put (accumulate or not) as PyTorch's x[indices] = values:
//   - integer index tensors (one or several, None between them, adjacent or
//     not): ScatterND (reduction add when accumulating) into x transposed
//     with the indexed dims first, the values expanded to the indexing
//     result's shape and laid out like the transposed x, then transposed
//     back;
//   - one bool mask (after leading Nones) with values that broadcast over
//     the dims the mask leaves: Where(mask, values, x), or x + Where(mask,
//     values, 0) when accumulating. Values with one entry per true element
//     (a data-dependent count) are refused.
func decIndexPut(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	k := int(n.AttrInt("_list_indices", 0))
	if k < 1 || len(n.Inputs) != k+2 {
		return fmt.Errorf("index_put has %d inputs for %d indices", len(n.Inputs), k)
	}
	idx, vals := n.Inputs[1:1+k], n.Inputs[1+k]
	if vals == "" {
		return errors.New("values are missing")
	}
	dims, static := staticDims(x)
	vv := r.value(vals)
	if vv == nil {
		return errors.New("values have no type")
	}
	if vv.DType != x.DType {
		vals = r.emit1("aten._to_copy.default", map[string]ir.Attr{"dtype": attrInt(int64(x.DType))}, vals)
	}
	acc := n.AttrInt("accumulate", 0) != 0
	var masks []int
	for i, s := range idx {
		if v := r.value(s); s != "" && v != nil && v.DType == ir.Bool {
			masks = append(masks, i)
		}
	}
	if len(masks) > 0 {
		p := masks[0]
		for i, s := range idx {
			if s != "" && i != p {
				return errors.New("a bool mask index together with other indices is not supported")
			}
		}
		if !static {
			return errors.New("index_put with a bool mask needs a static input shape")
		}
		mv := r.value(idx[p])
		md, ok := staticDims(mv)
		if !ok || p+len(md) > len(dims) {
			return fmt.Errorf("mask %v at dim %d does not fit input %v", mv.Shape, p, x.Shape)
		}
		for i, d := range md {
			if d != dims[p+i] {
				return fmt.Errorf("mask %v at dim %d does not match input %v", mv.Shape, p, x.Shape)
			}
		}
		rest := len(dims) - p - len(md)
		if vd, ok := staticDims(vv); !ok || len(vd) > rest && ir.Numel(vd) != 1 {
			return fmt.Errorf("values %v: trtc takes values that broadcast over the %d dims the mask leaves (one value per true element has a data-dependent count)", vv.Shape, rest)
		} else if len(vd) > rest {
			vals = r.emit1("onnx.Reshape", nil, vals, r.ints())
		}
		// The mask as [1]*p + mask + [1]*rest.
		shape := append(append(onesN(p), md...), onesN(rest)...)
		m := r.emit1("onnx.Reshape", nil, idx[p], r.ints(shape...))
		if acc {
			add := r.emit1("onnx.Where", nil, m, vals, r.konst(ir.Scalar(x.DType, 0)))
			r.emit("onnx.Add", nil, []string{n.Inputs[0], add}, out(n, 0))
			return nil
		}
		r.emit("onnx.Where", nil, []string{m, vals, n.Inputs[0]}, out(n, 0))
		return nil
	}
	a, err := r.advancedIndex(x, idx)
	if err != nil {
		return err
	}
	xt := a.transposed(r, n.Inputs[0])
	var up string
	if static {
		up = r.emit1("aten.expand.default", map[string]ir.Attr{"size": attrInts(a.resultShape(dims)...)}, vals)
	} else {
		// A dynamic input: the indexing result's shape as a shape tensor
		// (the index tensors' broadcast shape is static).
		up = r.emit1("onnx.Expand", nil, vals, a.resultShapeTensor(r, n.Inputs[0]))
	}
	if !a.frontLayout() {
		// [leading, bshape, trailing] -> [bshape, leading, trailing].
		inv := invertPerm(a.fromFront())
		up = r.emit1("onnx.Transpose", map[string]ir.Attr{"perm": attrInts(inv...)}, up)
	}
	red := "none"
	if acc {
		red = "add"
	}
	if isIdentity(a.perm) {
		r.emit("onnx.ScatterND", map[string]ir.Attr{"reduction": attrStr(red)}, []string{xt, a.stacked, up}, out(n, 0))
		return nil
	}
	sc := r.emit1("onnx.ScatterND", map[string]ir.Attr{"reduction": attrStr(red)}, xt, a.stacked, up)
	r.emit("onnx.Transpose", map[string]ir.Attr{"perm": attrInts(invertPerm(a.perm)...)}, []string{sc}, out(n, 0))
	return nil
}

func invertPerm(p []int64) []int64 {
	inv := make([]int64, len(p))
	for i, v := range p {
		inv[v] = int64(i)
	}
	return inv
}

// instance_norm with input statistics is ONNX InstanceNormalization
// (absent affine parameters are ones and zeros); with running statistics it
// is batch norm.
func decInstanceNorm(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	if len(x.Shape) < 3 || !x.Shape[1].Static() {
		return fmt.Errorf("input %v needs a static channel dim", x.Shape)
	}
	c := x.Shape[1].Size
	eps, _, ok := ops.ScalarAttr(n, "eps")
	if !ok {
		eps = 1e-5
	}
	w, b := n.Input(1), n.Input(2)
	fill := func(v float64) string {
		t := ir.NewTensor(x.DType, []int64{c})
		for i := 0; i < int(c); i++ {
			t.SetFloat(i, v)
		}
		return r.konst(t)
	}
	if w == "" {
		w = fill(1)
	}
	if b == "" {
		b = fill(0)
	}
	if n.AttrInt("use_input_stats", 1) == 0 {
		r.emit("aten._native_batch_norm_legit_no_training.default", map[string]ir.Attr{"momentum": attrFloat(0), "eps": attrFloat(eps)},
			[]string{n.Inputs[0], w, b, n.Input(3), n.Input(4)}, out(n, 0), "", "")
		return nil
	}
	r.emit("onnx.InstanceNormalization", map[string]ir.Attr{"epsilon": attrFloat(eps)}, []string{n.Inputs[0], w, b}, out(n, 0))
	return nil
}

// conv3d is convolution (not transposed).
func decConvND(r *rewriter, n *ir.Node) error {
	a := map[string]ir.Attr{"transposed": attrInt(0)}
	for _, k := range []string{"stride", "padding", "dilation", "groups"} {
		if v, ok := n.Attrs[k]; ok {
			a[k] = v
		}
	}
	if p, ok := n.Attrs["padding"]; ok && p.Kind == ir.AttrString {
		return fmt.Errorf("string padding %q is not supported", p.S)
	}
	ins := []string{n.Inputs[0], n.Input(1), n.Input(2)}
	r.emit("aten.convolution.default", a, ins, out(n, 0))
	return nil
}

// 3-D pooling as ONNX MaxPool/AveragePool.
func decPoolND(op string) decomposer {
	return func(r *rewriter, n *ir.Node) error {
		x, err := needShape(r, n, 0)
		if err != nil {
			return err
		}
		sp := len(x.Shape) - 2
		rep := func(name string, def []int64) []int64 {
			v := n.AttrInts(name, nil)
			if len(v) == 0 {
				return def
			}
			if len(v) == 1 {
				out := make([]int64, sp)
				for i := range out {
					out[i] = v[0]
				}
				return out
			}
			return v
		}
		k := rep("kernel_size", nil)
		if len(k) != sp {
			return fmt.Errorf("kernel_size %v for %d spatial dims", n.AttrInts("kernel_size", nil), sp)
		}
		pad := rep("padding", make([]int64, sp))
		a := map[string]ir.Attr{"kernel_shape": attrInts(k...), "strides": attrInts(rep("stride", k)...),
			"pads": attrInts(append(append([]int64{}, pad...), pad...)...), "ceil_mode": attrInt(n.AttrInt("ceil_mode", 0))}
		if op == "onnx.MaxPool" {
			a["dilations"] = attrInts(rep("dilation", onesN(sp))...)
			for i := 1; i < len(n.Outputs); i++ {
				if n.Outputs[i] != "" {
					return errors.New("the indices output is used")
				}
			}
		} else {
			if n.HasAttr("divisor_override") {
				return errors.New("divisor_override is not supported")
			}
			a["count_include_pad"] = attrInt(n.AttrInt("count_include_pad", 1))
		}
		r.emit(op, a, []string{n.Inputs[0]}, out(n, 0))
		return nil
	}
}

func onesN(k int) []int64 {
	v := make([]int64, k)
	for i := range v {
		v[i] = 1
	}
	return v
}

func decAdaptive1d(r *rewriter, n *ir.Node) error {
	o := n.AttrInts("output_size", nil)
	if len(o) != 1 {
		return fmt.Errorf("output_size %v, want one value", o)
	}
	u := r.emit1("aten.unsqueeze.default", map[string]ir.Attr{"dim": attrInt(2)}, n.Inputs[0])
	p := r.emit1("aten.adaptive_avg_pool2d.default", map[string]ir.Attr{"output_size": attrInts(1, o[0])}, u)
	r.emit("aten.squeeze.dims", map[string]ir.Attr{"dim": attrInts(2)}, []string{p}, out(n, 0))
	return nil
}

// where.ScalarSelf/ScalarOther/Scalar: where.self with the Scalar in its
// attribute and an empty input slot.
func decWhereScalar(r *rewriter, n *ir.Node) error {
	a := map[string]ir.Attr{}
	for k, v := range n.Attrs {
		if k == "self" || k == "other" || k == "_int_self" || k == "_int_other" {
			a[k] = v
		}
	}
	ins := []string{n.Inputs[0], "", ""}
	switch n.Op {
	case "aten.where.ScalarSelf":
		ins[2] = n.Input(1)
	case "aten.where.ScalarOther":
		ins[1] = n.Input(1)
	}
	r.emit("aten.where.self", a, ins, out(n, 0))
	return nil
}

// _native_batch_norm_legit.no_stats (training-mode batch norm without
// running statistics; run_decompositions writes instance_norm with it):
// normalize over every dim but 1 with the batch's own mean and biased
// variance, then the per-channel affine.
func decBatchNormNoStats(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	for i := 1; i < len(n.Outputs); i++ {
		if n.Outputs[i] != "" {
			return fmt.Errorf("output %d (the saved statistics) is used", i)
		}
	}
	rank := len(x.Shape)
	if rank < 2 {
		return fmt.Errorf("input %v needs a channel dim", x.Shape)
	}
	var axes []int64
	for i := 0; i < rank; i++ {
		if i != 1 {
			axes = append(axes, int64(i))
		}
	}
	eps, _, ok := ops.ScalarAttr(n, "eps")
	if !ok {
		eps = 1e-5
	}
	ax := r.ints(axes...)
	keep := map[string]ir.Attr{"keepdims": attrInt(1)}
	mean := r.emit1("onnx.ReduceMean", keep, n.Inputs[0], ax)
	d := r.emit1("onnx.Sub", nil, n.Inputs[0], mean)
	v := r.emit1("onnx.ReduceMean", keep, r.emit1("onnx.Mul", nil, d, d), ax)
	den := r.emit1("onnx.Sqrt", nil, r.emit1("onnx.Add", nil, v, r.konst(ir.Scalar(x.DType, eps))))
	w, b := n.Input(1), n.Input(2)
	o := out(n, 0)
	last := o
	if w != "" || b != "" {
		last = ""
	}
	y := r.emit("onnx.Div", nil, []string{d, den}, last)[0]
	shape := make([]int64, rank-1)
	for i := range shape {
		shape[i] = 1
	}
	shape[0] = -1
	for i, p := range []string{w, b} {
		if p == "" {
			continue
		}
		pv := r.emit1("onnx.Reshape", nil, p, r.ints(shape...))
		op := "onnx.Mul"
		if i == 1 {
			op = "onnx.Add"
		}
		name := ""
		if i == 1 || b == "" {
			name = o
		}
		y = r.emit(op, nil, []string{y, pv}, name)[0]
	}
	return nil
}

// index.Tensor with several index tensors (advanced indexing, as
// run_decompositions writes interpolation): the indexed dims moved to the
// front, the broadcast indices stacked on a last axis, ONNX GatherND, and
// the result's dims put back in PyTorch's order (broadcast index dims where
// the indexed block was). The indexed dims must be adjacent.
func decIndexMulti(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	a, err := r.advancedIndex(x, n.Inputs[1:])
	if err != nil {
		return err
	}
	a.xt = a.transposed(r, n.Inputs[0])
	if a.frontLayout() {
		r.emit("onnx.GatherND", nil, []string{a.xt, a.stacked}, out(n, 0))
		return nil
	}
	g := r.emit1("onnx.GatherND", nil, a.xt, a.stacked)
	r.emit("onnx.Transpose", map[string]ir.Attr{"perm": attrInts(a.fromFront()...)}, []string{g}, out(n, 0))
	return nil
}

// advIndex is PyTorch advanced indexing by integer index tensors at pos
// (None elsewhere): x transposed with the indexed dims first (xt), the
// broadcast index tensors stacked on a last axis (stacked: [bshape..., m],
// int64) for GatherND/ScatterND. PyTorch's result is [bshape..., rest...]
// when the indexed dims are not adjacent or start at dim 0, else
// [leading..., bshape..., trailing...].
type advIndex struct {
	pos     []int
	bshape  []int64
	rank    int
	xt      string
	stacked string
	perm    []int64
}

func (a *advIndex) adjacent() bool {
	for i := 1; i < len(a.pos); i++ {
		if a.pos[i] != a.pos[i-1]+1 {
			return false
		}
	}
	return true
}

// frontLayout: the result (and index_put's values) are [bshape, rest].
func (a *advIndex) frontLayout() bool { return !a.adjacent() || a.pos[0] == 0 }

// fromFront permutes [bshape, leading, trailing] to [leading, bshape,
// trailing] (adjacent index dims after dim 0).
func (a *advIndex) fromFront() []int64 {
	b, lead, rest := len(a.bshape), a.pos[0], a.rank-len(a.pos)
	back := make([]int64, 0, b+rest)
	for i := 0; i < lead; i++ {
		back = append(back, int64(b+i))
	}
	for i := 0; i < b; i++ {
		back = append(back, int64(i))
	}
	for i := b + lead; i < b+rest; i++ {
		back = append(back, int64(i))
	}
	return back
}

// resultShape is PyTorch's static result shape of x[indices].
func (a *advIndex) resultShape(dims []int64) []int64 {
	in := map[int]bool{}
	for _, p := range a.pos {
		in[p] = true
	}
	var res []int64
	if a.frontLayout() {
		res = append(res, a.bshape...)
		for i, d := range dims {
			if !in[i] {
				res = append(res, d)
			}
		}
		return res
	}
	res = append(res, dims[:a.pos[0]]...)
	res = append(res, a.bshape...)
	return append(res, dims[a.pos[len(a.pos)-1]+1:]...)
}

// resultShapeTensor is resultShape as a 1-D int64 tensor, for an input x
// whose dims are symbolic.
func (a *advIndex) resultShapeTensor(r *rewriter, x string) string {
	in := map[int]bool{}
	for _, p := range a.pos {
		in[p] = true
	}
	dim := func(i int) string {
		return r.emit1("onnx.Shape", map[string]ir.Attr{"start": attrInt(int64(i)), "end": attrInt(int64(i + 1))}, x)
	}
	var parts []string
	if a.frontLayout() {
		parts = append(parts, r.ints(a.bshape...))
		for i := 0; i < a.rank; i++ {
			if !in[i] {
				parts = append(parts, dim(i))
			}
		}
	} else {
		for i := 0; i < a.pos[0]; i++ {
			parts = append(parts, dim(i))
		}
		parts = append(parts, r.ints(a.bshape...))
		for i := a.pos[len(a.pos)-1] + 1; i < a.rank; i++ {
			parts = append(parts, dim(i))
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return r.emit1("onnx.Concat", map[string]ir.Attr{"axis": attrInt(0)}, parts...)
}

func (r *rewriter) advancedIndex(x *ir.Value, idx []string) (*advIndex, error) {
	a := &advIndex{rank: len(x.Shape)}
	for i, s := range idx {
		if s != "" {
			a.pos = append(a.pos, i)
		}
	}
	if len(a.pos) == 0 {
		return nil, errors.New("no index tensors")
	}
	if len(idx) > a.rank {
		return nil, fmt.Errorf("%d indices for rank %d", len(idx), a.rank)
	}
	for _, p := range a.pos {
		v := r.value(idx[p])
		if v == nil {
			return nil, fmt.Errorf("index %d has no shape", p)
		}
		if v.DType == ir.Bool {
			return nil, errors.New("boolean mask indices together with other indices are not supported (the result size depends on the data)")
		}
		if !v.DType.IsInt() {
			return nil, fmt.Errorf("index %d is %v, want an integer or bool tensor", p, v.DType)
		}
		dims, ok := staticDims(v)
		if !ok {
			return nil, errors.New("index tensors need static shapes")
		}
		a.bshape = broadcastShapes(a.bshape, dims)
		if a.bshape == nil {
			return nil, fmt.Errorf("index shapes do not broadcast")
		}
	}
	in := map[int]bool{}
	for _, p := range a.pos {
		a.perm = append(a.perm, int64(p))
		in[p] = true
	}
	for i := 0; i < a.rank; i++ {
		if !in[i] {
			a.perm = append(a.perm, int64(i))
		}
	}
	parts := make([]string, len(a.pos))
	for i, p := range a.pos {
		e := r.emit1("onnx.Expand", nil, r.emit1("onnx.Cast", map[string]ir.Attr{"to": attrInt(int64(ir.Int64))}, idx[p]), r.ints(a.bshape...))
		parts[i] = r.emit1("onnx.Unsqueeze", nil, e, r.ints(-1))
	}
	a.stacked = parts[0]
	if len(parts) > 1 {
		a.stacked = r.emit1("onnx.Concat", map[string]ir.Attr{"axis": attrInt(-1)}, parts...)
	}
	return a, nil
}

// transposed returns x with the indexed dims first.
func (a *advIndex) transposed(r *rewriter, x string) string {
	if isIdentity(a.perm) {
		return x
	}
	return r.emit1("onnx.Transpose", map[string]ir.Attr{"perm": attrInts(a.perm...)}, x)
}

func isIdentity(p []int64) bool {
	for i, v := range p {
		if v != int64(i) {
			return false
		}
	}
	return true
}

// broadcastShapes is numpy broadcasting of two static shapes (nil a is
// the identity); nil when they do not broadcast.
func broadcastShapes(a, b []int64) []int64 {
	if a == nil {
		return append([]int64{}, b...)
	}
	n := max(len(a), len(b))
	out := make([]int64, n)
	for i := 0; i < n; i++ {
		da, db := int64(1), int64(1)
		if j := len(a) - n + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - n + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil
		}
	}
	return out
}

// decIntPow: integer tensor to a non-negative integer power, exactly, by
// repeated squaring (ONNX Pow's integer semantics go through floats).
func decIntPow(r *rewriter, n *ir.Node) error {
	e, isInt, ok := ops.ScalarAttr(n, "exponent")
	if !ok || !isInt || e < 0 || e > 64 {
		return fmt.Errorf("integer pow needs a non-negative integer exponent up to 64, got %v", e)
	}
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	k := int64(e)
	if k == 0 {
		r.emit("aten.full_like.default", map[string]ir.Attr{"fill_value": attrFloat(1), "dtype": attrInt(int64(x.DType))}, []string{n.Inputs[0]}, out(n, 0))
		return nil
	}
	var result string
	base := n.Inputs[0]
	for k > 0 {
		if k&1 == 1 {
			if result == "" {
				result = base
			} else {
				result = r.emit1("onnx.Mul", nil, result, base)
			}
		}
		k >>= 1
		if k > 0 {
			base = r.emit1("onnx.Mul", nil, base, base)
		}
	}
	r.emit("onnx.Identity", nil, []string{result}, out(n, 0))
	return nil
}

// grid_sampler (before decomposition) and grid_sampler_2d are ONNX
// GridSample, which ONNX defined after PyTorch's: interpolation_mode 0, 1, 2
// are linear, nearest and cubic; padding_mode 0, 1, 2 zeros, border and
// reflection; align_corners the same rule. One kernel and one converter
// then serve both front ends. grid_sampler on a 5-D input (3-D sampling,
// bicubic refused by PyTorch) is the same op with a 3-D grid.
func decGridSampler(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	if n.Op == "aten.grid_sampler_2d.default" && len(x.Shape) != 4 {
		return fmt.Errorf("grid_sampler_2d input %v, want rank 4", x.Shape)
	}
	mode, ok := map[int64]string{0: "linear", 1: "nearest", 2: "cubic"}[n.AttrInt("interpolation_mode", 0)]
	if !ok {
		return fmt.Errorf("interpolation_mode %d is not 0 (bilinear), 1 (nearest) or 2 (bicubic)", n.AttrInt("interpolation_mode", 0))
	}
	pad, ok := map[int64]string{0: "zeros", 1: "border", 2: "reflection"}[n.AttrInt("padding_mode", 0)]
	if !ok {
		return fmt.Errorf("padding_mode %d is not 0 (zeros), 1 (border) or 2 (reflection)", n.AttrInt("padding_mode", 0))
	}
	if mode == "cubic" && len(x.Shape) != 4 {
		return fmt.Errorf("bicubic sampling of a rank-%d input: PyTorch samples 4-D inputs only bicubically", len(x.Shape))
	}
	if torchCubicBorder(n) {
		// PyTorch clamps each bicubic tap, ONNX the point: the ATen kernel.
		a := map[string]ir.Attr{}
		for _, k := range []string{"interpolation_mode", "padding_mode", "align_corners"} {
			a[k] = attrInt(n.AttrInt(k, 0))
		}
		r.emit("aten.grid_sampler_2d.default", a, []string{n.Inputs[0], n.Input(1)}, out(n, 0))
		return nil
	}
	r.emit("onnx.GridSample", map[string]ir.Attr{"mode": attrStr(mode), "padding_mode": attrStr(pad),
		"align_corners": attrInt(n.AttrInt("align_corners", 0))}, []string{n.Inputs[0], n.Input(1)}, out(n, 0))
	return nil
}

// torchCubicBorder: bicubic sampling with border padding, whose PyTorch
// rule ONNX GridSample does not have.
func torchCubicBorder(n *ir.Node) bool {
	return n.AttrInt("interpolation_mode", 0) == 2 && n.AttrInt("padding_mode", 0) == 1
}
