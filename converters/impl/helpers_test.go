package impl_test

import (
	"testing"

	"github.com/trtc-dev/trtc/pkg/backend/reference"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// build runs f on a fresh context whose network has input x of shape s,
// runs the network on data and returns the output.
func build(t *testing.T, s ir.Shape, data *ir.Tensor, f func(ctx *conversion.Context, x network.Tensor) network.Tensor) (network.Tensor, *ir.Tensor, int) {
	t.Helper()
	net := reference.NewNetwork()
	ctx := conversion.NewContext(net, ir.NewGraph("t", "onnx"), nil)
	net.BeginNode("test", "n")
	x := net.AddInput("x", data.DType, s)
	out := f(ctx, x)
	net.MarkOutput(out, "y")
	blob, err := net.Serialize()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	e, err := reference.Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(map[string]*ir.Tensor{"x": data})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return out, res["y"], net.NumLayers()
}

func seq(dims ...int64) *ir.Tensor {
	t := ir.NewTensor(ir.Float32, dims)
	for i := range ir.View[float32](t) {
		ir.View[float32](t)[i] = float32(i)
	}
	return t
}

func checkShape(t *testing.T, got *ir.Tensor, want ...int64) {
	t.Helper()
	if !ir.S(got.Shape...).Equal(ir.S(want...)) {
		t.Fatalf("shape %v, want %v", ir.S(got.Shape...), ir.S(want...))
	}
}
