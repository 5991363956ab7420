package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Window returns the Hann, Hamming or Blackman window of size n in dt
// (ONNX's definitions: periodic windows divide by n, symmetric ones by
// n-1).
func Window(kind string, n int64, periodic bool, dt ir.DType) (*ir.Tensor, error) {
	if n < 0 {
		return nil, fmt.Errorf("window size is %d", n)
	}
	den := float64(n)
	if !periodic {
		den = float64(n - 1)
	}
	w := make([]float64, n)
	for i := range w {
		x := 2 * math.Pi * float64(i) / den
		switch kind {
		case "hann":
			w[i] = 0.5 - 0.5*math.Cos(x)
		case "hamming":
			w[i] = 25.0/46 - 21.0/46*math.Cos(x)
		case "blackman":
			w[i] = 0.42 - 0.5*math.Cos(x) + 0.08*math.Cos(2*x)
		default:
			return nil, fmt.Errorf("unknown window %q", kind)
		}
	}
	return Cast(ir.FromSlice(ir.Float64, []int64{n}, w), dt)
}

// EyeLike is a [rows, cols] tensor of dt with ones on diagonal k.
func EyeLike(rows, cols, k int64, dt ir.DType) *ir.Tensor {
	out := ir.NewTensor(dt, []int64{rows, cols})
	for r := int64(0); r < rows; r++ {
		if c := r + k; c >= 0 && c < cols {
			out.SetFloat(int(r*cols+c), 1)
		}
	}
	return out
}

// Compress keeps the slices of t along axis whose condition is true
// (condition may be shorter than the axis); axis < 0 with flatten
// compresses the flattened tensor.
func Compress(t, cond *ir.Tensor, axis int, flatten bool) (*ir.Tensor, error) {
	if flatten {
		t = t.Reshaped([]int64{t.Numel()})
		axis = 0
	}
	dim := t.Shape[axis]
	if cond.Numel() > dim {
		return nil, fmt.Errorf("condition has %d elements, axis %d has %d", cond.Numel(), axis, dim)
	}
	var keep []int64
	for i := int64(0); i < cond.Numel(); i++ {
		if cond.Float(int(i)) != 0 {
			keep = append(keep, i)
		}
	}
	outer := ir.Numel(t.Shape[:axis])
	inner := ir.Numel(t.Shape[axis+1:]) * int64(t.DType.Size())
	shape := append([]int64{}, t.Shape...)
	shape[axis] = int64(len(keep))
	out := ir.NewTensor(t.DType, shape)
	o := int64(0)
	for a := int64(0); a < outer; a++ {
		for _, k := range keep {
			src := (a*dim + k) * inner
			copy(out.Data[o:o+inner], t.Data[src:src+inner])
			o += inner
		}
	}
	return out, nil
}

// ReverseSequence reverses, for each batch entry b, the first lens[b]
// elements along timeAxis.
func ReverseSequence(t, lens *ir.Tensor, batchAxis, timeAxis int) (*ir.Tensor, error) {
	if len(t.Shape) < 2 || batchAxis == timeAxis {
		return nil, fmt.Errorf("input %v needs distinct batch and time axes", t.Shape)
	}
	if lens.Numel() != t.Shape[batchAxis] {
		return nil, fmt.Errorf("sequence_lens has %d elements, batch dim is %d", lens.Numel(), t.Shape[batchAxis])
	}
	out := t.Clone()
	strides := Strides(t.Shape)
	es := int64(t.DType.Size())
	n := t.Numel()
	idx := make([]int64, len(t.Shape))
	for flat := int64(0); flat < n; flat++ {
		rem := flat
		for d := range idx {
			idx[d] = rem / strides[d]
			rem %= strides[d]
		}
		l := lens.Int(int(idx[batchAxis]))
		if l < 0 || l > t.Shape[timeAxis] {
			return nil, fmt.Errorf("sequence_lens[%d] = %d is outside [0, %d]", idx[batchAxis], l, t.Shape[timeAxis])
		}
		tt := idx[timeAxis]
		if tt >= l {
			continue
		}
		src := flat + (l-1-2*tt)*strides[timeAxis]
		copy(out.Data[flat*es:(flat+1)*es], t.Data[src*es:(src+1)*es])
	}
	return out, nil
}

// Det is the determinant of each trailing [M, M] matrix, by LU
// decomposition with partial pivoting in float64.
func Det(t *ir.Tensor) (*ir.Tensor, error) {
	r := len(t.Shape)
	if r < 2 || t.Shape[r-1] != t.Shape[r-2] {
		return nil, fmt.Errorf("input %v is not a stack of square matrices", t.Shape)
	}
	m := int(t.Shape[r-1])
	v := ToFloat64(t)
	count := int(ir.Numel(t.Shape[:r-2]))
	res := make([]float64, count)
	a := make([]float64, m*m)
	for b := 0; b < count; b++ {
		copy(a, v[b*m*m:(b+1)*m*m])
		det := 1.0
		for c := 0; c < m; c++ {
			p := c
			for i := c + 1; i < m; i++ {
				if math.Abs(a[i*m+c]) > math.Abs(a[p*m+c]) {
					p = i
				}
			}
			if a[p*m+c] == 0 {
				det = 0
				break
			}
			if p != c {
				for j := 0; j < m; j++ {
					a[p*m+j], a[c*m+j] = a[c*m+j], a[p*m+j]
				}
				det = -det
			}
			det *= a[c*m+c]
			for i := c + 1; i < m; i++ {
				f := a[i*m+c] / a[c*m+c]
				for j := c; j < m; j++ {
					a[i*m+j] -= f * a[c*m+j]
				}
			}
		}
		res[b] = det
	}
	return Cast(ir.FromSlice(ir.Float64, append([]int64{}, t.Shape[:r-2]...), res), t.DType)
}
