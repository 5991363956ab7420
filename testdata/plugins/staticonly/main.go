// Command staticonly registers a HIGH-priority onnx.Relu converter that does
// not support dynamic shapes: for a node with a symbolic dim the registry
// must skip it, say so, and use the built-in converter.
package main

import (
	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
)

// RegisterConverters registers the static-only Relu.
func RegisterConverters(r conversion.Registrar) error {
	return r.Register(conversion.Converter{
		Name:          "static-relu",
		Target:        "onnx.Relu",
		Priority:      conversion.High,
		DynamicShapes: false,
		Description:   "Relu for static shapes only",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			ctx.SetOutput(n, 0, impl.Relu(ctx, ctx.Input(n, 0)))
			return nil
		},
	})
}

func main() {}
