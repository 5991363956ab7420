package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// GridSampleParams are GridSample's attributes.
type GridSampleParams struct {
	Mode         string // "linear" (or "bilinear"), "nearest", "cubic" (or "bicubic")
	Padding      string // "zeros", "border", "reflection"
	AlignCorners bool
	// PadTaps is PyTorch's bicubic rule (grid_sampler_2d, mode 2): the
	// unnormalized coordinate is not clamped or reflected; each of the 16
	// taps is. ONNX pads the coordinate first, which differs from it for
	// border padding (a point past the edge keeps its distance in PyTorch).
	PadTaps bool
}

// GridSample samples x [N, C, D1..Dk] at grid [N, O1..Ok, k] (normalized
// coordinates in [-1, 1], innermost first: x, y, z) as ONNX defines it
// (and ONNX Runtime computes it): the coordinate is unnormalized, then
// clamped (border) or reflected (reflection), then interpolated, with
// taps outside the image reading 0 (zeros), the edge (border) or the
// reflection. Cubic is for 2-D images only. Computed in float64.
func GridSample(x, grid *ir.Tensor, p GridSampleParams) (*ir.Tensor, error) {
	r := len(x.Shape)
	k := r - 2
	if k < 1 || len(grid.Shape) != r || grid.Shape[0] != x.Shape[0] || grid.Shape[r-1] != int64(k) {
		return nil, fmt.Errorf("grid has shape %v, want [%d, ..., %d] for input %v", grid.Shape, x.Shape[0], k, x.Shape)
	}
	mode := map[string]string{"bilinear": "linear", "linear": "linear", "nearest": "nearest", "bicubic": "cubic", "cubic": "cubic"}[p.Mode]
	if mode == "" {
		return nil, fmt.Errorf("mode %q is not linear, nearest or cubic", p.Mode)
	}
	if mode == "cubic" && k != 2 {
		return nil, fmt.Errorf("cubic mode needs a 2-D image, input has %d spatial dims", k)
	}
	if p.Padding != "zeros" && p.Padding != "border" && p.Padding != "reflection" {
		return nil, fmt.Errorf("padding_mode %q is not zeros, border or reflection", p.Padding)
	}
	n, c := x.Shape[0], x.Shape[1]
	in := x.Shape[2:]
	outSp := grid.Shape[1 : r-1]
	xs := ToFloat64(x)
	gs := ToFloat64(grid)
	oc := ir.Numel(outSp)
	ic := ir.Numel(in)
	out := make([]float64, n*c*oc)
	// dims innermost-first, matching the grid's coordinate order.
	dim := make([]int64, k)
	for j := 0; j < k; j++ {
		dim[j] = in[k-1-j]
	}
	lo, hi := make([]float64, k), make([]float64, k)
	for j := range dim {
		if p.AlignCorners {
			lo[j], hi[j] = 0, float64(dim[j]-1)
		} else {
			lo[j], hi[j] = -0.5, float64(dim[j])-0.5
		}
	}
	reflect := func(v, a, b float64) float64 {
		rng := b - a
		if rng <= 0 {
			return a
		}
		if v < a {
			d := a - v
			m := math.Floor(d / rng)
			rem := d - m*rng
			if int64(m)%2 == 0 {
				return a + rem
			}
			return b - rem
		}
		if v > b {
			d := v - b
			m := math.Floor(d / rng)
			rem := d - m*rng
			if int64(m)%2 == 0 {
				return b - rem
			}
			return a + rem
		}
		return v
	}
	// pixel reads image plane base at integer coords idx (innermost first).
	idx := make([]int64, k)
	pixel := func(base int64) float64 {
		off := int64(0)
		for j := k - 1; j >= 0; j-- {
			v := idx[j]
			if v < 0 || v >= dim[j] {
				switch p.Padding {
				case "zeros":
					return 0
				case "border":
					v = min(max(v, 0), dim[j]-1)
				case "reflection":
					v = int64(reflect(float64(v), lo[j], hi[j]))
					v = min(max(v, 0), dim[j]-1)
				}
			}
			off = off*dim[j] + v
		}
		return xs[base+off]
	}
	coord := make([]float64, k)
	for b := int64(0); b < n; b++ {
		for o := int64(0); o < oc; o++ {
			g := gs[(b*oc+o)*int64(k):]
			for j := 0; j < k; j++ {
				v := g[j]
				if p.AlignCorners {
					v = (v + 1) / 2 * float64(dim[j]-1)
				} else {
					v = ((v+1)*float64(dim[j]) - 1) / 2
				}
				switch {
				case p.PadTaps && mode == "cubic":
				case p.Padding == "border":
					v = math.Min(math.Max(v, 0), float64(dim[j]-1))
				case p.Padding == "reflection":
					v = reflect(v, lo[j], hi[j])
				}
				coord[j] = v
			}
			for ch := int64(0); ch < c; ch++ {
				base := (b*c + ch) * ic
				var res float64
				switch mode {
				case "nearest":
					for j := range idx {
						idx[j] = int64(math.RoundToEven(coord[j]))
					}
					res = pixel(base)
				case "linear":
					f := make([]int64, k)
					t := make([]float64, k)
					for j := range f {
						fl := math.Floor(coord[j])
						f[j], t[j] = int64(fl), coord[j]-fl
					}
					for corner := 0; corner < 1<<k; corner++ {
						w := 1.0
						for j := 0; j < k; j++ {
							if corner>>j&1 == 1 {
								idx[j], w = f[j]+1, w*t[j]
							} else {
								idx[j], w = f[j], w*(1-t[j])
							}
						}
						if w != 0 {
							res += w * pixel(base)
						}
					}
				case "cubic":
					fx, fy := math.Floor(coord[0]), math.Floor(coord[1])
					wx, wy := cubicCoeffs(coord[0]-fx), cubicCoeffs(coord[1]-fy)
					for a := 0; a < 4; a++ {
						for bb := 0; bb < 4; bb++ {
							idx[0], idx[1] = int64(fx)-1+int64(bb), int64(fy)-1+int64(a)
							res += wy[a] * wx[bb] * pixel(base)
						}
					}
				}
				out[(b*c+ch)*oc+o] = res
			}
		}
	}
	shape := append([]int64{n, c}, outSp...)
	return Cast(ir.FromSlice(ir.Float64, shape, out), x.DType)
}

// cubicCoeffs are the cubic convolution weights (A = -0.75) of the four
// taps around a point at fraction t past the second.
func cubicCoeffs(t float64) [4]float64 {
	const A = -0.75
	w0 := ((A*(t+1)-5*A)*(t+1)+8*A)*(t+1) - 4*A
	w1 := ((A+2)*t-(A+3))*t*t + 1
	w2 := ((A+2)*(1-t)-(A+3))*(1-t)*(1-t) + 1
	return [4]float64{w0, w1, w2, 1 - w0 - w1 - w2}
}
