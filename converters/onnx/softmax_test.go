package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/backend/reference"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

func softmaxOps(t *testing.T) []string {
	if reference.Implements(network.KindUnary) {
		return []string{"Softmax", "LogSoftmax"}
	}
	t.Log("reference backend has no Unary layer yet: LogSoftmax not checked")
	return []string{"Softmax"}
}

func TestSoftmax(t *testing.T) {
	for _, op := range softmaxOps(t) {
		for _, axis := range []int64{0, 1, 2, -1} {
			convtest.Run(t, convtest.Case{Op: "onnx." + op, Attrs: map[string]ir.Attr{"axis": aInt(axis)}, Inputs: []convtest.Input{f32(3, 4, 5)}})
		}
		convtest.Run(t, convtest.Case{Op: "onnx." + op, Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 4), Lo: 1000, Hi: 1010}}})
		convtest.Run(t, convtest.Case{Op: "onnx." + op, Inputs: []convtest.Input{
			{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3), ir.Sym("S")}, RunShape: []int64{2, 3, 5}},
		}})
	}
}

func TestSoftmaxOpset11(t *testing.T) {
	// Before opset 13 the input is coerced to 2-D at axis (default 1). The
	// attribute tells the fallback kernel, as the frontend stamps it.
	for _, op := range softmaxOps(t) {
		for _, axis := range []int64{0, 1, 2} {
			attrs := map[string]ir.Attr{"axis": aInt(axis), ops.OpsetAttr: aInt(11)}
			convtest.Run(t, convtest.Case{Op: "onnx." + op, Opset: 11, Attrs: attrs, Inputs: []convtest.Input{f32(3, 4, 5)}})
		}
		convtest.Run(t, convtest.Case{Op: "onnx." + op, Opset: 11, Attrs: map[string]ir.Attr{ops.OpsetAttr: aInt(11)}, Inputs: []convtest.Input{
			{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3), ir.D(4)}, RunShape: []int64{2, 3, 4}},
		}})
	}
	// The two forms differ: the flattened one must not equal the one-axis one.
	r, err := convtest.Build(convtest.Case{Op: "onnx.Softmax", Opset: 11, Attrs: map[string]ir.Attr{ops.OpsetAttr: aInt(11)}, Inputs: []convtest.Input{f32(2, 3, 4)}})
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for i := 0; i < 12; i++ {
		sum += r.Engine[0].Float(i)
	}
	if sum < 0.999 || sum > 1.001 {
		t.Fatalf("opset 11 softmax over dims 1.. of the first batch sums to %g, want 1", sum)
	}
	_, err = convtest.Build(convtest.Case{Op: "onnx.Softmax", Opset: 11, Attrs: map[string]ir.Attr{ops.OpsetAttr: aInt(11)}, Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.D(2), ir.Sym("S"), ir.D(4)}, RunShape: []int64{2, 3, 4}},
	}})
	if err == nil || !strings.Contains(err.Error(), "must be static") {
		t.Fatalf("dynamic trailing dims at opset 11: got %v", err)
	}
}
