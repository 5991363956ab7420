package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Gather picks slices of data along axis with numpy/ONNX index semantics:
// negative indices count from the end. TensorRT's Gather takes indices in
// [0, dim) only, so constant indices are normalized at build time and
// run-time ones with idx - floor(idx/dim)*dim.
func Gather(ctx *conversion.Context, data, indices network.Tensor, axis int, constIdx *ir.Tensor) network.Tensor {
	return ctx.Net.AddGather(data, NormIndices(ctx, data, indices, axis, constIdx), axis, network.GatherDEFAULT)
}

// GatherElements is ONNX GatherElements (TensorRT ELEMENT mode).
func GatherElements(ctx *conversion.Context, data, indices network.Tensor, axis int, constIdx *ir.Tensor) network.Tensor {
	return ctx.Net.AddGather(data, NormIndices(ctx, data, indices, axis, constIdx), axis, network.GatherELEMENT)
}

// NormIndices maps indices in [-dim, dim) of data's axis into [0, dim).
// constIdx is the indices' constant value, or nil when they are run-time.
func NormIndices(ctx *conversion.Context, data, indices network.Tensor, axis int, constIdx *ir.Tensor) network.Tensor {
	d := data.Shape()[axis]
	if constIdx != nil {
		neg := false
		for _, v := range constIdx.Ints() {
			neg = neg || v < 0
		}
		if !neg {
			return indices
		}
		if d.Static() {
			t := ir.NewTensor(constIdx.DType, constIdx.Shape)
			for i, v := range constIdx.Ints() {
				if v < 0 {
					v += d.Size
				}
				t.SetFloat(i, float64(v))
			}
			return ctx.Net.AddConstant(t)
		}
	}
	// idx - floor_div(idx, dim) * dim, with dim in the indices' dtype and
	// rank so TensorRT's elementwise rules hold.
	dt := indices.DType()
	rank := len(indices.Shape())
	var dim network.Tensor
	if d.Static() {
		dim = Scalar(ctx, float64(d.Size), dt, rank)
	} else {
		dim = Dim(ctx, data, axis)
		if dt != ir.Int64 {
			dim = ctx.Net.AddCast(dim, dt)
		}
		if rank == 0 {
			dim = ReshapeScalar(ctx, dim)
		} else {
			dim = PrependOnes(ctx, dim, rank-1)
		}
	}
	q := ctx.Net.AddElementWise(indices, dim, network.ElementWiseFLOOR_DIV)
	return ctx.Net.AddElementWise(indices, ctx.Net.AddElementWise(q, dim, network.ElementWisePROD), network.ElementWiseSUB)
}

// GatherND is ONNX GatherND: the last dim of indices (static, m) indexes
// data's dims batchDims..batchDims+m-1, the first batchDims dims of data and
// indices being paired (TensorRT's ND mode with nbElementWiseDims).
// Negative indices count from the end, as for Gather.
//
// TensorRT's ND mode takes 0 <= nbElementWiseDims < rank(data)-1
// (IGatherLayer, NvInfer.h). With batchDims = rank(data)-1 (index tuples of
// one element picking along the last dim) data gets a trailing dim of 1,
// which the tuples leave alone, and the output loses it again.
func GatherND(ctx *conversion.Context, data, indices network.Tensor, batchDims int, constIdx *ir.Tensor) network.Tensor {
	idx := NormIndicesND(ctx, data, indices, batchDims, constIdx)
	r := len(data.Shape())
	if batchDims > 0 && batchDims == r-1 {
		y := ctx.Net.AddGatherND(Unsqueeze(ctx, data, []int{r}), idx, batchDims)
		return Squeeze(ctx, y, []int{len(y.Shape()) - 1})
	}
	return ctx.Net.AddGatherND(data, idx, batchDims)
}

// NormIndicesND maps ND index tuples (the last dim of indices, static m,
// indexing data's dims batchDims..batchDims+m-1) from [-dim, dim) into
// [0, dim). constIdx is the indices' constant value, or nil.
func NormIndicesND(ctx *conversion.Context, data, indices network.Tensor, batchDims int, constIdx *ir.Tensor) network.Tensor {
	is := indices.Shape()
	q := len(is)
	m := int(is[q-1].Size)
	dims := data.Shape()[batchDims : batchDims+m]
	if constIdx != nil {
		neg := false
		for _, v := range constIdx.Ints() {
			neg = neg || v < 0
		}
		if !neg {
			return indices
		}
		if dims.IsStatic() {
			t := ir.NewTensor(constIdx.DType, constIdx.Shape)
			for i, v := range constIdx.Ints() {
				if v < 0 {
					v += dims[i%m].Size
				}
				t.SetFloat(i, float64(v))
			}
			return ctx.Net.AddConstant(t)
		}
	}
	// idx - floor_div(idx, dim) * dim, dim the [1, ..., 1, m] sizes of the
	// indexed dims.
	shape := make([]int64, q)
	for i := range shape {
		shape[i] = 1
	}
	shape[q-1] = int64(m)
	var dim network.Tensor
	if dims.IsStatic() {
		sizes, _ := dims.Ints()
		dim = ctx.Net.AddConstant(ir.FromSlice(ir.Int64, shape, sizes))
	} else {
		spec := make([]DimSrc, m)
		for i := range spec {
			spec[i] = FromIn(batchDims + i)
		}
		dim = Reshape(ctx, ShapeFrom(ctx, data, spec), shape)
	}
	dim = Cast(ctx, dim, indices.DType())
	fq := ctx.Net.AddElementWise(indices, dim, network.ElementWiseFLOOR_DIV)
	return ctx.Net.AddElementWise(indices, ctx.Net.AddElementWise(fq, dim, network.ElementWisePROD), network.ElementWiseSUB)
}
