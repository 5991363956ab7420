package aten

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/trtc-dev/trtc/internal/safefile"
	"github.com/trtc-dev/trtc/internal/sizes"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// Load reads a torch.export archive. Errors name the file. Load does not
// infer shapes: run ops.Propagate on the result.
//
// The archive is read in place (entries are inflated one at a time, each
// checked against limits first: see archive.go), never loaded whole.
func Load(path string) (*ir.Graph, error) {
	f, st, err := safefile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading torch.export archive: %w", err)
	}
	defer f.Close()
	a, err := openArchiveReader(f, st.Size())
	if err == nil {
		var g *ir.Graph
		if g, err = parseArchive(a); err == nil {
			return g, nil
		}
	}
	return nil, fmt.Errorf("%s: %w", path, err)
}

// Parse reads the bytes of a .pt2 archive.
func Parse(data []byte) (*ir.Graph, error) {
	a, err := openArchive(data)
	if err != nil {
		return nil, err
	}
	return parseArchive(a)
}

func parseArchive(a *archive) (*ir.Graph, error) {
	var p program
	if err := a.readJSON("models/"+a.name+".json", &p); err != nil {
		return nil, err
	}
	if p.SchemaVersion == nil {
		return nil, fmt.Errorf("%smodels/%s.json has no schema_version: not a serialized ExportedProgram", a.root, a.name)
	}
	if v := p.SchemaVersion; v.Major != SchemaMajor {
		return nil, fmt.Errorf("export schema version %d.%d is not supported: trtc reads schema %d.x (torch %s wrote this archive)", v.Major, v.Minor, SchemaMajor, orUnknown(p.TorchVersion))
	}
	b := &builder{a: &p, ar: a, g: ir.NewGraph(a.name, "aten"), symOf: map[string]string{}, produced: map[string]bool{}}
	if err := b.build(); err != nil {
		return nil, err
	}
	return b.g, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown version"
	}
	return s
}

type builder struct {
	a      *program
	ar     *archive
	g      *ir.Graph
	ranges map[string][2]int64 // symbol -> min, max (max -1: unbounded)
	// symOf maps a sym_int value name (output of aten.sym_size.int) to
	// the symbol it equals.
	symOf map[string]string
	// alias maps a getitem output to the multi-output value it names.
	alias    map[string]string
	produced map[string]bool
}

func (b *builder) build() error {
	gm := &b.a.GraphModule
	b.ranges = map[string][2]int64{}
	for sym, r := range b.a.RangeConstraints {
		lo, hi := int64(0), int64(-1)
		if v, err := parseFloat(r.MinVal); err == nil && !math.IsInf(v, 0) {
			lo = int64(v)
		}
		if v, err := parseFloat(r.MaxVal); err == nil && !math.IsInf(v, 0) && v < 1<<62 {
			hi = int64(v)
		}
		b.ranges[sym] = [2]int64{lo, hi}
	}
	if err := b.inputs(); err != nil {
		return err
	}
	b.alias = map[string]string{}
	for i := range gm.Graph.Nodes {
		if err := b.node(&gm.Graph.Nodes[i]); err != nil {
			return err
		}
	}
	if err := b.outputs(); err != nil {
		return err
	}
	b.dropUnusedOutputs()
	if err := b.g.TopoSort(); err != nil {
		return err
	}
	b.g.UniqueNodeNames()
	return nil
}

// dropUnusedOutputs blanks the secondary outputs nobody reads (batch norm's
// saved statistics, max pool's indices), so that converters that produce
// only the main output can take the node.
func (b *builder) dropUnusedOutputs() {
	used := map[string]bool{}
	for _, n := range b.g.Nodes {
		for _, in := range n.Inputs {
			used[in] = true
		}
	}
	for _, o := range b.g.Outputs {
		used[o] = true
	}
	for _, n := range b.g.Nodes {
		for i := 1; i < len(n.Outputs); i++ {
			if o := n.Outputs[i]; o != "" && !used[o] {
				delete(b.g.Values, o)
				n.Outputs[i] = ""
			}
		}
	}
}

// value makes the ir.Value of a tensor the graph's metadata describes.
func (b *builder) value(name string) (*ir.Value, error) {
	m, ok := b.a.GraphModule.Graph.TensorValues[name]
	if !ok {
		return nil, fmt.Errorf("tensor %q has no entry in tensor_values", name)
	}
	dt, shape, err := b.meta(m)
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, err)
	}
	v := &ir.Value{Name: name, DType: dt, Shape: shape}
	for _, d := range shape {
		if d.Static() || d.Sym == "" {
			continue
		}
		if r, ok := b.ranges[d.Sym]; ok {
			if v.Min == nil {
				v.Min, v.Max = map[string]int64{}, map[string]int64{}
			}
			v.Min[d.Sym] = r[0]
			if r[1] >= 0 {
				v.Max[d.Sym] = r[1]
			}
		}
	}
	return v, nil
}

func (b *builder) meta(m tensorMeta) (ir.DType, ir.Shape, error) {
	dt, err := dtypeOf(m.DType)
	if err != nil {
		return 0, nil, err
	}
	shape := make(ir.Shape, len(m.Sizes))
	for i, s := range m.Sizes {
		si, err := parseSymInt(s)
		if err != nil {
			return 0, nil, fmt.Errorf("size %d: %w", i, err)
		}
		if si.Static {
			if si.Value < 0 {
				return 0, nil, fmt.Errorf("size %d is %d", i, si.Value)
			}
			shape[i] = ir.D(si.Value)
		} else {
			shape[i] = ir.Sym(si.Expr)
		}
	}
	return dt, shape, nil
}

func dtypeOf(st int) (ir.DType, error) {
	if name, ok := scalarTypes[st]; ok {
		return ir.ParseDType(name)
	}
	if name, ok := scalarTypeNames[st]; ok {
		return 0, fmt.Errorf("dtype %s is not supported by trtc", name)
	}
	return 0, fmt.Errorf("unknown dtype number %d in the export schema", st)
}

func (b *builder) inputs() error {
	gm := &b.a.GraphModule
	weights, err := b.config("data/weights/" + b.ar.name + "_weights_config.json")
	if err != nil {
		return err
	}
	consts, err := b.config("data/constants/" + b.ar.name + "_constants_config.json")
	if err != nil {
		return err
	}
	for i, spec := range gm.Signature.InputSpecs {
		k, raw := spec.kind()
		var s struct {
			Arg            json.RawMessage `json:"arg"`
			ParameterName  string          `json:"parameter_name"`
			BufferName     string          `json:"buffer_name"`
			Persistent     *bool           `json:"persistent"`
			TensorConstant string          `json:"tensor_constant_name"`
		}
		if raw != nil {
			if err := json.Unmarshal(raw, &s); err != nil {
				return fmt.Errorf("input spec %d (%s): %v", i, k, err)
			}
		}
		switch k {
		case "user_input":
			var arg union
			if err := json.Unmarshal(s.Arg, &arg); err != nil {
				return fmt.Errorf("input spec %d: %v", i, err)
			}
			ak, araw := arg.kind()
			if ak != "as_tensor" {
				return fmt.Errorf("user input %d is %s; trtc compiles tensor inputs only (export with that argument fixed)", i, strings.TrimPrefix(ak, "as_"))
			}
			var t tensorArg
			if err := json.Unmarshal(araw, &t); err != nil {
				return fmt.Errorf("input spec %d: %v", i, err)
			}
			v, err := b.value(t.Name)
			if err != nil {
				return fmt.Errorf("user input %q: %w", t.Name, err)
			}
			b.g.Values[t.Name] = v
			b.g.Inputs = append(b.g.Inputs, t.Name)
		case "parameter", "buffer", "tensor_constant":
			var t tensorArg
			if err := json.Unmarshal(s.Arg, &t); err != nil {
				return fmt.Errorf("input spec %d (%s): %v", i, k, err)
			}
			key, table, where := s.ParameterName, weights, "weights"
			switch {
			case k == "buffer":
				key = s.BufferName
				if s.Persistent != nil && !*s.Persistent {
					table, where = consts, "constants"
				}
			case k == "tensor_constant":
				key, table, where = s.TensorConstant, consts, "constants"
			}
			if _, ok := table.Config[key]; !ok {
				// Non-persistent buffers have moved between the two
				// tables across torch versions: look in the other.
				other, otherWhere := consts, "constants"
				if table == consts {
					other, otherWhere = weights, "weights"
				}
				if _, ok := other.Config[key]; ok {
					table, where = other, otherWhere
				}
			}
			t2, err := b.tensor(table, where, key)
			if err != nil {
				return fmt.Errorf("%s %q (graph input %q): %w", strings.ReplaceAll(k, "_", " "), key, t.Name, err)
			}
			b.g.Values[t.Name] = &ir.Value{Name: t.Name, DType: t2.DType, Shape: ir.S(t2.Shape...), Const: t2}
		default:
			return fmt.Errorf("input spec %d is a %s input; trtc compiles tensor inputs, parameters, buffers and tensor constants only", i, strings.ReplaceAll(k, "_", " "))
		}
	}
	return nil
}

// config reads a weights or constants config; an absent file is an empty
// table (older archives omit empty ones).
func (b *builder) config(rel string) (*weightsConfig, error) {
	c := &weightsConfig{}
	if !b.ar.has(rel) {
		return c, nil
	}
	if err := b.ar.readJSON(rel, c); err != nil {
		return nil, err
	}
	return c, nil
}

// tensor reads one stored tensor, honouring its strides and storage offset.
func (b *builder) tensor(c *weightsConfig, where, key string) (*ir.Tensor, error) {
	e, ok := c.Config[key]
	if !ok {
		return nil, fmt.Errorf("not listed in the archive's %s config", where)
	}
	if e.UsePickle {
		return nil, errors.New("stored pickled (use_pickle); trtc reads raw tensor files only")
	}
	dt, shape, err := b.meta(e.TensorMeta)
	if err != nil {
		return nil, err
	}
	dims, ok := shape.Ints()
	if !ok {
		return nil, fmt.Errorf("has symbolic sizes %v", shape)
	}
	file := "data/" + where + "/" + e.PathName
	if e.PathName == "" || strings.Contains(e.PathName, "..") {
		return nil, fmt.Errorf("bad path_name %q", e.PathName)
	}
	strides := make([]int64, len(dims))
	for i := range strides {
		if i >= len(e.TensorMeta.Strides) {
			return nil, fmt.Errorf("has %d strides for %d sizes", len(e.TensorMeta.Strides), len(dims))
		}
		s, err := parseSymInt(e.TensorMeta.Strides[i])
		if err != nil || !s.Static || s.Value < 0 {
			return nil, fmt.Errorf("stride %d is not a non-negative integer", i)
		}
		strides[i] = s.Value
	}
	offset := int64(0)
	if e.TensorMeta.StorageOffset != nil {
		s, err := parseSymInt(e.TensorMeta.StorageOffset)
		if err != nil || !s.Static || s.Value < 0 {
			return nil, errors.New("storage_offset is not a non-negative integer")
		}
		offset = s.Value
	}
	esize := int64(dt.Size())
	view := fmt.Sprintf("%v%v with strides %v and storage offset %d", dt, ir.S(dims...), strides, offset)
	numel, err := sizes.Numel(view, dims)
	if err != nil {
		return nil, err
	}
	// The strided view's extent in the storage, in elements and bytes:
	// offset + sum((d-1)*stride) + 1, with every step checked, so that no
	// overflow can make a view that reads outside the file look small.
	extent := int64(0)
	if numel > 0 {
		var ok bool
		extent, ok = sizes.Add(offset, 1)
		for i := 0; ok && i < len(dims); i++ {
			var step int64
			if step, ok = sizes.Mul(dims[i]-1, strides[i]); ok {
				extent, ok = sizes.Add(extent, step)
			}
		}
		if ok {
			_, ok = sizes.Mul(extent, esize)
		}
		if !ok {
			return nil, fmt.Errorf("%s reaches past any storage: its extent overflows int64", view)
		}
	}
	need := extent * esize
	// Check the entry's declared size before reading (and inflating) it.
	if have, ok := b.ar.size(file); ok && have < need {
		return nil, fmt.Errorf("file %s%s has %d bytes, but %s needs %d", b.ar.root, file, have, view, need)
	}
	if _, err := ir.ByteSize(view, dt, dims); err != nil {
		return nil, err
	}
	if err := sizes.Check(view, dims, dt.String(), numel*esize); err != nil {
		return nil, err
	}
	if numel == 0 {
		return ir.NewTensorChecked(view, dt, dims)
	}
	data, err := b.ar.read(file)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) < need {
		return nil, fmt.Errorf("file %s%s has %d bytes, but %s needs %d", b.ar.root, file, len(data), view, need)
	}
	contiguous := true
	want := int64(1)
	for i := len(dims) - 1; i >= 0; i-- {
		if dims[i] != 1 && strides[i] != want {
			contiguous = false
		}
		want *= dims[i]
	}
	if contiguous {
		return ir.WrapBytes(dt, dims, data[offset*esize:(offset+numel)*esize])
	}
	t, err := ir.NewTensorChecked(view, dt, dims)
	if err != nil {
		return nil, err
	}
	idx := make([]int64, len(dims))
	for o := int64(0); o < numel; o++ {
		src := offset
		for i, v := range idx {
			src += v * strides[i]
		}
		copy(t.Data[o*esize:(o+1)*esize], data[src*esize:(src+1)*esize])
		for i := len(idx) - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < dims[i] {
				break
			}
			idx[i] = 0
		}
	}
	return t, nil
}

func (b *builder) outputs() error {
	var outs []string
	for i, spec := range b.a.GraphModule.Signature.OutputSpecs {
		k, raw := spec.kind()
		switch k {
		case "user_output":
			var s struct {
				Arg union `json:"arg"`
			}
			if err := json.Unmarshal(raw, &s); err != nil {
				return fmt.Errorf("output spec %d: %v", i, err)
			}
			ak, araw := s.Arg.kind()
			if ak != "as_tensor" {
				return fmt.Errorf("user output %d is %s; trtc compiles tensor outputs only", i, strings.TrimPrefix(ak, "as_"))
			}
			var t tensorArg
			if err := json.Unmarshal(araw, &t); err != nil {
				return fmt.Errorf("output spec %d: %v", i, err)
			}
			outs = append(outs, b.resolve(t.Name))
		case "buffer_mutation", "user_input_mutation", "token":
			return fmt.Errorf("output spec %d is a %s: the program mutates state; export the model in eval mode without in-place updates of inputs or buffers", i, strings.ReplaceAll(k, "_", " "))
		default:
			// Loss and gradient outputs of training programs are not
			// inference outputs.
		}
	}
	if len(outs) == 0 {
		return errors.New("the program has no tensor outputs")
	}
	// Name outputs output_0, output_1, ... (the export's names are
	// internal node names): rename the producing node's output, or copy a
	// value that is an input, constant or another output.
	producers := b.g.Producers()
	for i, name := range outs {
		want := fmt.Sprintf("output_%d", i)
		if b.g.Values[want] != nil && name != want {
			return fmt.Errorf("the graph already has a value named %q", want)
		}
		p := producers[name]
		used := false
		for _, o := range outs[:i] {
			used = used || o == name
		}
		if p == nil || used {
			v := b.g.Values[name]
			b.g.Nodes = append(b.g.Nodes, &ir.Node{Name: want, Op: "aten.clone.default", Inputs: []string{name}, Outputs: []string{want}, Attrs: map[string]ir.Attr{}})
			if v != nil {
				b.g.Values[want] = &ir.Value{Name: want, DType: v.DType, Shape: v.Shape.Clone()}
			}
		} else {
			b.rename(name, want)
		}
		b.g.Outputs = append(b.g.Outputs, want)
	}
	return nil
}

// rename gives a node output a new name everywhere.
func (b *builder) rename(from, to string) {
	if v := b.g.Values[from]; v != nil {
		delete(b.g.Values, from)
		v.Name = to
		b.g.Values[to] = v
	}
	for _, n := range b.g.Nodes {
		for i := range n.Inputs {
			if n.Inputs[i] == from {
				n.Inputs[i] = to
			}
		}
		for i := range n.Outputs {
			if n.Outputs[i] == from {
				n.Outputs[i] = to
			}
		}
	}
}

func (b *builder) resolve(name string) string {
	if a, ok := b.alias[name]; ok {
		return a
	}
	return name
}
