package lower

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Decompositions of composite ATen ops, after PyTorch's decomposition table
// (torch._decomp / torch._refs): each entry is named by the op it
// decomposes and writes the node's outputs from ops that trtc has kernels
// and converters for. Where PyTorch's core ATen op has the semantics of an
// ONNX op trtc already implements (Resize, Pad, Gather, Trilu, Mod,
// ConvTranspose), the decomposition emits that op rather than a second copy
// of its kernel and converter.

type decomposer func(r *rewriter, n *ir.Node) error

var decompositions = map[string]decomposer{}

func init() {
	d := decompositions
	d["aten.unflatten.int"] = decUnflatten
	d["aten.chunk.default"] = decChunk
	d["aten.triu.default"] = decTrilu(1)
	d["aten.tril.default"] = decTrilu(0)
	for _, k := range []string{"aten.new_zeros.default", "aten.new_ones.default", "aten.new_empty.default", "aten.new_full.default"} {
		d[k] = decNewFull
	}
	d["aten.empty.memory_format"] = decEmpty
	d["aten.pad.default"] = decPad
	d["aten.avg_pool1d.default"] = decPool1d("aten.avg_pool2d.default")
	d["aten.max_pool1d.default"] = decPool1d("aten.max_pool2d.default")
	d["aten.group_norm.default"] = decGroupNorm
	d["aten.native_group_norm.default"] = decGroupNorm
	for _, k := range []string{"aten.conv_transpose1d.default", "aten.conv_transpose2d.input", "aten.conv_transpose3d.input"} {
		d[k] = decConvTranspose
	}
	d["aten.convolution.default"] = decConvTranspose               // transposed only (needsDecomposition)
	d["aten.scaled_dot_product_attention.default"] = decCausalSDPA // dynamic is_causal only
	for _, k := range []string{"aten.lstm.input", "aten.gru.input", "aten.rnn_tanh.input", "aten.rnn_relu.input"} {
		d[k] = decRNN
	}
	d["aten.roll.default"] = decRoll
	d["aten.flip.default"] = decFlip
	d["aten.index_select.default"] = decIndexSelect
	d["aten.slice_scatter.default"] = decSliceScatter
	d["aten.select_scatter.default"] = decSelectScatter
	d["aten.copy.default"] = decCopy
	d["aten.fill.Tensor"] = decFill
	d["aten.fill.Scalar"] = decFill
	d["aten.as_strided.default"] = decAsStrided
	d["aten.fmod.Scalar"] = decMod(1)
	d["aten.fmod.Tensor"] = decMod(1)
	d["aten.remainder.Scalar"] = decMod(0)
	d["aten.remainder.Tensor"] = decMod(0)
	for _, mode := range []string{"upsample_nearest", "upsample_bilinear", "upsample_bicubic", "upsample_linear", "upsample_trilinear", "_upsample_nearest_exact"} {
		for _, dim := range []string{"1d", "2d", "3d"} {
			for _, ov := range []string{"vec", "default"} {
				d["aten."+mode+dim+"."+ov] = decUpsample
			}
		}
	}
}

// copyForm renames the *_copy ops some exports write for views
// (view_copy, permute_copy, expand_copy, ...) to the view op: in a
// functional graph the two are the same values.
func copyForm(n *ir.Node) {
	if !strings.HasPrefix(n.Op, "aten.") || !strings.Contains(n.Op, "_copy.") {
		return
	}
	if _, ok := ops.Lookup(n.Op); ok || decomposable(n.Op) {
		return
	}
	base := strings.Replace(n.Op, "_copy.", ".", 1)
	if _, ok := ops.Lookup(base); ok || decomposable(base) {
		if n.Attrs == nil {
			n.Attrs = map[string]ir.Attr{}
		}
		if _, has := n.Attrs[ir.AttrOriginOp]; !has {
			stamp(n, n)
		}
		n.Op = base
	}
}

// requiredInputs is how many leading tensor inputs a decomposed op needs
// (1 unless listed).
var requiredInputs = map[string]int{
	"aten.empty.memory_format": 0, "aten.index_select.default": 2, "aten.slice_scatter.default": 2,
	"aten.select_scatter.default": 2, "aten.copy.default": 2, "aten.atan2.default": 2, "aten.gather.default": 2,
	"aten.scatter.src": 3, "aten.scatter.value": 2, "aten.scatter_add.default": 3, "aten.scatter_reduce.two": 3,
	"aten.baddbmm.default": 3, "aten.addbmm.default": 3, "aten.type_as.default": 2,
	"aten.clamp_min.Tensor": 2, "aten.clamp_max.Tensor": 2, "aten.conv_transpose1d.default": 2,
	"aten.conv_transpose2d.input": 2, "aten.conv_transpose3d.input": 2, "aten.convolution.default": 2,
	"aten.conv3d.default": 2, "aten.scaled_dot_product_attention.default": 3,
	"aten._scaled_dot_product_flash_attention_for_cpu.default": 3, "aten._scaled_dot_product_efficient_attention.default": 3,
	"aten._scaled_dot_product_flash_attention.default": 3, "aten._scaled_dot_product_cudnn_attention.default": 3,
	"aten.lstm.input": 3, "aten.gru.input": 2, "aten.rnn_tanh.input": 2, "aten.rnn_relu.input": 2,
}

// checkInputs refuses a node missing a tensor input its op needs.
func checkInputs(n *ir.Node) error {
	k, ok := requiredInputs[n.Op]
	if !ok {
		k = 1
	}
	for i := 0; i < k; i++ {
		if n.Input(i) == "" {
			return &Error{Node: n.Name, Op: n.Op, Err: fmt.Errorf("tensor input %d is missing", i)}
		}
	}
	return nil
}

// safely runs one node's rewrite, turning a panic on a malformed node
// (an argument of the wrong kind the checks above did not foresee) into an
// error naming the node, so that a bad archive is an input error.
func safely(n *ir.Node, f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &Error{Node: n.Name, Op: n.Op, Err: fmt.Errorf("malformed node: %v", p)}
		}
	}()
	return f()
}

// decomposable reports whether the op has a decomposition here.
func decomposable(op string) bool { _, ok := decompositions[op]; return ok }

func (r *rewriter) lookup(op string) (*ops.Op, bool) {
	if o, ok := ops.Lookup(op); ok {
		return o, true
	}
	return nil, decomposable(op)
}

// decompose replaces every node with a decomposition, to a fixed point
// (a decomposition may emit ops that decompose further).
func decompose(r *rewriter) (int, error) {
	count := 0
	for pass := 0; pass < 6; pass++ {
		changed := false
		r.out = nil
		for _, n := range r.g.Nodes {
			copyForm(n)
			dec, ok := decompositions[n.Op]
			if !ok {
				r.out = append(r.out, n)
				continue
			}
			// Symbolic arguments are the symbolic-integer pass's: only
			// decompositions that carry them over run on such nodes.
			if hasSymRefs(n) && !symAware[n.Op] {
				r.out = append(r.out, n)
				continue
			}
			// A kernel registered for the op itself wins over a
			// decomposition only where no lowering is needed.
			if _, has := ops.Lookup(n.Op); has && !needsDecomposition(r, n) {
				r.out = append(r.out, n)
				continue
			}
			r.orig = n
			if err := safely(n, func() error {
				if err := checkInputs(n); err != nil {
					return err
				}
				return dec(r, n)
			}); err != nil {
				var le *Error
				if errors.As(err, &le) {
					return 0, err
				}
				return 0, &Error{Node: n.Name, Op: n.Op, Err: err, Unsupported: true}
			}
			if len(r.out) > 0 && r.out[len(r.out)-1] == n {
				continue // the decomposition kept the node
			}
			count++
			changed = true
		}
		r.g.Nodes = r.out
		r.out = nil
		if !changed {
			break
		}
	}
	return count, nil
}

// needsDecomposition: ops that have kernels of their own in some forms
// (upsample_nearest2d) still decompose when the node carries symbolic
// arguments.
func needsDecomposition(r *rewriter, n *ir.Node) bool {
	switch n.Op {
	case "aten.convolution.default":
		return n.AttrInt("transposed", 0) != 0
	case "aten.index.Tensor":
		c := 0
		for i := 1; i < len(n.Inputs); i++ {
			if n.Inputs[i] != "" {
				c++
			}
		}
		return c > 1
	case "aten.dropout.default":
		p, _, _ := ops.ScalarAttr(n, "p")
		return n.AttrInt("train", 0) != 0 && p != 0
	case "aten.grid_sampler_2d.default":
		return !torchCubicBorder(n)
	case "aten.pow.Tensor_Scalar":
		x := r.in(n, 0)
		return x != nil && x.DType.IsInt()
	case "aten.lstm.input", "aten.gru.input", "aten.rnn_tanh.input", "aten.rnn_relu.input":
		return true // decRNN keeps the node when it cannot unroll it
	case "aten.scaled_dot_product_attention.default":
		q, k := r.in(n, 0), r.in(n, 1)
		return n.AttrInt("is_causal", 0) != 0 && q != nil && k != nil && len(q.Shape) >= 2 && len(k.Shape) >= 2 &&
			(!q.Shape[len(q.Shape)-2].Static() || !k.Shape[len(k.Shape)-2].Static())
	}
	return false
}

// symAware are the decompositions that carry "_symref_" arguments over to
// the ops they emit.
var symAware = map[string]bool{
	"aten.new_zeros.default": true, "aten.new_ones.default": true, "aten.new_empty.default": true,
	"aten.new_full.default": true, "aten.empty.memory_format": true,
}

func (r *rewriter) in(n *ir.Node, i int) *ir.Value { return r.value(n.Input(i)) }

func needShape(r *rewriter, n *ir.Node, i int) (*ir.Value, error) {
	v := r.in(n, i)
	if v == nil {
		return nil, fmt.Errorf("input %d (%q) is missing or has no metadata", i, n.Input(i))
	}
	return v, nil
}

// needShapeDim returns input 0 and its "dim" attribute, normalized
// against the input's rank.
func needShapeDim(r *rewriter, n *ir.Node) (*ir.Value, int, error) {
	x, err := needShape(r, n, 0)
	if err != nil {
		return nil, 0, err
	}
	dim, err := ir.NormAxis(n.AttrInt("dim", 0), len(x.Shape))
	return x, dim, err
}

// out returns output i's name (or "" to let emit pick one).
func out(n *ir.Node, i int) string {
	if i < len(n.Outputs) {
		return n.Outputs[i]
	}
	return ""
}

// viewTo emits a view of x to size, naming dims that equal x's own
// symbolic dims through "_sym_size" so that view resolves them.
func (r *rewriter) viewTo(x string, xs ir.Shape, size ir.Shape, outName string) (string, error) {
	ints := make([]int64, len(size))
	src := make([]int64, len(size))
	sym := false
	unresolved := 0
	for i, d := range size {
		src[i] = -1
		if d.Static() {
			ints[i] = d.Size
			continue
		}
		ints[i] = -1
		sym = true
		found := false
		for j, xd := range xs {
			if !xd.Static() && xd.Sym == d.Sym && j == i {
				src[i] = int64(j)
				found = true
			}
		}
		if !found {
			unresolved++
		}
	}
	if unresolved > 1 {
		return "", fmt.Errorf("the target shape %v has more than one symbolic dim trtc cannot place", size)
	}
	a := map[string]ir.Attr{"size": attrInts(ints...)}
	if sym {
		a["_sym_size"] = attrInts(src...)
	}
	return r.emit("aten.view.default", a, []string{x}, outName)[0], nil
}

func decUnflatten(r *rewriter, n *ir.Node) error {
	x, dim, err := needShapeDim(r, n)
	if err != nil {
		return err
	}
	sizes := n.AttrInts("sizes", nil)
	var shape ir.Shape
	shape = append(shape, x.Shape[:dim]...)
	neg := -1
	known := int64(1)
	for i, s := range sizes {
		if s == -1 {
			neg = i
			shape = append(shape, ir.D(1))
			continue
		}
		known *= s
		shape = append(shape, ir.D(s))
	}
	if neg >= 0 {
		if !x.Shape[dim].Static() || known == 0 || x.Shape[dim].Size%known != 0 {
			return fmt.Errorf("sizes %v cannot split dim %d of %v", sizes, dim, x.Shape)
		}
		shape[dim+neg] = ir.D(x.Shape[dim].Size / known)
	}
	shape = append(shape, x.Shape[dim+1:]...)
	_, err = r.viewTo(n.Inputs[0], x.Shape, shape, out(n, 0))
	return err
}

// chunk is split with size ceil(dim / chunks) (torch.chunk's rule).
func decChunk(r *rewriter, n *ir.Node) error {
	x, dim, err := needShapeDim(r, n)
	if err != nil {
		return err
	}
	chunks := n.AttrInt("chunks", 1)
	if chunks <= 0 {
		return fmt.Errorf("chunks is %d", chunks)
	}
	if !x.Shape[dim].Static() {
		return fmt.Errorf("chunk of the symbolic dim %d of %v: the number of outputs depends on its value", dim, x.Shape)
	}
	size := (x.Shape[dim].Size + chunks - 1) / chunks
	if size == 0 {
		size = 1
	}
	r.emit("aten.split.Tensor", map[string]ir.Attr{"split_size": attrInt(size), "dim": attrInt(int64(dim))}, []string{n.Inputs[0]}, n.Outputs...)
	return nil
}

// triu/tril as ONNX Trilu (k = diagonal).
func decTrilu(upper int64) decomposer {
	return func(r *rewriter, n *ir.Node) error {
		k := r.scalarI(n.AttrInt("diagonal", 0))
		r.emit("onnx.Trilu", map[string]ir.Attr{"upper": attrInt(upper)}, []string{n.Inputs[0], k}, out(n, 0))
		return nil
	}
}

// new_zeros / new_ones / new_empty / new_full: full with self's dtype unless
// a dtype is given.
func decNewFull(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	a := map[string]ir.Attr{}
	for k, v := range n.Attrs {
		if k == "size" || k == "dtype" || len(k) > 6 && (k[:6] == "_sym_s" || k[:6] == "_symre") {
			a[k] = v
		}
	}
	if _, ok := a["dtype"]; !ok {
		a["dtype"] = attrInt(int64(x.DType))
	}
	switch n.Op {
	case "aten.new_ones.default":
		a["fill_value"] = attrFloat(1)
	case "aten.new_full.default":
		v, isInt, ok := ops.ScalarAttr(n, "fill_value")
		if !ok {
			return errors.New("fill_value is missing")
		}
		a["fill_value"] = attrFloat(v)
		if isInt {
			a["_int_fill_value"] = attrInt(1)
		}
		if s, ok := n.Attrs["_symref_fill_value"]; ok {
			a["_symref_fill_value"] = s
		}
	default:
		a["fill_value"] = attrFloat(0)
	}
	r.emit("aten.full.default", a, nil, out(n, 0))
	return nil
}

func decEmpty(r *rewriter, n *ir.Node) error {
	a := map[string]ir.Attr{"fill_value": attrFloat(0)}
	for k, v := range n.Attrs {
		if k == "size" || k == "dtype" || len(k) > 6 && (k[:6] == "_sym_s" || k[:6] == "_symre") {
			a[k] = v
		}
	}
	r.emit("aten.full.default", a, nil, out(n, 0))
	return nil
}

// pad (torch.nn.functional.pad): constant mode is constant_pad_nd; reflect,
// replicate and circular are ONNX Pad's reflect, edge and wrap.
func decPad(r *rewriter, n *ir.Node) error {
	mode := n.AttrString("mode", "constant")
	pad := n.AttrInts("pad", nil)
	if mode == "constant" {
		a := map[string]ir.Attr{"pad": attrInts(pad...)}
		if v, isInt, ok := ops.ScalarAttr(n, "value"); ok {
			a["value"] = attrFloat(v)
			if isInt {
				a["_int_value"] = attrInt(1)
			}
		}
		r.emit("aten.constant_pad_nd.default", a, []string{n.Inputs[0]}, out(n, 0))
		return nil
	}
	onnxMode := map[string]string{"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
	if onnxMode == "" {
		return fmt.Errorf("pad mode %q is not known", mode)
	}
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	rank := len(x.Shape)
	if len(pad)%2 != 0 || len(pad)/2 > rank {
		return fmt.Errorf("pad %v for rank %d", pad, rank)
	}
	pads := make([]int64, 2*rank)
	for i := 0; i < len(pad)/2; i++ {
		d := rank - 1 - i
		pads[d], pads[rank+d] = pad[2*i], pad[2*i+1]
	}
	r.emit("onnx.Pad", map[string]ir.Attr{"mode": attrStr(onnxMode)}, []string{n.Inputs[0], r.ints(pads...)}, out(n, 0))
	return nil
}

// 1-D pooling as 2-D pooling over an inserted unit dim (as PyTorch's own
// max_pool1d does).
func decPool1d(op2d string) decomposer {
	return func(r *rewriter, n *ir.Node) error {
		x, err := needShape(r, n, 0)
		if err != nil {
			return err
		}
		if len(x.Shape) != 3 {
			return fmt.Errorf("input %v, want [N, C, L]", x.Shape)
		}
		one := func(name string, def int64) []int64 {
			v := n.AttrInts(name, nil)
			if len(v) == 0 {
				return []int64{def}
			}
			return v[:1]
		}
		k := one("kernel_size", 1)
		s := n.AttrInts("stride", nil)
		if len(s) == 0 {
			s = k
		}
		a := map[string]ir.Attr{
			"kernel_size": attrInts(1, k[0]), "stride": attrInts(1, s[0]),
			"padding": attrInts(0, one("padding", 0)[0]), "ceil_mode": attrInt(n.AttrInt("ceil_mode", 0)),
		}
		if op2d == "aten.max_pool2d.default" {
			a["dilation"] = attrInts(1, one("dilation", 1)[0])
		} else {
			a["count_include_pad"] = attrInt(n.AttrInt("count_include_pad", 1))
		}
		u := r.emit1("aten.unsqueeze.default", map[string]ir.Attr{"dim": attrInt(2)}, n.Inputs[0])
		p := r.emit1(op2d, a, u)
		r.emit("aten.squeeze.dims", map[string]ir.Attr{"dim": attrInts(2)}, []string{p}, out(n, 0))
		return nil
	}
}

// group_norm / native_group_norm: view to [N, G, -1], layer norm over the
// last dim without affine, view back, then the per-channel affine
// (torch._decomp's native_group_norm computes the same statistics).
func decGroupNorm(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	if len(x.Shape) < 2 || !x.Shape[1].Static() {
		return fmt.Errorf("input %v needs a static channel dim", x.Shape)
	}
	var groups int64
	var eps float64
	if n.Op == "aten.group_norm.default" {
		groups = n.AttrInt("num_groups", 1)
		e, _, ok := ops.ScalarAttr(n, "eps")
		eps = 1e-5
		if ok {
			eps = e
		}
	} else {
		groups = n.AttrInt("group", 1)
		e, _, _ := ops.ScalarAttr(n, "eps")
		eps = e
		for i := 1; i < len(n.Outputs); i++ {
			if n.Outputs[i] != "" {
				return fmt.Errorf("output %d (mean or rstd) is used; trtc computes only the normalized output", i)
			}
		}
	}
	c := x.Shape[1].Size
	if groups <= 0 || c%groups != 0 {
		return fmt.Errorf("%d channels do not divide into %d groups", c, groups)
	}
	rest := c / groups
	for _, d := range x.Shape[2:] {
		if !d.Static() {
			return fmt.Errorf("input %v: group norm needs static spatial dims", x.Shape)
		}
		rest *= d.Size
	}
	grouped := ir.Shape{x.Shape[0], ir.D(groups), ir.D(rest)}
	v, err := r.viewTo(n.Inputs[0], x.Shape, grouped, "")
	if err != nil {
		return err
	}
	ln := r.emit("aten.native_layer_norm.default", map[string]ir.Attr{"normalized_shape": attrInts(rest), "eps": attrFloat(eps)},
		[]string{v, "", ""}, "", "", "")
	r.g.Values[v] = &ir.Value{Name: v, DType: x.DType, Shape: grouped}
	r.g.Values[ln[0]] = &ir.Value{Name: ln[0], DType: x.DType, Shape: grouped}
	w, b := n.Input(1), n.Input(2)
	final := out(n, 0)
	last := final
	if w != "" || b != "" {
		last = ""
	}
	y, err := r.viewTo(ln[0], grouped, x.Shape, last)
	if err != nil {
		return err
	}
	chShape := make([]int64, len(x.Shape)-1)
	chShape[0] = c
	for i := 1; i < len(chShape); i++ {
		chShape[i] = 1
	}
	for i, p := range []string{w, b} {
		if p == "" {
			continue
		}
		pv := r.emit1("aten.view.default", map[string]ir.Attr{"size": attrInts(chShape...)}, p)
		op := "aten.mul.Tensor"
		if i == 1 {
			op = "aten.add.Tensor"
		}
		name := ""
		if i == 1 || b == "" {
			name = final
		}
		y = r.emit(op, nil, []string{y, pv}, name)[0]
	}
	// The intermediate outputs of a multi-output node are blanked.
	for _, nn := range r.out {
		if nn.Op == "aten.native_layer_norm.default" && nn.Outputs[0] == ln[0] {
			nn.Outputs = []string{ln[0], "", ""}
		}
	}
	return nil
}

// conv_transpose*d and convolution(transposed) as ONNX ConvTranspose
// (same weight layout [C_in, C_out/groups, k...]).
func decConvTranspose(r *rewriter, n *ir.Node) error {
	w, err := needShape(r, n, 1)
	if err != nil {
		return err
	}
	nsp := len(w.Shape) - 2
	if nsp < 1 {
		return fmt.Errorf("weight %v needs rank >= 3", w.Shape)
	}
	rep := func(name string, def int64) ([]int64, error) { return ops.ATenSpatialInts(n, name, def, nsp) }
	stride, err := rep("stride", 1)
	if err != nil {
		return err
	}
	padding, err := rep("padding", 0)
	if err != nil {
		return err
	}
	dilation, err := rep("dilation", 1)
	if err != nil {
		return err
	}
	outPad, err := rep("output_padding", 0)
	if err != nil {
		return err
	}
	a := map[string]ir.Attr{"strides": attrInts(stride...), "pads": attrInts(append(append([]int64{}, padding...), padding...)...),
		"dilations": attrInts(dilation...), "group": attrInt(n.AttrInt("groups", 1)), "output_padding": attrInts(outPad...)}
	ins := []string{n.Inputs[0], n.Inputs[1]}
	if b := n.Input(2); b != "" {
		ins = append(ins, b)
	}
	r.emit("onnx.ConvTranspose", a, ins, out(n, 0))
	return nil
}

// roll: per (shift, dim), cat of the tail and the head (torch._refs.roll).
func decRoll(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	shifts, dims := n.AttrInts("shifts", nil), n.AttrInts("dims", nil)
	cur, shape := n.Inputs[0], x.Shape
	flat := len(dims) == 0
	if flat {
		total, ok := staticDims(x)
		if !ok || len(shifts) != 1 {
			return fmt.Errorf("roll without dims needs a static shape and one shift")
		}
		numel := ir.Numel(total)
		cur = r.emit1("aten.view.default", map[string]ir.Attr{"size": attrInts(numel)}, cur)
		shape, dims = ir.S(numel), []int64{0}
	}
	if len(shifts) != len(dims) {
		return fmt.Errorf("%d shifts for %d dims", len(shifts), len(dims))
	}
	for i, d := range dims {
		dim, err := ir.NormAxis(d, len(shape))
		if err != nil {
			return err
		}
		if !shape[dim].Static() {
			if flat {
				return fmt.Errorf("roll over the symbolic dim %d of %v", dim, shape)
			}
			// A dynamic dim: the shape-tensor form, for all dims.
			return r.rollShapes(n, r.ints(shifts...), dims, out(n, 0))
		}
		size := shape[dim].Size
		s := ((shifts[i] % size) + size) % size
		if s == 0 {
			continue
		}
		tail := r.emit1("aten.slice.Tensor", map[string]ir.Attr{"dim": attrInt(int64(dim)), "start": attrInt(size - s), "end": attrInt(size), "step": attrInt(1)}, cur)
		head := r.emit1("aten.slice.Tensor", map[string]ir.Attr{"dim": attrInt(int64(dim)), "start": attrInt(0), "end": attrInt(size - s), "step": attrInt(1)}, cur)
		cur = r.emit1("aten.cat.default", map[string]ir.Attr{"dim": attrInt(int64(dim)), "_list_tensors": attrInt(2)}, tail, head)
	}
	if flat {
		dims, _ := staticDims(x)
		cur = r.emit1("aten.view.default", map[string]ir.Attr{"size": attrInts(dims...)}, cur)
	}
	r.emit("aten.alias.default", nil, []string{cur}, out(n, 0))
	return nil
}

// rollShapes rolls n's input 0 by shifts (a 1-D int64 tensor, one per
// dim, possibly symbolic) over dims whose sizes may be symbolic, as
// PyTorch's decomposition does: per dim, Gather at
// (arange(size) + size - shift mod size) mod size. Every step is
// shape-tensor arithmetic, which engines take.
func (r *rewriter) rollShapes(n *ir.Node, shifts string, dims []int64, o string) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	cur := n.Inputs[0]
	for i, d := range dims {
		dim, err := ir.NormAxis(d, len(x.Shape))
		if err != nil {
			return err
		}
		size := r.emit1("onnx.Squeeze", nil, r.emit1("onnx.Shape", map[string]ir.Attr{"start": attrInt(int64(dim)), "end": attrInt(int64(dim + 1))}, cur), r.ints(0))
		sh := r.emit1("onnx.Gather", map[string]ir.Attr{"axis": attrInt(0)}, shifts, r.scalarI(int64(i)))
		mod := func(a string) string { return r.emit1("onnx.Mod", map[string]ir.Attr{"fmod": attrInt(0)}, a, size) }
		start := r.emit1("onnx.Sub", nil, size, mod(sh))
		idx := mod(r.emit1("onnx.Add", nil, r.emit1("onnx.Range", nil, r.scalarI(0), size, r.scalarI(1)), start))
		cur = r.emit1("onnx.Gather", map[string]ir.Attr{"axis": attrInt(int64(dim))}, cur, idx)
	}
	r.emit("onnx.Identity", nil, []string{cur}, o)
	return nil
}

// flip: per dim, a Gather with the reversed index range.
func decFlip(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	cur := n.Inputs[0]
	dims := n.AttrInts("dims", nil)
	for i, d := range dims {
		dim, err := ir.NormAxis(d, len(x.Shape))
		if err != nil {
			return err
		}
		if !x.Shape[dim].Static() {
			return fmt.Errorf("flip of the symbolic dim %d of %v", dim, x.Shape)
		}
		size := x.Shape[dim].Size
		idx := make([]int64, size)
		for j := range idx {
			idx[j] = size - 1 - int64(j)
		}
		name := ""
		if i == len(dims)-1 {
			name = out(n, 0)
		}
		cur = r.emit("onnx.Gather", map[string]ir.Attr{"axis": attrInt(int64(dim))}, []string{cur, r.ints(idx...)}, name)[0]
	}
	if len(dims) == 0 {
		r.emit("aten.alias.default", nil, []string{cur}, out(n, 0))
	}
	return nil
}

// index_select is ONNX Gather along dim with a 1-D index.
func decIndexSelect(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	dim, err := ir.NormAxis(n.AttrInt("dim", 0), max(1, len(x.Shape)))
	if err != nil {
		return err
	}
	r.emit("onnx.Gather", map[string]ir.Attr{"axis": attrInt(int64(dim))}, []string{n.Inputs[0], n.Inputs[1]}, out(n, 0))
	return nil
}

// slice_scatter with step 1: cat(base[:start], src, base[end:]) along dim.
func decSliceScatter(r *rewriter, n *ir.Node) error {
	base, dim, err := needShapeDim(r, n)
	if err != nil {
		return err
	}
	if n.AttrInt("step", 1) != 1 {
		return fmt.Errorf("slice_scatter with step %d: trtc scatters contiguous slices only", n.AttrInt("step", 1))
	}
	if !base.Shape[dim].Static() {
		return fmt.Errorf("slice_scatter over the symbolic dim %d of %v", dim, base.Shape)
	}
	size := base.Shape[dim].Size
	start, end := n.AttrInt("start", 0), n.AttrInt("end", math.MaxInt64)
	first, length := ops.SliceDim(start, end, 1, size)
	last := first + length
	var parts []string
	slice := func(s, e int64) string {
		return r.emit1("aten.slice.Tensor", map[string]ir.Attr{"dim": attrInt(int64(dim)), "start": attrInt(s), "end": attrInt(e), "step": attrInt(1)}, n.Inputs[0])
	}
	if first > 0 {
		parts = append(parts, slice(0, first))
	}
	parts = append(parts, n.Inputs[1])
	if last < size {
		parts = append(parts, slice(last, size))
	}
	if len(parts) == 1 {
		r.emit("aten.alias.default", nil, parts, out(n, 0))
		return nil
	}
	r.emit("aten.cat.default", map[string]ir.Attr{"dim": attrInt(int64(dim)), "_list_tensors": attrInt(int64(len(parts)))}, parts, out(n, 0))
	return nil
}

// select_scatter: slice_scatter of src with dim re-inserted.
func decSelectScatter(r *rewriter, n *ir.Node) error {
	base, dim, err := needShapeDim(r, n)
	if err != nil {
		return err
	}
	idx := n.AttrInt("index", 0)
	if idx < 0 {
		if !base.Shape[dim].Static() {
			return fmt.Errorf("negative index on the symbolic dim %d", dim)
		}
		idx += base.Shape[dim].Size
	}
	u := r.emit1("aten.unsqueeze.default", map[string]ir.Attr{"dim": attrInt(int64(dim))}, n.Inputs[1])
	r.g.Values[u] = &ir.Value{Name: u}
	r.emit("aten.slice_scatter.default", map[string]ir.Attr{"dim": attrInt(int64(dim)), "start": attrInt(idx), "end": attrInt(idx + 1), "step": attrInt(1)},
		[]string{n.Inputs[0], u}, out(n, 0))
	return nil
}

// copy(self, src): src broadcast to self's shape, in self's dtype.
func decCopy(r *rewriter, n *ir.Node) error {
	self, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	src, err := needShape(r, n, 1)
	if err != nil {
		return err
	}
	return r.broadcastCast(n.Inputs[1], src, self, out(n, 0))
}

// broadcastCast emits src expanded to like's shape and cast to its dtype.
func (r *rewriter) broadcastCast(name string, src, like *ir.Value, outName string) error {
	cur := name
	if !src.Shape.Equal(like.Shape) {
		dims, ok := staticDims(like)
		if !ok {
			return fmt.Errorf("broadcast to the symbolic shape %v", like.Shape)
		}
		last := ""
		if src.DType == like.DType {
			last = outName
		}
		cur = r.emit("aten.expand.default", map[string]ir.Attr{"size": attrInts(dims...)}, []string{cur}, last)[0]
		if last != "" {
			return nil
		}
	}
	if src.DType != like.DType {
		r.emit("aten._to_copy.default", map[string]ir.Attr{"dtype": attrInt(int64(like.DType))}, []string{cur}, outName)
		return nil
	}
	r.emit("aten.clone.default", nil, []string{cur}, outName)
	return nil
}

// fill.Scalar / fill.Tensor: the value in self's shape and dtype.
func decFill(r *rewriter, n *ir.Node) error {
	self, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	if n.Op == "aten.fill.Tensor" && n.Input(1) != "" {
		v, err := needShape(r, n, 1)
		if err != nil {
			return err
		}
		return r.broadcastCast(n.Inputs[1], v, self, out(n, 0))
	}
	v, _, ok := ops.ScalarAttr(n, "value")
	if !ok {
		return errors.New("value is missing")
	}
	r.emit("aten.full_like.default", map[string]ir.Attr{"fill_value": attrFloat(v), "dtype": attrInt(int64(self.DType))}, []string{n.Inputs[0]}, out(n, 0))
	return nil
}

// as_strided over a contiguous input (every value of a functional graph is
// one) is a view when its size and strides describe the input's elements,
// each once, in some dim order with storage offset 0: a view to the dims
// sorted by stride, then a permutation. Other strides (overlapping windows,
// gaps, offsets) have no view form and are refused with the reason.
func decAsStrided(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	xd, ok := staticDims(x)
	if !ok {
		return fmt.Errorf("as_strided of the symbolic shape %v", x.Shape)
	}
	size, stride := n.AttrInts("size", nil), n.AttrInts("stride", nil)
	if len(size) != len(stride) {
		return fmt.Errorf("%d sizes and %d strides", len(size), len(stride))
	}
	if off := n.AttrInt("storage_offset", 0); off != 0 {
		return fmt.Errorf("storage offset %d: not a view trtc can express as reshape, slice or permute", off)
	}
	if ir.Numel(size) != ir.Numel(xd) {
		return fmt.Errorf("size %v with strides %v does not cover the input %v once: not a reshape/permute view", size, stride, xd)
	}
	// Dims of size > 1, ordered by decreasing stride, must be contiguous.
	var order []int
	for i, s := range size {
		if s > 1 {
			order = append(order, i)
		}
	}
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && stride[order[j]] > stride[order[j-1]]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	want := int64(1)
	for i := len(order) - 1; i >= 0; i-- {
		if stride[order[i]] != want {
			return fmt.Errorf("size %v with strides %v is not a contiguous layout of the input: not a reshape/permute view", size, stride)
		}
		want *= size[order[i]]
	}
	sorted := make([]int64, len(order))
	for i, d := range order {
		sorted[i] = size[d]
	}
	cur := r.emit1("aten.view.default", map[string]ir.Attr{"size": attrInts(sorted...)}, n.Inputs[0])
	perm := make([]int64, len(order))
	identity := true
	// perm[k] = position in sorted of the k-th non-unit dim of size.
	k := 0
	for i, s := range size {
		if s <= 1 {
			continue
		}
		for j, d := range order {
			if d == i {
				perm[k] = int64(j)
				identity = identity && j == k
			}
		}
		k++
	}
	if !identity {
		cur = r.emit1("aten.permute.default", map[string]ir.Attr{"dims": attrInts(perm...)}, cur)
	}
	r.emit("aten.view.default", map[string]ir.Attr{"size": attrInts(size...)}, []string{cur}, out(n, 0))
	return nil
}

// fmod (truncated, fmod=1) and remainder (floored, Python's %, fmod=0) as
// ONNX Mod, with PyTorch's type promotion for a Scalar divisor.
func decMod(fmod int64) decomposer {
	return func(r *rewriter, n *ir.Node) error {
		x, err := needShape(r, n, 0)
		if err != nil {
			return err
		}
		a, b := n.Inputs[0], n.Input(1)
		dt := x.DType
		if b == "" {
			v, isInt, ok := ops.ScalarAttr(n, "other")
			if !ok {
				return errors.New("other is missing")
			}
			if dt.IsInt() && !isInt {
				dt = ir.Float32
				a = r.emit1("aten._to_copy.default", map[string]ir.Attr{"dtype": attrInt(int64(dt))}, a)
			}
			b = r.konst(ir.Scalar(dt, v))
		} else if bv := r.in(n, 1); bv != nil && bv.DType != dt {
			dt = ops.ResultType(x.DType, len(x.Shape), bv.DType, len(bv.Shape), false, false)
			if x.DType != dt {
				a = r.emit1("aten._to_copy.default", map[string]ir.Attr{"dtype": attrInt(int64(dt))}, a)
			}
			if bv.DType != dt {
				b = r.emit1("aten._to_copy.default", map[string]ir.Attr{"dtype": attrInt(int64(dt))}, b)
			}
		}
		f := fmod
		if !dt.IsInt() {
			f = 1 // ONNX Mod requires fmod=1 for floats: remainder is fixed below
		}
		m := r.emit("onnx.Mod", map[string]ir.Attr{"fmod": attrInt(f)}, []string{a, b}, map[bool]string{true: out(n, 0), false: ""}[fmod == 1 || dt.IsInt()])[0]
		if fmod == 0 && !dt.IsInt() {
			// remainder = fmod + b where fmod != 0 and its sign differs from b's.
			zero := r.konst(ir.Scalar(dt, 0))
			mb := r.emit1("onnx.Mul", nil, m, b)
			neg := r.emit1("onnx.Less", nil, mb, zero)
			fixed := r.emit1("onnx.Add", nil, m, b)
			r.emit("onnx.Where", nil, []string{neg, fixed, m}, out(n, 0))
		}
		return nil
	}
}

// upsample_{nearest,bilinear,bicubic,linear,trilinear}{1,2,3}d (.vec with
// output_size or scale_factors, .default with output_size and scales) as
// ONNX Resize with PyTorch's coordinate rules: nearest is asymmetric +
// floor, _nearest_exact half_pixel + round, the linear and cubic modes
// align_corners or pytorch_half_pixel, cubic with a = -0.75.
func decUpsample(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	op := strings.TrimPrefix(strings.TrimPrefix(n.Op, "aten."), "upsample_")
	var mode string
	switch {
	case strings.HasPrefix(op, "_upsample_nearest_exact"):
		mode = "nearest_exact"
	case op[:7] == "nearest":
		mode = "nearest"
	case op[:7] == "bicubic":
		mode = "cubic"
	default:
		mode = "linear"
	}
	sp := len(x.Shape) - 2
	if sp < 1 {
		return fmt.Errorf("input %v has no spatial dims", x.Shape)
	}
	a := map[string]ir.Attr{"mode": attrStr(map[string]string{"nearest_exact": "nearest"}[mode])}
	if mode != "nearest_exact" {
		a["mode"] = attrStr(mode)
	}
	switch mode {
	case "nearest":
		a["coordinate_transformation_mode"] = attrStr("asymmetric")
		a["nearest_mode"] = attrStr("floor")
	case "nearest_exact":
		a["coordinate_transformation_mode"] = attrStr("half_pixel")
		a["nearest_mode"] = attrStr("round_prefer_ceil")
	default:
		if n.AttrInt("align_corners", 0) != 0 {
			a["coordinate_transformation_mode"] = attrStr("align_corners")
		} else {
			a["coordinate_transformation_mode"] = attrStr("pytorch_half_pixel")
		}
		if mode == "cubic" {
			a["cubic_coeff_a"] = attrFloat(-0.75)
		}
	}
	outSize := n.AttrInts("output_size", nil)
	if len(outSize) == 0 {
		outSize = n.AttrInts("size", nil)
	}
	var scales []float64
	if fs := n.AttrFloats("scale_factors", nil); len(fs) > 0 {
		for _, f := range fs {
			scales = append(scales, float64(f))
		}
	}
	switch {
	case len(outSize) == sp:
		sizes := make([]int64, 0, sp+2)
		dims, ok := staticDims(x)
		if !ok {
			return fmt.Errorf("upsample by output size of the symbolic shape %v", x.Shape)
		}
		sizes = append(sizes, dims[:2]...)
		sizes = append(sizes, outSize...)
		r.emit("onnx.Resize", a, []string{n.Inputs[0], "", "", r.ints(sizes...)}, out(n, 0))
	case len(scales) == sp || len(scales) == 1:
		sc := make([]float32, sp+2)
		sc[0], sc[1] = 1, 1
		for i := 0; i < sp; i++ {
			sc[2+i] = float32(scales[min(i, len(scales)-1)])
		}
		r.emit("onnx.Resize", a, []string{n.Inputs[0], "", r.konst(ir.FromSlice(ir.Float32, []int64{int64(sp + 2)}, sc))}, out(n, 0))
	default:
		return fmt.Errorf("neither output_size (%v) nor scale_factors (%v) gives the %d spatial sizes", outSize, scales, sp)
	}
	return nil
}

// decCausalSDPA: is_causal over dynamic sequence lengths becomes an explicit
// additive mask, -inf above the diagonal of [L, S] (torch's
// _scaled_dot_product_attention_math builds the same from tril of ones):
// Trilu(upper, k=1) of a -inf ConstantOfShape of the runtime [L, S].
func decCausalSDPA(r *rewriter, n *ir.Node) error {
	q, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	k, err := needShape(r, n, 1)
	if err != nil {
		return err
	}
	if n.Input(3) != "" {
		return errors.New("is_causal with an attn_mask (PyTorch refuses this too)")
	}
	rq, rk := int64(len(q.Shape)), int64(len(k.Shape))
	l := r.emit1("onnx.Shape", map[string]ir.Attr{"start": attrInt(rq - 2), "end": attrInt(rq - 1)}, n.Inputs[0])
	s := r.emit1("onnx.Shape", map[string]ir.Attr{"start": attrInt(rk - 2), "end": attrInt(rk - 1)}, n.Inputs[1])
	ls := r.emit1("onnx.Concat", map[string]ir.Attr{"axis": attrInt(0)}, l, s)
	inf := ir.Scalar(q.DType, math.Inf(-1))
	inf.Shape = []int64{1}
	full := r.emit1("onnx.ConstantOfShape", map[string]ir.Attr{"value": {Kind: ir.AttrTensor, T: inf}}, ls)
	mask := r.emit1("onnx.Trilu", map[string]ir.Attr{"upper": attrInt(1)}, full, r.scalarI(1))
	c := cloneNode(n)
	c.Attrs["is_causal"] = attrInt(0)
	for len(c.Inputs) < 4 {
		c.Inputs = append(c.Inputs, "")
	}
	c.Inputs[3] = mask
	stamp(c, n)
	c.Name = r.fresh(n.Name)
	r.out = append(r.out, c)
	return nil
}

// MaxUnrolledSteps bounds the time steps x layers x directions that a
// recurrent layer is unrolled into: about a dozen ATen ops per step, so
// at most about 800 ops. Longer ones become TensorRT loops
// (converters/aten's rnn.go: about 40 layers per layer and direction,
// whatever the length), as symbolic lengths do. A variable so that tests
// can send short sequences to the loop converters.
var MaxUnrolledSteps int64 = 64

// decRNN unrolls lstm/gru/rnn_tanh/rnn_relu (.input) over a static
// sequence length into linear, activation and elementwise ops, as
// torch._decomp's rnn decompositions do (the decomposed export of an
// nn.LSTM is this graph). A dynamic sequence length, or one past
// MaxUnrolledSteps, keeps the node for converters/aten's loop converter
// (a TensorRT ILoop per layer and direction), or the CPU kernel.
func decRNN(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	lstm := n.Op == "aten.lstm.input"
	nhx := 1
	if lstm {
		nhx = 2
	}
	layers := int(n.AttrInt("num_layers", 1))
	dirs := 1
	if n.AttrInt("bidirectional", 0) != 0 {
		dirs = 2
	}
	per := 2
	if n.AttrInt("has_biases", 1) != 0 {
		per = 4
	}
	if len(n.Inputs) < 1+nhx {
		return fmt.Errorf("%d inputs, want input, hx and params", len(n.Inputs))
	}
	params := n.Inputs[1+nhx:]
	if len(x.Shape) != 3 || len(params) != per*layers*dirs || layers < 1 {
		return fmt.Errorf("input %v with %d parameters for %d layer(s) x %d direction(s)", x.Shape, len(params), layers, dirs)
	}
	whh := r.value(params[1])
	if whh == nil || len(whh.Shape) != 2 || !whh.Shape[1].Static() {
		return errors.New("w_hh needs a static shape")
	}
	H := whh.Shape[1].Size
	batchFirst := n.AttrInt("batch_first", 0) != 0
	tdim := 0
	if batchFirst {
		tdim = 1
	}
	if !x.Shape[tdim].Static() {
		return keepNode(r, n)
	}
	T := x.Shape[tdim].Size
	if T*int64(layers*dirs) > MaxUnrolledSteps {
		return keepNode(r, n)
	}
	sel := func(v string, dim, idx int64) string {
		return r.emit1("aten.select.int", map[string]ir.Attr{"dim": attrInt(dim), "index": attrInt(idx)}, v)
	}
	slice := func(v string, s, e int64) string {
		return r.emit1("aten.slice.Tensor", map[string]ir.Attr{"dim": attrInt(1), "start": attrInt(s), "end": attrInt(e), "step": attrInt(1)}, v)
	}
	op1 := func(op, a string) string { return r.emit1(op, nil, a) }
	op2 := func(op, a, b string) string { return r.emit1(op, nil, a, b) }
	stack := func(vs []string, name string) string {
		us := make([]string, len(vs))
		for i, v := range vs {
			us[i] = r.emit1("aten.unsqueeze.default", map[string]ir.Attr{"dim": attrInt(0)}, v)
		}
		return r.emit("aten.cat.default", map[string]ir.Attr{"dim": attrInt(0), "_list_tensors": attrInt(int64(len(us)))}, us, name)[0]
	}
	seq := n.Inputs[0]
	if batchFirst {
		seq = r.emit1("aten.transpose.int", map[string]ir.Attr{"dim0": attrInt(0), "dim1": attrInt(1)}, seq)
	}
	var hN, cN []string
	for l := 0; l < layers; l++ {
		var dirOut []string
		for d := 0; d < dirs; d++ {
			p := params[(l*dirs+d)*per:]
			bih, bhh := "", ""
			if per == 4 {
				bih, bhh = p[2], p[3]
			}
			xp := r.emit1("aten.linear.default", nil, seq, p[0], bih)
			state := int64(l*dirs + d)
			h := sel(n.Inputs[1], 0, state)
			c := ""
			if lstm {
				c = sel(n.Inputs[2], 0, state)
			}
			outs := make([]string, T)
			for step := int64(0); step < T; step++ {
				t := step
				if d == 1 {
					t = T - 1 - step
				}
				xt := sel(xp, 0, t)
				gh := r.emit1("aten.linear.default", nil, h, p[1], bhh)
				switch n.Op {
				case "aten.lstm.input":
					g := op2("aten.add.Tensor", xt, gh)
					i := op1("aten.sigmoid.default", slice(g, 0, H))
					f := op1("aten.sigmoid.default", slice(g, H, 2*H))
					gg := op1("aten.tanh.default", slice(g, 2*H, 3*H))
					o := op1("aten.sigmoid.default", slice(g, 3*H, 4*H))
					c = op2("aten.add.Tensor", op2("aten.mul.Tensor", f, c), op2("aten.mul.Tensor", i, gg))
					h = op2("aten.mul.Tensor", o, op1("aten.tanh.default", c))
				case "aten.gru.input":
					rr := op1("aten.sigmoid.default", op2("aten.add.Tensor", slice(xt, 0, H), slice(gh, 0, H)))
					z := op1("aten.sigmoid.default", op2("aten.add.Tensor", slice(xt, H, 2*H), slice(gh, H, 2*H)))
					nn := op1("aten.tanh.default", op2("aten.add.Tensor", slice(xt, 2*H, 3*H), op2("aten.mul.Tensor", rr, slice(gh, 2*H, 3*H))))
					// (1 - z) * n + z * h = n + z * (h - n)
					h = op2("aten.add.Tensor", nn, op2("aten.mul.Tensor", z, op2("aten.sub.Tensor", h, nn)))
				case "aten.rnn_tanh.input":
					h = op1("aten.tanh.default", op2("aten.add.Tensor", xt, gh))
				default:
					h = op1("aten.relu.default", op2("aten.add.Tensor", xt, gh))
				}
				outs[t] = h
			}
			dirOut = append(dirOut, stack(outs, ""))
			hN = append(hN, h)
			cN = append(cN, c)
		}
		seq = dirOut[0]
		if dirs == 2 {
			seq = r.emit1("aten.cat.default", map[string]ir.Attr{"dim": attrInt(2), "_list_tensors": attrInt(2)}, dirOut[0], dirOut[1])
		}
	}
	if batchFirst {
		seq = r.emit1("aten.transpose.int", map[string]ir.Attr{"dim0": attrInt(0), "dim1": attrInt(1)}, seq)
	}
	if o := out(n, 0); o != "" {
		r.emit("aten.alias.default", nil, []string{seq}, o)
	}
	if o := out(n, 1); o != "" {
		stack(hN, o)
	}
	if o := out(n, 2); o != "" && lstm {
		stack(cN, o)
	}
	return nil
}

// keepNode leaves a node as it is (for the CPU kernel).
func keepNode(r *rewriter, n *ir.Node) error {
	r.out = append(r.out, n)
	return nil
}
