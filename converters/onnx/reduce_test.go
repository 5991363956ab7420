package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/backend/reference"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

func axesInput(v ...int64) convtest.Input {
	return convtest.Input{DType: ir.Int64, Data: ir.FromSlice(ir.Int64, []int64{int64(len(v))}, v), Const: true}
}

func TestReduce(t *testing.T) {
	ops := []string{"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceSumSquare"}
	if reference.Implements(network.KindUnary) {
		ops = append(ops, "ReduceL2", "ReduceLogSum", "ReduceLogSumExp")
	} else {
		t.Log("reference backend has no Unary layer yet: ReduceL2/LogSum/LogSumExp not checked")
	}
	type A = map[string]ir.Attr
	for _, op := range ops {
		lo := -2.0
		if op == "ReduceLogSum" {
			lo = 0.1
		}
		x := convtest.Input{DType: ir.Float32, Shape: ir.S(3, 2, 4), Lo: lo, Hi: 2}
		for _, c := range []struct {
			attrs A
			axes  []int64 // nil: no axes input
		}{
			{A{"keepdims": aInt(1)}, []int64{1}},
			{A{"keepdims": aInt(0)}, []int64{0, 2}}, // non-contiguous
			{A{}, []int64{-1}},
			{A{"keepdims": aInt(0)}, nil}, // all axes
			{A{"noop_with_empty_axes": aInt(1)}, nil},
			{A{"axes": aInts(0, 1), "keepdims": aInt(0)}, nil}, // attribute form (older opsets)
		} {
			in := []convtest.Input{x}
			if c.axes != nil {
				in = append(in, axesInput(c.axes...))
			}
			convtest.Run(t, convtest.Case{Op: "onnx." + op, Attrs: c.attrs, Inputs: in, Atol: 1e-4})
		}
	}
	// Integer inputs and a dynamic batch.
	convtest.Run(t, convtest.Case{Op: "onnx.ReduceSum", Inputs: []convtest.Input{{DType: ir.Int32, Shape: ir.S(3, 4)}, axesInput(1)}})
	convtest.Run(t, convtest.Case{Op: "onnx.ReduceL1", Inputs: []convtest.Input{{DType: ir.Int64, Shape: ir.S(3, 4), Lo: -5, Hi: 5}, axesInput(0)}})
	convtest.Run(t, convtest.Case{Op: "onnx.ReduceMean", Attrs: map[string]ir.Attr{"keepdims": aInt(0)}, Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3), ir.D(4)}, RunShape: []int64{2, 3, 4}}, axesInput(-1),
	}})
}

func TestReduceRejectsDynamicAxes(t *testing.T) {
	_, err := convtest.Build(convtest.Case{Op: "onnx.ReduceSum", Inputs: []convtest.Input{f32(3, 4), {DType: ir.Int64, Shape: ir.S(1), Lo: 0, Hi: 1}}})
	if err == nil || !strings.Contains(err.Error(), "axes input must be a constant") {
		t.Fatalf("got %v", err)
	}
}
