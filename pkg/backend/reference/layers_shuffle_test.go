package reference

import (
	"fmt"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// runNet builds a network with build, serializes, loads and runs it.
func runNet(t *testing.T, inputs map[string]*ir.Tensor, build func(n *Network) []network.Tensor) []*ir.Tensor {
	t.Helper()
	n := NewNetwork()
	n.BeginNode("test", "t")
	outs := build(n)
	for i, o := range outs {
		n.MarkOutput(o, fmt.Sprint("out", i))
	}
	if err := n.Err(); err != nil {
		t.Fatalf("build: %v", err)
	}
	blob, err := n.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	e, err := Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(inputs)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	var r []*ir.Tensor
	for i := range outs {
		r = append(r, res[fmt.Sprint("out", i)])
	}
	return r
}

func iota32(dims ...int64) *ir.Tensor {
	t := ir.NewTensor(ir.Float32, dims)
	for i := range ir.View[float32](t) {
		ir.View[float32](t)[i] = float32(i)
	}
	return t
}

func wantFloats(t *testing.T, got *ir.Tensor, shape []int64, want []float64) {
	t.Helper()
	if !ir.S(got.Shape...).Equal(ir.S(shape...)) {
		t.Fatalf("shape %v, want %v", ir.S(got.Shape...), ir.S(shape...))
	}
	for i, w := range want {
		if got.Float(i) != w {
			t.Fatalf("element %d is %g, want %g (got %v)", i, got.Float(i), w, got.Floats())
		}
	}
}

func TestShuffleReshapeMinusOne(t *testing.T) {
	x := iota32(2, 3, 4)
	r := runNet(t, map[string]*ir.Tensor{"x": x}, func(n *Network) []network.Tensor {
		in := n.AddInput("x", ir.Float32, ir.S(2, 3, 4))
		o := n.AddShuffle(in, network.ShuffleParams{Reshape: []int64{-1, 4}})
		if !o.Shape().Equal(ir.S(6, 4)) {
			t.Errorf("inferred %v, want [6x4]", o.Shape())
		}
		return []network.Tensor{o}
	})
	wantFloats(t, r[0], []int64{6, 4}, x.Floats())
}

func TestShuffleTransposeAndZeroPlaceholder(t *testing.T) {
	x := iota32(2, 3)
	r := runNet(t, map[string]*ir.Tensor{"x": x}, func(n *Network) []network.Tensor {
		in := n.AddInput("x", ir.Float32, ir.Shape{ir.Sym("N"), ir.D(3)})
		o := n.AddShuffle(in, network.ShuffleParams{FirstTranspose: []int{1, 0}, Reshape: []int64{0, 1, -1}, ZeroIsPlaceholder: true})
		if !o.Shape().Equal(ir.Shape{ir.D(3), ir.D(1), ir.Sym("")}) {
			t.Errorf("inferred %v", o.Shape())
		}
		return []network.Tensor{o}
	})
	wantFloats(t, r[0], []int64{3, 1, 2}, []float64{0, 3, 1, 4, 2, 5})
}

func TestShuffleDynamicReshapeTensor(t *testing.T) {
	// Reshape [N, 3, 4] to concat(shape(x)[0:1], [12]) keeps N symbolic.
	x := iota32(2, 3, 4)
	r := runNet(t, map[string]*ir.Tensor{"x": x}, func(n *Network) []network.Tensor {
		in := n.AddInput("x", ir.Float32, ir.Shape{ir.Sym("N"), ir.D(3), ir.D(4)})
		sh := n.AddShape(in)
		n0 := n.AddSlice(sh, network.SliceParams{Start: []int64{0}, Size: []int64{1}, Stride: []int64{1}})
		dims := n.AddConcatenation([]network.Tensor{n0, n.AddConstant(ir.FromSlice(ir.Int64, []int64{1}, []int64{12}))}, 0)
		o := n.AddShuffle(in, network.ShuffleParams{ReshapeTensor: dims})
		if !o.Shape().Equal(ir.Shape{ir.Sym("N"), ir.D(12)}) {
			t.Errorf("inferred %v, want [Nx12]", o.Shape())
		}
		return []network.Tensor{o}
	})
	wantFloats(t, r[0], []int64{2, 12}, x.Floats())
}

func TestShuffleErrors(t *testing.T) {
	n := NewNetwork()
	in := n.AddInput("x", ir.Float32, ir.S(2, 3))
	n.AddShuffle(in, network.ShuffleParams{Reshape: []int64{4, 2}})
	if n.Err() == nil {
		t.Fatal("reshape of 6 elements to 8 was accepted")
	}
	n = NewNetwork()
	in = n.AddInput("x", ir.Float32, ir.S(2, 3))
	n.AddShuffle(in, network.ShuffleParams{FirstTranspose: []int{0, 0}})
	if n.Err() == nil {
		t.Fatal("a non-permutation was accepted")
	}
}

// A reshape to a scalar (empty dims) survives the plan's round trip.
func TestShuffleToScalarRoundTrip(t *testing.T) {
	n := NewNetwork()
	x := n.AddInput("x", ir.Float32, ir.S(1, 1))
	y := n.AddShuffle(x, network.ShuffleParams{Reshape: []int64{}})
	if len(y.Shape()) != 0 {
		t.Fatalf("built shape %v, want a scalar", y.Shape())
	}
	n.MarkOutput(y, "y")
	blob, err := n.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	e, err := Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Run(map[string]*ir.Tensor{"x": ir.FromSlice(ir.Float32, []int64{1, 1}, []float32{7})})
	if err != nil {
		t.Fatal(err)
	}
	if got := out["y"]; len(got.Shape) != 0 || got.Float(0) != 7 {
		t.Fatalf("got %v = %v, want scalar 7", got, got.Floats())
	}
}
