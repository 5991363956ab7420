package partition

import (
	"fmt"
	"sort"
	"strings"

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Kind is a segment kind.
type Kind int

const (
	Engine Kind = iota
	Fallback
)

func (k Kind) String() string {
	if k == Engine {
		return "engine"
	}
	return "fallback"
}

// Segment is a run of nodes executed together.
type Segment struct {
	Kind  Kind
	Nodes []*ir.Node
	// Converters[i] converts Nodes[i] (engine segments only).
	Converters []*conversion.Converter
	// Inputs are values read from outside the segment (graph inputs and
	// earlier segments' outputs; constants are not listed), in first-use
	// order; Outputs are values produced here and read later or returned
	// by the graph, in production order.
	Inputs, Outputs []string
	// Constants are the constant values the segment's nodes read.
	Constants []string
}

// ComputeOps counts the nodes that do arithmetic (see ops.Op.NonCompute).
func (s *Segment) ComputeOps() int { return computeOps(s.Nodes) }

func computeOps(nodes []*ir.Node) int {
	c := 0
	for _, n := range nodes {
		if op, ok := ops.Lookup(n.Op); !ok || !op.NonCompute {
			c++
		}
	}
	return c
}

// holdsRegion reports whether an engine segment has a node whose converter
// builds a TensorRT loop or conditional (conversion.Converter.Region): such
// a node is a whole recurrent layer or subgraph, as much work as a block,
// so its segment is kept whatever its compute-op count.
func (r *Result) holdsRegion(seg *Segment) bool {
	for _, n := range seg.Nodes {
		if ni := r.byNode[n]; ni != nil && ni.Decision.Converter != nil && ni.Decision.Converter.Region {
			return true
		}
	}
	return false
}

// NodeInfo is the capability verdict of one node.
type NodeInfo struct {
	Node     *ir.Node
	Decision conversion.Decision
	// Demoted is set when a converter accepted the node but its engine
	// segment was too small for MinBlockSize.
	Demoted bool
}

// Result is a partitioned graph.
type Result struct {
	Segments []*Segment
	Nodes    []*NodeInfo // in graph order
	byNode   map[*ir.Node]*NodeInfo
	// DemotedSegments lists the compute-op counts of engine segments that
	// min block size turned into fallback.
	DemotedSegments []int
}

// Info returns a node's verdict.
func (r *Result) Info(n *ir.Node) *NodeInfo { return r.byNode[n] }

// Converted counts nodes that run in engines.
func (r *Result) Converted() int {
	c := 0
	for _, s := range r.Segments {
		if s.Kind == Engine {
			c += len(s.Nodes)
		}
	}
	return c
}

// FullCompilationError lists every node that would fall back.
type FullCompilationError struct {
	Nodes []*NodeInfo
}

func (e *FullCompilationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "full compilation was required, but %d node(s) would fall back:", len(e.Nodes))
	for _, ni := range e.Nodes {
		fmt.Fprintf(&b, "\n  %s (%s): %s", ni.Node.Name, ni.Node.Op, strings.Join(ni.Decision.Reasons(), "; "))
	}
	return b.String()
}

// Decider picks a node's converter; *conversion.Registry is one.
type Decider interface {
	Decide(n *conversion.Node, s *conversion.Settings) conversion.Decision
}

// Run decides every node of g (topologically sorted, shapes inferred) and
// partitions it.
func Run(g *ir.Graph, reg Decider, s *conversion.Settings) (*Result, error) {
	if s == nil {
		s = conversion.DefaultSettings()
	}
	r := &Result{byNode: make(map[*ir.Node]*NodeInfo, len(g.Nodes))}
	engine := make(map[*ir.Node]bool, len(g.Nodes))
	for _, n := range g.Nodes {
		ni := &NodeInfo{Node: n, Decision: reg.Decide(conversion.NewNode(g, n), s)}
		r.Nodes = append(r.Nodes, ni)
		r.byNode[n] = ni
		engine[n] = ni.Decision.Converter != nil
	}
	if s.RequireFullCompilation {
		var bad []*NodeInfo
		for _, ni := range r.Nodes {
			if !engine[ni.Node] {
				bad = append(bad, ni)
			}
		}
		if len(bad) > 0 {
			return nil, &FullCompilationError{bad}
		}
	}
	for {
		segs := cluster(g, engine)
		demoted := false
		if !s.RequireFullCompilation {
			for _, seg := range segs {
				if seg.Kind == Engine && seg.ComputeOps() < s.MinBlockSize && !r.holdsRegion(seg) {
					r.DemotedSegments = append(r.DemotedSegments, seg.ComputeOps())
					for _, n := range seg.Nodes {
						engine[n] = false
						r.byNode[n].Demoted = true
					}
					demoted = true
				}
			}
		}
		if !demoted {
			r.Segments = segs
			break
		}
	}
	for _, seg := range r.Segments {
		if seg.Kind == Engine {
			for _, n := range seg.Nodes {
				seg.Converters = append(seg.Converters, r.byNode[n].Decision.Converter)
			}
		}
	}
	boundaries(g, r.Segments)
	return r, nil
}

// cluster orders nodes topologically, preferring to continue the current
// segment's kind (Kahn's algorithm with one ready queue per kind, each by
// original index), and cuts the order into maximal runs of one kind.
//
// Shape computations are kept inside the engine that uses them: an engine
// node whose outputs are all shape values (floatsWithUsers) is not queued
// when it becomes ready but placed just before the first node that reads
// it, in that node's segment. So a Shape → Gather → Concat chain that feeds
// a Reshape joins the Reshape's engine instead of ending a segment early,
// and its value does not cross a segment boundary, where TensorRT would
// need it as a shape-tensor engine input with values in every profile.
func cluster(g *ir.Graph, engine map[*ir.Node]bool) []*Segment {
	index := make(map[*ir.Node]int, len(g.Nodes))
	for i, n := range g.Nodes {
		index[n] = i
	}
	producer := g.Producers()
	indeg := make([]int, len(g.Nodes))
	users := make([][]int, len(g.Nodes))
	for i, n := range g.Nodes {
		seen := map[int]bool{}
		for _, in := range n.Inputs {
			if p, ok := producer[in]; ok && in != "" {
				pi := index[p]
				if !seen[pi] {
					seen[pi] = true
					indeg[i]++
					users[pi] = append(users[pi], i)
				}
			}
		}
	}
	floating := floatsWithUsers(g, engine, users)
	var ready [2]ir.IndexHeap
	kindOf := func(i int) Kind {
		if engine[g.Nodes[i]] {
			return Engine
		}
		return Fallback
	}
	pending := make([]bool, len(g.Nodes))
	var release func(i int)
	makeReady := func(i int) {
		if floating[i] {
			pending[i] = true
			release(i)
			return
		}
		ready[kindOf(i)].Push(i)
	}
	release = func(i int) {
		for _, u := range users[i] {
			indeg[u]--
			if indeg[u] == 0 {
				makeReady(u)
			}
		}
	}
	var segs []*Segment
	var cur *Segment
	place := func(i int) {
		k := kindOf(i)
		if cur == nil || cur.Kind != k {
			cur = &Segment{Kind: k}
			segs = append(segs, cur)
		}
		cur.Nodes = append(cur.Nodes, g.Nodes[i])
	}
	// pull places the pending (floating) producers of node i, theirs first.
	var pull func(i int)
	pull = func(i int) {
		for _, in := range g.Nodes[i].Inputs {
			if p, ok := producer[in]; ok && in != "" {
				if pi := index[p]; pending[pi] {
					pending[pi] = false
					pull(pi)
					place(pi)
				}
			}
		}
	}
	// Seed with the nodes ready from the start; collected first, since
	// making a floating node ready readies its users at once.
	var roots []int
	for i := range g.Nodes {
		if indeg[i] == 0 {
			roots = append(roots, i)
		}
	}
	for _, i := range roots {
		makeReady(i)
	}
	for ready[0].Len()+ready[1].Len() > 0 {
		k := Engine
		if cur != nil {
			k = cur.Kind
		}
		if ready[k].Len() == 0 {
			k = 1 - k
		} else if cur == nil && ready[Fallback].Len() > 0 && ready[Fallback].Peek() < ready[Engine].Peek() {
			k = Fallback
		}
		i := ready[k].Pop()
		pull(i)
		place(i)
		release(i)
	}
	for i := range g.Nodes { // floating nodes nobody pulled (none expected)
		if pending[i] {
			pending[i] = false
			place(i)
		}
	}
	return segs
}

// floatsWithUsers marks the engine nodes that compute only shape values
// (small integer tensors whose elements shape inference knows, as
// Value.ShapeData: what TensorRT treats as shape tensors) and are read
// only by engine nodes, never by the graph's caller.
func floatsWithUsers(g *ir.Graph, engine map[*ir.Node]bool, users [][]int) []bool {
	out := make([]bool, len(g.Nodes))
	graphOut := map[string]bool{}
	for _, o := range g.Outputs {
		graphOut[o] = true
	}
	for i, n := range g.Nodes {
		if !engine[n] || len(users[i]) == 0 {
			continue
		}
		ok := true
		for _, o := range n.Outputs {
			if o == "" {
				continue
			}
			v := g.Value(o)
			if graphOut[o] || v == nil || v.ShapeData == nil || (v.DType != ir.Int32 && v.DType != ir.Int64) || len(v.Shape) > 1 {
				ok = false
			}
		}
		for _, u := range users[i] {
			ok = ok && engine[g.Nodes[u]]
		}
		out[i] = ok
	}
	return out
}

// boundaries fills each segment's inputs, outputs and constants.
func boundaries(g *ir.Graph, segs []*Segment) {
	segOf := map[string]int{} // value -> producing segment
	for si, s := range segs {
		for _, n := range s.Nodes {
			for _, o := range n.Outputs {
				if o != "" {
					segOf[o] = si
				}
			}
		}
	}
	readLater := map[string]bool{}
	for _, o := range g.Outputs {
		readLater[o] = true
	}
	for si, s := range segs {
		seen := map[string]bool{}
		for _, n := range s.Nodes {
			for _, in := range n.Inputs {
				if in == "" || seen[in] {
					continue
				}
				seen[in] = true
				if v := g.Value(in); v != nil && v.Const != nil {
					s.Constants = append(s.Constants, in)
					continue
				}
				if p, ok := segOf[in]; ok && p == si {
					continue
				}
				s.Inputs = append(s.Inputs, in)
				readLater[in] = true
			}
		}
	}
	for _, s := range segs {
		for _, n := range s.Nodes {
			for _, o := range n.Outputs {
				if o != "" && readLater[o] {
					s.Outputs = append(s.Outputs, o)
				}
			}
		}
		sort.Strings(s.Constants)
	}
}
