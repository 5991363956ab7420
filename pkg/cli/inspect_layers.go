package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/bundle"
	"github.com/trtc-dev/trtc/pkg/network"
	bundlepb "github.com/trtc-dev/trtc/proto/bundle"
)

// LayersInfo is `inspect BUNDLE --layers -o json`: every engine segment's
// layers, as the engine's backend describes them (network.LayerInfo).
type LayersInfo struct {
	Segments []SegmentLayers `json:"segments"`
}

// SegmentLayers is one engine segment of LayersInfo; Index is its index in
// the bundle's segment list (fallback segments included).
type SegmentLayers struct {
	Index  int                 `json:"index"`
	Kind   string              `json:"kind"`
	Layers []network.LayerInfo `json:"layers"`
}

// bundleLayers describes the layers of every engine segment of b.
func bundleLayers(b *bundle.Bundle) (*LayersInfo, error) {
	info := &LayersInfo{Segments: []SegmentLayers{}}
	for i, s := range b.Manifest().GetSegments() {
		e := s.GetEngine()
		if e == nil {
			continue
		}
		layers, err := backend.DescribeLayers(e.GetBackend(), b.Blob(int(e.GetBlob())))
		if err != nil {
			return nil, fmt.Errorf("segment %d: %w", i, err)
		}
		info.Segments = append(info.Segments, SegmentLayers{Index: i, Kind: "engine", Layers: layers})
	}
	return info, nil
}

func inspectLayers(opts *InspectOptions, b *bundle.Bundle) error {
	info, err := bundleLayers(b)
	if err != nil {
		return withCode(ExitInput, fmt.Errorf("%s: %w", opts.Path, err))
	}
	if opts.Output == "json" {
		return writeJSON(opts.IO.Out, info)
	}
	writeLayersText(opts.IO.Out, info)
	return nil
}

// writeLayersText prints layers the way Polygraphy's `inspect model --show
// layers` does: a header per engine, then per layer its index, name and
// type and the precision it computes in (network.LayerPrecision), its
// inputs, its outputs after "->", and its parameters.
func writeLayersText(w io.Writer, info *LayersInfo) {
	for _, s := range info.Segments {
		fmt.Fprintf(w, "Segment %d (engine) ---- %d Layer(s) ----\n", s.Index, len(s.Layers))
		for i, l := range s.Layers {
			fmt.Fprintf(w, "    Layer %-4d | %s [Op: %s] [Precision: %s]\n", i, l.Name, l.Type, l.Precision)
			fmt.Fprintf(w, "        {%s}\n", tensorsText(l.Inputs))
			fmt.Fprintf(w, "         -> {%s}\n", tensorsText(l.Outputs))
			if len(l.Params) > 0 {
				fmt.Fprintf(w, "        params: %s\n", paramsText(l.Params))
			}
		}
	}
}

func tensorsText(ts []network.TensorInfo) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		dims := make([]string, len(t.Shape))
		for j, d := range t.Shape {
			dims[j] = fmt.Sprint(d)
		}
		shape := "(" + strings.Join(dims, ", ") + ")"
		if len(t.Shape) == 1 {
			shape = "(" + dims[0] + ",)"
		}
		extra := ""
		if t.ShapeTensor {
			extra = ", shape tensor"
		}
		parts[i] = fmt.Sprintf("%s [dtype=%s, shape=%s%s]", t.Name, t.DType, shape, extra)
	}
	return strings.Join(parts, ",\n         ")
}

func paramsText(p map[string]any) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v, _ := json.Marshal(p[k])
		parts[i] = k + "=" + string(v)
	}
	return strings.Join(parts, " ")
}

// writeProfiles prints an engine segment's optimization profiles under
// its line of `inspect`: per profile, each input's min/opt/max dims, and a
// shape-tensor input's min/opt/max values.
func writeProfiles(w io.Writer, e *bundlepb.EngineSegment) {
	for j, p := range e.GetProfiles() {
		fmt.Fprintf(w, "    profile %d:\n", j)
		for _, s := range p.GetInputs() {
			if len(s.GetMin()) > 0 {
				fmt.Fprintf(w, "      %s dims min %s opt %s max %s\n", s.GetTensor(), dimsText(s.GetMin()), dimsText(s.GetOpt()), dimsText(s.GetMax()))
			}
			if len(s.GetMinValues()) > 0 {
				fmt.Fprintf(w, "      %s values min %v opt %v max %v\n", s.GetTensor(), s.GetMinValues(), s.GetOptValues(), s.GetMaxValues())
			}
		}
	}
}

func dimsText(d []int64) string {
	parts := make([]string, len(d))
	for i, v := range d {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, "x")
}
