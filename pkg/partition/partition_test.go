package partition

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// graphOf builds a graph from "name:op:in1,in2" specs; every node has one
// output named after it. Values "x" and "y" are graph inputs.
func graphOf(t *testing.T, outputs []string, specs ...string) *ir.Graph {
	t.Helper()
	g := ir.NewGraph("t", "onnx")
	for _, in := range []string{"x", "y"} {
		g.Inputs = append(g.Inputs, in)
		g.Values[in] = &ir.Value{Name: in, DType: ir.Float32, Shape: ir.S(2)}
	}
	for _, s := range specs {
		p := strings.Split(s, ":")
		n := &ir.Node{Name: p[0], Op: "onnx." + p[1], Inputs: strings.Split(p[2], ","), Outputs: []string{p[0]}}
		g.Nodes = append(g.Nodes, n)
		g.Values[p[0]] = &ir.Value{Name: p[0], DType: ir.Float32, Shape: ir.S(2)}
	}
	g.Outputs = outputs
	if err := g.TopoSort(); err != nil {
		t.Fatal(err)
	}
	return g
}

// registry converts Add and Mul; Sub has no converter.
func registry() *conversion.Registry {
	r := conversion.NewRegistry()
	for _, op := range []string{"Add", "Mul"} {
		r.MustRegister(conversion.Converter{Target: "onnx." + op, DynamicShapes: true,
			Convert: func(*conversion.Context, *conversion.Node) error { return nil }})
	}
	return r
}

func kinds(r *Result) string {
	var parts []string
	for _, s := range r.Segments {
		var names []string
		for _, n := range s.Nodes {
			names = append(names, n.Name)
		}
		parts = append(parts, fmt.Sprintf("%s[%s]", s.Kind, strings.Join(names, " ")))
	}
	return strings.Join(parts, " ")
}

func TestChainWithFallbackInTheMiddle(t *testing.T) {
	g := graphOf(t, []string{"e"}, "a:Add:x,y", "b:Mul:a,a", "c:Sub:b,x", "d:Add:c,y", "e:Mul:d,d")
	r, err := Run(g, registry(), &conversion.Settings{MinBlockSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := kinds(r), "engine[a b] fallback[c] engine[d e]"; got != want {
		t.Fatalf("segments %s, want %s", got, want)
	}
	s := r.Segments
	if strings.Join(s[1].Inputs, ",") != "b,x" || strings.Join(s[1].Outputs, ",") != "c" {
		t.Errorf("fallback inputs %v outputs %v", s[1].Inputs, s[1].Outputs)
	}
	if strings.Join(s[0].Inputs, ",") != "x,y" || strings.Join(s[0].Outputs, ",") != "b" {
		t.Errorf("engine 0 inputs %v outputs %v", s[0].Inputs, s[0].Outputs)
	}
	if strings.Join(s[2].Outputs, ",") != "e" {
		t.Errorf("last segment outputs %v, want the graph output", s[2].Outputs)
	}
	if r.Converted() != 4 {
		t.Errorf("converted %d, want 4", r.Converted())
	}
}

// Independent branches of one kind are clustered together even when the
// original order interleaves them, and the result has no cycle.
func TestClusteringPrefersCurrentKind(t *testing.T) {
	g := graphOf(t, []string{"f"},
		"a:Add:x,y", "s1:Sub:x,y", "b:Mul:a,a", "s2:Sub:s1,y", "c:Add:b,b", "f:Add:c,s2")
	r, err := Run(g, registry(), &conversion.Settings{MinBlockSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := kinds(r), "engine[a b c] fallback[s1 s2] engine[f]"; got != want {
		t.Fatalf("segments %s, want %s", got, want)
	}
	checkAcyclic(t, g, r)
}

func TestMinBlockSizeDemotes(t *testing.T) {
	g := graphOf(t, []string{"e"}, "a:Add:x,y", "b:Mul:a,a", "c:Sub:b,x", "d:Add:c,y", "e:Mul:d,d")
	r, err := Run(g, registry(), &conversion.Settings{MinBlockSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := kinds(r), "fallback[a b c d e]"; got != want {
		t.Fatalf("segments %s, want %s", got, want)
	}
	if len(r.DemotedSegments) != 2 || !r.Info(g.Nodes[0]).Demoted {
		t.Errorf("demoted %v", r.DemotedSegments)
	}
}

// A segment holding a node that becomes a TensorRT loop or conditional
// (Converter.Region) is kept below the min block size; the others are not.
func TestRegionSegmentKeptBelowMinBlockSize(t *testing.T) {
	reg := registry()
	reg.MustRegister(conversion.Converter{Target: "onnx.LSTM", DynamicShapes: true, Region: true,
		Convert: func(*conversion.Context, *conversion.Node) error { return nil }})
	g := graphOf(t, []string{"e"}, "a:LSTM:x,y", "b:Mul:a,a", "c:Sub:b,x", "d:Add:c,y", "e:Mul:d,d")
	r, err := Run(g, reg, &conversion.Settings{MinBlockSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := kinds(r), "engine[a b] fallback[c d e]"; got != want {
		t.Fatalf("segments %s, want %s", got, want)
	}
}

func TestForcedFallbackAndFullCompilation(t *testing.T) {
	g := graphOf(t, []string{"b"}, "a:Add:x,y", "b:Mul:a,a")
	r, err := Run(g, registry(), &conversion.Settings{MinBlockSize: 1, FallbackOps: []string{"Mul"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(r); got != "engine[a] fallback[b]" {
		t.Fatalf("segments %s", got)
	}
	if !r.Info(g.Nodes[1]).Decision.Forced {
		t.Error("Mul not marked forced")
	}
	_, err = Run(g, registry(), &conversion.Settings{MinBlockSize: 1, FallbackOps: []string{"Mul"}, RequireFullCompilation: true})
	var fe *FullCompilationError
	if !errors.As(err, &fe) || len(fe.Nodes) != 1 || !strings.Contains(err.Error(), "b (onnx.Mul)") {
		t.Fatalf("want a full compilation error naming b, got %v", err)
	}
	// Full compilation ignores min block size: a 2-op graph is one engine.
	r, err = Run(g, registry(), &conversion.Settings{MinBlockSize: 5, RequireFullCompilation: true})
	if err != nil || kinds(r) != "engine[a b]" {
		t.Fatalf("got %v, %v", kinds(r), err)
	}
}

// checkAcyclic verifies every segment reads only graph inputs, constants
// and outputs of earlier segments.
func checkAcyclic(t *testing.T, g *ir.Graph, r *Result) {
	t.Helper()
	avail := map[string]bool{}
	for _, in := range g.Inputs {
		avail[in] = true
	}
	for i, s := range r.Segments {
		for _, in := range s.Inputs {
			if !avail[in] {
				t.Fatalf("segment %d reads %q before it is produced", i, in)
			}
		}
		for _, n := range s.Nodes {
			for _, o := range n.Outputs {
				avail[o] = true
			}
		}
	}
}

// A random DAG with random kinds never yields a cycle between segments.
func TestRandomGraphsAreAcyclic(t *testing.T) {
	ops := []string{"Add", "Mul", "Sub"}
	for seed := 0; seed < 50; seed++ {
		var specs []string
		vals := []string{"x", "y"}
		state := uint32(seed*7919 + 1)
		next := func(n int) int { state = state*1103515245 + 12345; return int(state>>16) % n }
		for i := 0; i < 30; i++ {
			name := fmt.Sprintf("n%d", i)
			specs = append(specs, fmt.Sprintf("%s:%s:%s,%s", name, ops[next(3)], vals[next(len(vals))], vals[next(len(vals))]))
			vals = append(vals, name)
		}
		g := graphOf(t, []string{"n29"}, specs...)
		// Half the graphs carry shape values, so that shape-only engine
		// nodes are placed with their readers.
		if seed%2 == 1 {
			for i := 0; i < 29; i += 3 {
				name := fmt.Sprintf("n%d", i)
				g.Values[name] = &ir.Value{Name: name, DType: ir.Int64, Shape: ir.S(1), ShapeData: ir.Shape{ir.Sym("N")}}
			}
		}
		r, err := Run(g, registry(), &conversion.Settings{MinBlockSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		checkAcyclic(t, g, r)
		count := 0
		for _, s := range r.Segments {
			count += len(s.Nodes)
			if s.Kind == Engine && s.ComputeOps() < 2 {
				t.Fatalf("seed %d: engine segment below min block size", seed)
			}
		}
		if count != len(g.Nodes) {
			t.Fatalf("seed %d: %d nodes in segments, graph has %d", seed, count, len(g.Nodes))
		}
	}
}

// A shape computation joins the engine that reads it instead of ending a
// segment before a fallback node: s = Shape(x) is placed with the Reshape,
// so s does not cross a segment boundary (where TensorRT would need it as
// a shape-tensor engine input with profile values).
func TestShapeComputationJoinsItsEngine(t *testing.T) {
	g := graphOf(t, []string{"z"}, "s:Shape:x", "r:Sub:x,x", "y:Reshape:r,s", "z:Add:y,y")
	g.Values["s"] = &ir.Value{Name: "s", DType: ir.Int64, Shape: ir.S(1), ShapeData: ir.Shape{ir.Sym("N")}}
	reg := registry()
	for _, op := range []string{"Shape", "Reshape"} {
		reg.MustRegister(conversion.Converter{Target: "onnx." + op, DynamicShapes: true,
			Convert: func(*conversion.Context, *conversion.Node) error { return nil }})
	}
	r, err := Run(g, reg, &conversion.Settings{MinBlockSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(r); got != "fallback[r] engine[s y z]" {
		t.Errorf("segments %s, want fallback[r] engine[s y z]", got)
	}
	for _, seg := range r.Segments {
		for _, in := range seg.Inputs {
			if in == "s" {
				t.Errorf("shape value s crosses into segment %v", seg.Nodes)
			}
		}
	}
	// A chain of shape nodes ready from the start, read after an engine
	// node: each node is placed once.
	g = graphOf(t, []string{"z"}, "s:Shape:x", "s2:Add:s,s", "r:Sub:x,x", "m:Mul:r,r", "z:Reshape:m,s2")
	for _, v := range []string{"s", "s2"} {
		g.Values[v] = &ir.Value{Name: v, DType: ir.Int64, Shape: ir.S(1), ShapeData: ir.Shape{ir.Sym("N")}}
	}
	if r, err = Run(g, reg, &conversion.Settings{MinBlockSize: 1}); err != nil {
		t.Fatal(err)
	}
	if got := kinds(r); got != "fallback[r] engine[m s s2 z]" {
		t.Errorf("segments %s, want fallback[r] engine[m s s2 z]", got)
	}
	// Read also by a fallback node, s cannot join only one engine: it is
	// computed where it is ready, as before (here a Shape alone, too small an
	// engine for any block size, falls back).
	g = graphOf(t, []string{"z", "w"}, "s:Shape:x", "r:Sub:x,x", "y:Reshape:r,s", "z:Add:y,y", "w:Sub:s,s")
	g.Values["s"] = &ir.Value{Name: "s", DType: ir.Int64, Shape: ir.S(1), ShapeData: ir.Shape{ir.Sym("N")}}
	if r, err = Run(g, reg, &conversion.Settings{MinBlockSize: 1}); err != nil {
		t.Fatal(err)
	}
	if got := kinds(r); got != "fallback[s r w] engine[y z]" {
		t.Errorf("segments %s, want fallback[s r w] engine[y z]", got)
	}
}
