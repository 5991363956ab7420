package compiler

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/enginecache"
	"github.com/trtc-dev/trtc/pkg/frontend"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/lower"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
	"github.com/trtc-dev/trtc/pkg/partition"
	"github.com/trtc-dev/trtc/pkg/precision"
)

// Options configure a compile.
type Options struct {
	Settings *conversion.Settings
	Registry *conversion.Registry
	// Format forces the model format ("onnx", "pt2", "pb"); "" detects it.
	Format string
	Build  backend.BuildOptions
	// TRTPluginLibs are TensorRT plugin libraries the caller loaded into
	// the backend (--trt-plugin-lib); the bundle records them.
	TRTPluginLibs []string
	// Log receives a line at info level for each stage (parse, lowering,
	// capability, partition, each engine build) and one at debug level for
	// each node's decision. The zero Logger logs nothing.
	Log zerolog.Logger
	// Progress, if set, is told each stage as it starts and each engine
	// build as it ends (done of total).
	Progress func(stage string, done, total int)
	// Cache, if set, keeps engines: a segment whose key is cached is not
	// converted or built again (see EngineKey).
	Cache *enginecache.Cache
	// ComputeCapability is the GPU engines are built for ("9.0"; "" for
	// backends that run on the CPU). It is part of the cache key.
	ComputeCapability string
	// MarkAllOutputs makes every value a node computes a graph output
	// (MarkAllOutputs, the function), before partitioning: each engine
	// then returns every tensor it computes, as Polygraphy's --mark-all
	// does (trtc compare --layerwise). Marked tensors cannot be fused
	// away, so an engine built this way may round differently from one
	// built without.
	MarkAllOutputs bool
	// Precision are the precision flags (--fp16, --bf16, --int8, --fp8,
	// --strongly-typed, --keep-fp32, --precision-constraints), already
	// validated (precision.Options.Validate). Strongly typed networks are
	// autocast by pkg/precision before partitioning; weakly typed TensorRT
	// 10 networks get them as builder flags (Build.Precision).
	Precision precision.Options
}

func (o *Options) progress(stage string, done, total int) {
	if o.Progress != nil {
		o.Progress(stage, done, total)
	}
}

// Engine is one built engine segment.
type Engine struct {
	Segment *partition.Segment
	Blob    []byte
	Target  backend.Target
	Layers  int
	// Cache is "reused" for an engine taken from the cache, "built" for one
	// built (and stored, when a cache is set), "" without a cache.
	Cache    string
	CacheKey string
	// BuildTime is how long conversion and build took (0 when reused).
	BuildTime time.Duration
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
	// TRTPluginLibs are Options.TRTPluginLibs.
	TRTPluginLibs []string
	// Pinned are the graph inputs whose value every optimization profile
	// pins, compiled as constants (pinned.go).
	Pinned []PinnedInput
	// MarkedOutputs are the values Options.MarkAllOutputs added to the
	// graph's outputs, in topological order (after the model's own).
	MarkedOutputs []string
	// Precision is what the autocast pass did (nil when it did not run:
	// a float32 compile, or a weakly typed network); PrecisionOptions are
	// the settings and BuildPrecision what the builder was told.
	Precision        *precision.Result
	PrecisionOptions precision.Options
	BuildPrecision   backend.PrecisionFlags
}

// UnsupportedOpsError lists ops that have neither a converter nor a kernel,
// or that come from an opset newer than trtc knows or a domain it lacks.
type UnsupportedOpsError struct {
	Model string
	Ops   map[string][]string // op -> node names
	// Why says, per op, what is unsupported: its domain and the opset the
	// model imports, and whether the op, the opset or the domain is what
	// trtc lacks.
	Why map[string]string
}

func (e *UnsupportedOpsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d op(s) are not supported:", e.Model, len(e.Ops))
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
		fmt.Fprintf(&b, "\n  %s: %s%s (%s)", op, strings.Join(show, ", "), more, e.Why[op])
	}
	return b.String()
}

// checkOps refuses, with one error naming each op, its domain and the
// opset the model imports, the nodes (also inside subgraphs) whose op has
// no kernel, whose domain trtc does not know, or whose domain's opset is
// newer than ops.KnownOpsets.
func checkOps(g *ir.Graph, model string, registry []network.PluginCreatorInfo) error {
	e := &UnsupportedOpsError{Model: model, Ops: map[string][]string{}, Why: map[string]string{}}
	var walk func(g *ir.Graph)
	walk = func(sub *ir.Graph) {
		for _, n := range sub.Nodes {
			for _, s := range n.Subgraphs() {
				walk(s)
			}
			d := ops.Domain(n.Op)
			opset, onnxModel := g.Opsets[d], g.Format == "onnx"
			where := fmt.Sprintf("domain %s, opset %d", ops.DomainName(d), opset)
			why := ""
			switch known, listed := ops.KnownOpsets[d]; {
			case onnxModel && !ops.KnownDomain(d):
				why = where + ": trtc does not know this domain" + noCreator(n, d, registry)
			case onnxModel && listed && opset > known:
				why = fmt.Sprintf("%s: newer than the opset %d trtc knows for this domain", where, known)
			default:
				if _, ok := ops.Lookup(n.Op); !ok {
					why = "neither a converter nor a CPU kernel"
					if onnxModel {
						why = where + ": " + why + noCreator(n, d, registry)
					}
				}
			}
			if why != "" {
				e.Ops[n.Op] = append(e.Ops[n.Op], n.Name)
				e.Why[n.Op] = why
			}
		}
	}
	walk(g)
	if len(e.Ops) > 0 {
		return e
	}
	return nil
}

// creatorFinder finds the TensorRT plugin creator a custom-domain node
// names (conversion.ImportTRTPlugins). With a backend that has TensorRT's
// plugin registry (backend.PluginCreatorLister: the TensorRT backend, after
// --trt-plugin-lib), a creator must be in that registry, and a Go plugin's
// declaration of it supplies the CPU op trtc infers shapes with (a
// registry creator without one is found with no CPU op, which the importer
// refuses, exit 4, saying so). Otherwise the creators Go plugins declared are the ones there are. It also
// returns the registry's creators (nil without a registry), for messages.
func creatorFinder(s *conversion.Settings) (func(name, version, ns string) (conversion.TRTPluginCreator, bool), []network.PluginCreatorInfo, error) {
	declared := func(name, version, ns string) (conversion.TRTPluginCreator, bool) {
		for _, c := range conversion.DeclaredTRTPluginCreators() {
			if c.Name == name && c.Version == version && c.Namespace == ns {
				return c, true
			}
		}
		return conversion.TRTPluginCreator{}, false
	}
	be, err := backend.Get(s.Backend)
	if err != nil {
		return declared, nil, nil // the compile reports the backend
	}
	lister, ok := be.(backend.PluginCreatorLister)
	if !ok {
		return declared, nil, nil
	}
	registry, err := lister.PluginCreators()
	if err != nil {
		return nil, nil, fmt.Errorf("backend %s: %w", be.Name(), err)
	}
	if registry == nil {
		registry = []network.PluginCreatorInfo{}
	}
	find := func(name, version, ns string) (conversion.TRTPluginCreator, bool) {
		for _, r := range registry {
			if r.Name != name || r.Version != version || r.Namespace != ns || r.Kind != "PLUGIN CREATOR_V3ONE" {
				continue
			}
			c, ok := declared(name, version, ns)
			if !ok {
				c = conversion.TRTPluginCreator{Name: name, Version: version, Namespace: ns}
				for _, f := range r.Fields {
					c.Fields = append(c.Fields, conversion.TRTPluginField{Name: f.Name, Type: f.Type})
				}
			}
			return c, true
		}
		return conversion.TRTPluginCreator{}, false
	}
	return find, registry, nil
}

// noCreator says, for a node of a custom domain, which TensorRT plugin
// creator the fallback plugin importer looked for.
func noCreator(n *ir.Node, d string, registry []network.PluginCreatorInfo) string {
	if _, standard := ops.KnownOpsets[d]; standard || d == "" || len(n.Op) <= len(d)+1 {
		return ""
	}
	version, ns := n.AttrString(conversion.PluginVersionAttr, "1"), n.AttrString(conversion.PluginNamespaceAttr, "")
	if a, ok := n.Attrs[conversion.PluginVersionAttr]; ok && a.Kind == ir.AttrInt {
		version = fmt.Sprint(a.I)
	}
	if registry != nil {
		return fmt.Sprintf("; and TensorRT's plugin registry has no IPluginCreatorV3One %s version %s (namespace %q) (%d creators; load its library with --trt-plugin-lib)", n.Op[len(d)+1:], version, ns, len(registry))
	}
	return fmt.Sprintf("; and no TensorRT plugin creator %s version %s (namespace %q) is declared (a Go plugin's DeclareTRTPlugin: docs/custom-ops.md)", n.Op[len(d)+1:], version, ns)
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
	if _, err := lower.Run(g); err != nil {
		var le *lower.Error
		if errors.As(err, &le) && le.Unsupported {
			return 0, &LoweringError{Model: model, Err: err}
		}
		return 0, fmt.Errorf("%s: %w", model, err)
	}
	constOutputs(g)
	find, registry, err := creatorFinder(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", model, err)
	}
	if _, err := conversion.ImportTRTPlugins(g, find); err != nil {
		var ie *conversion.PluginImportError
		if errors.As(err, &ie) && ie.Unsupported {
			return 0, &UnsupportedOpsError{Model: model, Ops: map[string][]string{ie.Op: {ie.Node}}, Why: map[string]string{ie.Op: ie.Err.Error()}}
		}
		return 0, fmt.Errorf("%s: %w", model, err)
	}
	if err := checkOps(g, model, registry); err != nil {
		return 0, err
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
	for ops.InlineConstantIfs(g) > 0 { // a constant-condition If becomes its branch
		more, err := ops.Propagate(g, true)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", model, err)
		}
		folded += more
	}
	if err := CheckGraph(g); err != nil {
		return 0, fmt.Errorf("%s: %w", model, err)
	}
	return folded, nil
}

// LoweringError is a valid ATen program that the lowering stage cannot
// express (an in-place write through an expanded view, a symbolic
// argument of an op that takes none): the model is unsupported, not
// malformed.
type LoweringError struct {
	Model string
	Err   error
}

func (e *LoweringError) Error() string { return fmt.Sprintf("%s: %v", e.Model, e.Err) }
func (e *LoweringError) Unwrap() error { return e.Err }

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
		return &Result{Model: model, Graph: g, Folded: folded, Settings: s}, err
	}
	if err := resolveTarget(be, s); err != nil {
		return &Result{Model: model, Graph: g, Folded: folded, Settings: s}, err
	}
	pinned, more, err := PinInputs(g, opts.Build.Profiles)
	if err != nil {
		return &Result{Model: model, Graph: g, Folded: folded, Settings: s}, fmt.Errorf("%s: %w", model, err)
	}
	folded += more
	for _, pi := range pinned {
		opts.Log.Info().Str("stage", "pin").Str("input", pi.Name).Ints64("value", pi.Value.Ints()).
			Msg("every optimization profile pins this input's value: compiled as a constant; run refuses any other value")
	}
	var marked []string
	if opts.MarkAllOutputs {
		marked = MarkAllOutputs(g)
	}
	if len(opts.Build.Profiles) == 0 {
		if p, ok := RangeProfile(g); ok {
			opts.Build.Profiles = []backend.Profile{p}
		}
	}
	opts.Build.Precision = BuildPrecision(be, opts.Precision)
	prec, err := autocast(g, model, be, &opts, s)
	if ce := (*precision.CalibrationError)(nil); errors.As(err, &ce) {
		err = &PrepareError{err} // a calibration file that does not fit: exit 3
	}
	if err != nil {
		return &Result{Model: model, Graph: g, Folded: folded, Settings: s, Precision: prec}, err
	}
	reg := opts.Registry
	failures := map[*ir.Node]error{}
	// Converters that fail during the build are removed for their node and
	// the graph is partitioned again; each round removes at least one node,
	// so this ends.
	for round := 0; ; round++ {
		opts.progress("partition", 0, 0)
		start := time.Now()
		p, err := partition.Run(g, &failedFilter{reg, failures}, s)
		if err != nil {
			return &Result{Model: model, Graph: g, Folded: folded, ConvertFailures: failures, Settings: s}, fmt.Errorf("%s: %w", model, err)
		}
		res := &Result{Model: model, Graph: g, Partition: p, Engines: map[*partition.Segment]*Engine{},
			Folded: folded, ConvertFailures: failures, Settings: s, TRTPluginLibs: opts.TRTPluginLibs, Pinned: pinned, Precision: prec,
			PrecisionOptions: opts.Precision, BuildPrecision: opts.Build.Precision, MarkedOutputs: marked}
		if round == 0 {
			logDecisions(opts.Log, p, s)
		}
		logPartition(opts.Log, p, time.Since(start), round)
		retry := false
		nEngines := 0
		for _, seg := range p.Segments {
			if seg.Kind == partition.Engine {
				nEngines++
			}
		}
		built := 0
		for i, seg := range p.Segments {
			if seg.Kind != partition.Engine {
				continue
			}
			var key string
			if opts.Cache != nil {
				key, err = EngineKey(g, seg, be, opts)
				if err != nil {
					opts.Log.Warn().Err(err).Int("segment", i).Msg("engine cache: no key; building without the cache")
				} else {
					e, err := opts.Cache.Get(key)
					if err != nil {
						opts.Log.Warn().Err(err).Int("segment", i).Str("key", key).Msg("engine cache: entry not used; rebuilding")
					}
					if e != nil {
						res.Engines[seg] = &Engine{Segment: seg, Blob: e.Blob, Target: e.Target, Layers: e.Layers, Cache: "reused", CacheKey: key}
						built++
						opts.Log.Info().Str("stage", "engine").Int("segment", i).Int("layers", e.Layers).
							Int("nodes", len(seg.Nodes)).Str("cache", "reused").Str("key", key).Msg("engine reused from cache")
						opts.progress("engine", built, nEngines)
						continue
					}
				}
			}
			opts.progress("engine", built, nEngines)
			start := time.Now()
			var net network.Network
			if tn, ok := be.(backend.TypedNetworker); ok {
				net = tn.NewTypedNetwork(opts.Build.Precision)
			} else {
				net = be.NewNetwork()
			}
			if t, ok := net.(targetSetter); ok {
				t.SetTargetVersion(s.TargetVersion)
			}
			// A network that failed before any converter ran is the
			// backend's failure (no library, no device), not a node's: it
			// must not send the nodes to fallback.
			if err := net.Err(); err != nil {
				return res, fmt.Errorf("%s: backend %s: %w", model, be.Name(), err)
			}
			err := conversion.ConvertSegment(net, g, s, conversion.Segment{
				Nodes: seg.Nodes, Converters: seg.Converters, Inputs: seg.Inputs, Outputs: seg.Outputs, Registry: reg})
			var ce *conversion.ConvertError
			if errors.As(err, &ce) && !s.RequireFullCompilation {
				for _, n := range seg.Nodes {
					if n.Name == ce.Node {
						failures[n] = ce.Err
					}
				}
				opts.Log.Info().Str("node", ce.Node).Str("op", ce.Op).Str("converter", ce.Converter).AnErr("reason", ce.Err).
					Msg("conversion failed; the node falls back and the graph is partitioned again")
				retry = true
				break
			}
			if err != nil {
				return res, fmt.Errorf("%s: %w", model, err)
			}
			if err := constrainLayers(net, seg, opts); err != nil {
				return res, fmt.Errorf("%s: %w", model, err)
			}
			blob, target, err := be.Build(net, segmentBuildOptions(g, seg, opts.Build))
			// A shape-tensor input without values: the node that needs
			// them falls back, with TensorRT's rule as the reason.
			var sie *backend.ShapeInputError
			if errors.As(err, &sie) && sie.Node != "" && !s.RequireFullCompilation {
				for _, n := range seg.Nodes {
					if n.Name == sie.Node {
						failures[n] = err
						retry = true
					}
				}
				if retry {
					break
				}
			}
			if err != nil {
				return res, fmt.Errorf("%s: building engine: %w", model, err)
			}
			e := &Engine{Segment: seg, Blob: blob, Target: target, Layers: net.NumLayers(), BuildTime: time.Since(start)}
			if key != "" {
				e.Cache, e.CacheKey = "built", key
				if err := opts.Cache.Put(key, blob, enginecache.Meta{Layers: e.Layers, Target: target, Model: model, Segment: i}); err != nil {
					opts.Log.Warn().Err(err).Int("segment", i).Msg("engine cache: not stored")
					e.Cache = ""
				}
			}
			res.Engines[seg] = e
			built++
			opts.Log.Info().Str("stage", "engine").Int("segment", i).Int("layers", e.Layers).Int("nodes", len(seg.Nodes)).
				Str("backend", be.Name()).Dur("elapsed_ms", e.BuildTime).Int("bytes", len(blob)).Str("cache", e.Cache).Msg("engine built")
			opts.progress("engine", built, nEngines)
		}
		if !retry {
			return res, nil
		}
	}
}

// MarkAllOutputs appends to g's outputs every value a node computes that
// is not already one, in node (topological) order, and returns the names
// it added. Constants (folded values) and graph inputs are not computed
// by any segment and are left out. Partitioning then makes each such
// value an output of the segment computing it, so the bundle's program
// returns it like any other graph output.
func MarkAllOutputs(g *ir.Graph) []string {
	seen := map[string]bool{}
	for _, name := range g.Inputs {
		seen[name] = true
	}
	for _, name := range g.Outputs {
		seen[name] = true
	}
	var added []string
	for _, n := range g.Nodes {
		for _, name := range n.Outputs {
			if name == "" || seen[name] {
				continue
			}
			seen[name] = true
			if v := g.Value(name); v == nil || v.Const != nil {
				continue
			}
			added = append(added, name)
		}
	}
	g.Outputs = append(g.Outputs, added...)
	return added
}

// targetSetter is a network that applies a TensorRT release's rules
// (reference.Network).
type targetSetter interface{ SetTargetVersion(network.Version) }

// TargetVersionError is a --trt-version that trtc cannot build for, or that
// differs from the loaded TensorRT library's.
type TargetVersionError struct{ Err error }

func (e *TargetVersionError) Error() string { return e.Err.Error() }
func (e *TargetVersionError) Unwrap() error { return e.Err }

// resolveTarget fills s.TargetVersion: with a backend that reports its
// library's version (TensorRT), that version, which a --trt-version must
// equal; otherwise the one given, checked, or network.NewestVersion.
func resolveTarget(be backend.Backend, s *conversion.Settings) error {
	if vr, ok := be.(backend.VersionReporter); ok {
		if lib, err := vr.RuntimeVersion(); err == nil {
			v, err := network.ParseVersion(lib)
			if err != nil {
				return &TargetVersionError{fmt.Errorf("backend %s: %w", be.Name(), err)}
			}
			if s.TargetVersion != (network.Version{}) && s.TargetVersion != v {
				return &TargetVersionError{fmt.Errorf("--trt-version %v, but backend %s has loaded TensorRT %s: the TensorRT backend builds for the library it runs (leave --trt-version unset, or set it to %v)", s.TargetVersion, be.Name(), lib, v)}
			}
			s.TargetVersion = v
			return nil
		}
	}
	if s.TargetVersion == (network.Version{}) {
		s.TargetVersion = network.NewestVersion
		return nil
	}
	if err := network.CheckTarget(s.TargetVersion); err != nil {
		return &TargetVersionError{fmt.Errorf("--trt-version: %w", err)}
	}
	return nil
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
// *partition.FullCompilationError, or build errors. Once the model has
// parsed, the Result is non-nil even with an error, holding what is known
// (the graph; the partition, when partitioning succeeded), so that a
// report can be written for a failed compile (FailureReport).
func CompileFile(path string, opts Options) (*Result, error) {
	s := opts.Settings
	if s == nil {
		s = conversion.DefaultSettings()
		opts.Settings = s
	}
	opts.progress("parse", 0, 0)
	start := time.Now()
	g, err := frontend.Load(path, opts.Format)
	if err != nil {
		return nil, &LoadError{err}
	}
	opts.Log.Info().Str("stage", "parse").Str("file", path).Str("format", g.Format).Int("nodes", len(g.Nodes)).
		Int("inputs", len(g.Inputs)).Int("outputs", len(g.Outputs)).Dur("elapsed_ms", time.Since(start)).Msg("parsed")
	opts.progress("lowering", 0, 0)
	start = time.Now()
	folded, err := Prepare(g, path, s)
	partial := &Result{Model: path, Graph: g, Settings: s}
	if err != nil {
		var u *UnsupportedOpsError
		var l *LoweringError
		if errors.As(err, &u) || errors.As(err, &l) {
			return partial, err
		}
		return partial, &PrepareError{err}
	}
	opts.Log.Info().Str("stage", "lowering").Int("nodes", len(g.Nodes)).Int("folded", folded).
		Dur("elapsed_ms", time.Since(start)).Msg("shapes inferred and constants folded")
	return Compile(g, path, folded, opts)
}

// RangeProfile is the optimization profile that the graph's own symbol
// ranges give (torch.export's range constraints): per dynamic graph input,
// min and max from each symbol's range and opt at the maximum. ok is false
// when no input is dynamic or some symbol has no bounded range, in which
// case the profile must come from --min-shapes/--opt-shapes/--max-shapes.
func RangeProfile(g *ir.Graph) (backend.Profile, bool) {
	p := backend.Profile{Min: map[string][]int64{}, Opt: map[string][]int64{}, Max: map[string][]int64{}}
	for _, name := range g.Inputs {
		v := g.Value(name)
		if v == nil || v.Shape.IsStatic() {
			continue
		}
		mn, mx := make([]int64, len(v.Shape)), make([]int64, len(v.Shape))
		for i, d := range v.Shape {
			if d.Static() {
				mn[i], mx[i] = d.Size, d.Size
				continue
			}
			lo, okLo := v.Min[d.Sym]
			hi, okHi := v.Max[d.Sym]
			if !okLo || !okHi || d.Sym == "" || hi < lo {
				return backend.Profile{}, false
			}
			mn[i], mx[i] = max(lo, 1), hi
		}
		p.Min[name], p.Opt[name], p.Max[name] = mn, append([]int64(nil), mx...), mx
	}
	return p, len(p.Min) > 0
}
