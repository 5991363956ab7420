package conversion

import (
	"fmt"
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Subgraphs (the bodies of If, Loop and Scan): their converters build the
// TensorRT loop or conditional and convert the subgraph's nodes into it
// with the registry that decided the node holding it. The subgraph must be
// typed first (ops.InferSubgraph), with its inputs' per-iteration shapes.

// CheckSubgraph decides every node of the typed subgraph g with the
// registry and settings that are deciding n, and returns why one has no
// converter (nil when all have one).
func CheckSubgraph(n *Node, g *ir.Graph) error {
	if n.Registry == nil {
		return fmt.Errorf("subgraph %q: no converter registry to decide its nodes", g.Name)
	}
	for _, sn := range g.Nodes {
		d := n.Registry.Decide(NewNode(g, sn), n.Settings)
		if d.Converter == nil {
			return fmt.Errorf("subgraph %q: node %q (%s) does not convert: %s", g.Name, sn.Name, sn.Op, strings.Join(d.Reasons(), "; "))
		}
		if d.Converter.Region {
			return fmt.Errorf("subgraph %q: node %q (%s) would be a TensorRT loop or conditional inside another, which trtc does not build", g.Name, sn.Name, sn.Op)
		}
	}
	return nil
}

// ConvertSubgraph converts the nodes of the typed subgraph g of node n into
// the context's network and returns g's outputs. g's inputs are bound to
// ins; values g reads from outside (outer-scope values and g's constants)
// resolve through this context and pass through outer when it is not nil
// (a conditional routes them through its input layers). Layers are named
// after n and the subgraph node: "[Kind]-[op]-[n/node]".
func (c *Context) ConvertSubgraph(n *Node, g *ir.Graph, ins []network.Tensor, outer func(network.Tensor) network.Tensor) ([]network.Tensor, error) {
	if c.Registry == nil {
		return nil, fmt.Errorf("subgraph %q: no converter registry to decide its nodes", g.Name)
	}
	child := &Context{Net: c.Net, Graph: g, Settings: c.Settings, Registry: c.Registry,
		tensors: map[string]network.Tensor{}, parent: c, outer: outer}
	for i, name := range g.Inputs {
		if i < len(ins) && ins[i] != nil {
			child.Bind(name, ins[i])
		}
	}
	defer c.Net.BeginNode(n.Op, n.Name)
	for _, sn := range g.Nodes {
		cn := NewNode(g, sn)
		d := c.Registry.Decide(cn, c.Settings)
		if d.Converter == nil {
			return nil, fmt.Errorf("subgraph %q: node %q (%s) does not convert: %s", g.Name, sn.Name, sn.Op, strings.Join(d.Reasons(), "; "))
		}
		c.Net.BeginNode(sn.Op, n.Name+"/"+sn.Name)
		if err := safeConvert(d.Converter.Convert, child, cn); err != nil {
			return nil, fmt.Errorf("subgraph %q: node %q (%s): %w", g.Name, sn.Name, sn.Op, err)
		}
		if err := c.Net.Err(); err != nil {
			return nil, fmt.Errorf("subgraph %q: node %q (%s): %w", g.Name, sn.Name, sn.Op, err)
		}
		for j, out := range sn.Outputs {
			if out == "" {
				continue
			}
			t, ok := child.tensors[out]
			if !ok {
				return nil, fmt.Errorf("subgraph %q: node %q: converter did not bind output %d (%q)", g.Name, sn.Name, j, out)
			}
			if v := g.Value(out); v != nil && t.DType() != v.DType {
				return nil, fmt.Errorf("subgraph %q: output %q is %v in the network but %v in the graph", g.Name, out, t.DType(), v.DType)
			}
		}
	}
	outs := make([]network.Tensor, len(g.Outputs))
	for i, name := range g.Outputs {
		if outs[i] = child.Tensor(name); outs[i] == nil {
			return nil, fmt.Errorf("subgraph %q: output %q is not produced", g.Name, name)
		}
	}
	return outs, nil
}
