package impl_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

func TestDimAndShapeFrom(t *testing.T) {
	s := ir.Shape{ir.Sym("N"), ir.D(3), ir.Sym("M")}
	_, got, _ := build(t, s, seq(2, 3, 5), func(ctx *conversion.Context, x network.Tensor) network.Tensor {
		return impl.ShapeFrom(ctx, x, []impl.DimSrc{impl.FromIn(2), impl.Const(7), impl.FromIn(1), impl.FromIn(0)})
	})
	if v := got.Ints(); len(v) != 4 || v[0] != 5 || v[1] != 7 || v[2] != 3 || v[3] != 2 {
		t.Fatalf("ShapeFrom gave %v, want [5 7 3 2]", v)
	}
	out, got, layers := build(t, ir.S(2, 3), seq(2, 3), func(ctx *conversion.Context, x network.Tensor) network.Tensor {
		return impl.ShapeTensor(ctx, impl.Dim(ctx, x, 1), impl.Dim(ctx, x, 0))
	})
	if v := got.Ints(); v[0] != 3 || v[1] != 2 {
		t.Fatalf("dims %v, want [3 2]", v)
	}
	if layers != 3 || out.Shape()[0].Size != 2 {
		t.Fatalf("static dims should be two constants and a concat, got %d layers", layers)
	}
}
