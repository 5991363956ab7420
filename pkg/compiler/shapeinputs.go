package compiler

import (
	"maps"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/partition"
)

// Shape-tensor values crossing a segment boundary. The partitioner keeps
// shape computations in the engine that uses them where it can; where it
// cannot (the value is computed by a fallback node, or read by two
// engines), the value is an engine input that the engine uses as a shape
// tensor, and TensorRT needs its min/opt/max values in every profile. The
// user can name it in --min/--opt/--max-shapes; otherwise they are derived
// here from what shape inference knows of the value (Value.ShapeData: each
// element a constant or a symbolic dim) and the profile's range of each
// symbol, taken from the graph inputs' profile dims. An input the backend
// does not treat as a shape tensor ignores the values. Where neither gives
// them, the backend refuses the network (backend.ShapeInputError) and the
// compiler moves the node that needs the values to fallback.

// segmentBuildOptions returns opts with derived values for the segment's
// inputs that carry shape data.
func segmentBuildOptions(g *ir.Graph, seg *partition.Segment, opts backend.BuildOptions) backend.BuildOptions {
	if len(opts.Profiles) == 0 {
		return opts
	}
	out := opts
	out.Profiles = make([]backend.Profile, len(opts.Profiles))
	for pi, p := range opts.Profiles {
		ranges := symbolRanges(g, p)
		np := p
		np.MinValues, np.OptValues, np.MaxValues = cloneOrNew(p.MinValues), cloneOrNew(p.OptValues), cloneOrNew(p.MaxValues)
		for _, in := range seg.Inputs {
			if _, named := p.Min[in]; named {
				continue
			}
			if _, named := p.MinValues[in]; named {
				continue
			}
			v := g.Value(in)
			if v == nil || v.ShapeData == nil || (v.DType != ir.Int32 && v.DType != ir.Int64) || len(v.Shape) > 1 {
				continue
			}
			mn, op, mx, ok := deriveValues(v.ShapeData, ranges)
			if !ok {
				continue
			}
			np.MinValues[in], np.OptValues[in], np.MaxValues[in] = mn, op, mx
		}
		out.Profiles[pi] = np
	}
	return out
}

func cloneOrNew(m map[string][]int64) map[string][]int64 {
	if m == nil {
		return map[string][]int64{}
	}
	return maps.Clone(m)
}

// symbolRanges maps each symbolic dim of the graph inputs to its
// min/opt/max under profile p.
func symbolRanges(g *ir.Graph, p backend.Profile) map[string][3]int64 {
	out := map[string][3]int64{}
	for _, name := range g.Inputs {
		v := g.Value(name)
		mn, ok := p.Min[name]
		if v == nil || !ok || len(mn) != len(v.Shape) || len(p.Opt[name]) != len(mn) || len(p.Max[name]) != len(mn) {
			continue
		}
		for i, d := range v.Shape {
			if !d.Static() && d.Sym != "" {
				out[d.Sym] = [3]int64{mn[i], p.Opt[name][i], p.Max[name][i]}
			}
		}
	}
	return out
}

// deriveValues gives the min/opt/max of each element of shape data.
func deriveValues(data ir.Shape, ranges map[string][3]int64) (mn, op, mx []int64, ok bool) {
	for _, d := range data {
		r := [3]int64{d.Size, d.Size, d.Size}
		if !d.Static() {
			if r, ok = ranges[d.Sym]; !ok || d.Sym == "" {
				return nil, nil, nil, false
			}
		}
		mn, op, mx = append(mn, r[0]), append(op, r[1]), append(mx, r[2])
	}
	return mn, op, mx, true
}
