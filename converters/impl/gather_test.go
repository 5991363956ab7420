package impl_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

func TestGatherNegativeIndicesDynamicDim(t *testing.T) {
	idx := ir.FromSlice(ir.Int64, []int64{3}, []int64{-1, 0, -4})
	for _, constIdx := range []*ir.Tensor{idx, nil} {
		_, got, _ := build(t, ir.Shape{ir.Sym("N")}, seq(4), func(ctx *conversion.Context, x network.Tensor) network.Tensor {
			i := ctx.Net.AddConstant(idx)
			return impl.Gather(ctx, x, i, 0, constIdx)
		})
		if v := got.Floats(); v[0] != 3 || v[1] != 0 || v[2] != 0 {
			t.Fatalf("gather gave %v, want [3 0 0]", v)
		}
	}
}

func TestConcatOne(t *testing.T) {
	_, got, _ := build(t, ir.S(2), seq(2), func(ctx *conversion.Context, x network.Tensor) network.Tensor {
		return impl.Concat(ctx, []network.Tensor{x, x}, 0)
	})
	checkShape(t, got, 4)
}
