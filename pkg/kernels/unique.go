package kernels

import (
	"sort"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Unique finds the distinct slices of t along axis (of the flattened t
// when flatten), sorted ascending (lexicographically for slices) when
// sorted, else in order of first occurrence. It returns the unique
// slices, the index of each one's first occurrence, each input slice's
// index into the result, and each unique slice's count.
func Unique(t *ir.Tensor, axis int, flatten, sorted bool) (y, first, inverse, counts *ir.Tensor) {
	if flatten {
		t = t.Reshaped([]int64{t.Numel()})
		axis = 0
	}
	dim := t.Shape[axis]
	outer := ir.Numel(t.Shape[:axis])
	inner := ir.Numel(t.Shape[axis+1:])
	slice := func(k int64) []float64 {
		s := make([]float64, 0, outer*inner)
		for o := int64(0); o < outer; o++ {
			for i := int64(0); i < inner; i++ {
				s = append(s, t.Float(int((o*dim+k)*inner+i)))
			}
		}
		return s
	}
	less := func(a, b []float64) int {
		for i := range a {
			if a[i] < b[i] {
				return -1
			}
			if a[i] > b[i] {
				return 1
			}
		}
		return 0
	}
	var uniq [][]float64
	var firstIdx, cnt []int64
	inv := make([]int64, dim)
	for k := int64(0); k < dim; k++ {
		s := slice(k)
		found := -1
		for u, v := range uniq {
			if less(s, v) == 0 {
				found = u
				break
			}
		}
		if found < 0 {
			found = len(uniq)
			uniq = append(uniq, s)
			firstIdx = append(firstIdx, k)
			cnt = append(cnt, 0)
		}
		cnt[found]++
		inv[k] = int64(found)
	}
	order := make([]int, len(uniq))
	for i := range order {
		order[i] = i
	}
	if sorted {
		sort.SliceStable(order, func(a, b int) bool { return less(uniq[order[a]], uniq[order[b]]) < 0 })
	}
	rank := make([]int64, len(uniq))
	for pos, u := range order {
		rank[u] = int64(pos)
	}
	shape := append([]int64{}, t.Shape...)
	shape[axis] = int64(len(uniq))
	y = ir.NewTensor(t.DType, shape)
	es := int64(t.DType.Size())
	for pos, u := range order {
		k := firstIdx[u]
		for o := int64(0); o < outer; o++ {
			src := (o*dim + k) * inner * es
			dst := (o*int64(len(uniq)) + int64(pos)) * inner * es
			copy(y.Data[dst:dst+inner*es], t.Data[src:src+inner*es])
		}
	}
	n := int64(len(uniq))
	first, counts = ir.NewTensor(ir.Int64, []int64{n}), ir.NewTensor(ir.Int64, []int64{n})
	for pos, u := range order {
		ir.View[int64](first)[pos] = firstIdx[u]
		ir.View[int64](counts)[pos] = cnt[u]
	}
	inverse = ir.NewTensor(ir.Int64, []int64{dim})
	for k := range inv {
		ir.View[int64](inverse)[k] = rank[inv[k]]
	}
	return y, first, inverse, counts
}
