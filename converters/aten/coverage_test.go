package aten_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/aten"
	"github.com/trtc-dev/trtc/converters/convtest"
)

// noConverter lists ATen ops that have a CPU kernel but deliberately no
// converter, each with the reason (as converters/onnx's coverage test does
// for ONNX ops).
var noConverter = map[string]string{}

// Every ATen op trtc can run has a converter or a stated reason not to.
func TestEveryATenOpHasConverterOrReason(t *testing.T) {
	convtest.CheckConverterOrReason(t, "aten.", aten.Register, noConverter)
}
