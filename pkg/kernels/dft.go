package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// DFT is ONNX's DFT along axis of x [..., 1 or 2] (real, or complex as
// real/imaginary pairs in the last dim), computed directly in float64.
// length (> 0) zero-pads or truncates the signal along axis first.
// onesided keeps the first n/2+1 frequencies of a forward transform; with
// inverse, onesided takes such a half spectrum and returns the real signal
// of length length (or 2*(m-1)). inverse divides by n.
func DFT(x *ir.Tensor, axis int, length int64, inverse, onesided bool) (*ir.Tensor, error) {
	r := len(x.Shape)
	if r < 2 || (x.Shape[r-1] != 1 && x.Shape[r-1] != 2) {
		return nil, fmt.Errorf("input %v: the last dim must be 1 (real) or 2 (complex)", x.Shape)
	}
	if axis < 0 || axis >= r-1 {
		return nil, fmt.Errorf("axis %d is out of range for input %v", axis, x.Shape)
	}
	cplx := x.Shape[r-1] == 2
	m := x.Shape[axis]
	n := m
	if length > 0 {
		n = length
	} else if inverse && onesided {
		n = 2 * (m - 1)
	}
	outLen := n
	if onesided && !inverse {
		outLen = n/2 + 1
	}
	outer := ir.Numel(x.Shape[:axis])
	inner := ir.Numel(x.Shape[axis+1 : r-1])
	v := ToFloat64(x)
	ch := x.Shape[r-1]
	get := func(o, k, i int64) complex128 { // element k along axis
		if k >= m {
			return 0
		}
		base := ((o*m+k)*inner + i) * ch
		if cplx {
			return complex(v[base], v[base+1])
		}
		return complex(v[base], 0)
	}
	realOut := inverse && onesided
	och := int64(2)
	if realOut {
		och = 1
	}
	out := make([]float64, outer*outLen*inner*och)
	sign := -1.0
	if inverse {
		sign = 1
	}
	sig := make([]complex128, n)
	for o := int64(0); o < outer; o++ {
		for i := int64(0); i < inner; i++ {
			for k := int64(0); k < n; k++ {
				switch {
				case inverse && onesided:
					// rebuild the full spectrum by conjugate symmetry
					if k < m {
						sig[k] = get(o, k, i)
					} else if n-k < m {
						c := get(o, n-k, i)
						sig[k] = complex(real(c), -imag(c))
					} else {
						sig[k] = 0
					}
				default:
					sig[k] = get(o, k, i)
				}
			}
			for f := int64(0); f < outLen; f++ {
				var s complex128
				for k := int64(0); k < n; k++ {
					ang := sign * 2 * math.Pi * float64((f*k)%n) / float64(n)
					s += sig[k] * complex(math.Cos(ang), math.Sin(ang))
				}
				if inverse {
					s /= complex(float64(n), 0)
				}
				base := ((o*outLen+f)*inner + i) * och
				out[base] = real(s)
				if !realOut {
					out[base+1] = imag(s)
				}
			}
		}
	}
	shape := append([]int64{}, x.Shape...)
	shape[axis], shape[r-1] = outLen, och
	return Cast(ir.FromSlice(ir.Float64, shape, out), x.DType)
}
