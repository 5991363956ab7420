package onnx

import (
	"errors"
	"fmt"
	"github.com/trtc-dev/trtc/internal/safefile"
	"path/filepath"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
	onnxpb "github.com/trtc-dev/trtc/proto/onnx"
)

// MaxProtoBytes is the largest serialized protobuf message (ModelProto,
// TensorProto): 2 GiB, the protobuf format's own limit. Larger models keep
// their weights in external data files.
const MaxProtoBytes = 2<<30 - 1

// Load reads and parses an ONNX model file. External data is resolved
// relative to the file's folder. Errors name the file. Load does not infer
// shapes: run ops.Propagate on the result.
func Load(path string) (*ir.Graph, error) {
	data, err := safefile.ReadFile(path, MaxProtoBytes)
	if err != nil {
		return nil, fmt.Errorf("reading ONNX model: %w", err)
	}
	g, err := Parse(data, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

// Parse parses a serialized ModelProto. dir is the folder that external data
// locations are relative to; "" refuses models with external data.
func Parse(data []byte, dir string) (*ir.Graph, error) {
	if len(data) == 0 {
		return nil, errors.New("not an ONNX model: the file is empty")
	}
	var m onnxpb.ModelProto
	if err := proto.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("not an ONNX model (truncated or another format): %v", err)
	}
	if m.Graph == nil {
		if m.IrVersion == nil && len(m.OpsetImport) == 0 {
			return nil, errors.New("not an ONNX model: no ir_version, opset_import or graph")
		}
		return nil, errors.New("ONNX model has no graph")
	}
	if m.GetIrVersion() <= 0 {
		return nil, fmt.Errorf("not an ONNX model: ir_version is %d", m.GetIrVersion())
	}
	opsets := map[string]int64{}
	for _, o := range m.OpsetImport {
		d := normDomain(o.GetDomain())
		if o.GetVersion() <= 0 {
			return nil, fmt.Errorf("opset_import for domain %q has version %d", o.GetDomain(), o.GetVersion())
		}
		opsets[d] = max(opsets[d], o.GetVersion())
	}
	p := &parser{dir: dir, opsets: opsets}
	g, err := p.graph(m.Graph, nil)
	if err != nil {
		return nil, err
	}
	stampOpsets(g, opsets[""])
	ir.ExplicitOuterInputs(g) // subgraphs' outer-scope reads become node inputs
	return g, nil
}

// opsetSensitive lists default-domain ops whose meaning changed between
// opsets in a way their attributes and inputs do not show (Softmax-13 made
// the axis one dim instead of a 2-D coercion). Their nodes carry the model's
// opset in ops.OpsetAttr, so kernels and converters read it from the node.
// GroupNormalization-21 made scale and bias per channel instead of per group.
// Scan-9 dropped Scan-8's batch axis and sequence_lens input.
// DFT-20 moved axis from an attribute (default 1) to an input (default -2).
var opsetSensitive = map[string]bool{"onnx.Softmax": true, "onnx.LogSoftmax": true, "onnx.Hardmax": true,
	"onnx.GroupNormalization": true, "onnx.Scan": true, "onnx.DFT": true}

func stampOpsets(g *ir.Graph, opset int64) {
	for _, n := range g.Nodes {
		if opsetSensitive[n.Op] && !n.HasAttr(ops.OpsetAttr) {
			if n.Attrs == nil {
				n.Attrs = map[string]ir.Attr{}
			}
			n.Attrs[ops.OpsetAttr] = ir.Attr{Kind: ir.AttrInt, I: opset}
		}
		for _, a := range n.Attrs {
			if a.G != nil {
				stampOpsets(a.G, opset)
			}
			for _, sub := range a.Graphs {
				stampOpsets(sub, opset)
			}
		}
	}
}

func normDomain(d string) string {
	if d == "ai.onnx" {
		return ""
	}
	return d
}

// OpKey is the registry key of an ONNX node: "onnx.Add" for the default
// domain, domain+"."+op_type for others.
func OpKey(domain, opType string) string {
	if normDomain(domain) == "" {
		return "onnx." + opType
	}
	return domain + "." + opType
}

type parser struct {
	dir    string
	opsets map[string]int64
}

// scope is the chain of graphs enclosing a subgraph: the names each one
// defines (initializers, inputs, node outputs), for outer-scope reads.
type scope struct {
	names  map[string]bool
	parent *scope
}

func newScope(gp *onnxpb.GraphProto, parent *scope) *scope {
	s := &scope{names: map[string]bool{}, parent: parent}
	for _, t := range gp.Initializer {
		s.names[t.GetName()] = true
	}
	for _, vi := range gp.Input {
		s.names[vi.GetName()] = true
	}
	for _, n := range gp.Node {
		for _, o := range n.Output {
			s.names[o] = true
		}
	}
	delete(s.names, "")
	return s
}

func (s *scope) defines(name string) bool {
	for ; s != nil; s = s.parent {
		if s.names[name] {
			return true
		}
	}
	return false
}

func (p *parser) graph(gp *onnxpb.GraphProto, outer *scope) (*ir.Graph, error) {
	name := gp.GetName()
	where := func(err error) error {
		if outer == nil {
			return fmt.Errorf("graph %q: %w", name, err)
		}
		return fmt.Errorf("subgraph %q: %w", name, err)
	}
	g := ir.NewGraph(name, "onnx")
	for d, v := range p.opsets {
		g.Opsets[d] = v
	}
	if len(gp.SparseInitializer) > 0 {
		return nil, where(fmt.Errorf("sparse initializer %q is not supported; store it as a dense initializer", gp.SparseInitializer[0].GetValues().GetName()))
	}
	for _, tp := range gp.Initializer {
		n := tp.GetName()
		if n == "" {
			return nil, where(errors.New("an initializer has no name"))
		}
		if g.Values[n] != nil {
			return nil, where(fmt.Errorf("initializer %q is defined twice", n))
		}
		t, err := ParseTensor(tp, p.dir)
		if err != nil {
			return nil, where(fmt.Errorf("initializer %w", err))
		}
		g.Values[n] = constValue(n, t)
	}
	seenInput := map[string]bool{}
	for _, vi := range gp.Input {
		n := vi.GetName()
		if n == "" {
			return nil, where(errors.New("a graph input has no name"))
		}
		if seenInput[n] {
			return nil, where(fmt.Errorf("graph input %q is listed twice", n))
		}
		seenInput[n] = true
		if g.Values[n] != nil { // an initializer: a constant, see doc.go
			continue
		}
		v, err := valueFromInfo(vi, outer != nil)
		if err != nil {
			return nil, where(fmt.Errorf("input %w", err))
		}
		g.Values[n] = v
		g.Inputs = append(g.Inputs, n)
	}

	s := newScope(gp, outer)
	for i, np := range gp.Node {
		n, err := p.node(np, i, g, s)
		if err != nil {
			return nil, where(err)
		}
		if n == nil {
			continue // a Constant node, now a constant value
		}
		g.Nodes = append(g.Nodes, n)
	}

	produced := map[string]bool{}
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			if o == "" {
				continue
			}
			if g.Values[o] != nil {
				return nil, where(fmt.Errorf("node %q (%s) writes %q, which is already a graph input or constant", n.Name, n.Op, o))
			}
			produced[o] = true
		}
	}
	// value_info first, then outputs, so output declarations win.
	for _, vi := range gp.ValueInfo {
		n := vi.GetName()
		if !produced[n] || vi.GetType().GetTensorType() == nil {
			continue // advisory only; non-tensor intermediates stay undeclared
		}
		if v, err := valueFromInfo(vi, true); err == nil {
			g.Values[n] = v
		}
	}
	for _, vi := range gp.Output {
		n := vi.GetName()
		if n == "" {
			return nil, where(errors.New("a graph output has no name"))
		}
		if !produced[n] && g.Values[n] == nil && !(outer != nil && outer.defines(n)) {
			return nil, where(fmt.Errorf("output %q is not produced by any node, input or initializer", n))
		}
		g.Outputs = append(g.Outputs, n)
		v, err := valueFromInfo(vi, outer != nil)
		if err != nil {
			return nil, where(fmt.Errorf("output %w", err))
		}
		if produced[n] && (v.DType != ir.Undefined || g.Values[n] == nil) {
			if prev := g.Values[n]; prev != nil && v.Shape == nil {
				v.Shape = prev.Shape
			}
			g.Values[n] = v
		}
	}

	if err := p.sort(g, outer); err != nil {
		return nil, where(err)
	}
	g.UniqueNodeNames()
	return g, nil
}

// sort orders the nodes topologically. In a subgraph, names that an
// enclosing graph defines are stood in for while ir.TopoSort runs.
func (p *parser) sort(g *ir.Graph, outer *scope) error {
	var standIns []string
	if outer != nil {
		produced := g.Producers()
		for _, n := range g.Nodes {
			for _, in := range n.Inputs {
				if in == "" || g.Values[in] != nil || produced[in] != nil {
					continue
				}
				if !outer.defines(in) {
					return fmt.Errorf("node %q (%s) reads %q, which neither this graph nor an enclosing one defines", n.Name, n.Op, in)
				}
				g.Values[in] = &ir.Value{Name: in}
				standIns = append(standIns, in)
			}
		}
	}
	err := g.TopoSort()
	for _, in := range standIns {
		delete(g.Values, in)
	}
	return err
}

func constValue(name string, t *ir.Tensor) *ir.Value {
	return &ir.Value{Name: name, DType: t.DType, Shape: ir.S(t.Shape...), Const: t}
}

// valueFromInfo turns a declared type into a Value. A missing type is an
// error in the main graph and an unknown type in a subgraph (ONNX makes types
// optional there).
func valueFromInfo(vi *onnxpb.ValueInfoProto, typeOptional bool) (*ir.Value, error) {
	name := vi.GetName()
	v := &ir.Value{Name: name}
	tp := vi.GetType()
	if tp == nil || tp.Value == nil {
		if typeOptional {
			return v, nil
		}
		return nil, fmt.Errorf("%q has no type", name)
	}
	tt := tp.GetTensorType()
	if tt == nil {
		return nil, fmt.Errorf("%q is a %s; trtc supports tensor values only", name, typeString(tp))
	}
	dt := ir.DType(tt.GetElemType())
	if dt == ir.Undefined && !typeOptional {
		return nil, fmt.Errorf("%q has no element type", name)
	}
	v.DType = dt
	if tt.Shape != nil {
		v.Shape = ir.Shape{}
		for i, d := range tt.Shape.Dim {
			switch x := d.Value.(type) {
			case *onnxpb.TensorShapeProto_Dimension_DimValue:
				if x.DimValue < 0 {
					return nil, fmt.Errorf("%q: dim %d is %d", name, i, x.DimValue)
				}
				v.Shape = append(v.Shape, ir.D(x.DimValue))
			case *onnxpb.TensorShapeProto_Dimension_DimParam:
				v.Shape = append(v.Shape, ir.Sym(x.DimParam))
			default:
				v.Shape = append(v.Shape, ir.Sym(""))
			}
		}
	}
	return v, nil
}

// typeString renders a non-tensor type for errors: "sequence(tensor(float))".
func typeString(tp *onnxpb.TypeProto) string {
	switch {
	case tp == nil:
		return "?"
	case tp.GetTensorType() != nil:
		return "tensor(" + onnxTypeName(tp.GetTensorType().GetElemType()) + ")"
	case tp.GetSequenceType() != nil:
		return "sequence(" + typeString(tp.GetSequenceType().GetElemType()) + ")"
	case tp.GetOptionalType() != nil:
		return "optional(" + typeString(tp.GetOptionalType().GetElemType()) + ")"
	case tp.GetMapType() != nil:
		return "map(" + onnxTypeName(tp.GetMapType().GetKeyType()) + ", " + typeString(tp.GetMapType().GetValueType()) + ")"
	case tp.GetSparseTensorType() != nil:
		return "sparse_tensor(" + onnxTypeName(tp.GetSparseTensorType().GetElemType()) + ")"
	case tp.GetOpaqueType() != nil:
		return "opaque(" + tp.GetOpaqueType().GetDomain() + "." + tp.GetOpaqueType().GetName() + ")"
	}
	return "value of unknown type"
}

func onnxTypeName(dt int32) string {
	return strings.ToLower(onnxpb.TensorProto_DataType(dt).String())
}

func (p *parser) node(np *onnxpb.NodeProto, index int, g *ir.Graph, s *scope) (*ir.Node, error) {
	key := OpKey(np.GetDomain(), np.GetOpType())
	n := &ir.Node{
		Name:    np.GetName(),
		Op:      key,
		Inputs:  append([]string{}, np.Input...),
		Outputs: append([]string{}, np.Output...),
		Attrs:   map[string]ir.Attr{},
	}
	label := n.Name
	if label == "" {
		label = fmt.Sprintf("#%d", index)
	}
	if np.GetOpType() == "" {
		return nil, fmt.Errorf("node %s has no op_type", label)
	}
	for _, ap := range np.Attribute {
		an := ap.GetName()
		if an == "" {
			return nil, fmt.Errorf("node %s (%s) has an attribute without a name", label, key)
		}
		if _, dup := n.Attrs[an]; dup {
			return nil, fmt.Errorf("node %s (%s) has attribute %q twice", label, key, an)
		}
		a, err := p.attr(ap, s)
		if err != nil {
			return nil, fmt.Errorf("node %s (%s) attribute %q: %w", label, key, an, err)
		}
		n.Attrs[an] = a
	}
	if key == "onnx.Constant" {
		if err := constantNode(n, g); err != nil {
			return nil, fmt.Errorf("node %s (%s): %w", label, key, err)
		}
		return nil, nil
	}
	return n, nil
}

// constantNode turns a Constant node into a constant value of g.
func constantNode(n *ir.Node, g *ir.Graph) error {
	if len(n.Outputs) != 1 || n.Outputs[0] == "" {
		return fmt.Errorf("a Constant node needs exactly one output, has %d", len(n.Outputs))
	}
	if len(n.Attrs) != 1 {
		return fmt.Errorf("a Constant node needs exactly one value attribute, has %d", len(n.Attrs))
	}
	out := n.Outputs[0]
	t, err := ops.ConstantValue(n)
	if err != nil {
		return err
	}
	if g.Values[out] != nil {
		return fmt.Errorf("output %q is already defined", out)
	}
	g.Values[out] = constValue(out, t)
	return nil
}

func (p *parser) attr(ap *onnxpb.AttributeProto, s *scope) (ir.Attr, error) {
	if ap.GetRefAttrName() != "" {
		return ir.Attr{}, fmt.Errorf("refers to function attribute %q, which is only valid inside a function body", ap.GetRefAttrName())
	}
	typ := ap.GetType()
	if typ == onnxpb.AttributeProto_UNDEFINED {
		typ = guessAttrType(ap)
	}
	var a ir.Attr
	switch typ {
	case onnxpb.AttributeProto_FLOAT:
		a = ir.Attr{Kind: ir.AttrFloat, F: ap.GetF()}
	case onnxpb.AttributeProto_INT:
		a = ir.Attr{Kind: ir.AttrInt, I: ap.GetI()}
	case onnxpb.AttributeProto_STRING:
		a = ir.Attr{Kind: ir.AttrString, S: string(ap.GetS())}
	case onnxpb.AttributeProto_TENSOR:
		if ap.T == nil {
			return a, errors.New("TENSOR attribute has no tensor")
		}
		t, err := ParseTensor(ap.T, p.dir)
		if err != nil {
			return a, err
		}
		a = ir.Attr{Kind: ir.AttrTensor, T: t}
	case onnxpb.AttributeProto_GRAPH:
		if ap.G == nil {
			return a, errors.New("GRAPH attribute has no graph")
		}
		g, err := p.graph(ap.G, s)
		if err != nil {
			return a, err
		}
		a = ir.Attr{Kind: ir.AttrGraph, G: g}
	case onnxpb.AttributeProto_FLOATS:
		a = ir.Attr{Kind: ir.AttrFloats, Floats: append([]float32{}, ap.Floats...)}
	case onnxpb.AttributeProto_INTS:
		a = ir.Attr{Kind: ir.AttrInts, Ints: append([]int64{}, ap.Ints...)}
	case onnxpb.AttributeProto_STRINGS:
		a = ir.Attr{Kind: ir.AttrStrings, Strings: []string{}}
		for _, b := range ap.Strings {
			a.Strings = append(a.Strings, string(b))
		}
	case onnxpb.AttributeProto_TENSORS:
		a = ir.Attr{Kind: ir.AttrTensors, Tensors: []*ir.Tensor{}}
		for _, tp := range ap.Tensors {
			t, err := ParseTensor(tp, p.dir)
			if err != nil {
				return a, err
			}
			a.Tensors = append(a.Tensors, t)
		}
	case onnxpb.AttributeProto_GRAPHS:
		a = ir.Attr{Kind: ir.AttrGraphs, Graphs: []*ir.Graph{}}
		for _, gp := range ap.Graphs {
			g, err := p.graph(gp, s)
			if err != nil {
				return a, err
			}
			a.Graphs = append(a.Graphs, g)
		}
	case onnxpb.AttributeProto_SPARSE_TENSOR, onnxpb.AttributeProto_SPARSE_TENSORS:
		return a, errors.New("sparse tensor attributes are not supported; use a dense tensor")
	case onnxpb.AttributeProto_TYPE_PROTO, onnxpb.AttributeProto_TYPE_PROTOS:
		return a, errors.New("type attributes are not supported")
	default:
		return a, fmt.Errorf("attribute type %v is not known", typ)
	}
	return a, nil
}

// guessAttrType infers the kind of an attribute that does not say (IR
// version 1 models did not), from the field in use.
func guessAttrType(ap *onnxpb.AttributeProto) onnxpb.AttributeProto_AttributeType {
	switch {
	case ap.F != nil:
		return onnxpb.AttributeProto_FLOAT
	case ap.I != nil:
		return onnxpb.AttributeProto_INT
	case ap.S != nil:
		return onnxpb.AttributeProto_STRING
	case ap.T != nil:
		return onnxpb.AttributeProto_TENSOR
	case ap.G != nil:
		return onnxpb.AttributeProto_GRAPH
	case len(ap.Floats) > 0:
		return onnxpb.AttributeProto_FLOATS
	case len(ap.Ints) > 0:
		return onnxpb.AttributeProto_INTS
	case len(ap.Strings) > 0:
		return onnxpb.AttributeProto_STRINGS
	case len(ap.Tensors) > 0:
		return onnxpb.AttributeProto_TENSORS
	case len(ap.Graphs) > 0:
		return onnxpb.AttributeProto_GRAPHS
	case ap.SparseTensor != nil || len(ap.SparseTensors) > 0:
		return onnxpb.AttributeProto_SPARSE_TENSOR
	}
	return onnxpb.AttributeProto_UNDEFINED
}
