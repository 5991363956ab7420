package aten

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// node adds one serialized node to the graph.
func (b *builder) node(sn *node) error {
	target := sn.Target
	op := strings.TrimPrefix(target, "torch.ops.")
	name := sn.Name
	outs, err := b.outputNames(sn)
	if err != nil {
		return fmt.Errorf("node %q (%s): %w", name, op, err)
	}
	if name == "" && len(outs) > 0 {
		name = outs[0]
	}
	switch op {
	case "_operator.getitem", "operator.getitem":
		return b.getitem(sn, name)
	case "aten.sym_size.int":
		if err := b.symSize(sn, name); err != nil {
			return err
		}
		return b.symNode(sn, op, name)
	}
	if isSymOp(op) {
		return b.symNode(sn, op, name)
	}
	n := &ir.Node{Name: name, Op: op, Attrs: map[string]ir.Attr{}}
	for _, a := range sn.Inputs {
		if err := b.arg(n, a); err != nil {
			return fmt.Errorf("node %q (%s), argument %q: %w", name, op, a.Name, err)
		}
	}
	n.Outputs = outs
	for _, o := range outs {
		if o == "" {
			continue
		}
		b.produced[o] = true
		if _, ok := b.a.GraphModule.Graph.TensorValues[o]; ok {
			v, err := b.value(o)
			if err != nil {
				return fmt.Errorf("node %q (%s): %w", name, op, err)
			}
			b.g.Values[o] = v
		}
	}
	b.g.Nodes = append(b.g.Nodes, n)
	return nil
}

// outputNames flattens a node's outputs: tensors, tensor lists (the getitem
// names, as the serializer writes them), and None for outputs nobody reads.
func (b *builder) outputNames(sn *node) ([]string, error) {
	var outs []string
	for i, o := range sn.Outputs {
		k, raw := o.kind()
		switch k {
		case "as_tensor":
			var t tensorArg
			if err := json.Unmarshal(raw, &t); err != nil {
				return nil, err
			}
			outs = append(outs, t.Name)
		case "as_tensors":
			var ts []tensorArg
			if err := json.Unmarshal(raw, &ts); err != nil {
				return nil, err
			}
			for _, t := range ts {
				outs = append(outs, t.Name)
			}
		case "as_none":
			outs = append(outs, "")
		case "as_sym_int", "as_sym_float", "as_sym_bool":
			var s struct {
				AsName string `json:"as_name"`
			}
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, err
			}
			outs = append(outs, s.AsName)
		case "as_optional_tensors":
			var ts []union
			if err := json.Unmarshal(raw, &ts); err != nil {
				return nil, err
			}
			for _, u := range ts {
				tk, traw := u.kind()
				if tk != "as_tensor" {
					outs = append(outs, "")
					continue
				}
				var t tensorArg
				if err := json.Unmarshal(traw, &t); err != nil {
					return nil, err
				}
				outs = append(outs, t.Name)
			}
		default:
			return nil, fmt.Errorf("output %d is of kind %q, which trtc does not read", i, k)
		}
	}
	return outs, nil
}

// getitem maps an explicit getitem node (older serializers) onto the
// multi-output node it indexes: the producer's output i gets the getitem's
// name.
func (b *builder) getitem(sn *node, name string) error {
	if len(sn.Inputs) != 2 || len(sn.Outputs) != 1 {
		return fmt.Errorf("getitem node %q has %d arguments and %d outputs, want 2 and 1", name, len(sn.Inputs), len(sn.Outputs))
	}
	var src tensorArg
	for _, k := range []string{"as_tensor"} {
		if raw, ok := sn.Inputs[0].Arg[k]; ok {
			_ = json.Unmarshal(raw, &src)
		}
	}
	idxRaw, ok := sn.Inputs[1].Arg["as_int"]
	if src.Name == "" || !ok {
		return fmt.Errorf("getitem node %q: want a tensor list and an int index", name)
	}
	idx, err := parseInt(idxRaw)
	if err != nil {
		return fmt.Errorf("getitem node %q: %w", name, err)
	}
	outs, err := b.outputNames(sn)
	if err != nil {
		return fmt.Errorf("getitem node %q: %w", name, err)
	}
	for _, n := range b.g.Nodes {
		for i, o := range n.Outputs {
			if o != src.Name {
				continue
			}
			// The producer wrote one list value: expand its outputs.
			if i == 0 && len(n.Outputs) == 1 {
				n.Outputs = []string{""}
			}
			for int64(len(n.Outputs)) <= idx {
				n.Outputs = append(n.Outputs, "")
			}
			n.Outputs[idx] = outs[0]
			if v, err := b.value(outs[0]); err == nil {
				b.g.Values[outs[0]] = v
			}
			b.alias[outs[0]] = outs[0]
			return nil
		}
	}
	return fmt.Errorf("getitem node %q reads %q, which no node produced", name, src.Name)
}

// symSize records that a sym_int value is dim d of a tensor; the node
// itself leaves the graph.
func (b *builder) symSize(sn *node, name string) error {
	var src tensorArg
	var dim int64 = -1
	for _, a := range sn.Inputs {
		k, raw := a.Arg.kind()
		switch {
		case k == "as_tensor":
			_ = json.Unmarshal(raw, &src)
		case k == "as_int":
			dim, _ = parseInt(raw)
		}
	}
	outs, err := b.outputNames(sn)
	if err != nil || len(outs) != 1 || src.Name == "" {
		return fmt.Errorf("node %q (aten.sym_size.int): want a tensor, a dim and one sym_int output", name)
	}
	m, ok := b.a.GraphModule.Graph.TensorValues[src.Name]
	if !ok {
		return fmt.Errorf("node %q (aten.sym_size.int): tensor %q has no metadata", name, src.Name)
	}
	if dim < 0 {
		dim += int64(len(m.Sizes))
	}
	if dim < 0 || dim >= int64(len(m.Sizes)) {
		return fmt.Errorf("node %q (aten.sym_size.int): dim out of range for %q", name, src.Name)
	}
	s, err := parseSymInt(m.Sizes[dim])
	if err != nil {
		return fmt.Errorf("node %q (aten.sym_size.int): %w", name, err)
	}
	if s.Static {
		b.symOf[outs[0]] = fmt.Sprint(s.Value)
	} else {
		b.symOf[outs[0]] = s.Expr
	}
	return nil
}

// arg encodes one argument into the node (see the package doc).
func (b *builder) arg(n *ir.Node, a namedArg) error {
	k, raw := a.Arg.kind()
	tensorSlot := isTensorArg(n.Op, a.Name)
	setScalar := func(v float64, isInt bool) {
		n.Attrs[a.Name] = ir.Attr{Kind: ir.AttrFloat, F: float32(v)}
		if isInt {
			n.Attrs["_int_"+a.Name] = ir.Attr{Kind: ir.AttrInt, I: 1}
		}
	}
	switch k {
	case "as_tensor", "as_optional_tensor":
		if k == "as_optional_tensor" {
			var u union
			if err := json.Unmarshal(raw, &u); err != nil {
				return err
			}
			ik, iraw := u.kind()
			if ik != "as_tensor" {
				n.Inputs = append(n.Inputs, "")
				return nil
			}
			raw = iraw
		}
		var t tensorArg
		if err := json.Unmarshal(raw, &t); err != nil {
			return err
		}
		if b.g.Values[t.Name] == nil && !b.produced[t.Name] {
			return fmt.Errorf("reads tensor %q, which no input, constant or earlier node defines", t.Name)
		}
		n.Inputs = append(n.Inputs, t.Name)
	case "as_tensors", "as_optional_tensors":
		var us []json.RawMessage
		if err := json.Unmarshal(raw, &us); err != nil {
			return err
		}
		for _, r := range us {
			if k == "as_optional_tensors" {
				var u union
				if err := json.Unmarshal(r, &u); err != nil {
					return err
				}
				ik, iraw := u.kind()
				if ik != "as_tensor" {
					n.Inputs = append(n.Inputs, "")
					continue
				}
				r = iraw
			}
			var t tensorArg
			if err := json.Unmarshal(r, &t); err != nil {
				return err
			}
			n.Inputs = append(n.Inputs, t.Name)
		}
		n.Attrs["_list_"+a.Name] = ir.Attr{Kind: ir.AttrInt, I: int64(len(us))}
	case "as_none":
		if tensorSlot {
			n.Inputs = append(n.Inputs, "")
		}
	case "as_int":
		v, err := parseInt(raw)
		if err != nil {
			return err
		}
		if tensorSlot {
			n.Inputs = append(n.Inputs, "")
			setScalar(float64(v), true)
		} else if isScalarArg(n.Op, a.Name) {
			setScalar(float64(v), true)
		} else {
			n.Attrs[a.Name] = ir.Attr{Kind: ir.AttrInt, I: v}
		}
	case "as_float":
		v, err := parseFloat(raw)
		if err != nil {
			return err
		}
		if tensorSlot {
			n.Inputs = append(n.Inputs, "")
		}
		setScalar(v, false)
	case "as_bool":
		var v bool
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		if tensorSlot {
			n.Inputs = append(n.Inputs, "")
		}
		n.Attrs[a.Name] = ir.Attr{Kind: ir.AttrInt, I: map[bool]int64{true: 1}[v]}
	case "as_string":
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		n.Attrs[a.Name] = ir.Attr{Kind: ir.AttrString, S: s}
	case "as_strings":
		var s []string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		n.Attrs[a.Name] = ir.Attr{Kind: ir.AttrStrings, Strings: s}
	case "as_ints", "as_bools":
		var vs []json.RawMessage
		if err := json.Unmarshal(raw, &vs); err != nil {
			return err
		}
		ints := make([]int64, len(vs))
		for i, r := range vs {
			switch strings.TrimSpace(string(r)) {
			case "true":
				ints[i] = 1
			case "false":
			default:
				v, err := parseInt(r)
				if err != nil {
					return err
				}
				ints[i] = v
			}
		}
		n.Attrs[a.Name] = ir.Attr{Kind: ir.AttrInts, Ints: ints}
	case "as_floats":
		var vs []json.RawMessage
		if err := json.Unmarshal(raw, &vs); err != nil {
			return err
		}
		fs := make([]float32, len(vs))
		for i, r := range vs {
			v, err := parseFloat(r)
			if err != nil {
				return err
			}
			fs[i] = float32(v)
		}
		n.Attrs[a.Name] = ir.Attr{Kind: ir.AttrFloats, Floats: fs}
	case "as_scalar_type":
		v, err := parseInt(raw)
		if err != nil {
			return err
		}
		dt, err := dtypeOf(int(v))
		if err != nil {
			return err
		}
		n.Attrs[a.Name] = ir.Attr{Kind: ir.AttrInt, I: int64(dt)}
	case "as_device", "as_layout", "as_memory_format":
		// Placement and layout do not change values.
	case "as_sym_int", "as_sym_float", "as_sym_bool":
		if tensorSlot {
			// A symbolic number where the schema says Tensor
			// (x * T): the sym value is the input, a 0-d tensor.
			ref, static, isStatic, err := b.symRef(raw)
			if err != nil {
				return err
			}
			if isStatic {
				n.Inputs = append(n.Inputs, "")
				setScalar(static, k != "as_sym_float")
				return nil
			}
			n.Inputs = append(n.Inputs, ref)
			return nil
		}
		if k != "as_sym_int" {
			ref, static, isStatic, err := b.symRef(raw)
			if err != nil {
				return err
			}
			if isStatic {
				setScalar(static, false)
				return nil
			}
			n.Attrs["_symref_"+a.Name] = ir.Attr{Kind: ir.AttrStrings, Strings: []string{ref}}
			return nil
		}
		return b.symIntArg(n, a.Name, []json.RawMessage{raw}, false)
	case "as_sym_ints":
		var vs []json.RawMessage
		if err := json.Unmarshal(raw, &vs); err != nil {
			return err
		}
		return b.symIntArg(n, a.Name, vs, true)
	default:
		return fmt.Errorf("argument of kind %q is not supported by trtc", k)
	}
	return nil
}

// symIntArg encodes a SymInt or SymInt[] argument: static entries as
// themselves, symbolic ones as -1 with "_sym_<arg>" naming the dim of input
// 0 that carries the same symbol.
func (b *builder) symIntArg(n *ir.Node, name string, vs []json.RawMessage, list bool) error {
	ints := make([]int64, len(vs))
	src := make([]int64, len(vs))
	refs := make([]string, len(vs))
	symbolic := false
	var in0 ir.Shape
	if len(n.Inputs) > 0 {
		if v := b.g.Values[n.Inputs[0]]; v != nil {
			in0 = v.Shape
		}
	}
	for i, r := range vs {
		src[i] = -1
		var u union
		if err := json.Unmarshal(r, &u); err != nil {
			return err
		}
		k, raw := u.kind()
		switch k {
		case "as_int":
			v, err := parseInt(raw)
			if err != nil {
				return err
			}
			ints[i] = v
		case "as_name":
			var ref string
			if err := json.Unmarshal(raw, &ref); err != nil {
				return err
			}
			sym, ok := b.symOf[ref]
			if !ok {
				return fmt.Errorf("symbolic size %q is not defined by any earlier node", ref)
			}
			var v int64
			if _, err := fmt.Sscan(sym, &v); err == nil && fmt.Sprint(v) == sym {
				ints[i] = v
				continue
			}
			ints[i] = -1
			refs[i] = ref
			symbolic = true
			for d, dim := range in0 {
				if !dim.Static() && dim.Sym == sym {
					src[i] = int64(d)
					break
				}
			}
		default:
			return fmt.Errorf("symbolic size of kind %q is not supported", k)
		}
	}
	if symbolic {
		// pkg/lower turns the node into a shape computation reading
		// these sym values (see docs/aten.md).
		n.Attrs["_symref_"+name] = ir.Attr{Kind: ir.AttrStrings, Strings: refs}
	}
	if !list {
		if symbolic {
			if isScalarArg(n.Op, name) {
				n.Attrs["_int_"+name] = ir.Attr{Kind: ir.AttrInt, I: 1}
			}
			return nil
		}
		if isScalarArg(n.Op, name) {
			n.Attrs[name] = ir.Attr{Kind: ir.AttrFloat, F: float32(ints[0])}
			n.Attrs["_int_"+name] = ir.Attr{Kind: ir.AttrInt, I: 1}
			return nil
		}
		n.Attrs[name] = ir.Attr{Kind: ir.AttrInt, I: ints[0]}
		return nil
	}
	n.Attrs[name] = ir.Attr{Kind: ir.AttrInts, Ints: ints}
	if symbolic {
		n.Attrs["_sym_"+name] = ir.Attr{Kind: ir.AttrInts, Ints: src}
	}
	return nil
}

// isSymOp reports whether a target computes a symbolic number (a SymInt,
// SymFloat or SymBool) rather than a tensor.
func isSymOp(op string) bool {
	switch {
	case op == "_operator.getitem" || op == "operator.getitem":
		return false
	case strings.HasPrefix(op, "_operator.") || strings.HasPrefix(op, "operator."),
		strings.HasPrefix(op, "torch.sym_"), strings.HasPrefix(op, "math."):
		return true
	}
	switch op {
	case "aten.sym_numel.default", "aten.sym_stride.int", "aten.sym_storage_offset.default", "aten.sym_size.default":
		return true
	}
	return false
}

// symRef reads a SymInt/SymFloat/SymBool argument: a reference to an
// earlier sym value, or a number.
func (b *builder) symRef(raw json.RawMessage) (ref string, v float64, static bool, err error) {
	var u union
	if err := json.Unmarshal(raw, &u); err != nil {
		return "", 0, false, err
	}
	k, r := u.kind()
	switch k {
	case "as_name":
		if err := json.Unmarshal(r, &ref); err != nil {
			return "", 0, false, err
		}
		if _, ok := b.symOf[ref]; !ok {
			return "", 0, false, fmt.Errorf("symbolic value %q is not defined by any earlier node", ref)
		}
		if sv, ok := b.symOf[ref]; ok {
			var iv int64
			if _, err := fmt.Sscan(sv, &iv); err == nil && fmt.Sprint(iv) == sv {
				return "", float64(iv), true, nil
			}
		}
		return ref, 0, false, nil
	case "as_int":
		iv, err := parseInt(r)
		return "", float64(iv), true, err
	case "as_float":
		fv, err := parseFloat(r)
		return "", fv, true, err
	case "as_bool":
		var bv bool
		if err := json.Unmarshal(r, &bv); err != nil {
			return "", 0, false, err
		}
		return "", map[bool]float64{true: 1}[bv], true, nil
	}
	return "", 0, false, fmt.Errorf("symbolic argument of kind %q is not supported", k)
}

// symNode adds a node computing a symbolic number (sym_size.int,
// _operator.mul, torch.sym_max, ...). Its output is a 0-d value: int64
// for SymInt, float32 for SymFloat, bool for SymBool; pkg/lower turns it
// into a shape computation. Number arguments become constants.
func (b *builder) symNode(sn *node, op, name string) error {
	outs, err := b.outputNames(sn)
	if err != nil || len(outs) != 1 || outs[0] == "" {
		return fmt.Errorf("node %q (%s): want one symbolic output", name, op)
	}
	n := &ir.Node{Name: name, Op: op, Attrs: map[string]ir.Attr{}, Outputs: outs}
	for i, a := range sn.Inputs {
		k, raw := a.Arg.kind()
		switch k {
		case "as_tensor":
			var t tensorArg
			if err := json.Unmarshal(raw, &t); err != nil {
				return err
			}
			if b.g.Values[t.Name] == nil && !b.produced[t.Name] {
				return fmt.Errorf("node %q (%s) reads tensor %q, which nothing defines", name, op, t.Name)
			}
			n.Inputs = append(n.Inputs, t.Name)
		case "as_sym_int", "as_sym_float", "as_sym_bool":
			ref, v, static, err := b.symRef(raw)
			if err != nil {
				return fmt.Errorf("node %q (%s), argument %q: %w", name, op, a.Name, err)
			}
			if !static {
				n.Inputs = append(n.Inputs, ref)
				continue
			}
			dt := ir.Int64
			if k == "as_sym_float" {
				dt = ir.Float32
			}
			n.Inputs = append(n.Inputs, b.constArg(name, i, ir.Scalar(dt, v)))
		case "as_int":
			v, err := parseInt(raw)
			if err != nil {
				return fmt.Errorf("node %q (%s), argument %q: %w", name, op, a.Name, err)
			}
			if op == "aten.sym_size.int" || op == "aten.sym_stride.int" {
				n.Attrs["dim"] = ir.Attr{Kind: ir.AttrInt, I: v}
				continue
			}
			n.Inputs = append(n.Inputs, b.constArg(name, i, ir.Scalar(ir.Int64, float64(v))))
		case "as_float":
			v, err := parseFloat(raw)
			if err != nil {
				return fmt.Errorf("node %q (%s), argument %q: %w", name, op, a.Name, err)
			}
			n.Inputs = append(n.Inputs, b.constArg(name, i, ir.Scalar(ir.Float32, v)))
		case "as_bool":
			var v bool
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			n.Inputs = append(n.Inputs, b.constArg(name, i, ir.Scalar(ir.Bool, map[bool]float64{true: 1}[v])))
		default:
			return fmt.Errorf("node %q (%s), argument %q of kind %q is not supported", name, op, a.Name, k)
		}
	}
	dt := ir.Int64
	switch ok, _ := sn.Outputs[0].kind(); ok {
	case "as_sym_float":
		dt = ir.Float32
	case "as_sym_bool":
		dt = ir.Bool
	}
	o := outs[0]
	if _, ok := b.symOf[o]; !ok {
		b.symOf[o] = o
		if u, ok := b.a.GraphModule.Graph.SymIntValues[o]; ok {
			if s, err := parseSymInt(u); err != nil {
				return fmt.Errorf("node %q (%s): %w", name, op, err)
			} else if s.Static {
				b.symOf[o] = fmt.Sprint(s.Value)
			} else {
				b.symOf[o] = s.Expr
			}
		}
	}
	b.produced[o] = true
	b.g.Values[o] = &ir.Value{Name: o, DType: dt, Shape: ir.Shape{}}
	b.g.Nodes = append(b.g.Nodes, n)
	return nil
}

// constArg adds a constant argument of a sym node.
func (b *builder) constArg(node string, i int, t *ir.Tensor) string {
	name := fmt.Sprintf("%s/arg%d", node, i)
	b.g.Values[name] = &ir.Value{Name: name, DType: t.DType, Shape: ir.S(t.Shape...), Const: t}
	return name
}
