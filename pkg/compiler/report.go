package compiler

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
	"github.com/trtc-dev/trtc/pkg/partition"
	"github.com/trtc-dev/trtc/pkg/precision"
)

// precisionReport summarizes the precision stage; nil for a float32
// compile.
func precisionReport(r *Result) *PrecisionReport {
	o := r.PrecisionOptions
	if !o.Any() {
		return nil
	}
	pr := &PrecisionReport{Flags: o.Flags(), StronglyTyped: r.BuildPrecision.StronglyTyped, Kept: []precision.Decision{}}
	if p := r.Precision; p != nil {
		pr.Type = precision.TypeName(p.Type)
		pr.FloatNodes, pr.LoweredNodes, pr.Casts, pr.Weights = len(p.Decisions), p.Lowered(), p.Casts, p.Weights
		pr.Unmatched, pr.ObserveError = p.Unmatched, p.ObserveError
		for _, d := range p.Decisions {
			if d.Type == ir.Float32 {
				pr.Kept = append(pr.Kept, d)
			}
		}
	}
	return pr
}

func isFloatPrecision(p string) bool {
	return p == "fp32" || p == "fp16" || p == "bf16" || p == "fp8" || p == "int8"
}

// layerPrecisions lists an engine's layers with their precisions, when its
// backend can describe its engines (the reference backend can; TensorRT
// engines are not inspected at compile time).
func layerPrecisions(r *Result, e *Engine) []LayerPrecision {
	layers, err := backend.DescribeLayers(e.Target.Backend, e.Blob)
	if err != nil {
		return nil
	}
	out := make([]LayerPrecision, len(layers))
	for i, l := range layers {
		out[i] = LayerPrecision{Name: l.Name, Type: l.Type, Precision: l.Precision}
	}
	return out
}

// Report is the dry-run report; its JSON form is what --report writes and
// what CI scripts read, so field names are a stable interface.
type Report struct {
	Model   string `json:"model"`
	Backend string `json:"backend"`
	// TensorRTVersion is the TensorRT release the engines were built for
	// ("11.1"; --trt-version, or the loaded library's).
	TensorRTVersion string  `json:"tensorrt_version"`
	TotalNodes      int     `json:"total_nodes"`
	ConvertedNodes  int     `json:"converted_nodes"`
	FallbackNodes   int     `json:"fallback_nodes"`
	CoveragePercent float64 `json:"coverage_percent"`
	// ExportedNodes counts the nodes of the model as the user exported it
	// (before pkg/lower); ExportedConverted those whose every lowered node
	// runs in an engine.
	ExportedNodes     int `json:"exported_nodes"`
	ExportedConverted int `json:"exported_converted"`
	FoldedNodes       int `json:"folded_nodes"`
	// PinnedInputs are the graph inputs whose value every optimization
	// profile pins, compiled as constants (run refuses other values).
	PinnedInputs    []PinnedReport      `json:"pinned_inputs"`
	MinBlockSize    int                 `json:"min_block_size"`
	Segments        []SegmentReport     `json:"segments"`
	Unsupported     []UnsupportedReport `json:"unsupported"`
	UnsupportedOps  []OpCount           `json:"unsupported_ops"`
	ForcedFallback  []NodeRef           `json:"forced_fallback"`
	Recommendations []string            `json:"recommendations"`
	Bundle          string              `json:"bundle,omitempty"`
	// EnginesReused counts engine segments taken from the engine cache.
	EnginesReused int `json:"engines_reused"`
	// Outcome says how the compile ended: "ok" or the failure ("input",
	// "unsupported_ops", "fallback", "build", "plugin", "usage",
	// "internal"); ExitCode is trtc's exit code for it (README.md) and Error
	// the message of a failure. The CLI sets them.
	Outcome  string `json:"outcome"`
	ExitCode int    `json:"exit_code"`
	Error    string `json:"error,omitempty"`
	// Precision is present when a reduced precision was asked for
	// (--fp16, --bf16, --int8, --fp8).
	Precision *PrecisionReport `json:"precision,omitempty"`
}

// PrecisionReport says what the precision flags did.
type PrecisionReport struct {
	// Flags are the types asked for ("fp16", "int8"); StronglyTyped says
	// whether the network is strongly typed (autocast by trtc) or weakly
	// typed (the flags are TensorRT builder flags).
	Flags         []string `json:"flags"`
	StronglyTyped bool     `json:"strongly_typed"`
	// Type is the autocast target ("fp16", "bf16"), "" when autocast did
	// not run; FloatNodes counts the nodes computing on float32 data it
	// considered, LoweredNodes those it lowered.
	Type         string `json:"type,omitempty"`
	FloatNodes   int    `json:"float_nodes"`
	LoweredNodes int    `json:"lowered_nodes"`
	Casts        int    `json:"casts"`
	Weights      int    `json:"weights"`
	// ComputeLayers counts the engines' compute layers (network.IsCompute)
	// computing on floats, LowLayers those in a reduced type.
	ComputeLayers int `json:"compute_layers"`
	LowLayers     int `json:"low_layers"`
	// Kept are the float nodes left in float32, with the rule or flag.
	Kept         []precision.Decision  `json:"kept"`
	Unmatched    []precision.Unmatched `json:"unmatched,omitempty"`
	ObserveError string                `json:"observe_error,omitempty"`
}

// LayerPrecision is one engine layer and the type it computes in.
type LayerPrecision struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Precision string `json:"precision"`
}

// PinnedReport is a value-pinned graph input and its value.
type PinnedReport struct {
	Name   string  `json:"name"`
	DType  string  `json:"dtype"`
	Shape  string  `json:"shape"`
	Values []int64 `json:"values"`
}

func pinnedReports(r *Result) []PinnedReport {
	out := []PinnedReport{}
	if r == nil {
		return out
	}
	for _, pi := range r.Pinned {
		out = append(out, PinnedReport{Name: pi.Name, DType: pi.Value.DType.String(), Shape: ir.S(pi.Value.Shape...).String(), Values: pi.Value.Ints()})
	}
	return out
}

// SegmentReport describes one segment.
type SegmentReport struct {
	Index      int    `json:"index"`
	Kind       string `json:"kind"`
	ComputeOps int    `json:"compute_ops"`
	Layers     int    `json:"layers,omitempty"`
	// Cache is "reused" (the engine came from the engine cache), "built"
	// (built and stored there) or absent (no cache); CacheKey is its key.
	Cache    string         `json:"cache,omitempty"`
	CacheKey string         `json:"cache_key,omitempty"`
	Inputs   []TensorReport `json:"inputs"`
	Outputs  []TensorReport `json:"outputs"`
	Nodes    []NodeReport   `json:"nodes"`
	// LayerPrecisions are the engine's layers with the type each computes
	// in (network.LayerPrecision), when the backend can list them.
	LayerPrecisions []LayerPrecision `json:"layer_precisions,omitempty"`
}

// TensorReport is a value crossing a segment boundary.
type TensorReport struct {
	Name  string `json:"name"`
	DType string `json:"dtype"`
	Shape string `json:"shape"`
}

// NodeReport is one node of a segment.
type NodeReport struct {
	Name string `json:"name"`
	Op   string `json:"op"`
	// FromNode and FromOp name the exported node a lowering made this
	// node from (absent when the node is as exported).
	FromNode  string        `json:"from_node,omitempty"`
	FromOp    string        `json:"from_op,omitempty"`
	Converter *ConverterRef `json:"converter"`
	// Precision is the autocast pass's choice for a node computing on
	// float32 data ("fp16", "bf16", "fp32"), and PrecisionRule why ("" for
	// the default).
	Precision     string `json:"precision,omitempty"`
	PrecisionRule string `json:"precision_rule,omitempty"`
	// OpPlugin is the plugin file that defined the op (pkg/ops Def); empty
	// for ops trtc knows itself. In a fallback segment that plugin's kernel
	// runs the node.
	OpPlugin string `json:"op_plugin,omitempty"`
	// Rejected lists candidates tried before the winner (or all, for a
	// fallback node) with their reasons.
	Rejected []RejectionReport `json:"rejected,omitempty"`
}

// ConverterRef names the converter that took a node.
type ConverterRef struct {
	Name     string `json:"name"`
	Origin   string `json:"origin"`
	Priority string `json:"priority"`
}

// RejectionReport is one candidate's refusal.
type RejectionReport struct {
	Converter string `json:"converter"`
	Origin    string `json:"origin"`
	Reason    string `json:"reason"`
}

// UnsupportedReport is a node that falls back although it was not forced.
type UnsupportedReport struct {
	Node     string   `json:"node"`
	Op       string   `json:"op"`
	FromNode string   `json:"from_node,omitempty"`
	FromOp   string   `json:"from_op,omitempty"`
	Reasons  []string `json:"reasons"`
}

// from returns the exported node of a lowered node, or "" twice.
func from(n *ir.Node) (string, string) {
	name, op := n.Origin()
	if name == n.Name && op == n.Op {
		return "", ""
	}
	return name, op
}

// OpCount counts nodes of one op.
type OpCount struct {
	Op    string `json:"op"`
	Count int    `json:"count"`
}

// NodeRef names a node.
type NodeRef struct {
	Node     string `json:"node"`
	Op       string `json:"op"`
	FromNode string `json:"from_node,omitempty"`
	FromOp   string `json:"from_op,omitempty"`
}

// targetString is the settings' TensorRT target, "" when not yet resolved.
func targetString(s *conversion.Settings) string {
	if s == nil || s.TargetVersion == (network.Version{}) {
		return ""
	}
	return s.TargetVersion.String()
}

// BuildReport summarizes a compile.
func BuildReport(r *Result) *Report {
	p := r.Partition
	rep := &Report{
		Model: r.Model, Backend: r.Settings.Backend, TensorRTVersion: targetString(r.Settings),
		TotalNodes: len(p.Nodes), ConvertedNodes: p.Converted(), FoldedNodes: r.Folded,
		MinBlockSize: r.Settings.MinBlockSize, PinnedInputs: pinnedReports(r),
		Segments: []SegmentReport{}, Unsupported: []UnsupportedReport{},
		UnsupportedOps: []OpCount{}, ForcedFallback: []NodeRef{}, Recommendations: []string{},
	}
	rep.FallbackNodes = rep.TotalNodes - rep.ConvertedNodes
	if rep.TotalNodes > 0 {
		rep.CoveragePercent = float64(int(1000*float64(rep.ConvertedNodes)/float64(rep.TotalNodes)+0.5)) / 10
	} else {
		rep.CoveragePercent = 100
	}
	g := r.Graph
	decisions := map[string]precision.Decision{}
	if r.Precision != nil {
		for _, d := range r.Precision.Decisions {
			decisions[d.Node] = d
		}
	}
	rep.Precision = precisionReport(r)
	tensor := func(name string) TensorReport {
		v := g.Value(name)
		if v == nil {
			return TensorReport{Name: name}
		}
		return TensorReport{Name: name, DType: v.DType.String(), Shape: v.Shape.String()}
	}
	for i, seg := range p.Segments {
		sr := SegmentReport{Index: i, Kind: seg.Kind.String(), ComputeOps: seg.ComputeOps(),
			Inputs: []TensorReport{}, Outputs: []TensorReport{}}
		if e := r.Engines[seg]; e != nil {
			sr.Layers = e.Layers
			sr.Cache, sr.CacheKey = e.Cache, e.CacheKey
			if e.Cache == "reused" {
				rep.EnginesReused++
			}
			if rep.Precision != nil {
				sr.LayerPrecisions = layerPrecisions(r, e)
				for _, l := range sr.LayerPrecisions {
					if network.IsCompute(l.Type) && isFloatPrecision(l.Precision) {
						rep.Precision.ComputeLayers++
						if l.Precision != "fp32" {
							rep.Precision.LowLayers++
						}
					}
				}
			}
		}
		for _, in := range seg.Inputs {
			sr.Inputs = append(sr.Inputs, tensor(in))
		}
		for _, out := range seg.Outputs {
			sr.Outputs = append(sr.Outputs, tensor(out))
		}
		for j, n := range seg.Nodes {
			info := p.Info(n)
			nr := NodeReport{Name: n.Name, Op: n.Op}
			if op, ok := ops.Lookup(n.Op); ok && op.IsPlugin() {
				nr.OpPlugin = op.Origin
			}
			nr.FromNode, nr.FromOp = from(n)
			if d, ok := decisions[n.Name]; ok {
				nr.Precision, nr.PrecisionRule = d.Precision, d.Rule
			}
			for _, rj := range info.Decision.Rejected {
				nr.Rejected = append(nr.Rejected, RejectionReport{rj.Converter, rj.Origin, rj.Reason})
			}
			if seg.Kind == partition.Engine {
				c := seg.Converters[j]
				nr.Converter = &ConverterRef{Name: c.Name, Origin: c.Origin, Priority: c.Priority.String()}
			}
			sr.Nodes = append(sr.Nodes, nr)
		}
		rep.Segments = append(rep.Segments, sr)
	}
	opCounts := map[string]int{}
	exported := map[string]bool{} // exported node -> all its nodes converted
	for _, ni := range p.Nodes {
		name, _ := ni.Node.Origin()
		conv := ni.Decision.Converter != nil && !ni.Demoted && !ni.Decision.Forced
		if ok, seen := exported[name]; seen {
			exported[name] = ok && conv
		} else {
			exported[name] = conv
		}
		fn, fo := from(ni.Node)
		switch {
		case ni.Decision.Forced:
			rep.ForcedFallback = append(rep.ForcedFallback, NodeRef{ni.Node.Name, ni.Node.Op, fn, fo})
		case ni.Decision.Converter == nil || ni.Demoted:
			reasons := ni.Decision.Reasons()
			if ni.Demoted {
				reasons = []string{fmt.Sprintf("converter %s accepted it, but its engine segment had fewer than %d compute ops (--min-block-size)", ni.Decision.Converter.Name, r.Settings.MinBlockSize)}
			}
			rep.Unsupported = append(rep.Unsupported, UnsupportedReport{ni.Node.Name, ni.Node.Op, fn, fo, reasons})
			if !ni.Demoted {
				// Counted by the op the user exported, which is what
				// --fallback-ops and a plugin's target name.
				_, op := ni.Node.Origin()
				opCounts[op]++
			}
		}
	}
	rep.ExportedNodes = len(exported)
	for _, ok := range exported {
		if ok {
			rep.ExportedConverted++
		}
	}
	for _, op := range ir.SortedKeys(opCounts) {
		rep.UnsupportedOps = append(rep.UnsupportedOps, OpCount{op, opCounts[op]})
	}
	sort.SliceStable(rep.UnsupportedOps, func(i, j int) bool { return rep.UnsupportedOps[i].Count > rep.UnsupportedOps[j].Count })
	rep.Recommendations = recommend(r, rep)
	return rep
}

// FailureReport is the report of a compile that failed with err: what is
// known at the point it stopped. r is what CompileFile returned with the
// error (nil when the model did not parse).
func FailureReport(r *Result, model string, err error) *Report {
	if r != nil && r.Partition != nil {
		rep := BuildReport(r)
		rep.Error = err.Error()
		return rep
	}
	rep := &Report{Model: model, PinnedInputs: pinnedReports(r), Segments: []SegmentReport{}, Unsupported: []UnsupportedReport{},
		UnsupportedOps: []OpCount{}, ForcedFallback: []NodeRef{}, Recommendations: []string{}, Error: err.Error()}
	if r == nil || r.Graph == nil {
		return rep
	}
	if r.Settings != nil {
		rep.Backend, rep.MinBlockSize = r.Settings.Backend, r.Settings.MinBlockSize
		rep.TensorRTVersion = targetString(r.Settings)
	}
	rep.TotalNodes, rep.FoldedNodes = len(r.Graph.Nodes), r.Folded
	rep.ConvertedNodes = -1 // unknown unless the error says
	var (
		unsupported *UnsupportedOpsError
		full        *partition.FullCompilationError
	)
	opCounts := map[string]int{}
	switch {
	case errors.As(err, &unsupported):
		for _, op := range ir.SortedKeys(unsupported.Ops) {
			for _, n := range unsupported.Ops[op] {
				rep.Unsupported = append(rep.Unsupported, UnsupportedReport{Node: n, Op: op, Reasons: []string{"no converter and no CPU kernel for this op"}})
			}
			opCounts[op] = len(unsupported.Ops[op])
		}
	case errors.As(err, &full):
		for _, ni := range full.Nodes {
			fn, fo := from(ni.Node)
			if ni.Decision.Forced {
				rep.ForcedFallback = append(rep.ForcedFallback, NodeRef{ni.Node.Name, ni.Node.Op, fn, fo})
				continue
			}
			rep.Unsupported = append(rep.Unsupported, UnsupportedReport{ni.Node.Name, ni.Node.Op, fn, fo, ni.Decision.Reasons()})
			_, op := ni.Node.Origin() // by the exported op, as BuildReport counts
			opCounts[op]++
		}
		rep.ConvertedNodes = rep.TotalNodes - len(full.Nodes)
		rep.FallbackNodes = len(full.Nodes)
		if rep.TotalNodes > 0 {
			rep.CoveragePercent = float64(int(1000*float64(rep.ConvertedNodes)/float64(rep.TotalNodes)+0.5)) / 10
		}
	}
	if rep.ConvertedNodes < 0 {
		rep.ConvertedNodes = 0
	}
	for _, op := range ir.SortedKeys(opCounts) {
		rep.UnsupportedOps = append(rep.UnsupportedOps, OpCount{op, opCounts[op]})
	}
	sort.SliceStable(rep.UnsupportedOps, func(i, j int) bool { return rep.UnsupportedOps[i].Count > rep.UnsupportedOps[j].Count })
	for _, oc := range rep.UnsupportedOps {
		rep.Recommendations = append(rep.Recommendations, fmt.Sprintf("%s: %d node(s) have no converter; a converter for it (a plugin, see docs/custom-converters.md) would raise coverage", oc.Op, oc.Count))
	}
	return rep
}

func recommend(r *Result, rep *Report) []string {
	out := []string{}
	if d := r.Partition.DemotedSegments; len(d) > 0 {
		small := d[0]
		for _, k := range d {
			small = min(small, k)
		}
		out = append(out, fmt.Sprintf("%d engine segment(s) of %v compute ops ran as fallback because of --min-block-size %d; --min-block-size %d would keep them as engines (each engine boundary costs a device-host copy)",
			len(d), d, r.Settings.MinBlockSize, small))
	}
	for _, oc := range rep.UnsupportedOps {
		out = append(out, fmt.Sprintf("%s: %d node(s) fall back; a converter for it (a plugin, see docs/custom-converters.md) would raise coverage", oc.Op, oc.Count))
	}
	if len(rep.ForcedFallback) > 0 && len(out) == 0 {
		out = append(out, "forced fallback ops split the graph; drop --fallback-ops entries you do not need")
	}
	return out
}

// WriteText renders the report for people.
func (rep *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "model:      %s\n", rep.Model)
	fmt.Fprintf(w, "backend:    %s\n", rep.Backend)
	if rep.TensorRTVersion != "" {
		fmt.Fprintf(w, "tensorrt:   %s (the release the engines are built for)\n", rep.TensorRTVersion)
	}
	fmt.Fprintf(w, "nodes:      %d total, %d converted, %d fallback (coverage %.1f%%), %d folded at compile time\n",
		rep.TotalNodes, rep.ConvertedNodes, rep.FallbackNodes, rep.CoveragePercent, rep.FoldedNodes)
	if rep.ExportedNodes != rep.TotalNodes {
		fmt.Fprintf(w, "exported:   %d node(s) as exported, %d wholly in engines (lowering made %d)\n", rep.ExportedNodes, rep.ExportedConverted, rep.TotalNodes)
	}
	for _, pi := range rep.PinnedInputs {
		fmt.Fprintf(w, "pinned:     input %s (%s%s) = %v: every profile pins its value; compiled as a constant, run refuses other values\n", pi.Name, pi.DType, pi.Shape, pi.Values)
	}
	fmt.Fprintf(w, "segments:   %d (min block size %d)\n", len(rep.Segments), rep.MinBlockSize)
	for _, s := range rep.Segments {
		fmt.Fprintf(w, "\n  #%d %s: %d node(s), %d compute op(s)", s.Index, s.Kind, len(s.Nodes), s.ComputeOps)
		if s.Layers > 0 {
			fmt.Fprintf(w, ", %d layer(s)", s.Layers)
		}
		fmt.Fprintln(w)
		if len(s.LayerPrecisions) > 0 {
			counts := map[string]int{}
			for _, l := range s.LayerPrecisions {
				counts[l.Precision]++
			}
			var parts []string
			for _, p := range ir.SortedKeys(counts) {
				parts = append(parts, fmt.Sprintf("%s×%d", p, counts[p]))
			}
			fmt.Fprintf(w, "      layer precisions: %s (inspect --layers lists each)\n", strings.Join(parts, " "))
		}
		for _, t := range s.Inputs {
			fmt.Fprintf(w, "      in  %-24s %s%s\n", t.Name, t.DType, t.Shape)
		}
		for _, t := range s.Outputs {
			fmt.Fprintf(w, "      out %-24s %s%s\n", t.Name, t.DType, t.Shape)
		}
		if s.Kind == "fallback" || len(s.Nodes) <= 12 {
			for _, n := range s.Nodes {
				conv := ""
				if n.Converter != nil {
					conv = fmt.Sprintf("  <- %s [%s, %s]", n.Converter.Name, n.Converter.Priority, n.Converter.Origin)
				} else if n.OpPlugin != "" {
					conv = fmt.Sprintf("  (kernel of plugin %s)", n.OpPlugin)
				}
				fromText := ""
				if n.FromNode != "" {
					fromText = fmt.Sprintf("  (from %s, %s)", n.FromNode, n.FromOp)
				}
				if n.Precision != "" {
					fromText += " [" + n.Precision + "]"
				}
				fmt.Fprintf(w, "      %-28s %s%s%s\n", n.Name, n.Op, conv, fromText)
			}
		} else {
			counts := map[string]int{}
			for _, n := range s.Nodes {
				counts[n.Op]++
			}
			var parts []string
			for _, op := range ir.SortedKeys(counts) {
				parts = append(parts, fmt.Sprintf("%s×%d", strings.TrimPrefix(op, "onnx."), counts[op]))
			}
			fmt.Fprintf(w, "      ops: %s\n", strings.Join(parts, " "))
		}
	}
	if p := rep.Precision; p != nil {
		typing := "weakly typed: TensorRT builder flags"
		if p.StronglyTyped {
			typing = "strongly typed"
		}
		fmt.Fprintf(w, "\nprecision:  %s (%s)\n", strings.Join(p.Flags, ", "), typing)
		if p.Type != "" {
			fmt.Fprintf(w, "  autocast to %s: %d of %d float node(s) lowered, %d cast(s) inserted, %d weight(s) converted\n",
				p.Type, p.LoweredNodes, p.FloatNodes, p.Casts, p.Weights)
		}
		if p.ComputeLayers > 0 {
			fmt.Fprintf(w, "  compute layers: %d of %d in a reduced type (%.1f%%)\n", p.LowLayers, p.ComputeLayers,
				100*float64(p.LowLayers)/float64(p.ComputeLayers))
		}
		for _, k := range p.Kept {
			fmt.Fprintf(w, "  kept fp32: %s (%s): %s: %s\n", k.Node, k.Op, k.Rule, k.Detail)
		}
		for _, u := range p.Unmatched {
			fmt.Fprintf(w, "  --%s %q names nothing in the model; closest: %s\n", u.Flag, u.Name, strings.Join(u.Closest, ", "))
		}
		if p.ObserveError != "" {
			fmt.Fprintf(w, "  overflow rule incomplete: %s\n", p.ObserveError)
		}
	}
	if len(rep.UnsupportedOps) > 0 {
		fmt.Fprintln(w, "\nunsupported ops:")
		for _, oc := range rep.UnsupportedOps {
			fmt.Fprintf(w, "  %-28s %d node(s)\n", oc.Op, oc.Count)
		}
	}
	if len(rep.Unsupported) > 0 {
		fmt.Fprintln(w, "\nfallback nodes and why:")
		for _, u := range rep.Unsupported {
			if u.FromNode != "" {
				fmt.Fprintf(w, "  %s (%s), lowered from %s (%s)\n", u.Node, u.Op, u.FromNode, u.FromOp)
			} else {
				fmt.Fprintf(w, "  %s (%s)\n", u.Node, u.Op)
			}
			for _, r := range u.Reasons {
				fmt.Fprintf(w, "      - %s\n", r)
			}
		}
	}
	if len(rep.ForcedFallback) > 0 {
		fmt.Fprintln(w, "\nforced fallback (--fallback-ops):")
		for _, f := range rep.ForcedFallback {
			fmt.Fprintf(w, "  %s (%s)\n", f.Node, f.Op)
		}
	}
	var rejected []string
	for _, s := range rep.Segments {
		for _, n := range s.Nodes {
			if n.Converter != nil && len(n.Rejected) > 0 {
				for _, rj := range n.Rejected {
					rejected = append(rejected, fmt.Sprintf("  %s (%s): %s [%s] declined: %s; converted by %s", n.Name, n.Op, rj.Converter, rj.Origin, rj.Reason, n.Converter.Name))
				}
			}
		}
	}
	if len(rejected) > 0 {
		fmt.Fprintln(w, "\ncandidates that declined converted nodes:")
		for _, l := range rejected {
			fmt.Fprintln(w, l)
		}
	}
	if len(rep.Recommendations) > 0 {
		fmt.Fprintln(w, "\nrecommendations:")
		for _, r := range rep.Recommendations {
			fmt.Fprintf(w, "  - %s\n", r)
		}
	}
	if rep.Bundle != "" {
		fmt.Fprintf(w, "\nbundle:     %s\n", rep.Bundle)
	}
}
