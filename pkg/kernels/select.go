package kernels

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Where picks then[i] where cond[i] is true and els[i] elsewhere, with numpy
// broadcasting across all three. cond is Bool; then and els share a dtype,
// which the result has.
func Where(cond, then, els *ir.Tensor) (*ir.Tensor, error) {
	if cond.DType != ir.Bool {
		return nil, fmt.Errorf("where: condition is %v, want bool", cond.DType)
	}
	if then.DType != els.DType {
		return nil, fmt.Errorf("where: branches differ in dtype: %v and %v", then.DType, els.DType)
	}
	shape, err := ir.BroadcastInts(cond.Shape, then.Shape, els.Shape)
	if err != nil {
		return nil, err
	}
	out := ir.NewTensor(then.DType, shape)
	st := [][]int64{
		BroadcastStrides(cond.Shape, shape),
		BroadcastStrides(then.Shape, shape),
		BroadcastStrides(els.Shape, shape),
	}
	c := ir.View[uint8](cond)
	switch then.DType.Size() {
	case 1:
		whereT(c, ir.View[uint8](then), ir.View[uint8](els), ir.View[uint8](out), shape, st)
	case 2:
		whereT(c, ir.View[uint16](then), ir.View[uint16](els), ir.View[uint16](out), shape, st)
	case 4:
		whereT(c, ir.View[uint32](then), ir.View[uint32](els), ir.View[uint32](out), shape, st)
	case 8:
		whereT(c, ir.View[uint64](then), ir.View[uint64](els), ir.View[uint64](out), shape, st)
	default:
		return nil, fmt.Errorf("where of %v is not supported", then.DType)
	}
	return out, nil
}

// whereT moves bit patterns, so one instance serves every dtype of a size.
func whereT[T any](c []uint8, a, b, o []T, shape []int64, st [][]int64) {
	ForEachRun(shape, st, func(off int64, in []int64, n int64, step []int64) {
		ci, ai, bi, cs, as, bs := in[0], in[1], in[2], step[0], step[1], step[2]
		dst := o[off : off+n]
		for i := range dst {
			k := int64(i)
			if c[ci+k*cs] != 0 {
				dst[i] = a[ai+k*as]
			} else {
				dst[i] = b[bi+k*bs]
			}
		}
	})
}
