package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// DFT as a constant-matrix MatrixMultiply against the CPU kernel: real and
// complex input, forward and inverse, onesided (rfft and irfft), zero
// padding and truncation by dft_length, axis as an attribute (opset 17) and
// as an input (opset 20), and a dynamic batch.
func TestDFT(t *testing.T) {
	length := func(v int64) convtest.Input {
		return convtest.Input{Data: ir.FromSlice(ir.Int64, nil, []int64{v}), Const: true}
	}
	axisIn := func(v int64) convtest.Input {
		return convtest.Input{Data: ir.FromSlice(ir.Int64, nil, []int64{v}), Const: true}
	}
	for _, c := range []struct {
		attrs  map[string]ir.Attr
		opset  int64
		inputs []convtest.Input
	}{
		{nil, 17, []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 8, 1)}}},
		{nil, 17, []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 8, 2)}}},
		{map[string]ir.Attr{"inverse": aInt(1)}, 17, []convtest.Input{{DType: ir.Float32, Shape: ir.S(3, 6, 2)}}},
		{map[string]ir.Attr{"onesided": aInt(1)}, 17, []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 7, 1)}}},
		{map[string]ir.Attr{"onesided": aInt(1), "inverse": aInt(1)}, 17, []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 5, 2)}}},
		{map[string]ir.Attr{"axis": aInt(2)}, 17, []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 3, 6, 2)}}},
		{nil, 17, []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 5, 2)}, length(8)}}, // zero padding
		{nil, 17, []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 9, 1)}, length(4)}}, // truncation
		{nil, 20, []convtest.Input{{DType: ir.Float32, Shape: ir.S(4, 3, 2)}, {Absent: true}, axisIn(-3)}},
		{nil, 20, []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 6, 3, 1)}, length(6), axisIn(1)}},
		{nil, 20, []convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(8), ir.D(2)}, RunShape: []int64{3, 8, 2}}}},
	} {
		convtest.Run(t, convtest.Case{Op: "onnx.DFT", Attrs: c.attrs, Opset: c.opset, Inputs: c.inputs, Atol: 1e-5, Rtol: 1e-4})
	}
}

func TestDFTRefusals(t *testing.T) {
	for _, c := range []struct {
		inputs []convtest.Input
		want   string
	}{
		{[]convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 8, 1)}, {DType: ir.Int64, Shape: ir.S(), Lo: 4, Hi: 5}}, "dft_length (input 1) must be a constant"},
		{[]convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.D(2), ir.Sym("L"), ir.D(2)}, RunShape: []int64{2, 8, 2}}}, "the signal dim 1 is dynamic"},
		{[]convtest.Input{{DType: ir.Float32, Shape: ir.S(1, 5000, 2)}}, "more than the"},
	} {
		_, err := convtest.Build(convtest.Case{Op: "onnx.DFT", Opset: 17, Inputs: c.inputs})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error saying %q", err, c.want)
		}
	}
}
