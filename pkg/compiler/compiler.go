package compiler

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/frontend"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
	"github.com/trtc-dev/trtc/pkg/partition"
)

// Options configure a compile.
type Options struct {
	Settings *conversion.Settings
	Registry *conversion.Registry
	// Format forces the model format ("onnx", "pt2", "pb"); "" detects it.
	Format string
	Build  backend.BuildOptions
}

// Engine is one built engine segment.
type Engine struct {
	Segment *partition.Segment
	Blob    []byte
	Target  backend.Target
	Layers  int
}

// Result is a compiled model, ready to be written as a bundle.
type Result struct {
	Model     string
	Graph     *ir.Graph
	Partition *partition.Result
	Engines   map[*partition.Segment]*Engine
	Folded    int
	// ConvertFailures are nodes whose converter failed during the build
	// and that were moved to fallback.
	ConvertFailures map[*ir.Node]error
	Settings        *conversion.Settings
}

// UnsupportedOpsError lists ops that have neither a converter nor a kernel.
type UnsupportedOpsError struct {
	Model string
	Ops   map[string][]string // op -> node names
}

func (e *UnsupportedOpsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d op(s) have neither a converter nor a CPU kernel:", e.Model, len(e.Ops))
	for _, op := range ir.SortedKeys(e.Ops) {
		nodes := e.Ops[op]
		show := nodes
		if len(show) > 3 {
			show = show[:3]
		}
		more := ""
		if len(nodes) > 3 {
			more = fmt.Sprintf(", ... (%d nodes)", len(nodes))
		}
		fmt.Fprintf(&b, "\n  %s: %s%s", op, strings.Join(show, ", "), more)
	}
	return b.String()
}

// Prepare loads nothing: it takes a parsed graph and brings it to the point
// where partitioning can start (shape overrides, op check, inference and
// constant folding). It returns the number of folded nodes.
func Prepare(g *ir.Graph, model string, s *conversion.Settings) (int, error) {
	if err := applyInputShapes(g, s.InputShapes); err != nil {
		return 0, fmt.Errorf("%s: %w", model, err)
	}
	for _, name := range g.Inputs {
		if v := g.Value(name); v != nil && !v.DType.Supported() {
			return 0, &UnsupportedDTypeError{Model: model, Value: fmt.Sprintf("graph input %q", name), DType: v.DType}
		}
	}
	constOutputs(g)
	unknown := map[string][]string{}
	for _, n := range g.Nodes {
		if _, ok := ops.Lookup(n.Op); !ok {
			unknown[n.Op] = append(unknown[n.Op], n.Name)
		}
	}
	if len(unknown) > 0 {
		return 0, &UnsupportedOpsError{Model: model, Ops: unknown}
	}
	folded, err := ops.Propagate(g, true)
	var dt *ops.UnsupportedDTypeError
	if errors.As(err, &dt) {
		where := "a node"
		var ne *ops.NodeError
		if errors.As(err, &ne) {
			where = ne.Node.String()
		}
		return 0, &UnsupportedDTypeError{Model: model, Value: where, DType: dt.DType, Err: err}
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", model, err)
	}
	if err := CheckGraph(g); err != nil {
		return 0, fmt.Errorf("%s: %w", model, err)
	}
	return folded, nil
}

// UnsupportedDTypeError is a model that needs a dtype trtc cannot hold
// (strings, float8, int4, ...), in a graph input or a node.
type UnsupportedDTypeError struct {
	Model string
	Value string // `graph input "x"` or `node "c" (onnx.Cast)`
	DType ir.DType
	Err   error // the underlying error, if any
}

func (e *UnsupportedDTypeError) Error() string {
	return fmt.Sprintf("%s: %s uses dtype %v, which trtc does not support", e.Model, e.Value, e.DType)
}

func (e *UnsupportedDTypeError) Unwrap() error { return e.Err }

// constOutputs gives each graph output that is a plain constant (an
// initializer, or a Constant node the frontend turned into one) an
// Identity node, so that every graph output is produced by some segment.
func constOutputs(g *ir.Graph) {
	producers := g.Producers()
	for i, name := range g.Outputs {
		v := g.Value(name)
		if v == nil || v.Const == nil || producers[name] != nil {
			continue
		}
		src := name + "/constant"
		for g.Value(src) != nil {
			src += "_"
		}
		c := *v
		c.Name = src
		g.Values[src] = &c
		g.Values[name] = &ir.Value{Name: name, DType: v.DType, Shape: v.Shape.Clone()}
		g.Nodes = append(g.Nodes, &ir.Node{Name: "output_" + name, Op: "onnx.Identity", Inputs: []string{src}, Outputs: []string{g.Outputs[i]}, Attrs: map[string]ir.Attr{}})
	}
}

func applyInputShapes(g *ir.Graph, shapes map[string]ir.Shape) error {
	names := make([]string, 0, len(shapes))
	for name := range shapes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v := g.Value(name)
		isInput := false
		for _, in := range g.Inputs {
			isInput = isInput || in == name
		}
		if v == nil || !isInput {
			return fmt.Errorf("--shapes names %q, which is not a graph input (inputs: %s)", name, strings.Join(g.Inputs, ", "))
		}
		s := shapes[name]
		if len(v.Shape) != 0 && len(s) != len(v.Shape) {
			return fmt.Errorf("--shapes %s: rank %d, but the model declares %v", name, len(s), v.Shape)
		}
		for i, d := range v.Shape {
			if d.Static() && s[i].Static() && d.Size != s[i].Size {
				return fmt.Errorf("--shapes %s: dim %d is %d, but the model fixes it at %d", name, i, s[i].Size, d.Size)
			}
		}
		v.Shape = s.Clone()
	}
	return nil
}

// Compile partitions a prepared graph and builds its engines.
func Compile(g *ir.Graph, model string, folded int, opts Options) (*Result, error) {
	s := opts.Settings
	if s == nil {
		s = conversion.DefaultSettings()
	}
	be, err := backend.Get(s.Backend)
	if err != nil {
		return nil, err
	}
	reg := opts.Registry
	failures := map[*ir.Node]error{}
	// Converters that fail during the build are removed for their node and
	// the graph is partitioned again; each round removes at least one node,
	// so this ends.
	for round := 0; ; round++ {
		p, err := partition.Run(g, &failedFilter{reg, failures}, s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", model, err)
		}
		res := &Result{Model: model, Graph: g, Partition: p, Engines: map[*partition.Segment]*Engine{},
			Folded: folded, ConvertFailures: failures, Settings: s}
		retry := false
		for _, seg := range p.Segments {
			if seg.Kind != partition.Engine {
				continue
			}
			net := be.NewNetwork()
			// A network that failed before any converter ran is the
			// backend's failure (no library, no device), not a node's: it
			// must not send the nodes to fallback.
			if err := net.Err(); err != nil {
				return nil, fmt.Errorf("%s: backend %s: %w", model, be.Name(), err)
			}
			err := conversion.ConvertSegment(net, g, s, conversion.Segment{
				Nodes: seg.Nodes, Converters: seg.Converters, Inputs: seg.Inputs, Outputs: seg.Outputs})
			var ce *conversion.ConvertError
			if errors.As(err, &ce) && !s.RequireFullCompilation {
				for _, n := range seg.Nodes {
					if n.Name == ce.Node {
						failures[n] = ce.Err
					}
				}
				retry = true
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", model, err)
			}
			blob, target, err := be.Build(net, opts.Build)
			if err != nil {
				return nil, fmt.Errorf("%s: building engine: %w", model, err)
			}
			res.Engines[seg] = &Engine{Segment: seg, Blob: blob, Target: target, Layers: net.NumLayers()}
		}
		if !retry {
			return res, nil
		}
	}
}

// failedFilter is a registry view that rejects a node whose converter
// failed during the build, with the failure as the reason.
type failedFilter struct {
	*conversion.Registry
	failed map[*ir.Node]error
}

func (f *failedFilter) Decide(n *conversion.Node, s *conversion.Settings) conversion.Decision {
	d := f.Registry.Decide(n, s)
	if err, ok := f.failed[n.Node]; ok && d.Converter != nil {
		d.Rejected = append(d.Rejected, conversion.Rejection{Converter: d.Converter.Name, Origin: d.Converter.Origin,
			Reason: fmt.Sprintf("conversion failed: %v", err)})
		d.Converter = nil
	}
	return d
}

// LoadError is a model file that could not be read or parsed.
type LoadError struct{ Err error }

func (e *LoadError) Error() string { return e.Err.Error() }
func (e *LoadError) Unwrap() error { return e.Err }

// PrepareError is a model that parsed but is inconsistent (bad shapes,
// failed inference, bad --shapes).
type PrepareError struct{ Err error }

func (e *PrepareError) Error() string { return e.Err.Error() }
func (e *PrepareError) Unwrap() error { return e.Err }

// CompileFile runs the whole pipeline on a model file, short of writing the
// bundle. Errors are *LoadError, *UnsupportedOpsError, *PrepareError,
// *partition.FullCompilationError, or build errors.
func CompileFile(path string, opts Options) (*Result, error) {
	s := opts.Settings
	if s == nil {
		s = conversion.DefaultSettings()
		opts.Settings = s
	}
	g, err := frontend.Load(path, opts.Format)
	if err != nil {
		return nil, &LoadError{err}
	}
	folded, err := Prepare(g, path, s)
	if err != nil {
		var u *UnsupportedOpsError
		if errors.As(err, &u) {
			return nil, err
		}
		return nil, &PrepareError{err}
	}
	return Compile(g, path, folded, opts)
}
