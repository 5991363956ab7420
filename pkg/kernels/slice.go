package kernels

import (
	"fmt"
	"github.com/trtc-dev/trtc/internal/sizes"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Skip marks an output position of an index map that reads no input element
// (it gets the fill value).
const Skip = -1

// StridedSlice copies the elements start[d] + i*step[d], i < size[d], of t
// into a new tensor of shape size. Steps may be negative; the caller
// guarantees every index is in range.
func StridedSlice(t *ir.Tensor, start, size, step []int64) (*ir.Tensor, error) {
	rank := len(t.Shape)
	if len(start) != rank || len(size) != rank || len(step) != rank {
		return nil, fmt.Errorf("slice parameters %v/%v/%v do not match rank %d", start, size, step, rank)
	}
	out := ir.NewTensor(t.DType, size)
	if out.Numel() == 0 {
		return out, nil
	}
	in := Strides(t.Shape)
	st := make([]int64, rank)
	base := int64(0)
	for d := 0; d < rank; d++ {
		last := start[d] + (size[d]-1)*step[d]
		if start[d] < 0 || start[d] >= t.Shape[d] || last < 0 || last >= t.Shape[d] {
			return nil, fmt.Errorf("slice dim %d: start %d step %d size %d leaves [0, %d)", d, start[d], step[d], size[d], t.Shape[d])
		}
		base += start[d] * in[d]
		st[d] = step[d] * in[d]
	}
	switch t.DType.Size() {
	case 1:
		stridedFrom(ir.View[uint8](t), ir.View[uint8](out), base, size, st)
	case 2:
		stridedFrom(ir.View[uint16](t), ir.View[uint16](out), base, size, st)
	case 4:
		stridedFrom(ir.View[uint32](t), ir.View[uint32](out), base, size, st)
	case 8:
		stridedFrom(ir.View[uint64](t), ir.View[uint64](out), base, size, st)
	default:
		return nil, fmt.Errorf("slice of %v is not supported", t.DType)
	}
	return out, nil
}

func stridedFrom[T any](src, dst []T, base int64, out, st []int64) {
	ForEachRun(out, [][]int64{st}, func(o int64, in []int64, n int64, step []int64) {
		s, k := base+in[0], step[0]
		d := dst[o : o+n]
		if k == 1 {
			copy(d, src[s:s+n])
			return
		}
		for i := range d {
			d[i] = src[s+int64(i)*k]
		}
	})
}

// MappedSlice builds a tensor whose dim d has len(maps[d]) entries, element
// (i0, i1, ...) being t[maps[0][i0], maps[1][i1], ...], or fill where any
// map entry is Skip. fill is a scalar of t's dtype, or nil for zeros. It
// serves every TensorRT slice mode (WRAP, CLAMP, REFLECT, FILL) and Tile.
func MappedSlice(t *ir.Tensor, maps [][]int64, fill *ir.Tensor) (*ir.Tensor, error) {
	rank := len(t.Shape)
	if len(maps) != rank {
		return nil, fmt.Errorf("%d index maps for rank %d", len(maps), rank)
	}
	shape := make([]int64, rank)
	in := Strides(t.Shape)
	offs := make([][]int64, rank)
	for d, m := range maps {
		shape[d] = int64(len(m))
		offs[d] = make([]int64, len(m))
		for i, j := range m {
			switch {
			case j == Skip:
				offs[d][i] = Skip
			case j < 0 || j >= t.Shape[d]:
				return nil, fmt.Errorf("index %d out of range for dim %d of size %d", j, d, t.Shape[d])
			default:
				offs[d][i] = j * in[d]
			}
		}
	}
	out := ir.NewTensor(t.DType, shape)
	if fill != nil && fill.DType != t.DType {
		return nil, fmt.Errorf("fill value is %v, data is %v", fill.DType, t.DType)
	}
	switch t.DType.Size() {
	case 1:
		mapped(ir.View[uint8](t), ir.View[uint8](out), offs, fillOf[uint8](fill))
	case 2:
		mapped(ir.View[uint16](t), ir.View[uint16](out), offs, fillOf[uint16](fill))
	case 4:
		mapped(ir.View[uint32](t), ir.View[uint32](out), offs, fillOf[uint32](fill))
	case 8:
		mapped(ir.View[uint64](t), ir.View[uint64](out), offs, fillOf[uint64](fill))
	default:
		return nil, fmt.Errorf("slice of %v is not supported", t.DType)
	}
	return out, nil
}

func fillOf[T ir.Elem](f *ir.Tensor) T {
	var z T
	if f == nil || f.Numel() == 0 {
		return z
	}
	return ir.View[T](f)[0]
}

// mapped fills dst from src through per-dim offset tables (Skip = fill).
func mapped[T any](src, dst []T, offs [][]int64, fill T) {
	rank := len(offs)
	if rank == 0 {
		dst[0] = src[0]
		return
	}
	total := int64(len(dst))
	if total == 0 {
		return
	}
	inner := offs[rank-1]
	n := int64(len(inner))
	idx := make([]int, rank)
	for o := int64(0); o < total; o += n {
		base, skip := int64(0), false
		for d := 0; d < rank-1; d++ {
			v := offs[d][idx[d]]
			if v == Skip {
				skip = true
				break
			}
			base += v
		}
		row := dst[o : o+n]
		if skip {
			for i := range row {
				row[i] = fill
			}
		} else {
			for i, v := range inner {
				if v == Skip {
					row[i] = fill
				} else {
					row[i] = src[base+v]
				}
			}
		}
		for d := rank - 2; d >= 0; d-- {
			idx[d]++
			if idx[d] < len(offs[d]) {
				break
			}
			idx[d] = 0
		}
	}
}

// Tile repeats t reps[d] times along each dim.
func Tile(t *ir.Tensor, reps []int64) (*ir.Tensor, error) {
	if len(reps) != len(t.Shape) {
		return nil, fmt.Errorf("repeats %v do not match rank %d", reps, len(t.Shape))
	}
	// The output is checked against the memory budget (and an empty one
	// returned) before the index maps, as long as its dims, are made.
	out := make([]int64, len(reps))
	for d, r := range reps {
		if r < 0 {
			return nil, fmt.Errorf("negative repeat %d", r)
		}
		var ok bool
		if out[d], ok = sizes.Mul(t.Shape[d], r); !ok {
			return nil, fmt.Errorf("repeats %v of shape %v: size overflows int64", reps, t.Shape)
		}
	}
	if _, err := sizes.Alloc("tile output", out, t.DType.Size(), t.DType.String()); err != nil {
		return nil, err
	}
	if ir.Numel(out) == 0 {
		return ir.NewTensor(t.DType, out), nil
	}
	maps := make([][]int64, len(reps))
	for d := range reps {
		m := make([]int64, out[d])
		for i := range m {
			m[i] = int64(i) % t.Shape[d]
		}
		maps[d] = m
	}
	return MappedSlice(t, maps, nil)
}

// SplitAxis cuts t along axis into pieces of the given sizes.
func SplitAxis(t *ir.Tensor, axis int, sizes []int64) ([]*ir.Tensor, error) {
	outer, inner := blockDims(t.Shape, axis)
	var sum int64
	for _, s := range sizes {
		if s < 0 {
			return nil, fmt.Errorf("negative split size %d", s)
		}
		sum += s
	}
	if sum != t.Shape[axis] {
		return nil, fmt.Errorf("split sizes %v sum to %d, dim %d is %d", sizes, sum, axis, t.Shape[axis])
	}
	es := int64(t.DType.Size())
	rowIn := t.Shape[axis] * inner * es
	outs := make([]*ir.Tensor, len(sizes))
	off := int64(0)
	for k, s := range sizes {
		shape := append([]int64{}, t.Shape...)
		shape[axis] = s
		o := ir.NewTensor(t.DType, shape)
		w := s * inner * es
		for r := int64(0); r < outer; r++ {
			copy(o.Data[r*w:(r+1)*w], t.Data[r*rowIn+off:r*rowIn+off+w])
		}
		off += w
		outs[k] = o
	}
	return outs, nil
}

// blockDims returns the product of dims before axis and after it.
func blockDims(shape []int64, axis int) (outer, inner int64) {
	outer, inner = 1, 1
	for i, d := range shape {
		if i < axis {
			outer *= d
		} else if i > axis {
			inner *= d
		}
	}
	return outer, inner
}
