package backend

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// ProfileInput is an engine input as a backend's network declared it, for
// ResolveProfiles. ShapeTensor marks an input that the network uses as a
// shape tensor (ITensor::isShapeTensor once the network is complete); Use
// names the layer that needs its values, for messages.
type ProfileInput struct {
	Name        string
	DType       ir.DType
	Shape       ir.Shape
	ShapeTensor bool
	Use         string
}

// ShapeInputError is an engine input used as a shape tensor whose values a
// profile does not give. TensorRT refuses to build such a network
// (IOptimizationProfile::setShapeValues "must be called three times for
// every input tensor t that is a shape tensor"). Node is the graph node
// whose layer needs the values, when the backend knows it, so that the
// compiler can move that node to fallback.
type ShapeInputError struct {
	Input   string
	Layer   string
	Node    string
	Profile int // -1: no profile was given at all
	Example string
}

func (e *ShapeInputError) Error() string {
	where := "no optimization profile was given"
	if e.Profile >= 0 {
		where = fmt.Sprintf("profile %d does not give its values", e.Profile)
	}
	return fmt.Sprintf("engine input %q is a shape tensor (layer %s needs its values) and %s: TensorRT needs the min, opt and max values of every shape-tensor input in every profile (IOptimizationProfile::setShapeValues); give them as --min-shapes/--opt-shapes/--max-shapes %s:%s, as trtexec takes them",
		e.Input, e.Layer, where, e.Input, e.Example)
}

// ResolveOptions say how strict ResolveProfiles is for one backend.
type ResolveOptions struct {
	// RequireDynamic makes a dynamic input without a range an error
	// (TensorRT); otherwise it gets no entry (the reference backend runs
	// any size there).
	RequireDynamic bool
	// Int64Values allows shape-tensor values outside int32: TensorRT
	// 10.11 and later take int64 values (setShapeValuesV2); earlier
	// releases only setShapeValues' int32.
	Int64Values bool
}

// ResolveProfiles turns the user's profiles (by graph input name) into one
// engine's, as TensorRT's IOptimizationProfile needs them:
//
//   - a dynamic input gets min/opt/max dims in every profile: its own entry
//     of Min/Opt/Max, or, for an engine input the user could not name (a
//     segment that starts inside the graph), each dynamic dim's range from
//     a named input whose dim has the same symbol;
//   - a shape-tensor input gets min/opt/max values in every profile: its
//     entry of MinValues/OptValues/MaxValues, or, trtexec's way, its entry
//     of Min/Opt/Max read as the value list ("name:2x3" is [2, 3] for a
//     shape tensor). It has one value per element (1 for a 0-D input), and
//     each value fits int32 (setShapeValues) unless o.Int64Values.
//
// Names that are not inputs of this engine are left to the engines that
// have them. A dynamic input that has no range (no profiles at all, or an
// inner input with a dim no named input shares) is an error only when
// requireDynamic is set (TensorRT needs one; the reference backend runs any
// size there); a shape-tensor input without values always is.
func ResolveProfiles(inputs []ProfileInput, profiles []Profile, o ResolveOptions) ([]Profile, error) {
	requireDynamic := o.RequireDynamic
	var dyn, shapeIn []ProfileInput
	for _, in := range inputs {
		switch {
		case in.ShapeTensor:
			shapeIn = append(shapeIn, in)
		case dynamicShape(in.Shape):
			dyn = append(dyn, in)
		}
	}
	if len(dyn) == 0 && len(shapeIn) == 0 {
		return nil, nil
	}
	if len(profiles) == 0 {
		if len(shapeIn) > 0 {
			in := shapeIn[0]
			return nil, &ShapeInputError{Input: in.Name, Layer: in.Use, Profile: -1, Example: exampleValues(in)}
		}
		if !requireDynamic {
			return nil, nil
		}
		in := dyn[0]
		return nil, fmt.Errorf("engine input %q has dynamic shape %v: give its range with --min-shapes, --opt-shapes and --max-shapes (e.g. %s:%s)",
			in.Name, in.Shape, in.Name, exampleDims(in.Shape))
	}
	out := make([]Profile, len(profiles))
	for pi, p := range profiles {
		syms := map[string][3]int64{}
		symFrom := map[string]string{}
		for _, in := range inputs {
			mn, ok := p.Min[in.Name]
			if !ok || in.ShapeTensor {
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
		res := Profile{Min: map[string][]int64{}, Opt: map[string][]int64{}, Max: map[string][]int64{}}
		for _, in := range dyn {
			if mn, ok := p.Min[in.Name]; ok {
				res.Min[in.Name], res.Opt[in.Name], res.Max[in.Name] = slices.Clone(mn), slices.Clone(p.Opt[in.Name]), slices.Clone(p.Max[in.Name])
				continue
			}
			var mn, op, mx []int64
			unresolved := false
			for i, d := range in.Shape {
				r, ok := [3]int64{d.Size, d.Size, d.Size}, true
				if !d.Static() {
					r, ok = syms[d.Sym]
				}
				if (!ok || d.Sym == "" && !d.Static()) && !requireDynamic {
					unresolved = true // runs any size, as without profiles
					break
				}
				if !ok || d.Sym == "" && !d.Static() {
					sym := d.Sym
					if sym == "" {
						sym = "(unnamed)"
					}
					return nil, fmt.Errorf("profile %d: engine input %q (shape %v) is not named in --min-shapes, and no named input has a dim %s to take dim %d's range from: name %q in --min-shapes, --opt-shapes and --max-shapes",
						pi, in.Name, in.Shape, sym, i, in.Name)
				}
				mn, op, mx = append(mn, r[0]), append(op, r[1]), append(mx, r[2])
			}
			if !unresolved {
				res.Min[in.Name], res.Opt[in.Name], res.Max[in.Name] = mn, op, mx
			}
		}
		for _, in := range shapeIn {
			mn, op, mx, ok := p.values(in.Name)
			if !ok {
				return nil, &ShapeInputError{Input: in.Name, Layer: in.Use, Profile: pi, Example: exampleValues(in)}
			}
			if err := checkValues(pi, in, mn, op, mx, o.Int64Values); err != nil {
				return nil, err
			}
			if res.MinValues == nil {
				res.MinValues, res.OptValues, res.MaxValues = map[string][]int64{}, map[string][]int64{}, map[string][]int64{}
			}
			res.MinValues[in.Name], res.OptValues[in.Name], res.MaxValues[in.Name] = slices.Clone(mn), slices.Clone(op), slices.Clone(mx)
		}
		out[pi] = res
	}
	return out, nil
}

// values are a shape-tensor input's min/opt/max values: MinValues..., or
// Min... read as values.
func (p Profile) values(name string) (mn, op, mx []int64, ok bool) {
	if mn, ok := p.MinValues[name]; ok {
		return mn, p.OptValues[name], p.MaxValues[name], true
	}
	if mn, ok := p.Min[name]; ok {
		return mn, p.Opt[name], p.Max[name], true
	}
	return nil, nil, nil, false
}

func checkValues(pi int, in ProfileInput, mn, op, mx []int64, int64Values bool) error {
	n := int(ir.Numel(dimsOrZero(in.Shape)))
	if len(mn) != n || len(op) != n || len(mx) != n {
		return fmt.Errorf("profile %d: shape-tensor input %q (shape %v) has %d value(s), but its min/opt/max values are %v, %v, %v [TensorRT: IOptimizationProfile::setShapeValues, nbValues \"must equal the number of shape tensor elements\"]",
			pi, in.Name, in.Shape, n, mn, op, mx)
	}
	for i := range mn {
		if mn[i] > op[i] || op[i] > mx[i] {
			return fmt.Errorf("profile %d: shape-tensor input %q value %d: want min <= opt <= max, got %d, %d, %d [TensorRT: IOptimizationProfile::setShapeValues]", pi, in.Name, i, mn[i], op[i], mx[i])
		}
		for _, v := range []int64{mn[i], op[i], mx[i]} {
			if !int64Values && (v < math.MinInt32 || v > math.MaxInt32) {
				return fmt.Errorf("profile %d: shape-tensor input %q value %d is %d, outside int32, which the target TensorRT release (before 10.11, without setShapeValuesV2) needs [TensorRT: IOptimizationProfile::setShapeValues, \"the values used to set the minimum, optimum, and maximum values must fit in int32_t\"]", pi, in.Name, i, v)
			}
		}
	}
	return nil
}

// profileRange checks one named input's min/opt/max against its declared
// shape (IOptimizationProfile::setDimensions' three conditions) and returns
// the range per dim.
func profileRange(pi int, in ProfileInput, mn, op, mx []int64) ([][3]int64, error) {
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

// CheckProfileShape checks a bound input against one profile, as
// IExecutionContext::setInputShape and a shape-tensor input's values are
// checked by TensorRT: every dim (or value) within [min, max]. It returns
// nil when the profile does not name the input.
func CheckProfileShape(pi int, p Profile, name string, t *ir.Tensor, shapeTensor bool) error {
	if shapeTensor {
		mn, _, mx, ok := p.values(name)
		if !ok {
			return nil
		}
		// Read no more elements than the profile has values (a
		// malformed blob or manifest must not make this read a large
		// tensor, nor index past the shorter list).
		n := min(len(mn), len(mx), int(min(t.Numel(), math.MaxInt32)))
		for i := 0; i < n; i++ {
			if v := t.Int(i); v < mn[i] || v > mx[i] {
				return &ProfileError{Input: name, Profile: pi, Index: i, Got: v, Min: mn[i], Max: mx[i], Values: true}
			}
		}
		return nil
	}
	mn, ok := p.Min[name]
	if !ok {
		return nil
	}
	mx := p.Max[name]
	for i := 0; i < min(len(t.Shape), len(mn), len(mx)); i++ {
		if d := t.Shape[i]; d < mn[i] || d > mx[i] {
			return &ProfileError{Input: name, Profile: pi, Index: i, Got: d, Min: mn[i], Max: mx[i]}
		}
	}
	return nil
}

// ProfileError is an input outside an optimization profile: a dim (or, for
// a shape-tensor input, a value) out of the profile's [min, max].
type ProfileError struct {
	Input         string
	Profile       int
	Index         int
	Got, Min, Max int64
	Values        bool // a shape-tensor input's value, not a dim
}

func (e *ProfileError) Error() string {
	what := "dim"
	if e.Values {
		what = "shape-tensor value"
	}
	return fmt.Sprintf("input %q: %s %d is %d, outside optimization profile %d's range [%d, %d]", e.Input, what, e.Index, e.Got, e.Profile, e.Min, e.Max)
}

func dynamicShape(s ir.Shape) bool {
	for _, d := range s {
		if !d.Static() {
			return true
		}
	}
	return false
}

func dimsOrZero(s ir.Shape) []int64 {
	out := make([]int64, len(s))
	for i, d := range s {
		out[i] = d.Size
	}
	return out
}

func exampleDims(s ir.Shape) string {
	var b strings.Builder
	for i, d := range s {
		if i > 0 {
			b.WriteByte('x')
		}
		v := d.Size
		if !d.Static() {
			v = 1
		}
		fmt.Fprintf(&b, "%d", v)
	}
	return b.String()
}

// exampleValues is a placeholder value list of the right length.
func exampleValues(in ProfileInput) string {
	n := int(ir.Numel(dimsOrZero(in.Shape)))
	parts := make([]string, max(n, 1))
	for i := range parts {
		parts[i] = "1"
	}
	return strings.Join(parts, "x")
}
