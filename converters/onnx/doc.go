// Package onnx holds trtc's built-in converters for ONNX ops, one file per op
// family. Each converter is a thin adapter: it reads the node's attributes
// and calls converters/impl. Register adds them all to a registry.
package onnx

import "github.com/trtc-dev/trtc/pkg/conversion"

// builtins collects each family file's converters (appended in init, so file
// order fixes the registration order).
var builtins []conversion.Converter

// Register adds every built-in ONNX converter to r.
func Register(r *conversion.Registry) {
	for _, c := range builtins {
		r.MustRegister(c)
	}
}
