package reference

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// run builds a one-output network and runs it.
func runBuilt(t *testing.T, n *Network, out network.Tensor, in map[string]*ir.Tensor) *ir.Tensor {
	t.Helper()
	n.MarkOutput(out, "y")
	blob, err := n.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	e, err := Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	return res["y"]
}

func TestMatrixMultiplyVectorAndChecks(t *testing.T) {
	n := NewNetwork()
	a := n.AddInput("a", ir.Float32, ir.Shape{ir.Sym("B"), ir.D(3)})
	b := n.AddConstant(ir.FromSlice(ir.Float32, []int64{1, 3, 2}, []float32{1, 2, 3, 4, 5, 6}))
	// a is a batch of vectors: [B, 3] VECTOR x [1, 3, 2] has unequal batch
	// ranks (1 vs 1): fine; the result is [B, 2].
	y := n.AddMatrixMultiply(a, network.MatrixVECTOR, b, network.MatrixNONE)
	if got := y.Shape(); len(got) != 2 || got[1].Size != 2 {
		t.Fatalf("shape %v", got)
	}
	out := runBuilt(t, n, y, map[string]*ir.Tensor{"a": ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, 0, 0, 1, 1, 1})})
	want := []float64{1, 2, 9, 12}
	for i, w := range want {
		if out.Float(i) != w {
			t.Fatalf("y = %v, want %v", out.Floats(), want)
		}
	}
	n2 := NewNetwork()
	x := n2.AddInput("x", ir.Float32, ir.S(2, 3, 4))
	n2.AddMatrixMultiply(x, network.MatrixNONE, n2.AddConstant(ir.NewTensor(ir.Float32, []int64{4, 5})), network.MatrixNONE)
	if err := n2.Err(); err == nil || !strings.Contains(err.Error(), "equal ranks") {
		t.Fatalf("rank mismatch: %v", err)
	}
}

func TestPoolingModes(t *testing.T) {
	x := ir.NewTensor(ir.Float32, []int64{1, 1, 5, 5})
	for i := range ir.View[float32](x) {
		ir.View[float32](x)[i] = float32(i)
	}
	for _, c := range []struct {
		mode network.PaddingMode
		pre  []int64
		want int64
	}{
		{network.PaddingEXPLICIT_ROUND_DOWN, nil, 2},
		{network.PaddingEXPLICIT_ROUND_UP, nil, 3},
		{network.PaddingEXPLICIT_ROUND_DOWN, []int64{1, 1}, 3},
		{network.PaddingSAME_UPPER, nil, 3},
	} {
		n := NewNetwork()
		in := n.AddInput("x", ir.Float32, ir.S(1, 1, 5, 5))
		y := n.AddPoolingNd(in, network.PoolingParams{Type: network.PoolingMAX, WindowSize: []int64{2, 2}, Stride: []int64{2, 2}, PrePadding: c.pre, PaddingMode: c.mode})
		out := runBuilt(t, n, y, map[string]*ir.Tensor{"x": x})
		if out.Shape[2] != c.want || out.Shape[3] != c.want {
			t.Fatalf("mode %d pre %v: shape %v, want %d", c.mode, c.pre, out.Shape, c.want)
		}
	}
	// Blend of max and average.
	n := NewNetwork()
	in := n.AddInput("x", ir.Float32, ir.S(1, 1, 5, 5))
	y := n.AddPoolingNd(in, network.PoolingParams{Type: network.PoolingMAX_AVERAGE_BLEND, WindowSize: []int64{2, 2}, BlendFactor: 0.25})
	out := runBuilt(t, n, y, map[string]*ir.Tensor{"x": x})
	if want := 0.25*6 + 0.75*3; out.Float(0) != want { // window {0,1,5,6}
		t.Fatalf("blend = %g, want %g", out.Float(0), want)
	}
}

func TestSoftMaxAndNormChecks(t *testing.T) {
	n := NewNetwork()
	x := n.AddInput("x", ir.Float32, ir.S(2, 3))
	n.AddSoftMax(x, 3)
	if err := n.Err(); err == nil || !strings.Contains(err.Error(), "SoftMax.softmax_one_axis") {
		t.Fatalf("two-axis softmax: %v", err)
	}
	n = NewNetwork()
	x = n.AddInput("x", ir.Float32, ir.S(2, 3))
	s := n.AddConstant(ir.NewTensor(ir.Float32, []int64{3}))
	n.AddNormalization(x, s, s, 2, 1e-5)
	if err := n.Err(); err == nil || !strings.Contains(err.Error(), "rank") {
		t.Fatalf("rank-1 scale: %v", err)
	}
	n = NewNetwork()
	x = n.AddInput("x", ir.Float32, ir.S(2, 3))
	n.AddReduce(x, network.ReduceSUM, 4, false)
	if err := n.Err(); err == nil || !strings.Contains(err.Error(), "Reduce.axes_in_rank") {
		t.Fatalf("axis beyond rank: %v", err)
	}
	n = NewNetwork()
	x = n.AddInput("x", ir.Float32, ir.Shape{ir.D(1), ir.Sym("C"), ir.D(5), ir.D(5)})
	n.AddConvolutionNd(x, network.ConvolutionParams{NbOutputMaps: 1, KernelSize: []int64{3, 3}, Kernel: ir.NewTensor(ir.Float32, []int64{1, 1, 3, 3})})
	if err := n.Err(); err == nil || !strings.Contains(err.Error(), "Convolution.static_channels") {
		t.Fatalf("dynamic channels: %v", err)
	}
}
