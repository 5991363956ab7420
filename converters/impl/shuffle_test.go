package impl_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

func TestUnsqueezeSqueezeDynamic(t *testing.T) {
	s := ir.Shape{ir.Sym("N"), ir.D(4)}
	out, got, _ := build(t, s, seq(3, 4), func(ctx *conversion.Context, x network.Tensor) network.Tensor {
		return impl.Unsqueeze(ctx, x, []int{0, 2})
	})
	checkShape(t, got, 1, 3, 1, 4)
	if !out.Shape().Equal(ir.Shape{ir.D(1), ir.Sym("N"), ir.D(1), ir.D(4)}) {
		t.Fatalf("inferred %v, want [1xNx1x4]", out.Shape())
	}
	out, got, _ = build(t, ir.Shape{ir.D(1), ir.Sym("N"), ir.D(1)}, seq(1, 5, 1), func(ctx *conversion.Context, x network.Tensor) network.Tensor {
		return impl.Squeeze(ctx, x, []int{0, 2})
	})
	checkShape(t, got, 5)
	if !out.Shape().Equal(ir.Shape{ir.Sym("N")}) {
		t.Fatalf("inferred %v, want [N]", out.Shape())
	}
}

func TestReshapeSpecPlaceholder(t *testing.T) {
	// A dynamic dim that stays in place needs no shape tensor: one layer.
	_, got, layers := build(t, ir.Shape{ir.Sym("N"), ir.D(3), ir.D(4)}, seq(2, 3, 4), func(ctx *conversion.Context, x network.Tensor) network.Tensor {
		return impl.ReshapeSpec(ctx, x, []impl.DimSrc{impl.FromIn(0), impl.Const(12)})
	})
	checkShape(t, got, 2, 12)
	if layers != 1 {
		t.Fatalf("%d layers, want 1 Shuffle", layers)
	}
}

func TestFlattenBothSidesDynamic(t *testing.T) {
	s := ir.Shape{ir.Sym("A"), ir.Sym("B"), ir.Sym("C")}
	_, got, _ := build(t, s, seq(2, 3, 4), func(ctx *conversion.Context, x network.Tensor) network.Tensor {
		return impl.Flatten(ctx, x, 2)
	})
	checkShape(t, got, 6, 4)
	_, got, _ = build(t, ir.S(2, 3), seq(2, 3), func(ctx *conversion.Context, x network.Tensor) network.Tensor {
		return impl.Transpose(ctx, x, []int{1, 0})
	})
	checkShape(t, got, 3, 2)
	if got.Float(1) != 3 {
		t.Fatalf("transpose element 1 is %g, want 3", got.Float(1))
	}
}
