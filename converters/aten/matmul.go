package aten

import (
	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

func init() {
	for _, key := range []string{"aten.mm.default", "aten.bmm.default", "aten.matmul.default"} {
		simple(key, "MatrixMultiply (numpy matmul broadcasting)", dtypeIn(floats...), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			return impl.MatMul(ctx, ctx.Input(n, 0), ctx.Input(n, 1))
		})
	}
	simple("aten.linear.default", "linear as MatrixMultiply(x, W, TRANSPOSE) + bias", dtypeIn(floats...), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		x, w := ctx.Input(n, 0), ctx.Input(n, 1)
		var y network.Tensor
		if len(w.Shape()) == 1 {
			y = impl.MatMul(ctx, x, w)
		} else {
			rank := len(x.Shape())
			if rank == 1 {
				y = ctx.Net.AddMatrixMultiply(x, network.MatrixVECTOR, w, network.MatrixTRANSPOSE)
			} else {
				w = impl.LeadingOnes(ctx, w, rank-2)
				y = ctx.Net.AddMatrixMultiply(x, network.MatrixNONE, w, network.MatrixTRANSPOSE)
			}
		}
		if b := ctx.Input(n, 2); b != nil {
			y = impl.Add(ctx, y, b)
		}
		return y
	})
	simple("aten.addmm.default", "addmm as beta * self + alpha * MatrixMultiply(mat1, mat2)", dtypeIn(floats...), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		alpha, _, ok := ops.ScalarAttr(n.Node, "alpha")
		if !ok {
			alpha = 1
		}
		beta, _, ok := ops.ScalarAttr(n.Node, "beta")
		if !ok {
			beta = 1
		}
		return impl.Gemm(ctx, ctx.Input(n, 1), ctx.Input(n, 2), false, false, ctx.Input(n, 0), nil, float32(alpha), float32(beta))
	})
}
