package cli

import (
	"encoding/hex"
	"strings"

	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/ir"
	bundlepb "github.com/trtc-dev/trtc/proto/bundle"
)

// BundleSchema names the JSON form of `trtc inspect -o json BUNDLE`
// (docs/bundle-format.md documents it). The version after the slash
// changes only when a field is removed or changes meaning; new fields may
// be added within a version.
const BundleSchema = "trtc.inspect.bundle/1"

// BundleInfo is `inspect -o json` of a bundle: trtc's own schema, not the
// manifest's protobuf JSON. Hashes are hex, dtypes are names, sizes are
// JSON integers, and keys come in the order of these structs. Each part is
// its own type so that later fields (per-layer details, profile values)
// are added where they belong without changing what is here.
type BundleInfo struct {
	Schema        string        `json:"schema"`
	Bundle        string        `json:"bundle"`
	FormatVersion uint32        `json:"format_version"`
	TrtcVersion   string        `json:"trtc_version"`
	Source        SourceInfo    `json:"source"`
	Settings      SettingsInfo  `json:"settings"`
	Inputs        []BundleValue `json:"inputs"`
	Outputs       []BundleValue `json:"outputs"`
	Segments      []SegmentInfo `json:"segments"`
	// Plugins are the Go plugins whose ops the bundle uses.
	Plugins []PluginInfo `json:"plugins"`
	// TRTPluginLibs are the TensorRT plugin libraries its engines were
	// built with (--trt-plugin-lib).
	TRTPluginLibs []TRTPluginLibInfo `json:"trt_plugin_libs"`
	Blobs         []BlobInfo         `json:"blobs"`
}

// PluginInfo is a Go plugin a bundle records (docs/custom-ops.md).
type PluginInfo struct {
	Path         string   `json:"path"`
	ResolvedPath string   `json:"resolved_path"`
	BuildID      string   `json:"build_id"`
	SHA256       string   `json:"sha256"`
	FallbackOps  []string `json:"fallback_ops"`
	EngineOps    []string `json:"engine_ops"`
}

// TRTPluginLibInfo is a TensorRT plugin library a bundle records.
type TRTPluginLibInfo struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// SourceInfo is the model a bundle was compiled from.
type SourceInfo struct {
	Name   string `json:"name"`
	Format string `json:"format"` // "onnx", "aten"
	Size   uint64 `json:"size"`
	SHA256 string `json:"sha256"`
}

// SettingsInfo are the compile settings recorded in a bundle.
type SettingsInfo struct {
	Backend                string      `json:"backend"`
	TensorRTVersion        string      `json:"tensorrt_version"`
	MinBlockSize           int32       `json:"min_block_size"`
	FallbackOps            []string    `json:"fallback_ops"`
	RequireFullCompilation bool        `json:"require_full_compilation"`
	InputShapes            []ShapeInfo `json:"input_shapes"`
}

// ShapeInfo is a named shape: "shape" as trtc prints it ("[1x3xN]") and
// "dims" with each dim an integer size or a symbol name ("" for an unnamed
// dynamic dim).
type ShapeInfo struct {
	Name  string `json:"name"`
	Shape string `json:"shape"`
	Dims  []any  `json:"dims"`
}

// BundleValue is a graph input or output.
type BundleValue struct {
	Name   string      `json:"name"`
	DType  string      `json:"dtype"`
	Shape  string      `json:"shape"`
	Dims   []any       `json:"dims"`
	Ranges []RangeInfo `json:"ranges"`
}

// RangeInfo bounds a symbolic dim; a missing bound is null.
type RangeInfo struct {
	Symbol string `json:"symbol"`
	Min    *int64 `json:"min"`
	Max    *int64 `json:"max"`
}

// SegmentInfo is one segment; exactly one of Engine and Fallback is set,
// as Kind says.
type SegmentInfo struct {
	Index    int           `json:"index"`
	Kind     string        `json:"kind"` // "engine" or "fallback"
	Engine   *EngineInfo   `json:"engine,omitempty"`
	Fallback *FallbackInfo `json:"fallback,omitempty"`
}

// EngineInfo is an engine segment.
type EngineInfo struct {
	Backend  string        `json:"backend"`
	Blob     uint32        `json:"blob"`
	Target   TargetInfo    `json:"target"`
	Profiles []ProfileInfo `json:"profiles"`
	Bindings []BindingInfo `json:"bindings"`
	Nodes    []EngineNode  `json:"nodes"`
}

// TargetInfo is what an engine was built for.
type TargetInfo struct {
	Backend               string `json:"backend"`
	Version               string `json:"version"`
	ComputeCapability     string `json:"compute_capability"`
	HardwareCompatibility string `json:"hardware_compatibility"`
	VersionCompatible     bool   `json:"version_compatible"`
}

// ProfileInfo is one optimization profile.
type ProfileInfo struct {
	Index  int                `json:"index"`
	Inputs []ProfileInputInfo `json:"inputs"`
}

// ProfileInputInfo is one engine input's dims in a profile and, for a
// shape-tensor input, its values (empty lists otherwise).
type ProfileInputInfo struct {
	Tensor    string  `json:"tensor"`
	Min       []int64 `json:"min"`
	Opt       []int64 `json:"opt"`
	Max       []int64 `json:"max"`
	MinValues []int64 `json:"min_values"`
	OptValues []int64 `json:"opt_values"`
	MaxValues []int64 `json:"max_values"`
}

// BindingInfo binds a graph value to an engine tensor.
type BindingInfo struct {
	Value     string `json:"value"`
	Tensor    string `json:"tensor"`
	Direction string `json:"direction"` // "input" or "output"
	// ShapeTensor marks an engine input TensorRT reads as a shape tensor
	// (bound from host memory, with values in every profile).
	ShapeTensor bool `json:"shape_tensor"`
}

// EngineNode is a graph node converted into an engine.
type EngineNode struct {
	Name         string `json:"name"`
	Op           string `json:"op"`
	Converter    string `json:"converter"`
	Origin       string `json:"origin"`
	Priority     string `json:"priority"` // "standard" or "high"
	PluginSHA256 string `json:"plugin_sha256,omitempty"`
}

// FallbackInfo is a fallback segment.
type FallbackInfo struct {
	SubgraphBlob uint32         `json:"subgraph_blob"`
	Inputs       []string       `json:"inputs"`
	Outputs      []string       `json:"outputs"`
	Nodes        []FallbackNode `json:"nodes"`
	Constants    []ConstantInfo `json:"constants"`
}

// FallbackNode is a node run by trtc's CPU kernels.
type FallbackNode struct {
	Name string `json:"name"`
	Op   string `json:"op"`
}

// ConstantInfo is a constant a fallback segment reads, stored in a blob.
type ConstantInfo struct {
	Value string  `json:"value"`
	Blob  uint32  `json:"blob"`
	DType string  `json:"dtype"`
	Dims  []int64 `json:"dims"`
}

// BlobInfo is one blob of the file.
type BlobInfo struct {
	Index     int    `json:"index"`
	Kind      string `json:"kind"` // "engine", "subgraph", "constant"
	Offset    uint64 `json:"offset"`
	Length    uint64 `json:"length"`
	Alignment uint32 `json:"alignment"`
	SHA256    string `json:"sha256"`
}

func enumName(s, prefix string) string { return strings.ToLower(strings.TrimPrefix(s, prefix)) }

func dimsJSON(dims []*bundlepb.Dim) []any {
	out := make([]any, 0, len(dims))
	for _, d := range dims {
		if sym, ok := d.Kind.(*bundlepb.Dim_Symbol); ok {
			out = append(out, sym.Symbol)
		} else {
			out = append(out, d.GetSize())
		}
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// bundleInfo builds the JSON form of a manifest.
func bundleInfo(path string, m *bundlepb.Manifest) *BundleInfo {
	info := &BundleInfo{Schema: BundleSchema, Bundle: path, FormatVersion: m.FormatVersion, TrtcVersion: m.TrtcVersion,
		Inputs: []BundleValue{}, Outputs: []BundleValue{}, Segments: []SegmentInfo{}, Plugins: []PluginInfo{}, TRTPluginLibs: []TRTPluginLibInfo{}, Blobs: []BlobInfo{}}
	if s := m.Source; s != nil {
		info.Source = SourceInfo{Name: s.Name, Format: enumName(s.Format.String(), "MODEL_FORMAT_"), Size: s.Size, SHA256: hex.EncodeToString(s.Sha256)}
	}
	info.Settings = SettingsInfo{FallbackOps: []string{}, InputShapes: []ShapeInfo{}}
	if s := m.Settings; s != nil {
		info.Settings.Backend, info.Settings.MinBlockSize = s.Backend, s.MinBlockSize
		info.Settings.TensorRTVersion = s.TensorrtVersion
		info.Settings.FallbackOps = nonNil(s.FallbackOps)
		info.Settings.RequireFullCompilation = s.RequireFullCompilation
		for _, is := range s.InputShapes {
			info.Settings.InputShapes = append(info.Settings.InputShapes, ShapeInfo{Name: is.Name,
				Shape: compiler.ShapeFromProto(is.Dims).String(), Dims: dimsJSON(is.Dims)})
		}
	}
	values := func(vs []*bundlepb.GraphValue) []BundleValue {
		out := []BundleValue{}
		for _, v := range vs {
			bv := BundleValue{Name: v.Name, DType: ir.DType(v.Dtype).String(), Shape: compiler.ShapeFromProto(v.Dims).String(),
				Dims: dimsJSON(v.Dims), Ranges: []RangeInfo{}}
			for _, r := range v.Ranges {
				bv.Ranges = append(bv.Ranges, RangeInfo{Symbol: r.Symbol, Min: r.Min, Max: r.Max})
			}
			out = append(out, bv)
		}
		return out
	}
	info.Inputs, info.Outputs = values(m.Inputs), values(m.Outputs)
	for i, s := range m.Segments {
		si := SegmentInfo{Index: i}
		switch k := s.Kind.(type) {
		case *bundlepb.Segment_Engine:
			e := k.Engine
			si.Kind = "engine"
			ei := &EngineInfo{Backend: e.Backend, Blob: e.Blob, Profiles: []ProfileInfo{}, Bindings: []BindingInfo{}, Nodes: []EngineNode{}}
			if t := e.Target; t != nil {
				ei.Target = TargetInfo{Backend: t.Backend, Version: t.Version, ComputeCapability: t.ComputeCapability,
					HardwareCompatibility: t.HardwareCompatibility, VersionCompatible: t.VersionCompatible}
			}
			for pi, p := range e.Profiles {
				pinfo := ProfileInfo{Index: pi, Inputs: []ProfileInputInfo{}}
				for _, ps := range p.Inputs {
					pinfo.Inputs = append(pinfo.Inputs, ProfileInputInfo{Tensor: ps.Tensor, Min: nonNil(ps.Min), Opt: nonNil(ps.Opt), Max: nonNil(ps.Max),
						MinValues: nonNil(ps.MinValues), OptValues: nonNil(ps.OptValues), MaxValues: nonNil(ps.MaxValues)})
				}
				ei.Profiles = append(ei.Profiles, pinfo)
			}
			for _, b := range e.Bindings {
				ei.Bindings = append(ei.Bindings, BindingInfo{Value: b.Value, Tensor: b.Tensor, Direction: enumName(b.Direction.String(), "DIRECTION_"), ShapeTensor: b.ShapeTensor})
			}
			for _, n := range e.Nodes {
				en := EngineNode{Name: n.Name, Op: n.Op, Converter: n.Converter, Origin: n.Origin, Priority: enumName(n.Priority.String(), "PRIORITY_")}
				if len(n.PluginSha256) > 0 {
					en.PluginSHA256 = hex.EncodeToString(n.PluginSha256)
				}
				ei.Nodes = append(ei.Nodes, en)
			}
			si.Engine = ei
		case *bundlepb.Segment_Fallback:
			f := k.Fallback
			si.Kind = "fallback"
			fi := &FallbackInfo{SubgraphBlob: f.SubgraphBlob, Inputs: nonNil(f.Inputs), Outputs: nonNil(f.Outputs), Nodes: []FallbackNode{}, Constants: []ConstantInfo{}}
			for _, n := range f.Nodes {
				fi.Nodes = append(fi.Nodes, FallbackNode{Name: n.Name, Op: n.Op})
			}
			for _, c := range f.Constants {
				fi.Constants = append(fi.Constants, ConstantInfo{Value: c.Value, Blob: c.Blob, DType: ir.DType(c.Dtype).String(), Dims: nonNil(c.Dims)})
			}
			si.Fallback = fi
		}
		info.Segments = append(info.Segments, si)
	}
	for _, pl := range m.Plugins {
		info.Plugins = append(info.Plugins, PluginInfo{Path: pl.Path, ResolvedPath: pl.ResolvedPath, BuildID: pl.BuildId,
			SHA256: hex.EncodeToString(pl.Sha256), FallbackOps: nonNil(pl.FallbackOps), EngineOps: nonNil(pl.EngineOps)})
	}
	for _, l := range m.TrtPluginLibs {
		info.TRTPluginLibs = append(info.TRTPluginLibs, TRTPluginLibInfo{Path: l.Path, SHA256: hex.EncodeToString(l.Sha256)})
	}
	for i, b := range m.Blobs {
		info.Blobs = append(info.Blobs, BlobInfo{Index: i, Kind: enumName(b.Kind.String(), "BLOB_KIND_"), Offset: b.Offset,
			Length: b.Length, Alignment: b.Alignment, SHA256: hex.EncodeToString(b.Sha256)})
	}
	return info
}
