package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// AffineGrid makes the sampling grid of theta [N, 2, 3] (2-D, size
// [N, C, H, W], grid [N, H, W, 2]) or theta [N, 3, 4] (3-D, size
// [N, C, D, H, W], grid [N, D, H, W, 3]) over normalized coordinates in
// [-1, 1] (pixel corners with alignCorners, else pixel centers).
func AffineGrid(theta *ir.Tensor, size []int64, alignCorners bool) (*ir.Tensor, error) {
	k := len(size) - 2
	if (k != 2 && k != 3) || len(theta.Shape) != 3 || theta.Shape[0] != size[0] || theta.Shape[1] != int64(k) || theta.Shape[2] != int64(k+1) {
		return nil, fmt.Errorf("theta %v and size %v: want [N, 2, 3] with [N, C, H, W] or [N, 3, 4] with [N, C, D, H, W]", theta.Shape, size)
	}
	base := func(i, l int64) float64 {
		if l <= 1 {
			return 0
		}
		if alignCorners {
			return -1 + 2*float64(i)/float64(l-1)
		}
		return (2*float64(i)+1)/float64(l) - 1
	}
	th := ToFloat64(theta)
	sp := size[2:] // D, H, W or H, W
	n := size[0]
	cnt := ir.Numel(sp)
	out := make([]float64, n*cnt*int64(k))
	idx := make([]int64, k)
	for b := int64(0); b < n; b++ {
		t := th[b*int64(k*(k+1)):]
		for p := int64(0); p < cnt; p++ {
			rem := p
			for d := k - 1; d >= 0; d-- {
				idx[d] = rem % sp[d]
				rem /= sp[d]
			}
			// coordinates innermost first: x (W), y (H), z (D), then 1
			v := make([]float64, k+1)
			for j := 0; j < k; j++ {
				v[j] = base(idx[k-1-j], sp[k-1-j])
			}
			v[k] = 1
			for r := 0; r < k; r++ {
				s := 0.0
				for c := 0; c <= k; c++ {
					s += t[r*(k+1)+c] * v[c]
				}
				out[(b*cnt+p)*int64(k)+int64(r)] = s
			}
		}
	}
	shape := append(append([]int64{n}, sp...), int64(k))
	return Cast(ir.FromSlice(ir.Float64, shape, out), theta.DType)
}

// CenterCropPad crops (centered, the extra element at the end) or pads
// with zeros (centered likewise) each listed axis of t to its target.
func CenterCropPad(t *ir.Tensor, axes []int, target []int64) (*ir.Tensor, error) {
	shape := append([]int64{}, t.Shape...)
	srcOff := make([]int64, len(shape))
	dstOff := make([]int64, len(shape))
	for i, a := range axes {
		d, want := t.Shape[a], target[i]
		if want < 0 {
			return nil, fmt.Errorf("target size %d for axis %d", want, a)
		}
		if want < d {
			srcOff[a] = (d - want) / 2
		} else {
			dstOff[a] = (want - d) / 2
		}
		shape[a] = want
	}
	out := ir.NewTensor(t.DType, shape)
	es := int64(t.DType.Size())
	n := out.Numel()
	os, is := Strides(shape), Strides(t.Shape)
	for o := int64(0); o < n; o++ {
		rem, src, ok := o, int64(0), true
		for d := range shape {
			c := rem / os[d]
			rem %= os[d]
			s := c - dstOff[d] + srcOff[d]
			if s < 0 || s >= t.Shape[d] {
				ok = false
				break
			}
			src += s * is[d]
		}
		if ok {
			copy(out.Data[o*es:(o+1)*es], t.Data[src*es:(src+1)*es])
		}
	}
	return out, nil
}

// NonZero gives the indices [rank, count] of t's non-zero elements in
// row-major order.
func NonZero(t *ir.Tensor) *ir.Tensor {
	r := len(t.Shape)
	var hits []int64
	n := int(t.Numel())
	for i := 0; i < n; i++ {
		if t.Float(i) != 0 {
			hits = append(hits, int64(i))
		}
	}
	out := ir.NewTensor(ir.Int64, []int64{int64(r), int64(len(hits))})
	o := ir.View[int64](out)
	st := Strides(t.Shape)
	for j, h := range hits {
		for d := 0; d < r; d++ {
			o[d*len(hits)+j] = h / st[d] % t.Shape[d]
		}
	}
	return out
}

// LRN is local response normalization across channels of x [N, C, ...]:
// y = x / (bias + alpha/size * sum of squares over the size channels
// around c)^beta. Computed in float64.
func LRN(x *ir.Tensor, size int64, alpha, beta, bias float64) (*ir.Tensor, error) {
	if len(x.Shape) < 3 || size < 1 {
		return nil, fmt.Errorf("LRN of %v with size %d", x.Shape, size)
	}
	n, c := x.Shape[0], x.Shape[1]
	inner := ir.Numel(x.Shape[2:])
	v := ToFloat64(x)
	out := make([]float64, len(v))
	lo, hi := (size-1)/2, size-1-(size-1)/2
	for b := int64(0); b < n; b++ {
		for ch := int64(0); ch < c; ch++ {
			for i := int64(0); i < inner; i++ {
				s := 0.0
				for k := max(0, ch-lo); k <= min(c-1, ch+hi); k++ {
					e := v[(b*c+k)*inner+i]
					s += e * e
				}
				idx := (b*c+ch)*inner + i
				out[idx] = v[idx] / math.Pow(bias+alpha/float64(size)*s, beta)
			}
		}
	}
	return Cast(ir.FromSlice(ir.Float64, x.Shape, out), x.DType)
}
