package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// TopK selects the k largest (or smallest) elements of x along axis, sorted,
// and their indices as Int64 (TensorRT's TopK gives Int32; ONNX and ATen
// want Int64).
func TopK(ctx *conversion.Context, x network.Tensor, axis int, k int64, largest bool) (values, indices network.Tensor) {
	op := network.TopKMAX
	if !largest {
		op = network.TopKMIN
	}
	// TensorRT reduces one of the last four dims only (NvInfer.h addTopK:
	// "it must be one of the last four dimensions"): an earlier axis is
	// moved last by a transpose, and both outputs moved back.
	if r := len(x.Shape()); axis < r-4 {
		perm, back := make([]int, 0, r), make([]int, r)
		for d := 0; d < r; d++ {
			if d != axis {
				perm = append(perm, d)
			}
		}
		perm = append(perm, axis)
		for i, d := range perm {
			back[d] = i
		}
		v, i := TopK(ctx, Transpose(ctx, x, perm), r-1, k, largest)
		return Transpose(ctx, v, back), Transpose(ctx, i, back)
	}
	v, i := ctx.Net.AddTopK(x, op, k, network.AxesMask(axis))
	return v, ctx.Net.AddCast(i, ir.Int64)
}

// ArgMax is the Int64 index of the largest (isMax) or smallest element of x
// along axis, the first one among equals, or the last with selectLast.
// keepDims keeps the axis as a dim of size 1.
func ArgMax(ctx *conversion.Context, x network.Tensor, axis int, isMax, keepDims, selectLast bool) network.Tensor {
	src := x
	if selectLast {
		src = Reverse(ctx, x, axis)
	}
	_, idx := TopK(ctx, src, axis, 1, isMax)
	if selectLast {
		// An index j into the reversed axis is dim-1-j in x.
		last := Sub(ctx, Dim(ctx, x, axis), ConstInts(ctx, []int64{1}))
		last = reshapeOnes(ctx, last, len(x.Shape()))
		idx = Sub(ctx, last, idx)
	}
	if !keepDims {
		idx = Squeeze(ctx, idx, []int{axis})
	}
	return idx
}

// Reverse flips x along axis (a Slice with stride -1 from the last element).
func Reverse(ctx *conversion.Context, x network.Tensor, axis int) network.Tensor {
	s := x.Shape()
	if d := s[axis]; d.Static() {
		rank := len(s)
		start, size, stride := make([]int64, rank), dimsOf(s), make([]int64, rank)
		for i := range stride {
			stride[i] = 1
		}
		start[axis], stride[axis] = d.Size-1, -1
		if s.IsStatic() {
			return Slice(ctx, x, start, size, stride)
		}
	}
	dim := Dim(ctx, x, axis)
	last := Sub(ctx, dim, ConstInts(ctx, []int64{1}))
	return ctx.Net.AddSlice(x, network.SliceParams{
		StartT: last, SizeT: dim, Stride: []int64{-1}, Axes: ConstInts(ctx, []int64{int64(axis)}),
	})
}

// reshapeOnes reshapes a 1-element tensor to rank dims of size 1.
func reshapeOnes(ctx *conversion.Context, t network.Tensor, rank int) network.Tensor {
	dims := make([]int64, rank)
	for i := range dims {
		dims[i] = 1
	}
	return Reshape(ctx, t, dims)
}

// Iota is 0, 1, ..., dim-1 of x's axis as an Int64 tensor of x's rank, the
// values along axis and every other dim 1.
func Iota(ctx *conversion.Context, x network.Tensor, axis int) network.Tensor {
	rank := len(x.Shape())
	dims := make([]int64, rank)
	for i := range dims {
		dims[i] = 1
	}
	if d := x.Shape()[axis]; d.Static() {
		dims[axis] = d.Size
		t := ir.NewTensor(ir.Int64, dims)
		for i := range d.Size {
			t.SetFloat(int(i), float64(i))
		}
		return ctx.Net.AddConstant(t)
	}
	line := ctx.Net.AddFill(network.FillParams{Op: network.FillLINSPACE, DType: ir.Int64, DimsT: Dim(ctx, x, axis), Alpha: 0, Beta: 1})
	dims[axis] = -1
	return Reshape(ctx, line, dims)
}
