package compiler

import (
	"fmt"
	"math"
	"slices"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Value-pinned inputs. TensorRT takes some operands only at build time
// (reduce axes, resize scales, slice starts, split sizes, TopK's k, ...);
// a model that feeds one from a graph input cannot put that node in an
// engine. But when every optimization profile pins the input's value
// (min = opt = max), any other value is outside every profile and refused
// at run time, so the value is fixed: the compiler specializes on it. The
// input becomes a constant for converters and folding, the bundle records
// the value (GraphValue.pinned_values) and run refuses any other value with
// exit 3, naming the input, as it refuses an out-of-profile shape.
//
// An input qualifies when it is int32 or int64, of rank 0 or 1, and every
// profile gives its values with min = opt = max, the same in every
// profile. Values come from a profile's MinValues/OptValues/MaxValues
// entry, or, trtexec's way, from its Min/Opt/Max entry when the model fixes
// the input's shape and the list has one number per element (the dims of
// such an input are fixed by the model and need no profile, so the list
// can only be its values).

// PinnedInput is a graph input whose value every profile pins.
type PinnedInput struct {
	Name  string
	Value *ir.Tensor
}

// pinnedValues returns the value every profile pins for input v, if any.
func pinnedValues(v *ir.Value, profiles []backend.Profile) ([]int64, bool) {
	if len(profiles) == 0 || (v.DType != ir.Int32 && v.DType != ir.Int64) || len(v.Shape) > 1 {
		return nil, false
	}
	var pin []int64
	for i, p := range profiles {
		mn, op, mx, ok := profileValues(v, p)
		if !ok || !slices.Equal(mn, op) || !slices.Equal(mn, mx) || (i > 0 && !slices.Equal(mn, pin)) {
			return nil, false
		}
		pin = mn
	}
	return pin, true
}

func profileValues(v *ir.Value, p backend.Profile) (mn, op, mx []int64, ok bool) {
	if mn, ok := p.MinValues[v.Name]; ok {
		return mn, p.OptValues[v.Name], p.MaxValues[v.Name], true
	}
	dims, static := v.Shape.Ints()
	if mn, ok := p.Min[v.Name]; ok && static && int64(len(mn)) == ir.Numel(dims) {
		return mn, p.Opt[v.Name], p.Max[v.Name], true
	}
	return nil, nil, nil, false
}

// pinnedShape is the pinned input's shape: the model's, or, where it is
// dynamic, the profile's fixed dims, or the value list's length.
func pinnedShape(v *ir.Value, n int, p backend.Profile) ([]int64, error) {
	if dims, ok := v.Shape.Ints(); ok {
		if ir.Numel(dims) != int64(n) {
			return nil, fmt.Errorf("graph input %q (shape %v) has %d element(s), but every profile pins it to %d value(s)", v.Name, v.Shape, ir.Numel(dims), n)
		}
		return dims, nil
	}
	if mn, ok := p.Min[v.Name]; ok && slices.Equal(mn, p.Max[v.Name]) && len(mn) == len(v.Shape) && ir.Numel(mn) == int64(n) {
		if _, hasValues := p.MinValues[v.Name]; hasValues {
			return slices.Clone(mn), nil
		}
	}
	if len(v.Shape) == 0 {
		if n != 1 {
			return nil, fmt.Errorf("graph input %q is a scalar, but every profile pins it to %d values", v.Name, n)
		}
		return []int64{}, nil
	}
	return []int64{int64(n)}, nil
}

// PinInputs makes each graph input whose value every profile pins a
// constant, folds what that makes constant, and returns the pinned inputs
// in graph input order.
func PinInputs(g *ir.Graph, profiles []backend.Profile) ([]PinnedInput, int, error) {
	var out []PinnedInput
	for _, name := range g.Inputs {
		v := g.Value(name)
		if v == nil || v.Const != nil {
			continue
		}
		vals, ok := pinnedValues(v, profiles)
		if !ok {
			continue
		}
		dims, err := pinnedShape(v, len(vals), profiles[0])
		if err != nil {
			return nil, 0, err
		}
		t, err := ir.NewTensorChecked(fmt.Sprintf("pinned input %q", name), v.DType, dims)
		if err != nil {
			return nil, 0, err
		}
		for i, x := range vals {
			if v.DType == ir.Int32 {
				if x < math.MinInt32 || x > math.MaxInt32 {
					return nil, 0, fmt.Errorf("graph input %q is int32, but the profiles pin its value %d to %d", name, i, x)
				}
				ir.View[int32](t)[i] = int32(x)
			} else {
				ir.View[int64](t)[i] = x
			}
		}
		v.Const, v.Shape = t, ir.S(dims...)
		out = append(out, PinnedInput{Name: name, Value: t})
	}
	if len(out) == 0 {
		return nil, 0, nil
	}
	folded, err := ops.Propagate(g, true)
	if err != nil {
		return nil, 0, fmt.Errorf("with pinned inputs: %w", err)
	}
	if err := CheckGraph(g); err != nil {
		return nil, 0, err
	}
	return out, folded, nil
}
