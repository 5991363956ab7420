package conversion

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Context is what a converter works with: the network being built, the
// graph, and the binding of graph values to network tensors.
type Context struct {
	Net      network.Network
	Graph    *ir.Graph
	Settings *Settings
	// Registry decides the nodes of subgraphs (ConvertSubgraph); nil when
	// the segment was converted without one.
	Registry *Registry
	tensors  map[string]network.Tensor
	// parent is the context of the node holding a subgraph; values the
	// subgraph reads from outside resolve there, through outer.
	parent *Context
	outer  func(network.Tensor) network.Tensor
}

// NewContext starts a context over a network.
func NewContext(net network.Network, g *ir.Graph, s *Settings) *Context {
	if s == nil {
		s = DefaultSettings()
	}
	return &Context{Net: net, Graph: g, Settings: s, tensors: map[string]network.Tensor{}}
}

// Bind records the network tensor for a graph value.
func (c *Context) Bind(value string, t network.Tensor) { c.tensors[value] = t }

// Tensor returns the network tensor of a graph value, adding a Constant
// layer the first time a constant is used. It returns nil for an absent
// value; the error lands in Net.Err.
func (c *Context) Tensor(value string) network.Tensor {
	if value == "" {
		return nil
	}
	if t, ok := c.tensors[value]; ok {
		return t
	}
	v := c.Graph.Value(value)
	if v != nil && v.Const != nil {
		t := c.constant(v.Const)
		if c.outer != nil {
			t = c.outer(t)
		}
		c.tensors[value] = t
		return t
	}
	if c.parent != nil {
		t := c.parent.Tensor(value)
		if t != nil && c.outer != nil {
			t = c.outer(t)
		}
		if t != nil {
			c.tensors[value] = t
		}
		return t
	}
	return nil
}

// constant adds a Constant layer for w. TensorRT's addConstant refuses
// Uint8 ("DataType::kUINT8 not supported.", NvInfer.h), so Uint8 weights
// become Float32 ones cast to Uint8, the one cast TensorRT allows towards
// Uint8; every value 0..255 is exact in Float32.
func (c *Context) constant(w *ir.Tensor) network.Tensor {
	if w.DType != ir.Uint8 {
		return c.Net.AddConstant(w)
	}
	f := ir.NewTensor(ir.Float32, w.Shape)
	for i, b := range w.Data {
		f.SetFloat(i, float64(b))
	}
	return c.Net.AddCast(c.Net.AddConstant(f), ir.Uint8)
}

// Input returns the network tensor of node input i (nil when absent).
func (c *Context) Input(n *Node, i int) network.Tensor { return c.Tensor(n.Input(i)) }

// SetOutput binds node output i to a network tensor.
func (c *Context) SetOutput(n *Node, i int, t network.Tensor) {
	if i < len(n.Outputs) && n.Outputs[i] != "" && t != nil {
		c.tensors[n.Outputs[i]] = t
	}
}

// ConvertError ties a conversion failure to a node and converter.
type ConvertError struct {
	Node      string
	Op        string
	Converter string
	Err       error
}

func (e *ConvertError) Error() string {
	return fmt.Sprintf("node %q (%s): converter %s: %v", e.Node, e.Op, e.Converter, e.Err)
}
func (e *ConvertError) Unwrap() error { return e.Err }

// Segment is what ConvertSegment needs of an engine segment: its nodes in
// order, each with its chosen converter, and the graph values that cross its
// boundary.
type Segment struct {
	Nodes      []*ir.Node
	Converters []*Converter // Converters[i] converts Nodes[i]
	Inputs     []string     // values read from outside, in binding order
	Outputs    []string     // values read after the segment or graph outputs
	// Registry decides the nodes of subgraphs (If, Loop, Scan bodies).
	Registry *Registry
}

// ConvertSegment emits a segment's layers into net: network inputs for the
// segment inputs, each node through its converter in order, and network
// outputs named after the graph values they carry.
func ConvertSegment(net network.Network, g *ir.Graph, s *Settings, seg Segment) error {
	if s == nil {
		s = DefaultSettings()
	}
	net = forTarget(net, s)
	ctx := NewContext(net, g, s)
	ctx.Registry = seg.Registry
	for _, name := range seg.Inputs {
		v := g.Value(name)
		if v == nil {
			return fmt.Errorf("segment input %q is not a graph value", name)
		}
		net.BeginNode("input", name)
		ctx.Bind(name, net.AddInput(name, v.DType, v.Shape))
		if err := net.Err(); err != nil {
			return blameNode(seg, name, false, err)
		}
	}
	for i, n := range seg.Nodes {
		conv := seg.Converters[i]
		cn := NewNode(g, n)
		cn.Registry, cn.Settings = seg.Registry, s
		net.BeginNode(n.Op, n.Name)
		if err := safeConvert(conv.Convert, ctx, cn); err != nil {
			return &ConvertError{n.Name, n.Op, conv.Name, err}
		}
		if err := net.Err(); err != nil {
			return &ConvertError{n.Name, n.Op, conv.Name, err}
		}
		for j, out := range n.Outputs {
			if out == "" {
				continue
			}
			t, ok := ctx.tensors[out]
			if !ok {
				return &ConvertError{n.Name, n.Op, conv.Name, fmt.Errorf("converter did not bind output %d (%q)", j, out)}
			}
			if v := g.Value(out); v != nil && t.DType() != v.DType {
				return &ConvertError{n.Name, n.Op, conv.Name, fmt.Errorf("output %q is %v in the network but %v in the graph", out, t.DType(), v.DType)}
			}
		}
	}
	for _, name := range seg.Outputs {
		t := ctx.Tensor(name)
		if t == nil {
			return fmt.Errorf("segment output %q was not produced by the segment", name)
		}
		net.MarkOutput(t, name)
		if err := net.Err(); err != nil {
			return blameNode(seg, name, true, err)
		}
	}
	return net.Err()
}

// blameNode turns a segment input or output the backend refused (a dtype
// TensorRT cannot take at an engine boundary, such as float8 between a
// quantize layer and a dequantize layer split across segments) into a
// ConvertError of the node that produces it (an output) or first reads it
// (an input), so that node falls back and the graph is partitioned again.
// Without such a node the error stays the segment's.
func blameNode(seg Segment, value string, produced bool, err error) error {
	for i, n := range seg.Nodes {
		names := n.Inputs
		if produced {
			names = n.Outputs
		}
		for _, v := range names {
			if v == value {
				return &ConvertError{n.Name, n.Op, seg.Converters[i].Name, fmt.Errorf("segment %s %q: %w", map[bool]string{true: "output", false: "input"}[produced], value, err)}
			}
		}
	}
	return err
}

func safeConvert(f ConvertFunc, ctx *Context, n *Node) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("converter panicked: %v", p)
		}
	}()
	return f(ctx, n)
}
