package reference

import (
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

func TestResizeLayer(t *testing.T) {
	x := ir.FromSlice(ir.Float32, []int64{1, 2}, []float32{1, 2})
	r := runNet(t, map[string]*ir.Tensor{"x": x}, func(n *Network) []network.Tensor {
		in := n.AddInput("x", ir.Float32, ir.Shape{ir.D(1), ir.Sym("W")})
		return []network.Tensor{
			n.AddResize(in, network.ResizeParams{Mode: network.InterpolationLINEAR, Scales: []float32{1, 2}, CoordTransform: network.ResizeHALF_PIXEL}),
			n.AddResize(in, network.ResizeParams{Mode: network.InterpolationNEAREST, OutputDimsT: n.AddConstant(ir.FromSlice(ir.Int64, []int64{2}, []int64{1, 3})),
				CoordTransform: network.ResizeASYMMETRIC, NearestRounding: network.ResizeRoundFLOOR}),
			// An output dim of 1: HALF_PIXEL's formula reads 0.5, UPPER reads 0.
			n.AddResize(in, network.ResizeParams{Mode: network.InterpolationLINEAR, OutputDims: []int64{1, 1}, CoordTransform: network.ResizeHALF_PIXEL}),
			n.AddResize(in, network.ResizeParams{Mode: network.InterpolationLINEAR, OutputDims: []int64{1, 1}, CoordTransform: network.ResizeHALF_PIXEL, Selector: network.ResizeSelectorUPPER}),
		}
	})
	wantFloats(t, r[0], []int64{1, 4}, []float64{1, 1.25, 1.75, 2})
	wantFloats(t, r[1], []int64{1, 3}, []float64{1, 1, 2})
	wantFloats(t, r[2], []int64{1, 1}, []float64{1.5})
	wantFloats(t, r[3], []int64{1, 1}, []float64{1})

	for name, p := range map[string]network.ResizeParams{
		"two sizes":      {OutputDims: []int64{1, 2}, Scales: []float32{1, 1}},
		"no size":        {},
		"cubic on dim 0": {Mode: network.InterpolationCUBIC, Scales: []float32{2, 1, 1}},
		"bad mode":       {Mode: 7, Scales: []float32{1, 1, 1}},
		"zero scale":     {Scales: []float32{1, 0, 1}},
	} {
		n := NewNetwork()
		n.AddResize(n.AddInput("x", ir.Float32, ir.S(2, 3, 4)), p)
		if n.Err() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	n := NewNetwork()
	n.AddResize(n.AddInput("x", ir.Int32, ir.S(2, 3)), network.ResizeParams{Mode: network.InterpolationLINEAR, Scales: []float32{1, 2}})
	if n.Err() == nil {
		t.Error("linear resize of Int32 accepted")
	}
}
