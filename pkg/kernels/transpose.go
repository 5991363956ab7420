package kernels

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Transpose permutes dims: out dim i is in dim perm[i].
func Transpose(t *ir.Tensor, perm []int) (*ir.Tensor, error) {
	rank := len(t.Shape)
	if len(perm) != rank {
		return nil, fmt.Errorf("permutation %v has %d entries for rank %d", perm, len(perm), rank)
	}
	seen := make([]bool, rank)
	identity := true
	for i, p := range perm {
		if p < 0 || p >= rank || seen[p] {
			return nil, fmt.Errorf("%v is not a permutation of rank %d", perm, rank)
		}
		seen[p] = true
		identity = identity && p == i
	}
	outShape := make([]int64, rank)
	for i, p := range perm {
		outShape[i] = t.Shape[p]
	}
	if identity {
		return t.Reshaped(outShape), nil
	}
	inStr := Strides(t.Shape)
	st := make([]int64, rank) // input stride for each out dim
	for i, p := range perm {
		st[i] = inStr[p]
	}
	out := ir.NewTensor(t.DType, outShape)
	switch t.DType.Size() {
	case 1:
		gatherStrided(ir.View[uint8](t), ir.View[uint8](out), outShape, st)
	case 2:
		gatherStrided(ir.View[uint16](t), ir.View[uint16](out), outShape, st)
	case 4:
		gatherStrided(ir.View[uint32](t), ir.View[uint32](out), outShape, st)
	case 8:
		gatherStrided(ir.View[uint64](t), ir.View[uint64](out), outShape, st)
	default:
		return nil, fmt.Errorf("transpose of %v is not supported", t.DType)
	}
	return out, nil
}

// gatherStrided copies a strided view of src (dims out, strides st) into dst.
func gatherStrided[T any](src, dst []T, out, st []int64) {
	ForEachRun(out, [][]int64{st}, func(o int64, in []int64, n int64, step []int64) {
		s, k := in[0], step[0]
		d := dst[o : o+n]
		for i := range d {
			d[i] = src[s+int64(i)*k]
		}
	})
}

// ExpandTo broadcasts t to shape (numpy rules) and materializes it.
func ExpandTo(t *ir.Tensor, shape []int64) (*ir.Tensor, error) {
	if _, err := ir.BroadcastInts(t.Shape, shape); err != nil {
		return nil, err
	}
	st := BroadcastStrides(t.Shape, shape)
	out := ir.NewTensor(t.DType, shape)
	switch t.DType.Size() {
	case 1:
		gatherStrided(ir.View[uint8](t), ir.View[uint8](out), shape, st)
	case 2:
		gatherStrided(ir.View[uint16](t), ir.View[uint16](out), shape, st)
	case 4:
		gatherStrided(ir.View[uint32](t), ir.View[uint32](out), shape, st)
	case 8:
		gatherStrided(ir.View[uint64](t), ir.View[uint64](out), shape, st)
	default:
		return nil, fmt.Errorf("expand of %v is not supported", t.DType)
	}
	return out, nil
}
