// Package converters assembles trtc's built-in converter tables.
package converters

import (
	"github.com/trtc-dev/trtc/converters/aten"
	"github.com/trtc-dev/trtc/converters/onnx"
	"github.com/trtc-dev/trtc/pkg/conversion"
)

// Builtin returns a new registry holding every built-in converter.
func Builtin() *conversion.Registry {
	r := conversion.NewRegistry()
	onnx.Register(r)
	aten.Register(r)
	return r
}
