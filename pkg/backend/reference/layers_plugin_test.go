package reference

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// A plugin layer runs through the op named as its CPU equivalent, with the
// fields as the node's attributes: here the built-in onnx.LeakyRelu with a
// float32 field alpha.
func TestPluginV3RunsCPUOp(t *testing.T) {
	x := testInput()
	y := runOne(t, x, func(n *Network, in network.Tensor) network.Tensor {
		return n.AddPluginV3([]network.Tensor{in}, network.PluginV3{
			Creator: "LeakyReluPlugin", Version: "1", Namespace: "test",
			Fields: []network.PluginField{{Name: "alpha", Type: network.PluginFieldFloat32, Float32s: []float32{0.25}}},
			CPUOp:  "onnx.LeakyRelu",
		})
	})
	expectValues(t, "plugin LeakyRelu", y, func(v float64) float64 {
		if v < 0 {
			return 0.25 * v
		}
		return v
	}, 1e-7)
}

func TestPluginV3Refusals(t *testing.T) {
	for _, c := range []struct {
		name string
		p    network.PluginV3
		want string
	}{
		{"no CPU op", network.PluginV3{Creator: "X", Version: "1"}, "the reference backend cannot run TensorRT plugins and the converter named no trtc op"},
		{"unknown CPU op", network.PluginV3{Creator: "X", Version: "1", CPUOp: "com.nobody.Op"}, "op com.nobody.Op, is not defined here"},
		{"no version", network.PluginV3{Creator: "X", CPUOp: "onnx.Relu"}, "creator name and version are required"},
		{"field type", network.PluginV3{Creator: "X", Version: "1", CPUOp: "onnx.Relu",
			Fields: []network.PluginField{{Name: "f", Type: 2}}}, "field f has type PluginFieldType(2)"},
	} {
		n := NewNetwork()
		n.BeginNode("test", "node")
		in := n.AddInput("x", ir.Float32, ir.S(3))
		n.AddPluginV3([]network.Tensor{in}, c.p)
		if err := n.Err(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
