package tensorrt

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// inputSpec is an engine input as the network declared it.
type inputSpec struct {
	Name  string
	Shape ir.Shape
}

func dynamic(s ir.Shape) bool {
	for _, d := range s {
		if !d.Static() {
			return true
		}
	}
	return false
}

// resolveProfiles turns the user's profiles (by graph input name) into this
// engine's: one entry per dynamic engine input, per profile. An engine
// input the user did not name (an engine segment that starts inside the
// graph) takes each dynamic dim's range from a named input whose dim has
// the same symbol. Names that are not inputs of this engine are left to the
// engines that have them. TensorRT needs every dynamic input in every
// profile, so anything still unknown is an error that says what to pass.
// The values of shape-tensor inputs (MinValues, ...) are kept for this
// engine's inputs; the shim refuses a shape-tensor input without them.
func resolveProfiles(inputs []inputSpec, profiles []backend.Profile) ([]backend.Profile, error) {
	var dyn []inputSpec
	valued := false
	for _, in := range inputs {
		if dynamic(in.Shape) {
			dyn = append(dyn, in)
		}
		for _, p := range profiles {
			_, ok := p.MinValues[in.Name]
			valued = valued || ok
		}
	}
	if len(dyn) == 0 && !valued {
		return nil, nil
	}
	if len(profiles) == 0 {
		in := dyn[0]
		return nil, fmt.Errorf("engine input %q has dynamic shape %v: give its range with --min-shapes, --opt-shapes and --max-shapes (e.g. %s:%s)",
			in.Name, in.Shape, in.Name, exampleDims(in.Shape))
	}
	out := make([]backend.Profile, len(profiles))
	for pi, p := range profiles {
		syms := map[string][3]int64{}
		symFrom := map[string]string{}
		for _, in := range inputs {
			mn, ok := p.Min[in.Name]
			if !ok {
				continue
			}
			r, err := profileRange(pi, in, mn, p.Opt[in.Name], p.Max[in.Name])
			if err != nil {
				return nil, err
			}
			for i, d := range in.Shape {
				if d.Static() || d.Sym == "" {
					continue
				}
				if prev, ok := syms[d.Sym]; ok && prev != r[i] {
					return nil, fmt.Errorf("profile %d: dim %s is %d..%d..%d in input %q but %d..%d..%d in input %q",
						pi, d.Sym, r[i][0], r[i][1], r[i][2], in.Name, prev[0], prev[1], prev[2], symFrom[d.Sym])
				}
				syms[d.Sym], symFrom[d.Sym] = r[i], in.Name
			}
		}
		res := backend.Profile{Min: map[string][]int64{}, Opt: map[string][]int64{}, Max: map[string][]int64{}}
		for _, in := range inputs {
			mn, ok := p.MinValues[in.Name]
			if !ok {
				continue
			}
			op, mx := p.OptValues[in.Name], p.MaxValues[in.Name]
			if len(op) != len(mn) || len(mx) != len(mn) || len(mn) == 0 {
				return nil, fmt.Errorf("profile %d: shape-tensor input %q has %d min, %d opt and %d max values", pi, in.Name, len(mn), len(op), len(mx))
			}
			for i := range mn {
				if mn[i] > op[i] || op[i] > mx[i] {
					return nil, fmt.Errorf("profile %d: shape-tensor input %q value %d: want min <= opt <= max, got %d, %d, %d", pi, in.Name, i, mn[i], op[i], mx[i])
				}
			}
			if res.MinValues == nil {
				res.MinValues, res.OptValues, res.MaxValues = map[string][]int64{}, map[string][]int64{}, map[string][]int64{}
			}
			res.MinValues[in.Name], res.OptValues[in.Name], res.MaxValues[in.Name] = clone(mn), clone(op), clone(mx)
		}
		for _, in := range dyn {
			if mn, ok := p.Min[in.Name]; ok {
				res.Min[in.Name], res.Opt[in.Name], res.Max[in.Name] = clone(mn), clone(p.Opt[in.Name]), clone(p.Max[in.Name])
				continue
			}
			var mn, op, mx []int64
			for i, d := range in.Shape {
				r, ok := [3]int64{d.Size, d.Size, d.Size}, true
				if !d.Static() {
					r, ok = syms[d.Sym]
				}
				if !ok || d.Sym == "" && !d.Static() {
					return nil, fmt.Errorf("profile %d: engine input %q (shape %v) is not named in --min-shapes, and no named input has a dim %s to take dim %d's range from: name %q in --min-shapes, --opt-shapes and --max-shapes",
						pi, in.Name, in.Shape, symName(d), i, in.Name)
				}
				mn, op, mx = append(mn, r[0]), append(op, r[1]), append(mx, r[2])
			}
			res.Min[in.Name], res.Opt[in.Name], res.Max[in.Name] = mn, op, mx
		}
		out[pi] = res
	}
	return out, nil
}

// profileRange checks one named input's min/opt/max against its declared
// shape and returns the range per dim.
func profileRange(pi int, in inputSpec, mn, op, mx []int64) ([][3]int64, error) {
	if op == nil || mx == nil {
		return nil, fmt.Errorf("profile %d: input %q has --min-shapes but no --opt-shapes or --max-shapes entry", pi, in.Name)
	}
	r := len(in.Shape)
	if len(mn) != r || len(op) != r || len(mx) != r {
		return nil, fmt.Errorf("profile %d: input %q has rank %d (shape %v), but its profile dims are %v, %v, %v", pi, in.Name, r, in.Shape, mn, op, mx)
	}
	out := make([][3]int64, r)
	for i, d := range in.Shape {
		if mn[i] < 0 || mn[i] > op[i] || op[i] > mx[i] {
			return nil, fmt.Errorf("profile %d: input %q dim %d: want 0 <= min <= opt <= max, got %d, %d, %d", pi, in.Name, i, mn[i], op[i], mx[i])
		}
		if d.Static() && (mn[i] != d.Size || mx[i] != d.Size) {
			return nil, fmt.Errorf("profile %d: input %q dim %d is fixed at %d by the model, but the profile gives %d..%d", pi, in.Name, i, d.Size, mn[i], mx[i])
		}
		out[i] = [3]int64{mn[i], op[i], mx[i]}
	}
	return out, nil
}

func symName(d ir.Dim) string {
	if d.Sym == "" {
		return "(unnamed)"
	}
	return d.Sym
}

func exampleDims(s ir.Shape) string {
	b := []byte{}
	for i, d := range s {
		if i > 0 {
			b = append(b, 'x')
		}
		v := d.Size
		if !d.Static() {
			v = 1
		}
		b = fmt.Appendf(b, "%d", v)
	}
	return string(b)
}

func clone(s []int64) []int64 { return append([]int64(nil), s...) }
