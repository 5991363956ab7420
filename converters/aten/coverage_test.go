package aten_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/aten"
	"github.com/trtc-dev/trtc/converters/convtest"
)

// noConverter lists ATen ops that have a CPU kernel but deliberately no
// converter, each with the reason (as converters/onnx's coverage test does
// for ONNX ops).
var noConverter = map[string]string{
	"aten.grid_sampler_2d.default": "pkg/lower turns grid_sampler_2d into ONNX GridSample (one kernel and one converter for both " +
		"front ends) except bicubic sampling with border padding, where PyTorch clamps each of the 16 taps and ONNX GridSample " +
		"clamps the sample point first. TensorRT's IGridSampleLayer (kCUBIC, SampleMode kCLAMP: \"out of bounds indices are " +
		"clamped to bounds\") describes PyTorch's rule, but that layer kind is not in trtc's layer-kind table on main yet, so " +
		"this kernel computes the node",
}

// Every ATen op trtc can run has a converter or a stated reason not to.
func TestEveryATenOpHasConverterOrReason(t *testing.T) {
	convtest.CheckConverterOrReason(t, "aten.", aten.Register, noConverter)
}
