package ops

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// Resize (opset 10: inputs X, scales; from 11: X, roi, scales, sizes, and
// from 18 an "axes" attribute the roi, scales and sizes refer to) and
// Upsample (opset 7: a "scales" attribute; 9: a scales input), which is
// Resize with asymmetric coordinates and nearest rounding down.

func init() {
	Register(Op{Key: "onnx.Resize", Infer: inferResize, Run: runResize})
	Register(Op{Key: "onnx.Upsample", Infer: inferResize, Run: runResize})
}

// ResizeArgs are a Resize node's resolved settings for one input shape.
type ResizeArgs struct {
	Spec kernels.ResizeSpec
	// Out are the output dims (static input) and Scales the per-dim scales
	// the coordinate transformation uses (nil: out/in).
	Out    []int64
	Scales []float64
	// FromSizes says the node gave sizes (else scales).
	FromSizes bool
}

// ResizeSpecOf reads a Resize or Upsample node's attributes.
func ResizeSpecOf(n *ir.Node) (kernels.ResizeSpec, error) {
	var spec kernels.ResizeSpec
	var err error
	if spec.Mode, err = kernels.ParseResizeMode(n.AttrString("mode", "nearest")); err != nil {
		return spec, err
	}
	if n.OpType() == "Upsample" || resizeOpset10(n) {
		spec.Coord, spec.Nearest = kernels.CoordAsymmetric, kernels.RoundFloor
		return spec, nil
	}
	if spec.Coord, err = kernels.ParseResizeCoord(n.AttrString("coordinate_transformation_mode", "half_pixel")); err != nil {
		return spec, err
	}
	if spec.Nearest, err = kernels.ParseNearestRound(n.AttrString("nearest_mode", "round_prefer_floor")); err != nil {
		return spec, err
	}
	spec.Antialias = n.AttrInt("antialias", 0) != 0
	spec.CubicA = float64(n.AttrFloat("cubic_coeff_a", -0.75))
	spec.ExcludeOutside = n.AttrInt("exclude_outside", 0) != 0
	spec.Extrapolation = float64(n.AttrFloat("extrapolation_value", 0))
	switch p := n.AttrString("keep_aspect_ratio_policy", "stretch"); p {
	case "stretch", "not_larger", "not_smaller":
	default:
		return spec, fmt.Errorf("unknown keep_aspect_ratio_policy %q", p)
	}
	return spec, nil
}

// resizeOpset10 tells the opset-10 form (X, scales) from later ones, where
// scales is input 2 and a node has at least 3 inputs.
func resizeOpset10(n *ir.Node) bool { return n.OpType() == "Resize" && len(n.Inputs) == 2 }

// resizeInputs returns the roi, scales and sizes inputs' indices.
func resizeInputs(n *ir.Node) (roi, scales, sizes int) {
	if n.OpType() == "Upsample" || resizeOpset10(n) {
		return -1, 1, -1
	}
	return 1, 2, 3
}

// ResizeResolve computes a node's output dims and scales for a static
// input shape from the constant values of roi, scales and sizes (nil when
// absent or empty).
func ResizeResolve(n *ir.Node, in []int64, roi, scales, sizes []float64) (*ResizeArgs, error) {
	spec, err := ResizeSpecOf(n)
	if err != nil {
		return nil, err
	}
	rank := len(in)
	axes := make([]int, rank)
	for i := range axes {
		axes[i] = i
	}
	if n.HasAttr("axes") {
		if axes, err = normAxes(n.AttrInts("axes", nil), rank); err != nil {
			return nil, err
		}
	}
	if n.OpType() == "Upsample" && n.HasAttr("scales") {
		for _, f := range n.AttrFloats("scales", nil) {
			scales = append(scales, float64(f))
		}
	}
	a := &ResizeArgs{Spec: spec, Out: append([]int64{}, in...)}
	if spec.Coord == kernels.CoordTFCropAndResize {
		spec.Roi = make([]float64, 2*rank)
		for d := range rank {
			spec.Roi[rank+d] = 1
		}
		if roi != nil {
			if len(roi) != 2*len(axes) {
				return nil, fmt.Errorf("roi has %d values; want %d", len(roi), 2*len(axes))
			}
			for i, d := range axes {
				spec.Roi[d], spec.Roi[rank+d] = roi[i], roi[len(axes)+i]
			}
		}
		a.Spec = spec
	}
	switch {
	case sizes != nil && scales != nil:
		return nil, fmt.Errorf("scales and sizes are both given; exactly one may be")
	case scales != nil:
		if len(scales) != len(axes) {
			return nil, fmt.Errorf("%d scales for %d axes", len(scales), len(axes))
		}
		a.Scales = make([]float64, rank)
		for d := range a.Scales {
			a.Scales[d] = 1
		}
		for i, d := range axes {
			if !(scales[i] > 0) || math.IsInf(scales[i], 0) {
				return nil, fmt.Errorf("scale %v of axis %d must be a finite positive number", scales[i], d)
			}
			// The output dim must be a size trtc can hold: refuse it
			// here rather than at run time.
			if out := float64(in[d]) * scales[i]; out >= 1<<48 {
				return nil, fmt.Errorf("scale %v makes axis %d of size %d into %g elements", scales[i], d, in[d], out)
			}
			a.Scales[d] = scales[i]
		}
		a.Out = kernels.ResizeOutDims(in, a.Scales)
	case sizes != nil:
		if len(sizes) != len(axes) {
			return nil, fmt.Errorf("%d sizes for %d axes", len(sizes), len(axes))
		}
		a.FromSizes = true
		policy := n.AttrString("keep_aspect_ratio_policy", "stretch")
		if policy == "stretch" {
			for i, d := range axes {
				if sizes[i] < 0 {
					return nil, fmt.Errorf("size %v is negative", sizes[i])
				}
				a.Out[d] = int64(sizes[i])
			}
			return a, nil
		}
		// One scale for every axis keeps the aspect ratio.
		s := math.Inf(1)
		if policy == "not_smaller" {
			s = math.Inf(-1)
		}
		for i, d := range axes {
			r := sizes[i] / float64(in[d])
			if policy == "not_larger" {
				s = math.Min(s, r)
			} else {
				s = math.Max(s, r)
			}
		}
		a.Scales = make([]float64, rank)
		for d := range a.Scales {
			a.Scales[d] = 1
		}
		for _, d := range axes {
			a.Scales[d] = s
			a.Out[d] = int64(math.Round(s * float64(in[d])))
		}
	default:
		return nil, fmt.Errorf("neither scales nor sizes is given")
	}
	return a, nil
}

// resizeFloats returns a present, non-empty input's values.
func resizeFloats(t *ir.Tensor) []float64 {
	if t == nil || t.Numel() == 0 {
		return nil
	}
	return t.Floats()
}

func inferResize(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	if _, err := ResizeSpecOf(n); err != nil {
		return nil, err
	}
	x := in[0]
	ri, si, zi := resizeInputs(n)
	get := func(i int) *ir.Value {
		if i >= 0 && i < len(in) {
			return in[i]
		}
		return nil
	}
	consts := func(i int) ([]float64, bool) {
		v := get(i)
		if v == nil {
			return nil, true
		}
		if v.Const == nil {
			if dims, ok := v.Shape.Ints(); ok && ir.Numel(dims) == 0 {
				return nil, true
			}
			return nil, false
		}
		return resizeFloats(v.Const), true
	}
	roi, okR := consts(ri)
	scales, okS := consts(si)
	sizes, okZ := consts(zi)
	dims, static := x.Shape.Ints()
	if okR && okS && okZ && static {
		a, err := ResizeResolve(n, dims, roi, scales, sizes)
		if err != nil {
			return nil, err
		}
		return out1(x.DType, ir.S(a.Out...)), nil
	}
	out := unknownDims(len(x.Shape))
	if okS && scales != nil && !n.HasAttr("axes") && len(scales) == len(x.Shape) {
		for d, s := range scales {
			if !(s > 0) || math.IsInf(s, 0) {
				return nil, fmt.Errorf("scale %v of axis %d must be a finite positive number", s, d)
			}
			if x.Shape[d].Static() && float64(x.Shape[d].Size)*s >= 1<<48 {
				return nil, fmt.Errorf("scale %v makes axis %d of size %d into %g elements", s, d, x.Shape[d].Size, float64(x.Shape[d].Size)*s)
			}
			if s == 1 {
				out[d] = x.Shape[d]
			} else if x.Shape[d].Static() {
				out[d] = ir.D(int64(math.Floor(float64(x.Shape[d].Size) * s)))
			}
		}
	}
	if z := get(zi); z != nil && !n.HasAttr("axes") && n.AttrString("keep_aspect_ratio_policy", "stretch") == "stretch" {
		if sd, ok := ShapeDataOf(z); ok && len(sd) == len(x.Shape) {
			out = sd.Clone()
		}
	}
	return out1(x.DType, out), nil
}

func runResize(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	ri, si, zi := resizeInputs(n)
	get := func(i int) *ir.Tensor {
		if i >= 0 && i < len(in) {
			return in[i]
		}
		return nil
	}
	x := in[0]
	a, err := ResizeResolve(n, x.Shape, resizeFloats(get(ri)), resizeFloats(get(si)), resizeFloats(get(zi)))
	if err != nil {
		return nil, err
	}
	return t1(kernels.Resize(x, a.Out, a.Scales, a.Spec))
}
