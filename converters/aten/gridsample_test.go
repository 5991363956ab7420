package aten_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// grid_sampler_2d through IGridSampleLayer against the ATen kernel, every
// mode and padding mode, with grid points outside [-1, 1] so that padding
// matters; bicubic with border is the node pkg/lower keeps as ATen (each
// tap clamped, PyTorch's rule, which TensorRT's kCLAMP describes).
var gridSampleCases = func() []convtest.Case {
	var cs []convtest.Case
	for mode := int64(0); mode < 3; mode++ {
		for pad := int64(0); pad < 3; pad++ {
			for align := int64(0); align < 2; align++ {
				cs = append(cs, convtest.Case{Op: "aten.grid_sampler_2d.default", Atol: 1e-5, Rtol: 1e-4,
					Attrs:  A{"interpolation_mode": ai(mode), "padding_mode": ai(pad), "align_corners": ai(align)},
					Inputs: []convtest.Input{f32(2, 3, 5, 6), {DType: ir.Float32, Shape: ir.S(2, 4, 7, 2), Lo: -1.4, Hi: 1.4}}})
			}
		}
	}
	return cs
}()

func init() { allCases = append(allCases, gridSampleCases) }

func TestGridSampler2D(t *testing.T) { runCases(t, gridSampleCases) }
