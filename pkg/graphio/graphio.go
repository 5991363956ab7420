package graphio

import (
	"errors"
	"fmt"
	"github.com/trtc-dev/trtc/internal/safefile"
	"math"
	"math/bits"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/trtc-dev/trtc/internal/atomicfile"
	"github.com/trtc-dev/trtc/pkg/ir"
	graphpb "github.com/trtc-dev/trtc/proto/graph"
)

// BlobRef locates a tensor's bytes: Length bytes from Offset in blob number
// Index of the container (a bundle) that holds the graph.
type BlobRef struct {
	Index  uint32
	Offset uint64
	Length uint64
}

// EncodeOptions tunes Encode. The zero value (or nil) writes every tensor
// inline.
type EncodeOptions struct {
	// StoreTensor, when set, is offered every constant tensor. If it
	// returns stored == true, the tensor is written as ref; otherwise it is
	// written inline (a bundle writer keeps small tensors inline this way).
	StoreTensor func(t *ir.Tensor) (ref BlobRef, stored bool, err error)
}

// DecodeOptions tunes Decode.
type DecodeOptions struct {
	// LoadBlob returns the bytes a BlobRef points at. Graphs holding
	// references cannot be decoded without it.
	LoadBlob func(ref BlobRef) ([]byte, error)
}

// Encode converts g to its protobuf form.
func Encode(g *ir.Graph, opts *EncodeOptions) (*graphpb.Graph, error) {
	if opts == nil {
		opts = &EncodeOptions{}
	}
	return encodeGraph(g, opts)
}

// Marshal encodes g and serializes it deterministically.
func Marshal(g *ir.Graph, opts *EncodeOptions) ([]byte, error) {
	p, err := Encode(g, opts)
	if err != nil {
		return nil, err
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("graph %q: %w", g.Name, err)
	}
	// The magic goes first on the wire, so that format detection can read
	// it from the file's first bytes (Deterministic orders by field number,
	// which would put it last).
	head := protowire.AppendTag(nil, magicField, protowire.BytesType)
	head = protowire.AppendString(head, Magic)
	return append(head, b...), nil
}

// Magic is the value of the magic field in graphs that Marshal writes.
const Magic = "trtc.graph"

const magicField = 8

// Decode converts a protobuf graph to an ir.Graph, checking it.
func Decode(p *graphpb.Graph, opts *DecodeOptions) (*ir.Graph, error) {
	if m := p.GetMagic(); m != "" && m != Magic {
		return nil, fmt.Errorf("magic is %q, want %q: not a trtc graph", m, Magic)
	}
	if opts == nil {
		opts = &DecodeOptions{}
	}
	return decodeGraph(p, opts)
}

// Unmarshal parses serialized graph bytes and decodes them.
func Unmarshal(data []byte, opts *DecodeOptions) (*ir.Graph, error) {
	var p graphpb.Graph
	if err := proto.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("not a trtc graph protobuf (truncated or another format): %v", err)
	}
	return Decode(&p, opts)
}

// WriteFile writes g with all tensors inline to path, atomically: a
// temporary file in the same folder is synced and renamed over path.
func WriteFile(path string, g *ir.Graph) error {
	b, err := Marshal(g, nil)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, b, 0o644)
}

// ReadFile reads a graph file that WriteFile wrote. Errors name the file.
func ReadFile(path string) (*ir.Graph, error) {
	data, err := safefile.ReadFile(path, 2<<30-1) // protobuf's 2 GiB message limit
	if err != nil {
		return nil, err
	}
	g, err := Unmarshal(data, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

// --- encoding ---

func encodeGraph(g *ir.Graph, opts *EncodeOptions) (*graphpb.Graph, error) {
	p := &graphpb.Graph{Name: g.Name, Format: g.Format, Inputs: g.Inputs, Outputs: g.Outputs}
	for _, d := range ir.SortedKeys(g.Opsets) {
		p.Opsets = append(p.Opsets, &graphpb.Opset{Domain: d, Version: g.Opsets[d]})
	}
	for _, name := range ir.SortedKeys(g.Values) {
		v := g.Values[name]
		if v == nil {
			return nil, fmt.Errorf("graph %q: value %q is nil", g.Name, name)
		}
		if v.Name != name {
			return nil, fmt.Errorf("graph %q: value %q is stored under %q", g.Name, v.Name, name)
		}
		pv := &graphpb.Value{
			Name:      v.Name,
			Dtype:     graphpb.DType(v.DType),
			Shape:     encodeShape(v.Shape),
			ShapeData: encodeShape(v.ShapeData),
			Min:       encodeBounds(v.Min),
			Max:       encodeBounds(v.Max),
		}
		if v.Const != nil {
			t, err := encodeTensor(v.Const, opts)
			if err != nil {
				return nil, fmt.Errorf("graph %q: value %q: %w", g.Name, name, err)
			}
			pv.Const = t
		}
		p.Values = append(p.Values, pv)
	}
	for _, n := range g.Nodes {
		pn := &graphpb.Node{Name: n.Name, Op: n.Op, Inputs: n.Inputs, Outputs: n.Outputs}
		for _, an := range ir.SortedKeys(n.Attrs) {
			a, err := encodeAttr(an, n.Attrs[an], opts)
			if err != nil {
				return nil, fmt.Errorf("graph %q: %v attribute %q: %w", g.Name, n, an, err)
			}
			pn.Attrs = append(pn.Attrs, a)
		}
		p.Nodes = append(p.Nodes, pn)
	}
	return p, nil
}

func encodeShape(s ir.Shape) *graphpb.Shape {
	if s == nil {
		return nil
	}
	p := &graphpb.Shape{Dims: make([]*graphpb.Dim, len(s))}
	for i, d := range s {
		p.Dims[i] = &graphpb.Dim{Size: d.Size, Sym: d.Sym}
	}
	return p
}

func encodeBounds(m map[string]int64) []*graphpb.Bound {
	var out []*graphpb.Bound
	for _, k := range ir.SortedKeys(m) {
		out = append(out, &graphpb.Bound{Sym: k, Value: m[k]})
	}
	return out
}

func encodeTensor(t *ir.Tensor, opts *EncodeOptions) (*graphpb.Tensor, error) {
	if t == nil {
		return nil, errors.New("nil tensor")
	}
	if !t.DType.Supported() {
		return nil, fmt.Errorf("tensor of unsupported dtype %v", t.DType)
	}
	if err := t.Validate("tensor"); err != nil { // checked: no wrapped counts
		return nil, err
	}
	p := &graphpb.Tensor{Dtype: graphpb.DType(t.DType), Dims: t.Shape}
	if opts.StoreTensor != nil {
		ref, stored, err := opts.StoreTensor(t)
		if err != nil {
			return nil, err
		}
		if stored {
			if ref.Length != uint64(len(t.Data)) {
				return nil, fmt.Errorf("StoreTensor gave a blob of %d bytes for a tensor of %d", ref.Length, len(t.Data))
			}
			p.Data = &graphpb.Tensor_Blob{Blob: &graphpb.BlobRef{Index: ref.Index, Offset: ref.Offset, Length: ref.Length}}
			return p, nil
		}
	}
	p.Data = &graphpb.Tensor_Raw{Raw: t.Data}
	return p, nil
}

func encodeAttr(name string, a ir.Attr, opts *EncodeOptions) (*graphpb.Attr, error) {
	p := &graphpb.Attr{Name: name, Kind: graphpb.AttrKind(a.Kind), F: a.F, I: a.I, Floats: a.Floats, Ints: a.Ints}
	if a.S != "" {
		p.S = []byte(a.S)
	}
	for _, s := range a.Strings {
		p.Strings = append(p.Strings, []byte(s))
	}
	var err error
	if a.T != nil {
		if p.T, err = encodeTensor(a.T, opts); err != nil {
			return nil, err
		}
	}
	for i, t := range a.Tensors {
		pt, err := encodeTensor(t, opts)
		if err != nil {
			return nil, fmt.Errorf("tensor %d: %w", i, err)
		}
		p.Tensors = append(p.Tensors, pt)
	}
	if a.G != nil {
		if p.G, err = encodeGraph(a.G, opts); err != nil {
			return nil, err
		}
	}
	for i, g := range a.Graphs {
		if g == nil {
			return nil, fmt.Errorf("graph %d is nil", i)
		}
		pg, err := encodeGraph(g, opts)
		if err != nil {
			return nil, err
		}
		p.Graphs = append(p.Graphs, pg)
	}
	return p, nil
}

// --- decoding ---

func decodeGraph(p *graphpb.Graph, opts *DecodeOptions) (*ir.Graph, error) {
	g := ir.NewGraph(p.GetName(), p.GetFormat())
	where := func(err error) error { return fmt.Errorf("graph %q: %w", g.Name, err) }
	g.Inputs = p.GetInputs()
	g.Outputs = p.GetOutputs()
	for _, o := range p.GetOpsets() {
		g.Opsets[o.GetDomain()] = o.GetVersion()
	}
	for _, pv := range p.GetValues() {
		name := pv.GetName()
		if name == "" {
			return nil, where(errors.New("a value has no name"))
		}
		if g.Values[name] != nil {
			return nil, where(fmt.Errorf("value %q is defined twice", name))
		}
		v, err := decodeValue(pv, opts)
		if err != nil {
			return nil, where(fmt.Errorf("value %q: %w", name, err))
		}
		g.Values[name] = v
	}
	for _, in := range g.Inputs {
		if v := g.Values[in]; v != nil && v.Const != nil {
			return nil, where(fmt.Errorf("input %q is a constant", in))
		}
	}
	for _, pn := range p.GetNodes() {
		n := &ir.Node{Name: pn.GetName(), Op: pn.GetOp(), Inputs: pn.GetInputs(), Outputs: pn.GetOutputs(), Attrs: map[string]ir.Attr{}}
		if n.Op == "" {
			return nil, where(fmt.Errorf("node %q has no op", n.Name))
		}
		for _, pa := range pn.GetAttrs() {
			if _, dup := n.Attrs[pa.GetName()]; dup {
				return nil, where(fmt.Errorf("%v has attribute %q twice", n, pa.GetName()))
			}
			a, err := decodeAttr(pa, opts)
			if err != nil {
				return nil, where(fmt.Errorf("%v attribute %q: %w", n, pa.GetName(), err))
			}
			n.Attrs[pa.GetName()] = a
		}
		g.Nodes = append(g.Nodes, n)
	}
	return g, nil
}

func decodeValue(pv *graphpb.Value, opts *DecodeOptions) (*ir.Value, error) {
	v := &ir.Value{Name: pv.GetName(), DType: ir.DType(pv.GetDtype())}
	var err error
	if v.Shape, err = decodeShape(pv.GetShape()); err != nil {
		return nil, err
	}
	if v.ShapeData, err = decodeShape(pv.GetShapeData()); err != nil {
		return nil, fmt.Errorf("shape data: %w", err)
	}
	if v.Min, err = decodeBounds(pv.GetMin()); err != nil {
		return nil, fmt.Errorf("min: %w", err)
	}
	if v.Max, err = decodeBounds(pv.GetMax()); err != nil {
		return nil, fmt.Errorf("max: %w", err)
	}
	if pv.GetConst() != nil {
		if v.Const, err = decodeTensor(pv.GetConst(), opts); err != nil {
			return nil, err
		}
		if v.Const.DType != v.DType || !v.Shape.Equal(ir.S(v.Const.Shape...)) {
			return nil, fmt.Errorf("constant is %v but the value says %v%v", v.Const, v.DType, v.Shape)
		}
	}
	return v, nil
}

func decodeShape(p *graphpb.Shape) (ir.Shape, error) {
	if p == nil {
		return nil, nil
	}
	s := make(ir.Shape, len(p.GetDims()))
	for i, d := range p.GetDims() {
		if d.GetSize() < -1 || (d.GetSize() >= 0 && d.GetSym() != "") {
			return nil, fmt.Errorf("dim %d (size %d, sym %q) is neither static nor dynamic", i, d.GetSize(), d.GetSym())
		}
		s[i] = ir.Dim{Size: d.GetSize(), Sym: d.GetSym()}
	}
	return s, nil
}

func decodeBounds(bs []*graphpb.Bound) (map[string]int64, error) {
	if len(bs) == 0 {
		return nil, nil
	}
	m := make(map[string]int64, len(bs))
	for _, b := range bs {
		if _, dup := m[b.GetSym()]; dup {
			return nil, fmt.Errorf("dim %q is bounded twice", b.GetSym())
		}
		m[b.GetSym()] = b.GetValue()
	}
	return m, nil
}

func decodeTensor(p *graphpb.Tensor, opts *DecodeOptions) (*ir.Tensor, error) {
	dt := ir.DType(p.GetDtype())
	if !dt.Supported() {
		return nil, fmt.Errorf("tensor has unsupported dtype %v", dt)
	}
	shape := p.GetDims()
	numel := uint64(1)
	for _, d := range shape {
		if d < 0 {
			return nil, fmt.Errorf("tensor has a negative dim in %v", shape)
		}
		hi, lo := bits.Mul64(numel, uint64(d))
		if hi != 0 || lo > math.MaxInt64/8 {
			return nil, fmt.Errorf("tensor shape %v is too large", shape)
		}
		numel = lo
	}
	want := numel * uint64(dt.Size())
	var data []byte
	switch d := p.GetData().(type) {
	case *graphpb.Tensor_Raw:
		data = d.Raw
	case *graphpb.Tensor_Blob:
		ref := BlobRef{Index: d.Blob.GetIndex(), Offset: d.Blob.GetOffset(), Length: d.Blob.GetLength()}
		if ref.Length != want {
			return nil, fmt.Errorf("tensor %v%v needs %d bytes, its blob reference has %d", dt, shape, want, ref.Length)
		}
		if opts.LoadBlob == nil {
			return nil, fmt.Errorf("tensor is stored in blob %d, and no blob loader was given", ref.Index)
		}
		var err error
		if data, err = opts.LoadBlob(ref); err != nil {
			return nil, fmt.Errorf("tensor in blob %d at %d: %w", ref.Index, ref.Offset, err)
		}
	case nil:
	}
	if uint64(len(data)) != want {
		return nil, fmt.Errorf("tensor %v%v needs %d bytes, has %d", dt, shape, want, len(data))
	}
	if data == nil {
		data = []byte{}
	}
	return ir.WrapBytes(dt, shape, data)
}

func decodeAttr(p *graphpb.Attr, opts *DecodeOptions) (ir.Attr, error) {
	a := ir.Attr{Kind: ir.AttrKind(p.GetKind()), F: p.GetF(), I: p.GetI(), S: string(p.GetS()), Floats: p.GetFloats(), Ints: p.GetInts()}
	if a.Kind < ir.AttrUndefined || a.Kind > ir.AttrGraphs {
		return a, fmt.Errorf("unknown attribute kind %d", a.Kind)
	}
	for _, s := range p.GetStrings() {
		a.Strings = append(a.Strings, string(s))
	}
	var err error
	if p.GetT() != nil {
		if a.T, err = decodeTensor(p.GetT(), opts); err != nil {
			return a, err
		}
	}
	for i, pt := range p.GetTensors() {
		t, err := decodeTensor(pt, opts)
		if err != nil {
			return a, fmt.Errorf("tensor %d: %w", i, err)
		}
		a.Tensors = append(a.Tensors, t)
	}
	if p.GetG() != nil {
		if a.G, err = decodeGraph(p.GetG(), opts); err != nil {
			return a, err
		}
	}
	for _, pg := range p.GetGraphs() {
		g, err := decodeGraph(pg, opts)
		if err != nil {
			return a, err
		}
		a.Graphs = append(a.Graphs, g)
	}
	// The list that the kind names is never nil, so an empty list
	// attribute reads as set.
	switch a.Kind {
	case ir.AttrFloats:
		a.Floats = nonNil(a.Floats)
	case ir.AttrInts:
		a.Ints = nonNil(a.Ints)
	case ir.AttrStrings:
		a.Strings = nonNil(a.Strings)
	case ir.AttrTensors:
		a.Tensors = nonNil(a.Tensors)
	case ir.AttrGraphs:
		a.Graphs = nonNil(a.Graphs)
	case ir.AttrTensor:
		if a.T == nil {
			return a, errors.New("tensor attribute has no tensor")
		}
	case ir.AttrGraph:
		if a.G == nil {
			return a, errors.New("graph attribute has no graph")
		}
	}
	return a, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
