package ir

import "sort"

// OuterInputsAttr is the attribute, on a node whose attributes hold
// subgraphs (If, Loop, Scan), listing the enclosing-scope values that its
// subgraphs read. Those values are appended, in that order, to the node's
// Inputs after its declared ones, so that every stage (topological order,
// partitioning, segment boundaries, bundles, the fallback runtime) sees
// the dependency as an ordinary input, and the kernel that runs the
// subgraph binds them by name. ExplicitOuterInputs sets it.
const OuterInputsAttr = "_trtc_outer_inputs"

// DeclaredInputs is the number of inputs a node was written with, before
// ExplicitOuterInputs appended its subgraphs' outer-scope reads.
func (n *Node) DeclaredInputs() int {
	if a, ok := n.Attrs[OuterInputsAttr]; ok {
		return len(n.Inputs) - len(a.Strings)
	}
	return len(n.Inputs)
}

// Subgraphs returns the graphs held by the node's attributes, by attribute
// name order.
func (n *Node) Subgraphs() []*Graph {
	var gs []*Graph
	names := make([]string, 0, len(n.Attrs))
	for k := range n.Attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		a := n.Attrs[k]
		if a.G != nil {
			gs = append(gs, a.G)
		}
		gs = append(gs, a.Graphs...)
	}
	return gs
}

// ExplicitOuterInputs makes every subgraph's reads of enclosing-scope
// values explicit inputs of the node holding it (see OuterInputsAttr), in
// g and, first, in every nested subgraph. It is idempotent.
func ExplicitOuterInputs(g *Graph) {
	for _, n := range g.Nodes {
		subs := n.Subgraphs()
		if len(subs) == 0 {
			continue
		}
		free := map[string]bool{}
		for _, s := range subs {
			ExplicitOuterInputs(s)
			for name := range FreeValues(s) {
				free[name] = true
			}
		}
		if a, ok := n.Attrs[OuterInputsAttr]; ok { // already done
			n.Inputs = n.Inputs[:len(n.Inputs)-len(a.Strings)]
		}
		names := SortedKeys(free)
		n.Inputs = append(n.Inputs, names...)
		if n.Attrs == nil {
			n.Attrs = map[string]Attr{}
		}
		n.Attrs[OuterInputsAttr] = Attr{Kind: AttrStrings, Strings: names}
	}
}

// FreeValues lists the names g's nodes and outputs read that g does not
// define (as an input, a constant or a node output): its outer-scope reads.
// Nested subgraphs' reads count through their nodes' inputs, so call
// ExplicitOuterInputs first.
func FreeValues(g *Graph) map[string]bool {
	defined := map[string]bool{}
	for name := range g.Values {
		defined[name] = true
	}
	for _, name := range g.Inputs {
		defined[name] = true
	}
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			defined[o] = true
		}
	}
	free := map[string]bool{}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			if in != "" && !defined[in] {
				free[in] = true
			}
		}
	}
	for _, o := range g.Outputs {
		if o != "" && !defined[o] {
			free[o] = true
		}
	}
	return free
}
