package lower

import (
	"errors"
	"fmt"
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Symbolic integers as values. The frontend keeps every node that computes
// a symbolic number (aten.sym_size.int, _operator.mul, torch.sym_max, ...)
// with a 0-d output, and marks each argument that reads one with
// "_symref_<arg>" (the sym value per position, "" where static). Here:
//
//   - sym nodes become shape computations on 0-d int64 (float32 for
//     SymFloat, bool for SymBool) tensors: Shape and Gather for sizes,
//     Add/Sub/Mul, floor division and Python modulo from Mod, Max/Min,
//     comparisons, Not, Where, Cast. In engines they are TensorRT shape
//     tensor computations; in fallback segments, scalars.
//   - a node whose symbolic arguments the static encoding already resolves
//     (a view size that names the input's own dims) keeps its ATen form;
//     otherwise it becomes the ONNX-semantics op that takes the size as a
//     tensor: view/reshape -> Reshape, expand -> Expand, full/zeros/ones/
//     empty/new_* -> ConstantOfShape, arange -> Range, slice/narrow -> Slice,
//     select -> Gather. Symbolic arguments of other ops are refused, naming
//     the op and argument.

// symOps maps a sym node's target to its lowering.
var symBinary = map[string]string{
	"_operator.add": "onnx.Add", "_operator.sub": "onnx.Sub", "_operator.mul": "onnx.Mul",
	"torch.sym_max": "onnx.Max", "torch.sym_min": "onnx.Min",
	"_operator.eq": "onnx.Equal", "_operator.lt": "onnx.Less", "_operator.le": "onnx.LessOrEqual",
	"_operator.gt": "onnx.Greater", "_operator.ge": "onnx.GreaterOrEqual",
	"_operator.and_": "onnx.And", "_operator.or_": "onnx.Or",
}

func normSymOp(op string) string {
	if strings.HasPrefix(op, "operator.") {
		return "_" + op
	}
	return op
}

func isSymNode(n *ir.Node) bool {
	op := n.Op
	return strings.HasPrefix(op, "_operator.") || strings.HasPrefix(op, "operator.") || strings.HasPrefix(op, "torch.sym_") ||
		strings.HasPrefix(op, "math.") || op == "aten.sym_size.int" || op == "aten.sym_numel.default" ||
		op == "aten.sym_stride.int" || op == "aten.sym_storage_offset.default"
}

func lowerSymInts(r *rewriter) (int, error) {
	count := 0
	r.out = nil
	for _, n := range r.g.Nodes {
		r.orig = n
		var err error
		switch {
		case isSymNode(n):
			err = safely(n, func() error { return r.symNode(n) })
			count++
		case hasSymRefs(n):
			var changed bool
			err = safely(n, func() (e error) { changed, e = r.symArgs(n); return })
			if changed {
				count++
			}
		case r.dynamicForm(n):
			count++
		default:
			r.out = append(r.out, n)
		}
		if err != nil {
			var le *Error
			if errors.As(err, &le) {
				return 0, err
			}
			return 0, &Error{Node: n.Name, Op: n.Op, Err: err, Unsupported: true}
		}
	}
	r.g.Nodes = r.out
	r.out = nil
	return count, nil
}

func hasSymRefs(n *ir.Node) bool {
	for k := range n.Attrs {
		if strings.HasPrefix(k, "_symref_") {
			return true
		}
	}
	return false
}

func (r *rewriter) dtypeOf(name string) ir.DType {
	if v := r.value(name); v != nil {
		return v.DType
	}
	return ir.Int64
}

// asDType casts a sym value to dt when it is another dtype.
func (r *rewriter) asDType(name string, dt ir.DType) string {
	if r.dtypeOf(name) == dt {
		return name
	}
	c := r.emit1("onnx.Cast", map[string]ir.Attr{"to": attrInt(int64(dt))}, name)
	r.g.Values[c] = &ir.Value{Name: c, DType: dt, Shape: ir.Shape{}}
	return c
}

func (r *rewriter) symNode(n *ir.Node) error {
	op := normSymOp(n.Op)
	o := out(n, 0)
	in := n.Inputs
	need := func(k int) error {
		if len(in) != k {
			return fmt.Errorf("%s takes %d arguments, the node has %d", op, k, len(in))
		}
		for i, s := range in {
			if s == "" {
				return fmt.Errorf("argument %d is missing", i)
			}
		}
		return nil
	}
	// Operands of mixed int and float arithmetic are floats (Python's rule).
	promote := func() []string {
		dt := ir.Int64
		for _, s := range in {
			if r.dtypeOf(s) == ir.Float32 {
				dt = ir.Float32
			}
		}
		outs := make([]string, len(in))
		for i, s := range in {
			outs[i] = s
			if r.dtypeOf(s) != ir.Bool || dt != ir.Int64 {
				outs[i] = r.asDType(s, dt)
			}
		}
		return outs
	}
	switch {
	case op == "aten.sym_size.int" || op == "aten.sym_stride.int":
		if err := need(1); err != nil {
			return err
		}
		x := r.value(in[0])
		if x == nil {
			return fmt.Errorf("tensor %q has no shape", in[0])
		}
		dim, err := ir.NormAxis(n.AttrInt("dim", 0), len(x.Shape))
		if err != nil {
			return err
		}
		if op == "aten.sym_size.int" {
			sh := r.emit1("onnx.Shape", nil, in[0])
			r.emit("onnx.Gather", map[string]ir.Attr{"axis": attrInt(0)}, []string{sh, r.scalarI(int64(dim))}, o)
			return nil
		}
		if dim == len(x.Shape)-1 {
			r.emit("onnx.Identity", nil, []string{r.scalarI(1)}, o)
			return nil
		}
		sh := r.emit1("onnx.Shape", map[string]ir.Attr{"start": attrInt(int64(dim + 1))}, in[0])
		r.emit("onnx.ReduceProd", map[string]ir.Attr{"keepdims": attrInt(0)}, []string{sh}, o)
	case op == "aten.sym_numel.default":
		if err := need(1); err != nil {
			return err
		}
		sh := r.emit1("onnx.Shape", nil, in[0])
		r.emit("onnx.ReduceProd", map[string]ir.Attr{"keepdims": attrInt(0)}, []string{sh}, o)
	case op == "aten.sym_storage_offset.default":
		r.emit("onnx.Identity", nil, []string{r.scalarI(0)}, o)
	case symBinary[op] != "":
		if err := need(2); err != nil {
			return err
		}
		a := promote()
		r.emit(symBinary[op], nil, a, o)
	case op == "_operator.ne":
		if err := need(2); err != nil {
			return err
		}
		a := promote()
		eq := r.emit1("onnx.Equal", nil, a...)
		r.emit("onnx.Not", nil, []string{eq}, o)
	case op == "_operator.floordiv":
		if err := need(2); err != nil {
			return err
		}
		a := promote()
		if r.dtypeOf(a[0]) == ir.Float32 {
			q := r.emit1("onnx.Div", nil, a...)
			r.emit("onnx.Floor", nil, []string{q}, o)
			return nil
		}
		// a // b = (a - a mod b) / b, exact, with Python's floored mod.
		m := r.emit1("onnx.Mod", map[string]ir.Attr{"fmod": attrInt(0)}, a...)
		d := r.emit1("onnx.Sub", nil, a[0], m)
		r.emit("onnx.Div", nil, []string{d, a[1]}, o)
	case op == "_operator.mod":
		if err := need(2); err != nil {
			return err
		}
		a := promote()
		f := int64(0)
		if r.dtypeOf(a[0]) == ir.Float32 {
			f = 1
		}
		r.emit("onnx.Mod", map[string]ir.Attr{"fmod": attrInt(f)}, a, o)
	case op == "_operator.truediv":
		if err := need(2); err != nil {
			return err
		}
		r.emit("onnx.Div", nil, []string{r.asDType(in[0], ir.Float32), r.asDType(in[1], ir.Float32)}, o)
	case op == "_operator.neg":
		if err := need(1); err != nil {
			return err
		}
		r.emit("onnx.Neg", nil, in, o)
	case op == "torch.sym_not" || op == "_operator.not_":
		if err := need(1); err != nil {
			return err
		}
		r.emit("onnx.Not", nil, []string{r.asDType(in[0], ir.Bool)}, o)
	case op == "torch.sym_float":
		if err := need(1); err != nil {
			return err
		}
		r.emit("onnx.Cast", map[string]ir.Attr{"to": attrInt(int64(ir.Float32))}, in, o)
	case op == "torch.sym_int" || op == "math.trunc":
		if err := need(1); err != nil {
			return err
		}
		r.emit("onnx.Cast", map[string]ir.Attr{"to": attrInt(int64(ir.Int64))}, in, o)
	case op == "math.floor" || op == "math.ceil":
		if err := need(1); err != nil {
			return err
		}
		f := r.emit1(map[string]string{"math.floor": "onnx.Floor", "math.ceil": "onnx.Ceil"}[op], nil, r.asDType(in[0], ir.Float32))
		r.emit("onnx.Cast", map[string]ir.Attr{"to": attrInt(int64(ir.Int64))}, []string{f}, o)
	case op == "torch.sym_ite":
		if err := need(3); err != nil {
			return err
		}
		dt := r.dtypeOf(in[1])
		r.emit("onnx.Where", nil, []string{r.asDType(in[0], ir.Bool), in[1], r.asDType(in[2], dt)}, o)
	default:
		return fmt.Errorf("symbolic operation %s is not supported", n.Op)
	}
	return nil
}

// symList builds the 1-D int64 tensor of a SymInt[] argument: static
// entries from the attribute, symbolic ones from their sym values.
func (r *rewriter) symList(n *ir.Node, arg string, negAsOne bool) (string, error) {
	refs := n.Attrs["_symref_"+arg].Strings
	ints := n.AttrInts(arg, nil)
	if len(ints) != len(refs) {
		if len(refs) == 1 && !n.HasAttr(arg) {
			ints = []int64{0}
		} else {
			return "", fmt.Errorf("argument %s has %d sizes and %d symbolic references", arg, len(ints), len(refs))
		}
	}
	parts := make([]string, len(refs))
	for i, ref := range refs {
		if ref == "" {
			v := ints[i]
			if v < 0 && negAsOne {
				v = 1
			}
			parts[i] = r.ints(v)
			continue
		}
		parts[i] = r.emit1("onnx.Unsqueeze", nil, r.asDType(ref, ir.Int64), r.ints(0))
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return r.emit1("onnx.Concat", map[string]ir.Attr{"axis": attrInt(0)}, parts...), nil
}

// symScalar returns a 0-d tensor of dt for a Scalar/SymInt argument, or ""
// when the argument is absent.
func (r *rewriter) symScalar(n *ir.Node, arg string, dt ir.DType, def float64, hasDef bool) string {
	if s, ok := n.Attrs["_symref_"+arg]; ok && len(s.Strings) == 1 && s.Strings[0] != "" {
		return r.asDType(s.Strings[0], dt)
	}
	v, _, ok := ops.ScalarAttr(n, arg)
	if !ok {
		if !hasDef {
			return ""
		}
		v = def
	}
	return r.konst(ir.Scalar(dt, v))
}

// symArgs rewrites a node with symbolic arguments; changed is false when
// the static encoding already resolves them.
func (r *rewriter) symArgs(n *ir.Node) (bool, error) {
	keep := func() (bool, error) {
		c := cloneNode(n)
		for k := range c.Attrs {
			if strings.HasPrefix(k, "_symref_") {
				delete(c.Attrs, k)
			}
		}
		r.out = append(r.out, c)
		return false, nil
	}
	o := out(n, 0)
	switch n.Op {
	case "aten.view.default", "aten._unsafe_view.default", "aten.reshape.default":
		if x := r.in(n, 0); x != nil {
			if _, err := ops.ATenViewShape(n, argName(n), x.Shape); err == nil {
				return keep()
			}
		}
		shape, err := r.symList(n, argName(n), false)
		if err != nil {
			return false, err
		}
		r.emit("onnx.Reshape", nil, []string{n.Inputs[0], shape}, o)
	case "aten.expand.default":
		// -1 (keep) is 1 in ONNX Expand's broadcast.
		shape, err := r.symList(n, "size", true)
		if err != nil {
			return false, err
		}
		r.emit("onnx.Expand", nil, []string{n.Inputs[0], shape}, o)
	case "aten.full.default", "aten.zeros.default", "aten.ones.default", "aten.empty.memory_format",
		"aten.new_full.default", "aten.new_zeros.default", "aten.new_ones.default", "aten.new_empty.default":
		if _, ok := n.Attrs["_symref_size"]; !ok {
			return false, fmt.Errorf("symbolic fill value: trtc supports symbolic sizes of %s only", n.Op)
		}
		shape, err := r.symList(n, "size", false)
		if err != nil {
			return false, err
		}
		dt, v := fullDType(n, r)
		r.emit("onnx.ConstantOfShape", map[string]ir.Attr{"value": {Kind: ir.AttrTensor, T: scalar1(dt, v)}}, []string{shape}, o)
	case "aten.arange.default", "aten.arange.start", "aten.arange.start_step":
		dt := ir.Int64
		if n.HasAttr("dtype") {
			dt = ir.DType(n.AttrInt("dtype", 0))
		} else {
			for _, a := range []string{"start", "end", "step"} {
				if _, isInt, ok := ops.ScalarAttr(n, a); ok && !isInt {
					dt = ir.Float32
				}
			}
		}
		start := r.symScalar(n, "start", dt, 0, true)
		end := r.symScalar(n, "end", dt, 0, false)
		step := r.symScalar(n, "step", dt, 1, true)
		if end == "" {
			return false, fmt.Errorf("arange without an end")
		}
		r.emit("onnx.Range", nil, []string{start, end, step}, o)
	case "aten.slice.Tensor", "aten.narrow.default":
		_, dim, err := needShapeDim(r, n)
		if err != nil {
			return false, err
		}
		one := func(arg string, def int64) string {
			if s, ok := n.Attrs["_symref_"+arg]; ok && len(s.Strings) == 1 && s.Strings[0] != "" {
				return r.emit1("onnx.Unsqueeze", nil, r.asDType(s.Strings[0], ir.Int64), r.ints(0))
			}
			return r.ints(n.AttrInt(arg, def))
		}
		start := one("start", 0)
		var end string
		if n.Op == "aten.narrow.default" {
			end = r.emit1("onnx.Add", nil, start, one("length", 0))
		} else {
			end = one("end", 1<<63-1)
		}
		r.emit("onnx.Slice", nil, []string{n.Inputs[0], start, end, r.ints(int64(dim)), r.ints(n.AttrInt("step", 1))}, o)
	case "aten.split_with_sizes.default":
		_, dim, err := needShapeDim(r, n)
		if err != nil {
			return false, err
		}
		sizes, err := r.symList(n, "split_sizes", false)
		if err != nil {
			return false, err
		}
		r.emit("onnx.Split", map[string]ir.Attr{"axis": attrInt(int64(dim))}, []string{n.Inputs[0], sizes}, n.Outputs...)
	case "aten.split.Tensor":
		// k pieces of split_size, the last one what is left of the dim.
		_, dim, err := needShapeDim(r, n)
		if err != nil {
			return false, err
		}
		k := int64(len(n.Outputs))
		size := r.symScalar(n, "split_size", ir.Int64, 0, false)
		one := r.emit1("onnx.Unsqueeze", nil, size, r.ints(0))
		parts := make([]string, 0, k)
		for i := int64(0); i < k-1; i++ {
			parts = append(parts, one)
		}
		total := r.emit1("onnx.Shape", map[string]ir.Attr{"start": attrInt(int64(dim)), "end": attrInt(int64(dim + 1))}, n.Inputs[0])
		used := r.emit1("onnx.Mul", nil, one, r.ints(k-1))
		parts = append(parts, r.emit1("onnx.Sub", nil, total, used))
		sizes := parts[0]
		if len(parts) > 1 {
			sizes = r.emit1("onnx.Concat", map[string]ir.Attr{"axis": attrInt(0)}, parts...)
		}
		r.emit("onnx.Split", map[string]ir.Attr{"axis": attrInt(int64(dim))}, []string{n.Inputs[0], sizes}, n.Outputs...)
	case "aten.select.int":
		_, dim, err := needShapeDim(r, n)
		if err != nil {
			return false, err
		}
		idx := r.symScalar(n, "index", ir.Int64, 0, true)
		r.emit("onnx.Gather", map[string]ir.Attr{"axis": attrInt(int64(dim))}, []string{n.Inputs[0], idx}, o)
	case "aten.roll.default":
		dims := n.AttrInts("dims", nil)
		if len(dims) == 0 {
			return false, fmt.Errorf("roll of the flattened input by a symbolic shift is not supported")
		}
		shifts, err := r.symList(n, "shifts", false)
		if err != nil {
			return false, err
		}
		if err := r.rollShapes(n, shifts, dims, o); err != nil {
			return false, err
		}
	case "aten.fmod.Scalar", "aten.remainder.Scalar":
		// x % sym: ONNX Mod, truncated (fmod) or floored (remainder).
		x := r.in(n, 0)
		if x == nil {
			return false, fmt.Errorf("input has no type")
		}
		dt := x.DType
		if !dt.IsInt() && !dt.IsFloat() {
			return false, fmt.Errorf("%s of %v", n.Op, dt)
		}
		b := r.symScalar(n, "other", dt, 0, false)
		f := int64(0)
		if n.Op == "aten.fmod.Scalar" {
			f = 1
		}
		if dt.IsFloat() && f == 0 {
			// Floored float remainder: a - floor(a / b) * b.
			q := r.emit1("onnx.Floor", nil, r.emit1("onnx.Div", nil, n.Inputs[0], b))
			r.emit("onnx.Sub", nil, []string{n.Inputs[0], r.emit1("onnx.Mul", nil, q, b)}, o)
			break
		}
		r.emit("onnx.Mod", map[string]ir.Attr{"fmod": attrInt(f)}, []string{n.Inputs[0], b}, o)
	case "aten.repeat.default":
		x := r.in(n, 0)
		if x == nil {
			return false, fmt.Errorf("input has no type")
		}
		reps := n.AttrInts("repeats", nil)
		if len(reps) < len(x.Shape) {
			return false, fmt.Errorf("%d repeats for rank %d", len(reps), len(x.Shape))
		}
		counts, err := r.symList(n, "repeats", false)
		if err != nil {
			return false, err
		}
		in := n.Inputs[0]
		if extra := len(reps) - len(x.Shape); extra > 0 {
			axes := make([]int64, extra)
			for i := range axes {
				axes[i] = int64(i)
			}
			in = r.emit1("onnx.Unsqueeze", nil, in, r.ints(axes...))
		}
		// Tile with run-time counts as shape arithmetic (TensorRT has no
		// tile layer): view [d0, d1, ...] as [1, d0, 1, d1, ...], expand to
		// [r0, d0, r1, d1, ...], view as [r0*d0, r1*d1, ...].
		var ones, expand, final []string
		for i := range reps {
			d := r.emit1("onnx.Shape", map[string]ir.Attr{"start": attrInt(int64(i)), "end": attrInt(int64(i + 1))}, in)
			c := r.emit1("onnx.Slice", nil, counts, r.ints(int64(i)), r.ints(int64(i+1)))
			ones = append(ones, r.ints(1), d)
			expand = append(expand, c, d)
			final = append(final, r.emit1("onnx.Mul", nil, c, d))
		}
		cat := func(parts []string) string {
			return r.emit1("onnx.Concat", map[string]ir.Attr{"axis": attrInt(0)}, parts...)
		}
		v := r.emit1("onnx.Reshape", nil, in, cat(ones))
		v = r.emit1("onnx.Expand", nil, v, cat(expand))
		r.emit("onnx.Reshape", nil, []string{v, cat(final)}, o)
	case "aten.constant_pad_nd.default", "aten.pad.default":
		x := r.in(n, 0)
		if x == nil {
			return false, fmt.Errorf("input has no type")
		}
		mode := map[string]string{"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}[n.AttrString("mode", "constant")]
		if mode == "" {
			return false, fmt.Errorf("pad mode %q is not known", n.AttrString("mode", ""))
		}
		pad := n.AttrInts("pad", nil)
		rank := len(x.Shape)
		if len(pad)%2 != 0 || len(pad)/2 > rank {
			return false, fmt.Errorf("pad %v for rank %d", pad, rank)
		}
		p, err := r.symList(n, "pad", false)
		if err != nil {
			return false, err
		}
		// PyTorch lists (begin, end) from the last dim backwards; ONNX all
		// begins, then all ends. Index 2k of [pad..., 0] is the 0 of an
		// unpadded dim.
		k := len(pad) / 2
		withZero := r.emit1("onnx.Concat", map[string]ir.Attr{"axis": attrInt(0)}, p, r.ints(0))
		idx := make([]int64, 2*rank)
		for i := 0; i < rank; i++ {
			j := rank - 1 - i
			if j < k {
				idx[i], idx[rank+i] = int64(2*j), int64(2*j+1)
			} else {
				idx[i], idx[rank+i] = int64(2*k), int64(2*k)
			}
		}
		pads := r.emit1("onnx.Gather", map[string]ir.Attr{"axis": attrInt(0)}, withZero, r.ints(idx...))
		ins := []string{n.Inputs[0], pads}
		if mode == "constant" {
			v, _, _ := ops.ScalarAttr(n, "value")
			ins = append(ins, r.konst(ir.Scalar(x.DType, v)))
		}
		r.emit("onnx.Pad", map[string]ir.Attr{"mode": attrStr(mode)}, ins, o)
	case "aten.unflatten.int":
		x, dim, err := needShapeDim(r, n)
		if err != nil {
			return false, err
		}
		sizes, err := r.symList(n, "sizes", false)
		if err != nil {
			return false, err
		}
		parts := []string{}
		if dim > 0 {
			parts = append(parts, r.emit1("onnx.Shape", map[string]ir.Attr{"start": attrInt(0), "end": attrInt(int64(dim))}, n.Inputs[0]))
		}
		parts = append(parts, sizes)
		if dim+1 < len(x.Shape) {
			parts = append(parts, r.emit1("onnx.Shape", map[string]ir.Attr{"start": attrInt(int64(dim + 1))}, n.Inputs[0]))
		}
		shape := parts[0]
		if len(parts) > 1 {
			shape = r.emit1("onnx.Concat", map[string]ir.Attr{"axis": attrInt(0)}, parts...)
		}
		r.emit("onnx.Reshape", nil, []string{n.Inputs[0], shape}, o)
	default:
		var args []string
		for k := range n.Attrs {
			if strings.HasPrefix(k, "_symref_") {
				args = append(args, strings.TrimPrefix(k, "_symref_"))
			}
		}
		return false, fmt.Errorf("argument(s) %v are symbolic integers; trtc takes symbolic integers in view/reshape, expand, full/zeros/ones/empty/new_*, arange, slice, narrow, select, split sizes, roll shifts, repeat/tile counts, pad amounts, unflatten sizes and fmod/remainder divisors", args)
	}
	return true, nil
}

// dynamicForm rewrites ops whose ATen converters need static shapes into
// the ONNX-semantics ops that take shapes as tensors, when their input is
// dynamic: expand -> Expand (sizes -1 as 1), full_like/zeros_like/
// ones_like -> ConstantOfShape of the input's Shape.
func (r *rewriter) dynamicForm(n *ir.Node) bool {
	x := r.in(n, 0)
	if x == nil || x.Shape.IsStatic() {
		return false
	}
	o := out(n, 0)
	switch n.Op {
	case "aten.expand.default":
		size := append([]int64(nil), n.AttrInts("size", nil)...)
		for i, s := range size {
			if s < 0 {
				size[i] = 1
			}
		}
		r.emit("onnx.Expand", nil, []string{n.Inputs[0], r.ints(size...)}, o)
	case "aten.full_like.default", "aten.zeros_like.default", "aten.ones_like.default":
		dt := x.DType
		if n.HasAttr("dtype") {
			dt = ir.DType(n.AttrInt("dtype", 0))
		}
		v := map[string]float64{"aten.ones_like.default": 1}[n.Op]
		if n.Op == "aten.full_like.default" {
			fv, _, ok := ops.ScalarAttr(n, "fill_value")
			if !ok {
				r.out = append(r.out, n)
				return false
			}
			v = fv
		}
		sh := r.emit1("onnx.Shape", nil, n.Inputs[0])
		r.emit("onnx.ConstantOfShape", map[string]ir.Attr{"value": {Kind: ir.AttrTensor, T: scalar1(dt, v)}}, []string{sh}, o)
	default:
		return false
	}
	return true
}

func argName(n *ir.Node) string {
	if n.HasAttr("shape") {
		return "shape"
	}
	return "size"
}

// fullDType is the dtype and fill value of a full/zeros/ones/empty/new_*.
func fullDType(n *ir.Node, r *rewriter) (ir.DType, float64) {
	v := 0.0
	isInt := false
	switch n.Op {
	case "aten.ones.default", "aten.new_ones.default":
		v = 1
	case "aten.full.default", "aten.new_full.default":
		v, isInt, _ = ops.ScalarAttr(n, "fill_value")
	}
	if n.HasAttr("dtype") {
		return ir.DType(n.AttrInt("dtype", 0)), v
	}
	if strings.HasPrefix(n.Op, "aten.new_") {
		if x := r.in(n, 0); x != nil {
			return x.DType, v
		}
	}
	if isInt {
		return ir.Int64, v
	}
	return ir.Float32, v
}

func scalar1(dt ir.DType, v float64) *ir.Tensor {
	t := ir.Scalar(dt, v)
	t.Shape = []int64{1}
	return t
}
