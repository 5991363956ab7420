package compiler

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/graphio"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
	"github.com/trtc-dev/trtc/pkg/partition"
	"github.com/trtc-dev/trtc/pkg/version"
)

// logDecisions logs each node's decision at debug level and the totals
// (the capability stage) at info level.
func logDecisions(log zerolog.Logger, p *partition.Result, s *conversion.Settings) {
	converted, forced := 0, 0
	debug := log.Debug().Enabled()
	for _, ni := range p.Nodes {
		d := ni.Decision
		switch {
		case d.Forced:
			forced++
		case d.Converter != nil:
			converted++
		}
		if !debug {
			continue
		}
		ev := log.Debug().Str("stage", "capability").Str("node", ni.Node.Name).Str("op", ni.Node.Op)
		switch {
		case d.Forced:
			ev = ev.Str("decision", "fallback").Str("reason", "forced (--fallback-ops)")
		case d.Converter != nil:
			ev = ev.Str("decision", "converter").Str("converter", d.Converter.Name).Str("origin", d.Converter.Origin).
				Str("priority", d.Converter.Priority.String())
		default:
			ev = ev.Str("decision", "fallback").Strs("reasons", d.Reasons())
		}
		if len(d.Rejected) > 0 && d.Converter != nil {
			var rej []string
			for _, r := range d.Rejected {
				rej = append(rej, fmt.Sprintf("%s: %s", r.Converter, r.Reason))
			}
			ev = ev.Strs("declined", rej)
		}
		ev.Msg("node decision")
	}
	log.Info().Str("stage", "capability").Int("nodes", len(p.Nodes)).Int("with_converter", converted).
		Int("forced_fallback", forced).Int("without_converter", len(p.Nodes)-converted-forced).Msg("converters chosen")
}

// logPartition logs the partition stage.
func logPartition(log zerolog.Logger, p *partition.Result, elapsed time.Duration, round int) {
	engines, fallbacks := 0, 0
	for _, seg := range p.Segments {
		if seg.Kind == partition.Engine {
			engines++
		} else {
			fallbacks++
		}
	}
	log.Info().Str("stage", "partition").Int("round", round).Int("segments", len(p.Segments)).Int("engine_segments", engines).
		Int("fallback_segments", fallbacks).Int("converted_nodes", p.Converted()).Dur("elapsed_ms", elapsed).Msg("partitioned")
}

// EngineKey is the engine cache key of an engine segment: the sha256 of
// everything the built engine depends on:
//   - trtc itself: its version and the sha256 of the running executable
//     (converters are compiled in, so a rebuilt trtc never reuses an engine
//     an older build made), and each node's converter (name, origin,
//     priority, and a plugin's file sha256);
//   - the segment's graph: its nodes (name, op, attributes, inputs,
//     outputs), every value they touch (dtype, shape) and every constant's
//     bytes, serialized deterministically (graphio);
//   - the settings (input shape overrides, backend, and every other
//     field) and the build options (optimization profiles, workspace,
//     optimization level, hardware and version compatibility, and every
//     other field but the timing cache file, which changes how long a
//     build takes, not what it builds);
//   - the backend's library version (TensorRT's) and the target GPU's
//     compute capability.
func EngineKey(g *ir.Graph, seg *partition.Segment, be backend.Backend, opts Options) (string, error) {
	h := sha256.New()
	field := func(name string, v []byte) {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(v)))
		io.WriteString(h, name)
		h.Write(n[:])
		h.Write(v)
	}
	field("key-version", []byte("1"))
	field("trtc", []byte(version.Version))
	exe, err := executableSum()
	if err != nil {
		return "", err
	}
	field("executable", exe)
	field("backend", []byte(be.Name()))
	if vr, ok := be.(backend.VersionReporter); ok {
		v, err := vr.RuntimeVersion()
		if err != nil {
			return "", fmt.Errorf("backend version: %w", err)
		}
		field("backend-version", []byte(v))
	}
	field("compute-capability", []byte(opts.ComputeCapability))
	// The whole build options and settings, so that a field added later
	// (a precision, a new builder flag) is part of the key without anyone
	// remembering to add it; %#v prints maps in key order. The timing
	// cache's path changes how long a build takes, not what it builds.
	b := opts.Build
	b.TimingCache = ""
	field("build", fmt.Appendf(nil, "%#v", b))
	if opts.Settings != nil {
		// Partitioning settings decide which nodes form the segment, and
		// the segment's graph is in the key: they need not be.
		st := *opts.Settings
		st.MinBlockSize, st.FallbackOps, st.RequireFullCompilation = 0, nil, false
		field("settings", fmt.Appendf(nil, "%#v", st))
	}
	for i, n := range seg.Nodes {
		c := seg.Converters[i]
		field("converter", fmt.Appendf(nil, "%s|%s|%s|%s", n.Name, c.Name, c.Origin, c.Priority))
		if c.Origin != conversion.OriginBuiltin {
			sum, err := fileSHA256(c.Origin)
			if err != nil {
				return "", fmt.Errorf("plugin %s: %w", c.Origin, err)
			}
			field("plugin", sum)
		}
		// An op a Go plugin defined: its build decides the node's shapes
		// and, through a plugin layer's CPU equivalent, what a reference
		// engine computes.
		if op, ok := ops.Lookup(n.Op); ok && op.IsPlugin() {
			sum, err := fileSHA256(op.Origin)
			if err != nil {
				return "", fmt.Errorf("plugin %s: %w", op.Origin, err)
			}
			field("op-plugin", sum)
		}
	}
	// TensorRT plugin libraries register the creators plugin layers use.
	for _, l := range opts.TRTPluginLibs {
		sum, err := fileSHA256(l)
		if err != nil {
			return "", fmt.Errorf("--trt-plugin-lib %s: %w", l, err)
		}
		field("trt-plugin-lib", sum)
	}
	sub := ir.NewGraph(g.Name, g.Format)
	for k, v := range g.Opsets {
		sub.Opsets[k] = v
	}
	sub.Inputs, sub.Outputs = seg.Inputs, seg.Outputs
	for _, n := range seg.Nodes {
		sub.Nodes = append(sub.Nodes, n)
		for _, name := range append(append([]string{}, n.Inputs...), n.Outputs...) {
			if v := g.Value(name); v != nil {
				sub.Values[name] = v
			}
		}
	}
	for _, name := range seg.Inputs {
		if v := g.Value(name); v != nil {
			sub.Values[name] = v
		}
	}
	data, err := graphio.Marshal(sub, nil)
	if err != nil {
		return "", fmt.Errorf("segment graph: %w", err)
	}
	field("graph", data)
	return hex.EncodeToString(h.Sum(nil)), nil
}

var exeSum struct {
	once sync.Once
	sum  []byte
	err  error
}

// executableSum is the sha256 of the running program, computed once.
func executableSum() ([]byte, error) {
	exeSum.once.Do(func() {
		path, err := os.Executable()
		if err != nil {
			exeSum.err = fmt.Errorf("engine cache: finding trtc's executable: %w", err)
			return
		}
		exeSum.sum, exeSum.err = fileSHA256(path)
	})
	return exeSum.sum, exeSum.err
}
