package compiler

import (
	"crypto/sha256"
	"fmt"
	"github.com/trtc-dev/trtc/internal/safefile"
	"io"
	"path/filepath"
	"slices"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/bundle"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/graphio"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
	"github.com/trtc-dev/trtc/pkg/partition"
	"github.com/trtc-dev/trtc/pkg/version"
	bundlepb "github.com/trtc-dev/trtc/proto/bundle"
)

// WriteBundle writes a compiled model to path atomically: engines as engine
// blobs, each fallback segment as a subgraph blob (nodes and boundary
// values) plus one constant blob per constant it reads.
func WriteBundle(r *Result, model, path string) error {
	src, err := sourceInfo(model, r.Graph.Format)
	if err != nil {
		return err
	}
	plugins, err := pluginRecords(r)
	if err != nil {
		return err
	}
	var libs []*bundlepb.TrtPluginLibrary
	for _, l := range r.TRTPluginLibs {
		sum, err := fileSHA256(l)
		if err != nil {
			return fmt.Errorf("--trt-plugin-lib %s: %w", l, err)
		}
		libs = append(libs, &bundlepb.TrtPluginLibrary{Path: l, Sha256: sum})
	}
	w, err := bundle.Create(path)
	if err != nil {
		return err
	}
	m := &bundlepb.Manifest{
		Plugins:       plugins,
		TrtPluginLibs: libs,
		FormatVersion: bundle.FormatVersion,
		TrtcVersion:   version.Version,
		Source:        src,
		Settings:      settingsProto(r.Settings),
		Inputs:        valuesProto(r.Graph, r.Graph.Inputs),
		Outputs:       valuesProto(r.Graph, r.Graph.Outputs),
	}
	if err := addSegments(w, m, r); err != nil {
		w.Abort()
		return fmt.Errorf("writing bundle %s: %w", path, err)
	}
	return w.Commit(m)
}

func addSegments(w *bundle.Writer, m *bundlepb.Manifest, r *Result) error {
	g := r.Graph
	for _, seg := range r.Partition.Segments {
		if seg.Kind == partition.Engine {
			e := r.Engines[seg]
			idx, err := w.AddBlob(bundlepb.BlobKind_BLOB_KIND_ENGINE, e.Blob)
			if err != nil {
				return err
			}
			es := &bundlepb.EngineSegment{
				Backend: e.Target.Backend, Blob: idx,
				Target: &bundlepb.BuildTarget{Backend: e.Target.Backend, Version: e.Target.Version,
					ComputeCapability: e.Target.ComputeCapability, HardwareCompatibility: e.Target.HardwareCompat,
					VersionCompatible: e.Target.VersionCompatible},
			}
			es.Profiles = profilesProto(e.Target.Profiles, seg.Inputs)
			for _, in := range seg.Inputs {
				es.Bindings = append(es.Bindings, &bundlepb.Binding{Value: in, Tensor: in, Direction: bundlepb.Direction_DIRECTION_INPUT,
					ShapeTensor: slices.Contains(e.Target.ShapeInputs, in)})
			}
			for _, out := range seg.Outputs {
				es.Bindings = append(es.Bindings, &bundlepb.Binding{Value: out, Tensor: out, Direction: bundlepb.Direction_DIRECTION_OUTPUT})
			}
			for i, n := range seg.Nodes {
				c := seg.Converters[i]
				cn := &bundlepb.ConvertedNode{Name: n.Name, Op: n.Op, Converter: c.Name, Origin: c.Origin}
				if c.Priority == conversion.High {
					cn.Priority = bundlepb.Priority_PRIORITY_HIGH
				}
				if c.Origin != conversion.OriginBuiltin {
					if sum, err := fileSHA256(c.Origin); err == nil {
						cn.PluginSha256 = sum
					}
				}
				es.Nodes = append(es.Nodes, cn)
			}
			m.Segments = append(m.Segments, &bundlepb.Segment{Kind: &bundlepb.Segment_Engine{Engine: es}})
			continue
		}
		fs := &bundlepb.FallbackSegment{Inputs: seg.Inputs, Outputs: seg.Outputs}
		sub := ir.NewGraph(g.Name, g.Format)
		for k, v := range g.Opsets {
			sub.Opsets[k] = v
		}
		sub.Inputs, sub.Outputs = seg.Inputs, seg.Outputs
		for _, n := range seg.Nodes {
			sub.Nodes = append(sub.Nodes, n)
			fs.Nodes = append(fs.Nodes, &bundlepb.FallbackNode{Name: n.Name, Op: n.Op})
			for _, name := range append(append([]string{}, n.Inputs...), n.Outputs...) {
				if v := g.Value(name); v != nil && v.Const == nil {
					sub.Values[name] = v
				}
			}
		}
		for _, name := range seg.Constants {
			v := g.Value(name)
			idx, err := w.AddBlob(bundlepb.BlobKind_BLOB_KIND_CONSTANT, v.Const.Data)
			if err != nil {
				return err
			}
			fs.Constants = append(fs.Constants, &bundlepb.Constant{Value: name, Blob: idx,
				Dtype: int32(v.Const.DType), Dims: v.Const.Shape})
		}
		data, err := graphio.Marshal(sub, nil)
		if err != nil {
			return err
		}
		if fs.SubgraphBlob, err = w.AddBlob(bundlepb.BlobKind_BLOB_KIND_SUBGRAPH, data); err != nil {
			return err
		}
		m.Segments = append(m.Segments, &bundlepb.Segment{Kind: &bundlepb.Segment_Fallback{Fallback: fs}})
	}
	return nil
}

// pluginRecords lists the plugins whose op definitions the compiled graph
// uses, with the ops each segment kind needs from them.
func pluginRecords(r *Result) ([]*bundlepb.Plugin, error) {
	var out []*bundlepb.Plugin
	byPath := map[string]*bundlepb.Plugin{}
	seen := map[string]bool{}
	for _, seg := range r.Partition.Segments {
		for _, n := range seg.Nodes {
			op, ok := ops.Lookup(n.Op)
			if !ok || !op.IsPlugin() {
				continue
			}
			key := fmt.Sprint(seg.Kind == partition.Engine, n.Op)
			if seen[key] {
				continue
			}
			seen[key] = true
			rec := byPath[op.Origin]
			if rec == nil {
				id, err := conversion.PluginIdentity(op.Origin)
				if err != nil {
					return nil, fmt.Errorf("recording the plugin of op %s: %w", n.Op, err)
				}
				rec = &bundlepb.Plugin{Path: conversion.GivenPath(op.Origin), ResolvedPath: op.Origin, BuildId: id.BuildID, Sha256: id.SHA256}
				byPath[op.Origin] = rec
				out = append(out, rec)
			}
			if seg.Kind == partition.Engine {
				rec.EngineOps = append(rec.EngineOps, n.Op)
			} else {
				rec.FallbackOps = append(rec.FallbackOps, n.Op)
			}
		}
	}
	return out, nil
}

func sourceInfo(model, format string) (*bundlepb.SourceModel, error) {
	f, _, err := safefile.Open(model)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return nil, fmt.Errorf("hashing %s: %w", model, err)
	}
	mf := bundlepb.ModelFormat_MODEL_FORMAT_ONNX
	if format == "aten" {
		mf = bundlepb.ModelFormat_MODEL_FORMAT_ATEN
	}
	return &bundlepb.SourceModel{Name: filepath.Base(model), Sha256: h.Sum(nil), Format: mf, Size: uint64(n)}, nil
}

func fileSHA256(path string) ([]byte, error) {
	f, _, err := safefile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

func settingsProto(s *conversion.Settings) *bundlepb.Settings {
	p := &bundlepb.Settings{MinBlockSize: int32(s.MinBlockSize), FallbackOps: s.FallbackOps,
		RequireFullCompilation: s.RequireFullCompilation, Backend: s.Backend}
	if s.TargetVersion != (network.Version{}) {
		p.TensorrtVersion = s.TargetVersion.String()
	}
	for _, name := range ir.SortedKeys(s.InputShapes) {
		p.InputShapes = append(p.InputShapes, &bundlepb.InputShape{Name: name, Dims: DimsProto(s.InputShapes[name])})
	}
	return p
}

// DimsProto converts a shape to manifest dims.
func DimsProto(s ir.Shape) []*bundlepb.Dim {
	out := make([]*bundlepb.Dim, len(s))
	for i, d := range s {
		if d.Static() {
			out[i] = &bundlepb.Dim{Kind: &bundlepb.Dim_Size{Size: d.Size}}
		} else {
			out[i] = &bundlepb.Dim{Kind: &bundlepb.Dim_Symbol{Symbol: d.Sym}}
		}
	}
	return out
}

// ShapeFromProto converts manifest dims back to a shape.
func ShapeFromProto(dims []*bundlepb.Dim) ir.Shape {
	s := make(ir.Shape, len(dims))
	for i, d := range dims {
		if sym, ok := d.Kind.(*bundlepb.Dim_Symbol); ok {
			s[i] = ir.Sym(sym.Symbol)
		} else {
			s[i] = ir.D(d.GetSize())
		}
	}
	return s
}

func valuesProto(g *ir.Graph, names []string) []*bundlepb.GraphValue {
	var out []*bundlepb.GraphValue
	for _, name := range names {
		v := g.Value(name)
		gv := &bundlepb.GraphValue{Name: name, Dtype: int32(v.DType), Dims: DimsProto(v.Shape)}
		for _, sym := range ir.SortedKeys(v.Min) {
			mn := v.Min[sym]
			sr := &bundlepb.SymbolRange{Symbol: sym, Min: &mn}
			if mx, ok := v.Max[sym]; ok {
				sr.Max = &mx
			}
			gv.Ranges = append(gv.Ranges, sr)
		}
		for _, sym := range ir.SortedKeys(v.Max) {
			if _, done := v.Min[sym]; !done {
				mx := v.Max[sym]
				gv.Ranges = append(gv.Ranges, &bundlepb.SymbolRange{Symbol: sym, Max: &mx})
			}
		}
		out = append(out, gv)
	}
	return out
}

// profilesProto records the optimization profiles an engine was built with,
// one entry per engine input each names (dims, or a shape-tensor input's
// values), in the segment's input order.
func profilesProto(ps []backend.Profile, inputs []string) []*bundlepb.OptimizationProfile {
	var out []*bundlepb.OptimizationProfile
	for _, p := range ps {
		op := &bundlepb.OptimizationProfile{}
		for _, in := range inputs {
			mn, dims := p.Min[in]
			mv, vals := p.MinValues[in]
			if !dims && !vals {
				continue
			}
			s := &bundlepb.ProfileShape{Tensor: in}
			if dims {
				s.Min, s.Opt, s.Max = mn, p.Opt[in], p.Max[in]
			}
			if vals {
				s.MinValues, s.OptValues, s.MaxValues = mv, p.OptValues[in], p.MaxValues[in]
			}
			op.Inputs = append(op.Inputs, s)
		}
		out = append(out, op)
	}
	return out
}
