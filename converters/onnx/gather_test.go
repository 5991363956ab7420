package onnx_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestGather(t *testing.T) {
	data := convtest.Input{DType: ir.Float32, Shape: ir.S(4, 5)}
	for _, axis := range []int64{0, 1, -1} {
		attrs := map[string]ir.Attr{"axis": iattr(axis)}
		convtest.Run(t, convtest.Case{Op: "onnx.Gather", Attrs: attrs, Inputs: []convtest.Input{data, {Const: true, Data: ints(3, -1, 0)}}})
		// Run-time indices, negative ones included.
		convtest.Run(t, convtest.Case{Op: "onnx.Gather", Attrs: attrs, Inputs: []convtest.Input{data, {DType: ir.Int64, Shape: ir.S(2, 2), Lo: -4, Hi: 4}}})
	}
	// A scalar index drops the axis; int32 indices.
	convtest.Run(t, convtest.Case{Op: "onnx.Gather", Inputs: []convtest.Input{data, {Const: true, Data: ir.FromSlice(ir.Int64, nil, []int64{-2})}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Gather", Attrs: map[string]ir.Attr{"axis": iattr(1)}, Inputs: []convtest.Input{data, {DType: ir.Int32, Shape: ir.S(3), Lo: -5, Hi: 5}}})
}

func TestGatherDynamic(t *testing.T) {
	data := convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(5)}, RunShape: []int64{4, 5}}
	convtest.Run(t, convtest.Case{Op: "onnx.Gather", Inputs: []convtest.Input{data, {Const: true, Data: ints(-1, 1)}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Gather", Inputs: []convtest.Input{data, {DType: ir.Int64, Shape: ir.S(3), Lo: -4, Hi: 4}}})
	convtest.Run(t, convtest.Case{Op: "onnx.Gather", Attrs: map[string]ir.Attr{"axis": iattr(1)}, Inputs: []convtest.Input{data, {DType: ir.Int64, Shape: ir.Shape{ir.Sym("K")}, RunShape: []int64{6}, Lo: -5, Hi: 5}}})
}

func TestGatherElements(t *testing.T) {
	data := convtest.Input{DType: ir.Float32, Shape: ir.S(3, 4)}
	convtest.Run(t, convtest.Case{Op: "onnx.GatherElements", Attrs: map[string]ir.Attr{"axis": iattr(1)}, Inputs: []convtest.Input{data, {DType: ir.Int64, Shape: ir.S(3, 2), Lo: -4, Hi: 4}}})
	convtest.Run(t, convtest.Case{Op: "onnx.GatherElements", Inputs: []convtest.Input{data, {Const: true, Data: ir.FromSlice(ir.Int64, []int64{2, 4}, []int64{0, -1, 2, 1, 1, 0, -3, 2})}}})
}
