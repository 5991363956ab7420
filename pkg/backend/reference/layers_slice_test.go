package reference

import (
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

func sliceRun(t *testing.T, x *ir.Tensor, p network.SliceParams) *ir.Tensor {
	t.Helper()
	return runNet(t, map[string]*ir.Tensor{"x": x}, func(n *Network) []network.Tensor {
		return []network.Tensor{n.AddSlice(n.AddInput("x", x.DType, ir.S(x.Shape...)), p)}
	})[0]
}

func TestSliceModes(t *testing.T) {
	x := iota32(4) // 0 1 2 3
	for _, c := range []struct {
		mode network.SampleMode
		want []float64
	}{
		{network.SampleWRAP, []float64{2, 3, 0, 1, 2, 3}},
		{network.SampleCLAMP, []float64{2, 3, 3, 3, 3, 3}},
		{network.SampleFILL, []float64{2, 3, 0, 0, 0, 0}},
		{network.SampleREFLECT, []float64{2, 3, 2, 1, 0, 1}},
	} {
		got := sliceRun(t, x, network.SliceParams{Start: []int64{2}, Size: []int64{6}, Stride: []int64{1}, Mode: c.mode})
		wantFloats(t, got, []int64{6}, c.want)
	}
	// Negative stride and a start before 0 with CLAMP.
	wantFloats(t, sliceRun(t, x, network.SliceParams{Start: []int64{3}, Size: []int64{4}, Stride: []int64{-1}}), []int64{4}, []float64{3, 2, 1, 0})
	wantFloats(t, sliceRun(t, x, network.SliceParams{Start: []int64{-2}, Size: []int64{3}, Stride: []int64{1}, Mode: network.SampleCLAMP}), []int64{3}, []float64{0, 0, 0})
}

func TestSliceFillValueAndStrict(t *testing.T) {
	x := iota32(2, 2)
	got := runNet(t, map[string]*ir.Tensor{"x": x}, func(n *Network) []network.Tensor {
		fill := n.AddConstant(ir.Scalar(ir.Float32, 9))
		return []network.Tensor{n.AddSlice(n.AddInput("x", ir.Float32, ir.S(2, 2)), network.SliceParams{Start: []int64{1, 1}, Size: []int64{2, 2}, Stride: []int64{1, 1}, Mode: network.SampleFILL, Fill: fill})}
	})[0]
	wantFloats(t, got, []int64{2, 2}, []float64{3, 9, 9, 9})

	n := NewNetwork()
	in := n.AddInput("x", ir.Float32, ir.S(4))
	n.MarkOutput(n.AddSlice(in, network.SliceParams{Start: []int64{2}, Size: []int64{3}, Stride: []int64{1}}), "y")
	blob, _ := n.Serialize()
	e, err := Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Run(map[string]*ir.Tensor{"x": x.Reshaped([]int64{4})}); err == nil {
		t.Fatal("STRICT_BOUNDS slice past the end ran")
	}
}

func TestSliceTensorParamsAndAxes(t *testing.T) {
	// Dynamic [N, 4] input; start/size as tensors on axis 1 only.
	x := iota32(3, 4)
	got := runNet(t, map[string]*ir.Tensor{"x": x}, func(n *Network) []network.Tensor {
		in := n.AddInput("x", ir.Float32, ir.Shape{ir.Sym("N"), ir.D(4)})
		i64 := func(v ...int64) network.Tensor {
			return n.AddConstant(ir.FromSlice(ir.Int64, []int64{int64(len(v))}, v))
		}
		o := n.AddSlice(in, network.SliceParams{StartT: i64(1), SizeT: i64(2), StrideT: i64(2), Axes: i64(1)})
		if !o.Shape().Equal(ir.Shape{ir.Sym("N"), ir.D(2)}) {
			t.Errorf("inferred %v, want [Nx2]", o.Shape())
		}
		return []network.Tensor{o}
	})[0]
	wantFloats(t, got, []int64{3, 2}, []float64{1, 3, 5, 7, 9, 11})
}

func TestConcatenationAndShape(t *testing.T) {
	a, b := iota32(2, 1), iota32(2, 2)
	r := runNet(t, map[string]*ir.Tensor{"a": a, "b": b}, func(n *Network) []network.Tensor {
		ta := n.AddInput("a", ir.Float32, ir.Shape{ir.Sym("N"), ir.D(1)})
		tb := n.AddInput("b", ir.Float32, ir.Shape{ir.Sym("N"), ir.D(2)})
		c := n.AddConcatenation([]network.Tensor{ta, tb}, 1)
		if !c.Shape().Equal(ir.Shape{ir.Sym("N"), ir.D(3)}) {
			t.Errorf("inferred %v", c.Shape())
		}
		return []network.Tensor{c, n.AddShape(c)}
	})
	wantFloats(t, r[0], []int64{2, 3}, []float64{0, 0, 1, 1, 2, 3})
	if r[1].DType != ir.Int64 {
		t.Fatalf("shape dtype %v", r[1].DType)
	}
	wantFloats(t, r[1], []int64{2}, []float64{2, 3})

	n := NewNetwork()
	x := n.AddInput("x", ir.Float32, ir.S(2, 2))
	y := n.AddInput("y", ir.Int32, ir.S(2, 2))
	n.AddConcatenation([]network.Tensor{x, y}, 0)
	if n.Err() == nil {
		t.Fatal("concatenation of float32 and int32 was accepted")
	}
	// A static shape is a build-time constant.
	n = NewNetwork()
	s := n.AddShape(n.AddInput("z", ir.Float32, ir.S(5, 6)))
	if s.(*tensor).val.Const == nil {
		t.Fatal("shape of a static tensor is not constant")
	}
}
