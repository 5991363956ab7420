package impl

import (
	"math"

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Slice takes start[d] + i*stride[d], i < size[d], along every dim.
func Slice(ctx *conversion.Context, x network.Tensor, start, size, stride []int64) network.Tensor {
	return ctx.Net.AddSlice(x, network.SliceParams{Start: start, Size: size, Stride: stride})
}

// SliceAxis is a numpy-style slice [start:end:step] of one axis, with ONNX
// clamping: negative start/end count from the end, out-of-range values clamp
// and ends >= 2^31 mean "to the end". Static dims are computed at build
// time; dynamic ones with shape arithmetic.
type SliceAxis struct {
	Axis             int
	Start, End, Step int64
	StartT, EndT     network.Tensor // optional run-time values (1 element, >= 0)
	StartNeg, EndNeg bool           // the constant Start/End is negative
}

// SliceAxes applies numpy-style slices to some axes of x.
func SliceAxes(ctx *conversion.Context, x network.Tensor, axes []SliceAxis) network.Tensor {
	s := x.Shape()
	rank := len(s)
	start, size, stride := make([]int64, rank), dimsOf(s), make([]int64, rank)
	for i := range stride {
		stride[i] = 1
	}
	byAxis := map[int]SliceAxis{}
	dynamic := false
	for _, a := range axes {
		byAxis[a.Axis] = a
		stride[a.Axis] = a.Step
		if s[a.Axis].Static() && a.StartT == nil && a.EndT == nil {
			start[a.Axis], size[a.Axis] = sliceDim(a.Start, a.End, a.Step, s[a.Axis].Size)
		} else {
			dynamic = true
		}
	}
	for i, d := range s {
		if _, ok := byAxis[i]; !ok && !d.Static() {
			dynamic = true
		}
	}
	if !dynamic {
		return Slice(ctx, x, start, size, stride)
	}
	var starts, sizes []network.Tensor
	for i := range s {
		a, ok := byAxis[i]
		switch {
		case !ok:
			starts = append(starts, ConstInts(ctx, []int64{0}))
			sizes = append(sizes, Dim(ctx, x, i))
		case s[i].Static() && a.StartT == nil && a.EndT == nil:
			starts = append(starts, ConstInts(ctx, []int64{start[i]}))
			sizes = append(sizes, ConstInts(ctx, []int64{size[i]}))
		default:
			st, sz := dynSliceDim(ctx, x, a)
			starts = append(starts, st)
			sizes = append(sizes, sz)
		}
	}
	return ctx.Net.AddSlice(x, network.SliceParams{
		StartT: ShapeTensor(ctx, starts...), SizeT: ShapeTensor(ctx, sizes...), Stride: stride,
	})
}

// sliceDim is ONNX's clamping for a static dim: first index and count.
func sliceDim(start, end, step, dim int64) (int64, int64) {
	if start < 0 {
		start += dim
	}
	if end < 0 {
		end += dim
	}
	if step > 0 {
		start, end = min(max(start, 0), dim), min(max(end, 0), dim)
		if end <= start {
			return 0, 0
		}
		return start, (end - start + step - 1) / step
	}
	start, end = min(max(start, 0), dim-1), min(max(end, -1), dim-1)
	if end >= start {
		return 0, 0
	}
	return start, (start - end - step - 1) / -step
}

// dynSliceDim computes start and size of one axis with shape arithmetic.
func dynSliceDim(ctx *conversion.Context, x network.Tensor, a SliceAxis) (network.Tensor, network.Tensor) {
	dim := Dim(ctx, x, a.Axis)
	c := func(v int64) network.Tensor { return ConstInts(ctx, []int64{v}) }
	ew := func(p, q network.Tensor, op network.ElementWiseOperation) network.Tensor {
		return ctx.Net.AddElementWise(p, q, op)
	}
	norm := func(t network.Tensor, v int64) network.Tensor {
		switch {
		case t != nil:
			return t
		case v >= math.MaxInt32:
			return dim
		case v <= -math.MaxInt32:
			return c(-1) // clamps to the low end below
		case v < 0:
			return ew(dim, c(v), network.ElementWiseSUM)
		}
		return c(v)
	}
	st, en := norm(a.StartT, a.Start), norm(a.EndT, a.End)
	if a.Step > 0 {
		st = ew(ew(st, c(0), network.ElementWiseMAX), dim, network.ElementWiseMIN)
		en = ew(ew(en, c(0), network.ElementWiseMAX), dim, network.ElementWiseMIN)
		n := ew(ew(en, st, network.ElementWiseSUB), c(a.Step-1), network.ElementWiseSUM)
		size := ew(ew(n, c(a.Step), network.ElementWiseFLOOR_DIV), c(0), network.ElementWiseMAX)
		return st, size
	}
	last := ew(dim, c(1), network.ElementWiseSUB)
	if a.StartT == nil && a.Start >= math.MaxInt32 {
		st = last
	}
	st = ew(ew(st, c(0), network.ElementWiseMAX), last, network.ElementWiseMIN)
	en = ew(ew(en, c(-1), network.ElementWiseMAX), last, network.ElementWiseMIN)
	n := ew(ew(st, en, network.ElementWiseSUB), c(-a.Step-1), network.ElementWiseSUM)
	size := ew(ew(n, c(-a.Step), network.ElementWiseFLOOR_DIV), c(0), network.ElementWiseMAX)
	// An empty slice must still start in range for STRICT_BOUNDS.
	st = ew(st, c(0), network.ElementWiseMAX)
	return st, size
}
