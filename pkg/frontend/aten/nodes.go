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
		return b.symSize(sn, name)
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
		case "as_sym_int":
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
	case "as_sym_int":
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
				return fmt.Errorf("symbolic size %q is not an aten.sym_size.int of a tensor; trtc supports sizes read directly from tensor shapes", ref)
			}
			var v int64
			if _, err := fmt.Sscan(sym, &v); err == nil {
				ints[i] = v
				continue
			}
			ints[i] = -1
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
	if !list {
		if symbolic {
			return fmt.Errorf("a symbolic scalar size is not supported (only symbolic entries of size lists)")
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
