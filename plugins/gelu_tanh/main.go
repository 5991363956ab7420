// Command gelu_tanh is an example converter plugin, the Go form of
// Torch-TensorRT's tutorial "Overloading Torch-TensorRT Converters with
// Custom Converters": it replaces the built-in GeLU conversion for nodes whose
// approximate attribute is "tanh" with one built from elementwise mul/add and
// tanh, and leaves every other GeLU to the built-in converter.
//
// Build it with the same toolchain and flags as trtc (make plugins):
//
//	go build -buildmode=plugin -trimpath -o bin/plugins/gelu_tanh.so ./plugins/gelu_tanh
//
// and load it with --plugin, the config file's plugins: list, or
// TRTC_PLUGINS.
package main

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

// RegisterConverters is the plugin's entry point; trtc calls it once.
func RegisterConverters(r conversion.Registrar) error {
	desc := "GeLU with approximate=\"tanh\" as 0.5·x·(1+tanh(√(2/π)·(x+0.044715·x³))) from mul, add and tanh"
	for _, c := range []conversion.Converter{
		// ONNX Gelu exists from opset 20.
		{Target: "onnx.Gelu", OpsetMin: 20},
		// torch.export writes gelu(x, approximate="tanh") as aten.gelu.default.
		{Target: "aten.gelu.default"},
	} {
		c.Priority = conversion.High
		c.DynamicShapes = true
		c.Validator = tanhOnly
		c.Convert = convertGeluTanh
		c.Description = desc
		if err := r.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// tanhOnly accepts nodes whose approximate attribute is "tanh".
func tanhOnly(n *conversion.Node) error {
	approx := n.AttrString("approximate", "none")
	if approx != "tanh" {
		return fmt.Errorf("approximate is %q; this converter handles only \"tanh\"", approx)
	}
	if len(n.In) == 0 || n.In[0] == nil || !n.In[0].DType.IsFloat() {
		return fmt.Errorf("input must be a floating-point tensor")
	}
	return nil
}

// convertGeluTanh emits y = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
func convertGeluTanh(ctx *conversion.Context, n *conversion.Node) error {
	x := ctx.Input(n, 0)
	c := func(v float64) network.Tensor { return impl.ScalarLike(ctx, v, x) }
	x3 := impl.Mul(ctx, impl.Mul(ctx, x, x), x)
	inner := impl.Mul(ctx, c(math.Sqrt(2/math.Pi)), impl.Add(ctx, x, impl.Mul(ctx, c(0.044715), x3)))
	y := impl.Mul(ctx, impl.Mul(ctx, c(0.5), x), impl.Add(ctx, c(1), impl.Tanh(ctx, inner)))
	ctx.SetOutput(n, 0, y)
	return nil
}

func main() {}
