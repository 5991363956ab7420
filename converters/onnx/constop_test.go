package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// Window functions of a constant size and EyeLike of a static shape become
// Constant layers holding the CPU kernel's output.
func TestConstantOps(t *testing.T) {
	size := func(v int64) convtest.Input {
		return convtest.Input{Data: ir.FromSlice(ir.Int64, nil, []int64{v}), Const: true}
	}
	for _, op := range []string{"onnx.HannWindow", "onnx.HammingWindow", "onnx.BlackmanWindow"} {
		for _, periodic := range []int64{0, 1} {
			convtest.Run(t, convtest.Case{Op: op, Opset: 17, Attrs: map[string]ir.Attr{"periodic": aInt(periodic)}, Inputs: []convtest.Input{size(10)}})
		}
		convtest.Run(t, convtest.Case{Op: op, Opset: 17, Attrs: map[string]ir.Attr{"output_datatype": aInt(int64(ir.Float16))}, Inputs: []convtest.Input{size(7)}})
		_, err := convtest.Build(convtest.Case{Op: op, Opset: 17, Inputs: []convtest.Input{{DType: ir.Int64, Shape: ir.S(), Lo: 4, Hi: 9}}})
		if err == nil || !strings.Contains(err.Error(), "input 0 must be a constant") {
			t.Errorf("%s of a run-time size: got %v", op, err)
		}
	}
	for _, attrs := range []map[string]ir.Attr{nil, {"k": aInt(1)}, {"k": aInt(-2), "dtype": aInt(int64(ir.Int32))}} {
		convtest.Run(t, convtest.Case{Op: "onnx.EyeLike", Attrs: attrs, Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(4, 5)}}})
	}
	_, err := convtest.Build(convtest.Case{Op: "onnx.EyeLike", Attrs: map[string]ir.Attr{"dtype": aInt(int64(ir.Float64))}, Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(3, 3)}}})
	if err == nil || !strings.Contains(err.Error(), "which a TensorRT Constant layer does not hold") {
		t.Errorf("float64 EyeLike: got %v", err)
	}
	_, err = convtest.Build(convtest.Case{Op: "onnx.EyeLike", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3)}, RunShape: []int64{3, 3}}}})
	if err == nil || !strings.Contains(err.Error(), "dynamic shape") {
		t.Errorf("EyeLike of a dynamic shape: got %v", err)
	}
}
