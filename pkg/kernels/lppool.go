package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// LpPool is (sum over each window of |x|^p)^(1/p); taps outside the input
// (padding) contribute 0. p holds the window geometry (Max and
// CountIncludePad are ignored). Computed in float64.
func LpPool(x *ir.Tensor, p PoolParams, norm float64) (*ir.Tensor, error) {
	nsp := len(x.Shape) - 2
	if nsp < 1 || len(p.Kernel) != nsp || len(p.Out) != nsp {
		return nil, fmt.Errorf("LpPool of %v with kernel %v, output %v", x.Shape, p.Kernel, p.Out)
	}
	cp := ConvParams{Strides: p.Strides, Dilations: p.Dilations, PadsBegin: p.PadsBegin, PadsEnd: p.PadsEnd}
	if err := cp.fill(nsp); err != nil {
		return nil, err
	}
	in := x.Shape[2:]
	xs := ToFloat64(x)
	planes := x.Shape[0] * x.Shape[1]
	ic, oc := ir.Numel(in), ir.Numel(p.Out)
	out := make([]float64, planes*oc)
	oIdx := make([]int64, nsp)
	kIdx := make([]int64, nsp)
	for o := int64(0); o < oc; o++ {
		rem := o
		for d := nsp - 1; d >= 0; d-- {
			oIdx[d] = rem % p.Out[d]
			rem /= p.Out[d]
		}
		for pl := int64(0); pl < planes; pl++ {
			s := 0.0
			for d := range kIdx {
				kIdx[d] = 0
			}
			for {
				off, inside := int64(0), true
				for d := 0; d < nsp; d++ {
					pos := oIdx[d]*cp.Strides[d] - cp.PadsBegin[d] + kIdx[d]*cp.Dilations[d]
					if pos < 0 || pos >= in[d] {
						inside = false
						break
					}
					off = off*in[d] + pos
				}
				if inside {
					s += math.Pow(math.Abs(xs[pl*ic+off]), norm)
				}
				d := nsp - 1
				for ; d >= 0; d-- {
					kIdx[d]++
					if kIdx[d] < p.Kernel[d] {
						break
					}
					kIdx[d] = 0
				}
				if d < 0 {
					break
				}
			}
			out[pl*oc+o] = math.Pow(s, 1/norm)
		}
	}
	shape := append([]int64{x.Shape[0], x.Shape[1]}, p.Out...)
	return Cast(ir.FromSlice(ir.Float64, shape, out), x.DType)
}
