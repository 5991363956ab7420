package impl

import (
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// MatMul is numpy matmul: a 1-D operand is a VECTOR operand (its dim is
// dropped from the result), and the operand with fewer batch dims gets
// leading 1s so both have as many, as TensorRT requires.
func MatMul(ctx *conversion.Context, a, b network.Tensor) network.Tensor {
	opA, opB := network.MatrixNONE, network.MatrixNONE
	ba, bb := len(a.Shape())-2, len(b.Shape())-2
	if len(a.Shape()) == 1 {
		opA, ba = network.MatrixVECTOR, 0
	}
	if len(b.Shape()) == 1 {
		opB, bb = network.MatrixVECTOR, 0
	}
	switch {
	case ba < bb:
		a = LeadingOnes(ctx, a, bb-ba)
	case bb < ba:
		b = LeadingOnes(ctx, b, ba-bb)
	}
	return ctx.Net.AddMatrixMultiply(a, opA, b, opB)
}

// Gemm is alpha * op(A) * op(B) + beta * C for 2-D A and B, with C (may be
// nil) broadcast to the result. A constant C is scaled at build time.
func Gemm(ctx *conversion.Context, a, b network.Tensor, transA, transB bool, c network.Tensor, cConst *ir.Tensor, alpha, beta float32) network.Tensor {
	op := func(t bool) network.MatrixOperation {
		if t {
			return network.MatrixTRANSPOSE
		}
		return network.MatrixNONE
	}
	y := ctx.Net.AddMatrixMultiply(a, op(transA), b, op(transB))
	if alpha != 1 {
		y = Mul(ctx, y, ScalarLike(ctx, float64(alpha), y))
	}
	if c == nil && cConst == nil {
		return y
	}
	switch {
	case cConst != nil:
		if beta != 1 {
			scaled := ir.NewTensor(cConst.DType, cConst.Shape)
			for i := 0; i < int(scaled.Numel()); i++ {
				scaled.SetFloat(i, cConst.Float(i)*float64(beta))
			}
			cConst = scaled
		}
		c = ctx.Net.AddConstant(cConst)
	case beta != 1:
		c = Mul(ctx, c, ScalarLike(ctx, float64(beta), c))
	}
	return Add(ctx, y, c)
}

// LeadingOnes adds k leading dims of size 1 without shape tensors, also for
// dynamic dims: a reshape appends k trailing 1s (the zero placeholder copies
// the input's dims in place), then the second transpose moves them first.
func LeadingOnes(ctx *conversion.Context, t network.Tensor, k int) network.Tensor {
	rank := len(t.Shape())
	if k <= 0 {
		return t
	}
	if rank == 0 || t.Shape().IsStatic() {
		return PrependOnes(ctx, t, k)
	}
	dims := make([]int64, rank+k)
	for i := rank; i < rank+k; i++ {
		dims[i] = 1
	}
	perm := make([]int, 0, rank+k)
	for i := rank; i < rank+k; i++ {
		perm = append(perm, i)
	}
	for i := 0; i < rank; i++ {
		perm = append(perm, i)
	}
	return ctx.Net.AddShuffle(t, network.ShuffleParams{Reshape: dims, ZeroIsPlaceholder: true, SecondTranspose: perm})
}
