package impl_test

import (
	"math"
	"testing"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// The dynamic path's shape arithmetic must agree with ONNX's clamping for
// every start/end/step combination.
func TestSliceAxesDynamicMatchesONNX(t *testing.T) {
	const dim = 6
	big := int64(math.MaxInt64)
	for _, step := range []int64{1, 2, -1, -3} {
		for _, start := range []int64{-8, -3, 0, 2, 5, 9, big, -big} {
			for _, end := range []int64{-9, -2, 0, 3, 6, 10, big, -big} {
				first, size := ops.SliceDim(start, end, step, dim)
				_, got, _ := build(t, ir.Shape{ir.Sym("N")}, seq(dim), func(ctx *conversion.Context, x network.Tensor) network.Tensor {
					return impl.SliceAxes(ctx, x, []impl.SliceAxis{{Axis: 0, Start: start, End: end, Step: step}})
				})
				if got.Numel() != size {
					t.Fatalf("[%d:%d:%d] of %d: %d elements, want %d", start, end, step, dim, got.Numel(), size)
				}
				if size > 0 && got.Float(0) != float64(first) {
					t.Fatalf("[%d:%d:%d]: first %g, want %d", start, end, step, got.Float(0), first)
				}
			}
		}
	}
}
