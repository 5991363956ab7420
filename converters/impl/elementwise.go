package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// ElementWise applies op with numpy broadcasting: the lower-rank operand is
// reshaped with leading 1s first, since TensorRT needs equal ranks.
func ElementWise(ctx *conversion.Context, a, b network.Tensor, op network.ElementWiseOperation) network.Tensor {
	a, b = BroadcastRanks(ctx, a, b)
	return ctx.Net.AddElementWise(a, b, op)
}

// Add, Sub, Mul, Div, Pow, Max and Min are ElementWise shorthands.
func Add(ctx *conversion.Context, a, b network.Tensor) network.Tensor {
	return ElementWise(ctx, a, b, network.ElementWiseSUM)
}
func Sub(ctx *conversion.Context, a, b network.Tensor) network.Tensor {
	return ElementWise(ctx, a, b, network.ElementWiseSUB)
}
func Mul(ctx *conversion.Context, a, b network.Tensor) network.Tensor {
	return ElementWise(ctx, a, b, network.ElementWisePROD)
}
func Div(ctx *conversion.Context, a, b network.Tensor) network.Tensor {
	return ElementWise(ctx, a, b, network.ElementWiseDIV)
}
func Pow(ctx *conversion.Context, a, b network.Tensor) network.Tensor {
	return ElementWise(ctx, a, b, network.ElementWisePOW)
}
func Max(ctx *conversion.Context, a, b network.Tensor) network.Tensor {
	return ElementWise(ctx, a, b, network.ElementWiseMAX)
}
func Min(ctx *conversion.Context, a, b network.Tensor) network.Tensor {
	return ElementWise(ctx, a, b, network.ElementWiseMIN)
}

// BroadcastRanks reshapes the lower-rank tensor with leading 1s so both have
// the same rank. Dynamic dims are kept with reshape's zero placeholder, so no
// shape tensor is needed.
func BroadcastRanks(ctx *conversion.Context, a, b network.Tensor) (network.Tensor, network.Tensor) {
	ra, rb := len(a.Shape()), len(b.Shape())
	switch {
	case ra < rb:
		a = PrependOnes(ctx, a, rb-ra)
	case rb < ra:
		b = PrependOnes(ctx, b, ra-rb)
	}
	return a, b
}

// PrependOnes adds k leading dims of size 1.
func PrependOnes(ctx *conversion.Context, t network.Tensor, k int) network.Tensor {
	if k <= 0 {
		return t
	}
	rank := len(t.Shape())
	if rank == 0 {
		dims := make([]int64, k)
		for i := range dims {
			dims[i] = 1
		}
		return ctx.Net.AddShuffle(t, network.ShuffleParams{Reshape: dims})
	}
	// Leading 1s, then the input's dims copied by the zero placeholder.
	// The copies refer to input dims by position, so the ones go after a
	// first transpose-free reshape: [0..rank) copy, then shift.
	dims := make([]int64, k+rank)
	for i := 0; i < k; i++ {
		dims[i] = 1
	}
	s := t.Shape()
	if s.IsStatic() {
		for i, d := range s {
			dims[k+i] = d.Size
		}
		return ctx.Net.AddShuffle(t, network.ShuffleParams{Reshape: dims})
	}
	// With dynamic dims, use the shape tensor: concat(ones, shape(t)).
	ones := make([]int64, k)
	for i := range ones {
		ones[i] = 1
	}
	shape := ctx.Net.AddConcatenation([]network.Tensor{
		ConstInts(ctx, ones),
		ctx.Net.AddShape(t),
	}, 0)
	return ctx.Net.AddShuffle(t, network.ShuffleParams{ReshapeTensor: shape})
}

// ConstInts adds a 1-D Int64 constant.
func ConstInts(ctx *conversion.Context, vals []int64) network.Tensor {
	return ctx.Net.AddConstant(ir.FromSlice(ir.Int64, []int64{int64(len(vals))}, vals))
}

// ScalarLike adds a constant v of t's dtype with t's rank and every dim 1,
// ready to broadcast against t.
func ScalarLike(ctx *conversion.Context, v float64, t network.Tensor) network.Tensor {
	return Scalar(ctx, v, t.DType(), len(t.Shape()))
}

// Scalar adds a constant v of dtype dt and rank rank with every dim 1.
func Scalar(ctx *conversion.Context, v float64, dt ir.DType, rank int) network.Tensor {
	dims := make([]int64, rank)
	for i := range dims {
		dims[i] = 1
	}
	w := ir.NewTensor(dt, dims)
	w.SetFloat(0, v)
	return ctx.Net.AddConstant(w)
}
