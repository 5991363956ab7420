package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestDepthSpace(t *testing.T) {
	type A = map[string]ir.Attr
	convtest.Run(t, convtest.Case{Op: "onnx.DepthToSpace", Attrs: A{"blocksize": aInt(2)}, Inputs: []convtest.Input{f32(2, 8, 2, 3)}})
	convtest.Run(t, convtest.Case{Op: "onnx.DepthToSpace", Attrs: A{"blocksize": aInt(2), "mode": aString("CRD")}, Inputs: []convtest.Input{f32(1, 12, 3, 2)}})
	convtest.Run(t, convtest.Case{Op: "onnx.SpaceToDepth", Attrs: A{"blocksize": aInt(3)}, Inputs: []convtest.Input{f32(2, 2, 6, 3)}})
	// Dynamic batch.
	dyn := convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(4), ir.D(2), ir.D(2)}, RunShape: []int64{3, 4, 2, 2}}
	convtest.Run(t, convtest.Case{Op: "onnx.DepthToSpace", Attrs: A{"blocksize": aInt(2), "mode": aString("CRD")}, Inputs: []convtest.Input{dyn}})
	convtest.Run(t, convtest.Case{Op: "onnx.SpaceToDepth", Attrs: A{"blocksize": aInt(2)}, Inputs: []convtest.Input{dyn}})
	_, err := convtest.Build(convtest.Case{Op: "onnx.SpaceToDepth", Attrs: A{"blocksize": aInt(2)}, Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.D(1), ir.D(4), ir.Sym("H"), ir.D(2)}, RunShape: []int64{1, 4, 2, 2}}}})
	if err == nil || !strings.Contains(err.Error(), "must be static") {
		t.Fatalf("dynamic H: got %v", err)
	}
}

func TestLpAndMeanVarianceNorm(t *testing.T) {
	type A = map[string]ir.Attr
	zeroRow := ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{0, 0, 0, 1, -2, 3})
	for _, a := range []A{{}, {"p": aInt(1)}, {"axis": aInt(0), "p": aInt(2)}} {
		convtest.Run(t, convtest.Case{Op: "onnx.LpNormalization", Attrs: a, Inputs: []convtest.Input{f32(2, 3, 4)}})
		convtest.Run(t, convtest.Case{Op: "onnx.LpNormalization", Attrs: a, Inputs: []convtest.Input{{Data: zeroRow}}}) // a zero norm
	}
	convtest.Run(t, convtest.Case{Op: "onnx.LpNormalization", Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(5)}, RunShape: []int64{3, 5}}}})
	_, err := convtest.Build(convtest.Case{Op: "onnx.LpNormalization", Attrs: A{"p": aInt(3)}, Inputs: []convtest.Input{f32(2, 3)}})
	if err == nil || !strings.Contains(err.Error(), "p 3") {
		t.Fatalf("p=3: got %v", err)
	}

	convtest.Run(t, convtest.Case{Op: "onnx.MeanVarianceNormalization", Inputs: []convtest.Input{f32(2, 3, 4, 5)}, Atol: 1e-4})
	convtest.Run(t, convtest.Case{Op: "onnx.MeanVarianceNormalization", Attrs: A{"axes": aInts(-1)}, Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(6)}, RunShape: []int64{3, 6}}}, Atol: 1e-4})
}
