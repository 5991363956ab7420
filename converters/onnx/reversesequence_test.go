package onnx_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// ReverseSequence as an ELEMENT Gather against the CPU kernel: time-major
// and batch-major, lengths from 0 to the full time dim, trailing dims.
func TestReverseSequence(t *testing.T) {
	lens := func(dt ir.DType, v ...int64) convtest.Input {
		l := ir.NewTensor(dt, []int64{int64(len(v))})
		for i, x := range v {
			l.SetFloat(i, float64(x))
		}
		return convtest.Input{Data: l}
	}
	for _, c := range []struct {
		tAxis, bAxis int64
		x, l         convtest.Input
	}{
		{0, 1, f32(4, 3), lens(ir.Int64, 4, 1, 0)},
		{1, 0, f32(3, 5, 2), lens(ir.Int64, 2, 5, 3)},
		{0, 1, convtest.Input{DType: ir.Int32, Shape: ir.S(3, 2)}, lens(ir.Int64, 3, 2)},
	} {
		convtest.Run(t, convtest.Case{Op: "onnx.ReverseSequence", Attrs: map[string]ir.Attr{"time_axis": aInt(c.tAxis), "batch_axis": aInt(c.bAxis)},
			Inputs: []convtest.Input{c.x, c.l}})
	}
}
