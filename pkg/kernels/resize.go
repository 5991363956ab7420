package kernels

import (
	"fmt"
	"github.com/trtc-dev/trtc/internal/sizes"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Resize interpolates a tensor to new dims, one axis at a time (nearest,
// linear and cubic interpolation are separable, so this equals ONNX's N-D
// definition). Axis d maps output coordinate x to an input coordinate by
// the coordinate transformation with scale s[d] (the requested scale, or
// out/in when only sizes are given) and then samples it.

// ResizeMode is the interpolation.
type ResizeMode int

const (
	ResizeNearest ResizeMode = iota
	ResizeLinear
	ResizeCubic
)

// ResizeCoord is the coordinate transformation (ONNX's names).
type ResizeCoord int

const (
	CoordHalfPixel ResizeCoord = iota
	CoordAsymmetric
	CoordAlignCorners
	CoordPytorchHalfPixel
	CoordHalfPixelSymmetric
	CoordTFCropAndResize
)

// NearestRound is how nearest mode rounds a fractional coordinate.
type NearestRound int

const (
	RoundPreferFloor NearestRound = iota // half down
	RoundPreferCeil                      // half up
	RoundFloor
	RoundCeil
)

// ResizeSpec is everything but the sizes.
type ResizeSpec struct {
	Mode           ResizeMode
	Coord          ResizeCoord
	Nearest        NearestRound
	CubicA         float64 // default -0.75 when 0
	ExcludeOutside bool
	// Extrapolation is the value of tf_crop_and_resize samples outside the
	// input; Roi holds its starts then ends, one pair per dim.
	Extrapolation float64
	Roi           []float64
	// Antialias widens the linear or cubic filter by 1/scale when
	// downsampling (ONNX Resize-18 antialias=1).
	Antialias bool
}

var resizeCoordNames = map[string]ResizeCoord{
	"half_pixel": CoordHalfPixel, "asymmetric": CoordAsymmetric, "align_corners": CoordAlignCorners,
	"pytorch_half_pixel": CoordPytorchHalfPixel, "half_pixel_symmetric": CoordHalfPixelSymmetric,
	"tf_crop_and_resize": CoordTFCropAndResize,
}

var nearestNames = map[string]NearestRound{
	"round_prefer_floor": RoundPreferFloor, "round_prefer_ceil": RoundPreferCeil, "floor": RoundFloor, "ceil": RoundCeil,
}

// ParseResizeMode reads ONNX's mode ("nearest", "linear" or "bilinear"
// (Upsample-7), "cubic").
func ParseResizeMode(s string) (ResizeMode, error) {
	switch s {
	case "", "nearest":
		return ResizeNearest, nil
	case "linear", "bilinear":
		return ResizeLinear, nil
	case "cubic":
		return ResizeCubic, nil
	}
	return 0, fmt.Errorf("unknown resize mode %q (want nearest, linear or cubic)", s)
}

// ParseResizeCoord reads ONNX's coordinate_transformation_mode.
func ParseResizeCoord(s string) (ResizeCoord, error) {
	if c, ok := resizeCoordNames[s]; ok {
		return c, nil
	}
	return 0, fmt.Errorf("unknown coordinate_transformation_mode %q", s)
}

// ParseNearestRound reads ONNX's nearest_mode.
func ParseNearestRound(s string) (NearestRound, error) {
	if r, ok := nearestNames[s]; ok {
		return r, nil
	}
	return 0, fmt.Errorf("unknown nearest_mode %q", s)
}

// ResizeCoordinate maps output index x of an axis with in input and out
// output elements and scale s to an input coordinate. ok is false where
// tf_crop_and_resize samples outside the input.
func ResizeCoordinate(x int64, in, out int64, s float64, c ResizeCoord, roiStart, roiEnd float64) (float64, bool) {
	xf, n := float64(x), float64(in)
	outW := s * n // ONNX uses the unrounded output length
	switch c {
	case CoordAsymmetric:
		return xf / s, true
	case CoordAlignCorners:
		if outW == 1 {
			return 0, true
		}
		return xf * (n - 1) / (outW - 1), true
	case CoordPytorchHalfPixel:
		if out == 1 {
			return 0, true
		}
		return (xf+0.5)/s - 0.5, true
	case CoordHalfPixelSymmetric:
		adj := float64(out) / outW
		off := n / 2 * (1 - adj)
		return off + (xf+0.5)/s - 0.5, true
	case CoordTFCropAndResize:
		var v float64
		if out > 1 {
			v = roiStart*(n-1) + xf*(roiEnd-roiStart)*(n-1)/float64(out-1)
		} else {
			v = 0.5 * (roiStart + roiEnd) * (n - 1)
		}
		return v, v >= 0 && v <= n-1
	}
	return (xf+0.5)/s - 0.5, true
}

// NearestIndex rounds a coordinate by r and clamps it into [0, in).
func NearestIndex(v float64, in int64, r NearestRound) int64 {
	var j float64
	switch {
	case v == math.Floor(v):
		j = v
	case r == RoundFloor:
		j = math.Floor(v)
	case r == RoundCeil:
		j = math.Ceil(v)
	case r == RoundPreferCeil:
		j = math.Floor(v + 0.5)
	default:
		j = math.Ceil(v - 0.5)
	}
	return min(max(int64(j), 0), in-1)
}

// taps are one output position's input indices and weights (-1: the
// extrapolation value).
type taps struct {
	idx []int64
	w   []float64
}

func axisTaps(in, out int64, s float64, spec ResizeSpec, roiStart, roiEnd float64) []taps {
	a := spec.CubicA
	if a == 0 {
		a = -0.75
	}
	ts := make([]taps, out)
	for x := range out {
		v, ok := ResizeCoordinate(x, in, out, s, spec.Coord, roiStart, roiEnd)
		if !ok {
			ts[x] = taps{idx: []int64{-1}, w: []float64{1}}
			continue
		}
		if spec.Antialias && spec.Mode != ResizeNearest && s < 1 {
			ts[x] = antialiasTaps(v, in, s, a, spec)
			continue
		}
		switch spec.Mode {
		case ResizeNearest:
			ts[x] = taps{idx: []int64{NearestIndex(v, in, spec.Nearest)}, w: []float64{1}}
		case ResizeLinear:
			f := math.Floor(v)
			r := v - f
			i0 := int64(f)
			ts[x] = taps{idx: []int64{clampIdx(i0, in), clampIdx(i0+1, in)}, w: []float64{1 - r, r}}
		case ResizeCubic:
			f := math.Floor(v)
			r := v - f
			i0 := int64(f)
			t := taps{}
			sum := 0.0
			for k := int64(-1); k <= 2; k++ {
				w := cubicWeight(float64(k)-r, a)
				j := i0 + k
				if spec.ExcludeOutside && (j < 0 || j >= in) {
					w = 0
				}
				t.idx = append(t.idx, clampIdx(j, in))
				t.w = append(t.w, w)
				sum += w
			}
			if spec.ExcludeOutside && sum != 0 {
				for i := range t.w {
					t.w[i] /= sum
				}
			}
			ts[x] = t
		}
	}
	return ts
}

// antialiasTaps spreads the filter over 1/s input pixels: weight
// f((j - v) * s) for every j the stretched support reaches, normalized.
func antialiasTaps(v float64, in int64, s, a float64, spec ResizeSpec) taps {
	support := 1.0
	if spec.Mode == ResizeCubic {
		support = 2
	}
	lo, hi := int64(math.Floor(v-support/s)), int64(math.Ceil(v+support/s))
	t := taps{}
	sum := 0.0
	for j := lo; j <= hi; j++ {
		d := (float64(j) - v) * s
		var w float64
		if spec.Mode == ResizeCubic {
			w = cubicWeight(d, a)
		} else {
			w = max(0, 1-math.Abs(d))
		}
		if w == 0 || spec.ExcludeOutside && (j < 0 || j >= in) {
			continue
		}
		t.idx = append(t.idx, clampIdx(j, in))
		t.w = append(t.w, w)
		sum += w
	}
	for i := range t.w {
		t.w[i] /= sum
	}
	return t
}

func clampIdx(j, n int64) int64 { return min(max(j, 0), n-1) }

// cubicWeight is Keys' cubic convolution kernel with coefficient a at
// distance d.
func cubicWeight(d, a float64) float64 {
	d = math.Abs(d)
	switch {
	case d <= 1:
		return ((a+2)*d-(a+3))*d*d + 1
	case d < 2:
		return ((a*d-5*a)*d+8*a)*d - 4*a
	}
	return 0
}

// ResizeOutDims returns floor(in * scale) per dim.
func ResizeOutDims(in []int64, scales []float64) []int64 {
	out := make([]int64, len(in))
	for d, n := range in {
		out[d] = int64(math.Floor(float64(n) * scales[d]))
	}
	return out
}

// Resize resizes t to out dims. scales are the per-dim scales the
// coordinate transformation uses (nil: out/in). Nearest mode serves every
// dtype exactly; linear and cubic need floats and compute in float64.
func Resize(t *ir.Tensor, out []int64, scales []float64, spec ResizeSpec) (*ir.Tensor, error) {
	rank := len(t.Shape)
	if len(out) != rank || scales != nil && len(scales) != rank {
		return nil, fmt.Errorf("resize: %d output dims and %d scales for rank %d", len(out), len(scales), rank)
	}
	if spec.Coord == CoordTFCropAndResize && len(spec.Roi) != 2*rank {
		return nil, fmt.Errorf("resize: tf_crop_and_resize needs a roi of %d values, got %d", 2*rank, len(spec.Roi))
	}
	// The output (and the float64 buffers the interpolation keeps, as large
	// as it) must fit the memory budget before any tap table is made.
	if _, err := sizes.Alloc("resize output", out, 8, "float64"); err != nil {
		return nil, err
	}
	s := make([]float64, rank)
	for d := range s {
		if out[d] < 0 {
			return nil, fmt.Errorf("resize: output dim %d is negative (%d)", d, out[d])
		}
		if t.Shape[d] == 0 && out[d] > 0 {
			return nil, fmt.Errorf("resize: cannot resize the empty dim %d to %d", d, out[d])
		}
		if scales != nil {
			s[d] = scales[d]
		} else if t.Shape[d] > 0 {
			s[d] = float64(out[d]) / float64(t.Shape[d])
		}
		if s[d] <= 0 && out[d] > 0 {
			return nil, fmt.Errorf("resize: scale %v of dim %d must be positive", s[d], d)
		}
	}
	roi := func(d int) (float64, float64) {
		if spec.Roi == nil {
			return 0, 1
		}
		return spec.Roi[d], spec.Roi[rank+d]
	}
	// An empty input or output has nothing to compute; looping over its
	// other dims, or making index maps as long as them, would only burn
	// time and memory (a [2^31, 1, 4, 0] input).
	if t.Numel() == 0 || ir.Numel(out) == 0 {
		return ir.NewTensor(t.DType, out), nil
	}
	// Nearest without extrapolation is a pure index map.
	if spec.Mode == ResizeNearest && spec.Coord != CoordTFCropAndResize {
		maps := make([][]int64, rank)
		for d := range maps {
			ts := axisTaps(t.Shape[d], out[d], s[d], spec, 0, 1)
			maps[d] = make([]int64, out[d])
			for i, tp := range ts {
				maps[d][i] = tp.idx[0]
			}
		}
		return MappedSlice(t, maps, nil)
	}
	switch t.DType {
	case ir.Float32, ir.Float64, ir.Float16, ir.BFloat16:
	default:
		return nil, fmt.Errorf("resize: %v interpolation of %v is not supported", spec.Mode, t.DType)
	}
	cur := make([]float64, t.Numel())
	for i := range cur {
		cur[i] = t.Float(i)
	}
	shape := append([]int64{}, t.Shape...)
	for d := range rank {
		rs, re := roi(d)
		if out[d] == shape[d] && s[d] == 1 && spec.Coord != CoordTFCropAndResize && spec.Coord != CoordAlignCorners {
			continue // the identity on this axis
		}
		ts := axisTaps(shape[d], out[d], s[d], spec, rs, re)
		outer, inner := blockDims(shape, d)
		next := make([]float64, outer*out[d]*inner)
		for o := range outer {
			src := cur[o*shape[d]*inner:]
			dst := next[o*out[d]*inner:]
			for x, tp := range ts {
				row := dst[int64(x)*inner : int64(x+1)*inner]
				for k, j := range tp.idx {
					if j < 0 {
						for i := range row {
							row[i] = spec.Extrapolation
						}
						continue
					}
					w := tp.w[k]
					in := src[j*inner : (j+1)*inner]
					for i := range row {
						row[i] += w * in[i]
					}
				}
			}
		}
		cur, shape[d] = next, out[d]
	}
	res := ir.NewTensor(t.DType, shape)
	for i, v := range cur {
		res.SetFloat(i, v)
	}
	return res, nil
}

func (m ResizeMode) String() string {
	switch m {
	case ResizeNearest:
		return "nearest"
	case ResizeLinear:
		return "linear"
	case ResizeCubic:
		return "cubic"
	}
	return fmt.Sprintf("ResizeMode(%d)", int(m))
}
