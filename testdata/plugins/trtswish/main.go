// Command trtswish converts com.acme.ScaledSwish (defined by
// plugins/scaled_swish, which must be loaded too) into one TensorRT plugin
// layer: creator "ScaledSwishPlugin" version "1" namespace "acme", with a
// float32 field alpha, and com.acme.ScaledSwish as its CPU equivalent, which
// the reference backend runs. With TRTC_TEST_TRTSWISH=nocpu it names no CPU
// equivalent, so the reference backend refuses the layer and the node falls
// back.
package main

import (
	"os"

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

func RegisterConverters(r conversion.Registrar) error {
	return r.Register(conversion.Converter{
		Target:        "com.acme.ScaledSwish",
		Priority:      conversion.High,
		DynamicShapes: true,
		Description:   "ScaledSwish as the TensorRT plugin acme::ScaledSwishPlugin v1",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			cpu := "com.acme.ScaledSwish"
			if os.Getenv("TRTC_TEST_TRTSWISH") == "nocpu" {
				cpu = ""
			}
			y := ctx.Net.AddPluginV3([]network.Tensor{ctx.Input(n, 0)}, network.PluginV3{
				Creator: "ScaledSwishPlugin", Version: "1", Namespace: "acme",
				Fields: []network.PluginField{{Name: "alpha", Type: network.PluginFieldFloat32,
					Float32s: []float32{n.AttrFloat("alpha", 1)}}},
				CPUOp: cpu,
			})
			ctx.SetOutput(n, 0, y)
			return nil
		},
	})
}

func main() {}
