// Command dup_b registers a converter named "shared-relu"; so does the other
// dup_ plugin, and loading both must fail.
package main

import (
	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
)

// RegisterConverters registers shared-relu.
func RegisterConverters(r conversion.Registrar) error {
	return r.Register(conversion.Converter{
		Name:          "shared-relu",
		Target:        "onnx.Relu",
		Priority:      conversion.High,
		DynamicShapes: true,
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			ctx.SetOutput(n, 0, impl.Relu(ctx, ctx.Input(n, 0)))
			return nil
		},
	})
}

func main() {}
