package kernels

import (
	"fmt"
	"math"
	"math/big"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Linspace makes a tensor of shape dims with element (a0, a1, ...) equal to
// alpha + sum_d beta[d]*a_d (TensorRT Fill LINSPACE). Integer dtypes compute
// in int64, floating ones in float64, then convert.
func Linspace(dt ir.DType, dims []int64, alpha float64, beta []float64) (*ir.Tensor, error) {
	if len(beta) != len(dims) {
		return nil, fmt.Errorf("linspace needs one delta per dim: %d deltas for %d dims", len(beta), len(dims))
	}
	out := ir.NewTensor(dt, dims)
	n := int(out.Numel())
	if n == 0 {
		return out, nil
	}
	rank := len(dims)
	idx := make([]int64, rank)
	switch dt {
	case ir.Int64, ir.Int32:
		b := make([]int64, rank)
		for i, v := range beta {
			b[i] = int64(v)
		}
		return LinspaceInt(dt, dims, int64(alpha), b)
	case ir.Float32, ir.Float64, ir.Float16, ir.BFloat16:
		for i := 0; i < n; i++ {
			v := alpha
			for d, x := range idx {
				v += beta[d] * float64(x)
			}
			out.SetFloat(i, v)
			advance(idx, dims)
		}
	default:
		return nil, fmt.Errorf("linspace of %v is not supported", dt)
	}
	return out, nil
}

func advance(idx, dims []int64) {
	for d := len(idx) - 1; d >= 0; d-- {
		idx[d]++
		if idx[d] < dims[d] {
			return
		}
		idx[d] = 0
	}
}

// RangeLen is ONNX Range's element count: max(ceil((limit-start)/delta), 0).
func RangeLen(start, limit, delta float64) (int64, error) {
	if delta == 0 {
		return 0, fmt.Errorf("range delta is 0")
	}
	n := math.Ceil((limit - start) / delta)
	if math.IsNaN(n) || n > 1<<31 {
		return 0, fmt.Errorf("range of %g to %g by %g is too long", start, limit, delta)
	}
	return max(int64(n), 0), nil
}

// Range is ONNX Range: start + i*delta for i < RangeLen. start, limit and
// delta are scalars of one dtype.
func Range(start, limit, delta *ir.Tensor) (*ir.Tensor, error) {
	n, err := RangeCount(start, limit, delta)
	if err != nil {
		return nil, err
	}
	dt := start.DType
	if dt.IsInt() {
		s, d := start.Int(0), delta.Int(0)
		out := ir.NewTensor(dt, []int64{n})
		for i := int64(0); i < n; i++ {
			setInt(out, int(i), s+i*d)
		}
		return out, nil
	}
	s, l, d := start.Float(0), limit.Float(0), delta.Float(0)
	if dt == ir.Float32 {
		// ONNX computes in the input type.
		s, l, d = float64(float32(s)), float64(float32(l)), float64(float32(d))
	}
	out := ir.NewTensor(dt, []int64{n})
	for i := int64(0); i < n; i++ {
		out.SetFloat(int(i), s+float64(i)*d)
	}
	return out, nil
}

// RangeCount is the element count of Range(start, limit, delta) without
// computing it (shape inference calls it; a count is exact for integer
// inputs however far apart they are).
func RangeCount(start, limit, delta *ir.Tensor) (int64, error) {
	dt := start.DType
	if limit.DType != dt || delta.DType != dt {
		return 0, fmt.Errorf("range inputs differ in dtype: %v, %v, %v", dt, limit.DType, delta.DType)
	}
	if start.Numel() != 1 || limit.Numel() != 1 || delta.Numel() != 1 {
		return 0, fmt.Errorf("range inputs must be scalars")
	}
	if dt.IsInt() {
		s, l, d := start.Int(0), limit.Int(0), delta.Int(0)
		if d == 0 {
			return 0, fmt.Errorf("range delta is 0")
		}
		// ceil((l-s)/d) in exact arithmetic: l-s overflows int64 for
		// far-apart bounds.
		bs, bl, bd := big.NewInt(s), big.NewInt(l), big.NewInt(d)
		num := new(big.Int).Sub(bl, bs)
		num.Add(num, bd)
		num.Sub(num, big.NewInt(sign(d)))
		q := new(big.Int).Quo(num, bd)
		if q.Sign() < 0 {
			return 0, nil
		}
		if !q.IsInt64() || q.Int64() > 1<<31 {
			return 0, fmt.Errorf("range of %d to %d by %d is too long", s, l, d)
		}
		return q.Int64(), nil
	}
	s, l, d := start.Float(0), limit.Float(0), delta.Float(0)
	if dt == ir.Float32 {
		s, l, d = float64(float32(s)), float64(float32(l)), float64(float32(d))
	}
	return RangeLen(s, l, d)
}

func sign(x int64) int64 {
	if x < 0 {
		return -1
	}
	return 1
}

// Trilu keeps the upper (j - i >= k) or lower (j - i <= k) triangle of the
// last two dims and zeroes the rest.
func Trilu(t *ir.Tensor, k int64, upper bool) (*ir.Tensor, error) {
	rank := len(t.Shape)
	if rank < 2 {
		return nil, fmt.Errorf("trilu needs rank >= 2, got %d", rank)
	}
	rows, cols := t.Shape[rank-2], t.Shape[rank-1]
	out := t.Clone()
	es := int64(t.DType.Size())
	mats := t.Numel() / max(1, rows*cols)
	if rows*cols == 0 {
		return out, nil
	}
	for m := int64(0); m < mats; m++ {
		for i := int64(0); i < rows; i++ {
			row := out.Data[(m*rows+i)*cols*es : (m*rows+i+1)*cols*es]
			// Zero [lo, hi) of the row's columns.
			var lo, hi int64
			if upper {
				lo, hi = 0, min(max(i+k, 0), cols)
			} else {
				lo, hi = min(max(i+k+1, 0), cols), cols
			}
			clear(row[lo*es : hi*es])
		}
	}
	return out, nil
}

// setInt writes an integer exactly (float64 would round large int64s).
func setInt(t *ir.Tensor, i int, v int64) {
	switch t.DType {
	case ir.Int64:
		ir.View[int64](t)[i] = v
	case ir.Uint64:
		ir.View[uint64](t)[i] = uint64(v)
	default:
		t.SetFloat(i, float64(v))
	}
}

// LinspaceInt is Linspace for Int32 and Int64 outputs with integer start
// and deltas, exact over the whole int64 range (a float64 start or delta
// loses integers past 2^53).
func LinspaceInt(dt ir.DType, dims []int64, alpha int64, beta []int64) (*ir.Tensor, error) {
	if len(beta) != len(dims) {
		return nil, fmt.Errorf("linspace needs one delta per dim: %d deltas for %d dims", len(beta), len(dims))
	}
	if dt != ir.Int64 && dt != ir.Int32 {
		return nil, fmt.Errorf("integer linspace of %v", dt)
	}
	out := ir.NewTensor(dt, dims)
	n := int(out.Numel())
	idx := make([]int64, len(dims))
	for i := 0; i < n; i++ {
		v := alpha
		for d, x := range idx {
			v += beta[d] * x
		}
		if dt == ir.Int64 {
			ir.View[int64](out)[i] = v
		} else {
			ir.View[int32](out)[i] = int32(v)
		}
		advance(idx, dims)
	}
	return out, nil
}
