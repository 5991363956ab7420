package ir

import (
	"fmt"
	"sort"
	"strings"
)

// Value is a named tensor in the graph: a graph input, a constant, or a node
// output.
type Value struct {
	Name  string
	DType DType
	Shape Shape
	// Const holds the value of a compile-time constant (initializers,
	// Constant nodes, folded subgraphs).
	Const *Tensor
	// ShapeData holds the elements of a small 1-D (or scalar) integer tensor
	// computed from shapes, as dims that may be symbolic (Shape -> Gather ->
	// Concat -> Reshape chains), so that inference can see through them.
	ShapeData Shape
	// Min and Max bound dynamic dims by Sym name (from torch.export ranges or
	// --min/--max shapes); absent means unbounded.
	Min, Max map[string]int64
}

// AttrKind tells which field of an Attr is set. Values follow ONNX
// AttributeProto.AttributeType.
type AttrKind int32

const (
	AttrUndefined AttrKind = 0
	AttrFloat     AttrKind = 1
	AttrInt       AttrKind = 2
	AttrString    AttrKind = 3
	AttrTensor    AttrKind = 4
	AttrGraph     AttrKind = 5
	AttrFloats    AttrKind = 6
	AttrInts      AttrKind = 7
	AttrStrings   AttrKind = 8
	AttrTensors   AttrKind = 9
	AttrGraphs    AttrKind = 10
)

func (k AttrKind) String() string {
	return [...]string{"undefined", "float", "int", "string", "tensor", "graph",
		"floats", "ints", "strings", "tensors", "graphs"}[max(0, min(int(k), 10))]
}

// Attr is one node attribute.
type Attr struct {
	Kind    AttrKind
	F       float32
	I       int64
	S       string
	T       *Tensor
	G       *Graph
	Floats  []float32
	Ints    []int64
	Strings []string
	Tensors []*Tensor
	Graphs  []*Graph
}

// Node is one operation. Op is its registry key: "onnx.Add",
// "com.microsoft.FastGelu", "aten.gelu.default".
type Node struct {
	Name    string
	Op      string
	Inputs  []string // "" is an absent optional input
	Outputs []string
	Attrs   map[string]Attr
}

func (n *Node) String() string { return fmt.Sprintf("node %q (%s)", n.Name, n.Op) }

// OpType is the op key without its domain prefix ("onnx.Add" -> "Add").
func (n *Node) OpType() string {
	if i := strings.LastIndexByte(n.Op, '.'); i >= 0 && !strings.HasPrefix(n.Op, "aten.") {
		return n.Op[i+1:]
	}
	return n.Op
}

// Input returns input i's name, or "" when absent.
func (n *Node) Input(i int) string {
	if i < len(n.Inputs) {
		return n.Inputs[i]
	}
	return ""
}

// HasAttr reports whether the attribute is set.
func (n *Node) HasAttr(name string) bool { _, ok := n.Attrs[name]; return ok }

// AttrInt returns an int attribute or def.
func (n *Node) AttrInt(name string, def int64) int64 {
	if a, ok := n.Attrs[name]; ok {
		return a.I
	}
	return def
}

// AttrFloat returns a float attribute or def.
func (n *Node) AttrFloat(name string, def float32) float32 {
	if a, ok := n.Attrs[name]; ok {
		return a.F
	}
	return def
}

// AttrString returns a string attribute or def.
func (n *Node) AttrString(name, def string) string {
	if a, ok := n.Attrs[name]; ok {
		return a.S
	}
	return def
}

// Attributes a lowering stage (pkg/lower) sets on every node it produced:
// the name and op of the node the user exported, so that reports and
// --fallback-ops speak of what the user wrote.
const (
	AttrOriginNode = "_origin_node"
	AttrOriginOp   = "_origin_op"
)

// Origin returns the exported node this node was lowered from: its name and
// op, or the node's own when no lowering touched it.
func (n *Node) Origin() (name, op string) {
	name, op = n.Name, n.Op
	if a, ok := n.Attrs[AttrOriginNode]; ok && a.Kind == AttrString {
		name = a.S
	}
	if a, ok := n.Attrs[AttrOriginOp]; ok && a.Kind == AttrString {
		op = a.S
	}
	return name, op
}

// AttrInts returns an ints attribute or def.
func (n *Node) AttrInts(name string, def []int64) []int64 {
	if a, ok := n.Attrs[name]; ok {
		return a.Ints
	}
	return def
}

// AttrFloats returns a floats attribute or def.
func (n *Node) AttrFloats(name string, def []float32) []float32 {
	if a, ok := n.Attrs[name]; ok {
		return a.Floats
	}
	return def
}

// Graph is a model: ordered nodes over named values.
type Graph struct {
	Name    string
	Format  string // "onnx" or "aten"
	Nodes   []*Node
	Values  map[string]*Value
	Inputs  []string // runtime inputs (not constants)
	Outputs []string
	// Opsets maps an ONNX domain ("" is ai.onnx) to its imported version.
	Opsets map[string]int64
}

// NewGraph returns an empty graph.
func NewGraph(name, format string) *Graph {
	return &Graph{Name: name, Format: format, Values: map[string]*Value{}, Opsets: map[string]int64{}}
}

// Value returns the named value or nil.
func (g *Graph) Value(name string) *Value {
	if name == "" {
		return nil
	}
	return g.Values[name]
}

// Producers maps each value name to the node that produces it.
func (g *Graph) Producers() map[string]*Node {
	p := make(map[string]*Node, len(g.Nodes)*2)
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			if o != "" {
				p[o] = n
			}
		}
	}
	return p
}

// Consumers maps each value name to the nodes that read it.
func (g *Graph) Consumers() map[string][]*Node {
	c := make(map[string][]*Node, len(g.Nodes)*2)
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			if in != "" {
				c[in] = append(c[in], n)
			}
		}
	}
	return c
}

// OpCounts counts nodes per op key.
func (g *Graph) OpCounts() map[string]int {
	m := map[string]int{}
	for _, n := range g.Nodes {
		m[n.Op]++
	}
	return m
}

// SortedKeys returns a map's keys in order (for deterministic reports).
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// CycleError reports nodes that depend on themselves.
type CycleError struct{ Nodes []string }

func (e *CycleError) Error() string {
	const show = 8
	names := e.Nodes
	more := ""
	if len(names) > show {
		more = fmt.Sprintf(" and %d more", len(names)-show)
		names = names[:show]
	}
	return fmt.Sprintf("graph has a cycle through %d node(s): %s%s", len(e.Nodes), strings.Join(names, ", "), more)
}

// TopoSort orders g.Nodes so every node follows the producers of its inputs,
// keeping the original order where it is free (Kahn's algorithm, stable). It
// checks that every input is defined and that no value has two producers.
func (g *Graph) TopoSort() error {
	producer := make(map[string]int, len(g.Nodes))
	for i, n := range g.Nodes {
		for _, o := range n.Outputs {
			if o == "" {
				continue
			}
			if j, dup := producer[o]; dup {
				return fmt.Errorf("value %q is produced by both node %q and node %q", o, g.Nodes[j].Name, n.Name)
			}
			if v := g.Values[o]; v != nil && v.Const != nil {
				return fmt.Errorf("node %q writes %q, which is a constant", n.Name, o)
			}
			producer[o] = i
		}
	}
	indeg := make([]int, len(g.Nodes))
	users := make([][]int, len(g.Nodes))
	for i, n := range g.Nodes {
		seen := map[int]bool{}
		for _, in := range n.Inputs {
			if in == "" {
				continue
			}
			if p, ok := producer[in]; ok {
				if !seen[p] {
					seen[p] = true
					indeg[i]++
					users[p] = append(users[p], i)
				}
				continue
			}
			if g.Values[in] == nil {
				return fmt.Errorf("node %q (%s) reads %q, which no node, input or initializer defines", n.Name, n.Op, in)
			}
		}
	}
	// A min-heap on original index keeps the order stable.
	ready := &IndexHeap{}
	for i := range g.Nodes {
		if indeg[i] == 0 {
			ready.Push(i)
		}
	}
	order := make([]*Node, 0, len(g.Nodes))
	for ready.Len() > 0 {
		i := ready.Pop()
		order = append(order, g.Nodes[i])
		for _, u := range users[i] {
			indeg[u]--
			if indeg[u] == 0 {
				ready.Push(u)
			}
		}
	}
	if len(order) != len(g.Nodes) {
		var stuck []string
		for i, n := range g.Nodes {
			if indeg[i] > 0 {
				name := n.Name
				if name == "" {
					// Unnamed nodes get names only after sorting: say
					// which one it is.
					name = fmt.Sprintf("unnamed node %d (%s)", i, n.Op)
				}
				stuck = append(stuck, name)
			}
		}
		return &CycleError{Nodes: stuck}
	}
	g.Nodes = order
	return nil
}

// UniqueNodeNames gives every unnamed node a name (op_index) and makes
// duplicate names unique, so reports and layer names can point at one node.
func (g *Graph) UniqueNodeNames() {
	seen := map[string]bool{}
	for i, n := range g.Nodes {
		if n.Name == "" {
			n.Name = fmt.Sprintf("%s_%d", n.OpType(), i)
		}
		base, k := n.Name, 1
		for seen[n.Name] {
			n.Name = fmt.Sprintf("%s_%d", base, k)
			k++
		}
		seen[n.Name] = true
	}
}
