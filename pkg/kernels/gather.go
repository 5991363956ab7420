package kernels

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Indices returns an index tensor (Int32 or Int64) as int64s.
func Indices(t *ir.Tensor) ([]int64, error) {
	switch t.DType {
	case ir.Int64:
		return ir.View[int64](t), nil
	case ir.Int32:
		v := ir.View[int32](t)
		out := make([]int64, len(v))
		for i, x := range v {
			out[i] = int64(x)
		}
		return out, nil
	}
	return nil, fmt.Errorf("indices must be int32 or int64, got %v", t.DType)
}

// normIndex maps i into [0, n), allowing negative indices when neg is set.
func normIndex(i, n int64, neg bool) (int64, error) {
	if i < 0 && neg {
		i += n
	}
	if i < 0 || i >= n {
		lo := int64(0)
		if neg {
			lo = -n
		}
		return 0, fmt.Errorf("index %d out of range [%d, %d)", i, lo, n)
	}
	return i, nil
}

// Gather picks slices of data along axis: the output shape is
// data.shape[:axis] + indices.shape + data.shape[axis+1:] (ONNX Gather,
// TensorRT DEFAULT mode). Negative indices count from the end when neg.
func Gather(data, indices *ir.Tensor, axis int, neg bool) (*ir.Tensor, error) {
	rank := len(data.Shape)
	if axis < 0 || axis >= rank {
		return nil, fmt.Errorf("gather axis %d out of range for rank %d", axis, rank)
	}
	idx, err := Indices(indices)
	if err != nil {
		return nil, err
	}
	shape := append(append(append([]int64{}, data.Shape[:axis]...), indices.Shape...), data.Shape[axis+1:]...)
	out := ir.NewTensor(data.DType, shape)
	outer, inner := blockDims(data.Shape, axis)
	n := data.Shape[axis]
	es := int64(data.DType.Size())
	w := inner * es
	k := int64(len(idx))
	norm := make([]int64, k)
	for i, v := range idx {
		if norm[i], err = normIndex(v, n, neg); err != nil {
			return nil, err
		}
	}
	for r := int64(0); r < outer; r++ {
		src := data.Data[r*n*w:]
		dst := out.Data[r*k*w:]
		for i, j := range norm {
			copy(dst[int64(i)*w:int64(i+1)*w], src[j*w:(j+1)*w])
		}
	}
	return out, nil
}

// GatherElements reads data at indices along axis: out has indices' shape and
// out[i..., j, k...] = data[i..., idx[i..., j, k...], k...] (ONNX
// GatherElements, TensorRT ELEMENT mode). indices' dims other than axis may
// be smaller than data's.
func GatherElements(data, indices *ir.Tensor, axis int, neg bool) (*ir.Tensor, error) {
	rank := len(data.Shape)
	if axis < 0 || axis >= rank || len(indices.Shape) != rank {
		return nil, fmt.Errorf("gather elements: axis %d, data rank %d, indices rank %d", axis, rank, len(indices.Shape))
	}
	for d := range indices.Shape {
		if d != axis && indices.Shape[d] > data.Shape[d] {
			return nil, fmt.Errorf("gather elements: indices dim %d is %d, data dim is %d", d, indices.Shape[d], data.Shape[d])
		}
	}
	idx, err := Indices(indices)
	if err != nil {
		return nil, err
	}
	out := ir.NewTensor(data.DType, indices.Shape)
	ds := Strides(data.Shape)
	// Offset of each index position into data, without the axis term.
	offs := make([]int64, len(idx))
	pos := make([]int64, rank)
	n := data.Shape[axis]
	for i := range idx {
		off := int64(0)
		for d := 0; d < rank; d++ {
			if d != axis {
				off += pos[d] * ds[d]
			}
		}
		j, err := normIndex(idx[i], n, neg)
		if err != nil {
			return nil, err
		}
		offs[i] = off + j*ds[axis]
		for d := rank - 1; d >= 0; d-- {
			pos[d]++
			if pos[d] < indices.Shape[d] {
				break
			}
			pos[d] = 0
		}
	}
	return gatherOffsets(data, out, offs)
}

func gatherOffsets(data, out *ir.Tensor, offs []int64) (*ir.Tensor, error) {
	switch data.DType.Size() {
	case 1:
		pick(ir.View[uint8](data), ir.View[uint8](out), offs)
	case 2:
		pick(ir.View[uint16](data), ir.View[uint16](out), offs)
	case 4:
		pick(ir.View[uint32](data), ir.View[uint32](out), offs)
	case 8:
		pick(ir.View[uint64](data), ir.View[uint64](out), offs)
	default:
		return nil, fmt.Errorf("gather of %v is not supported", data.DType)
	}
	return out, nil
}

func pick[T any](src, dst []T, offs []int64) {
	for i, o := range offs {
		dst[i] = src[o]
	}
}

// GatherND is ONNX GatherND with batchDims leading batch dims (TensorRT ND
// mode with nbElementWiseDims = batchDims): the last dim of indices indexes
// into data's dims after the batch dims.
func GatherND(data, indices *ir.Tensor, batchDims int, neg bool) (*ir.Tensor, error) {
	r, q := len(data.Shape), len(indices.Shape)
	if q < 1 || batchDims < 0 || batchDims >= min(r, q) {
		return nil, fmt.Errorf("gather nd: data rank %d, indices rank %d, batch dims %d", r, q, batchDims)
	}
	m := int(indices.Shape[q-1])
	if batchDims+m > r {
		return nil, fmt.Errorf("gather nd: index tuples of %d exceed data rank %d after %d batch dims", m, r, batchDims)
	}
	for d := 0; d < batchDims; d++ {
		if data.Shape[d] != indices.Shape[d] {
			return nil, fmt.Errorf("gather nd: batch dim %d is %d in data, %d in indices", d, data.Shape[d], indices.Shape[d])
		}
	}
	idx, err := Indices(indices)
	if err != nil {
		return nil, err
	}
	shape := append(append([]int64{}, indices.Shape[:q-1]...), data.Shape[batchDims+m:]...)
	out := ir.NewTensor(data.DType, shape)
	ds := Strides(data.Shape)
	var inner int64 = 1
	for _, d := range data.Shape[batchDims+m:] {
		inner *= d
	}
	var batch, perBatch int64 = 1, 1
	for _, d := range indices.Shape[:batchDims] {
		batch *= d
	}
	for _, d := range indices.Shape[batchDims : q-1] {
		perBatch *= d
	}
	batchStride := int64(1)
	if batchDims > 0 {
		batchStride = ds[batchDims-1]
	}
	es := inner * int64(data.DType.Size())
	for b := int64(0); b < batch; b++ {
		for p := int64(0); p < perBatch; p++ {
			t := b*perBatch + p
			off := b * batchStride
			if batchDims == 0 {
				off = 0
			}
			for k := 0; k < m; k++ {
				j, err := normIndex(idx[t*int64(m)+int64(k)], data.Shape[batchDims+k], neg)
				if err != nil {
					return nil, err
				}
				off += j * ds[batchDims+k]
			}
			so := off * int64(data.DType.Size())
			copy(out.Data[t*es:(t+1)*es], data.Data[so:so+es])
		}
	}
	return out, nil
}
