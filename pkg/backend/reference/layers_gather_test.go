package reference

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

func TestGatherModes(t *testing.T) {
	x := iota32(3, 4)
	idx := ir.FromSlice(ir.Int32, []int64{2}, []int32{2, 0})
	r := runNet(t, map[string]*ir.Tensor{"x": x, "i": idx}, func(n *Network) []network.Tensor {
		in := n.AddInput("x", ir.Float32, ir.S(3, 4))
		i := n.AddInput("i", ir.Int32, ir.S(2))
		return []network.Tensor{
			n.AddGather(in, i, 0, network.GatherDEFAULT),
			n.AddGather(in, i, 1, network.GatherDEFAULT),
		}
	})
	wantFloats(t, r[0], []int64{2, 4}, []float64{8, 9, 10, 11, 0, 1, 2, 3})
	wantFloats(t, r[1], []int64{3, 2}, []float64{2, 0, 6, 4, 10, 8})

	el := ir.FromSlice(ir.Int64, []int64{2, 2}, []int64{3, 0, 1, 1})
	nd := ir.FromSlice(ir.Int64, []int64{2, 2}, []int64{2, 3, 0, 1})
	r = runNet(t, map[string]*ir.Tensor{"x": x, "e": el, "d": nd}, func(n *Network) []network.Tensor {
		in := n.AddInput("x", ir.Float32, ir.S(3, 4))
		return []network.Tensor{
			n.AddGather(in, n.AddInput("e", ir.Int64, ir.S(2, 2)), 1, network.GatherELEMENT),
			n.AddGather(in, n.AddInput("d", ir.Int64, ir.S(2, 2)), 0, network.GatherND),
		}
	})
	wantFloats(t, r[0], []int64{2, 2}, []float64{3, 0, 5, 5})
	wantFloats(t, r[1], []int64{2}, []float64{11, 1})
}

// Index values follow IGatherLayer's documented results (finding 14 of
// issue 8): "Zero will be stored for OOB access"; a negative index counts
// from the end of a static dim; one into a dim that is dynamic at build
// time is undefined in TensorRT, so it is refused.
func TestGatherIndicesFollowTensorRT(t *testing.T) {
	x := iota32(3, 4)
	i := ir.FromSlice(ir.Int64, []int64{3}, []int64{-1, 3, -4})
	el := ir.FromSlice(ir.Int64, []int64{2, 2}, []int64{-1, 4, 1, -9})
	nd := ir.FromSlice(ir.Int64, []int64{3, 2}, []int64{2, 3, 3, 0, -3, -1})
	r := runNet(t, map[string]*ir.Tensor{"x": x, "i": i, "e": el, "d": nd}, func(n *Network) []network.Tensor {
		in := n.AddInput("x", ir.Float32, ir.S(3, 4))
		gi := n.AddInput("i", ir.Int64, ir.S(3))
		return []network.Tensor{
			n.AddGather(in, gi, 0, network.GatherDEFAULT),
			n.AddGather(in, gi, 1, network.GatherDEFAULT),
			n.AddGather(in, n.AddInput("e", ir.Int64, ir.S(2, 2)), 1, network.GatherELEMENT),
			n.AddGather(in, n.AddInput("d", ir.Int64, ir.S(3, 2)), 0, network.GatherND),
		}
	})
	// Axis 0 (dim 3): -1 is row 2, 3 is out of bounds, -4 too.
	wantFloats(t, r[0], []int64{3, 4}, []float64{8, 9, 10, 11, 0, 0, 0, 0, 0, 0, 0, 0})
	// Axis 1 (dim 4): -1 is column 3, 3 is column 3, -4 is column 0.
	wantFloats(t, r[1], []int64{3, 3}, []float64{3, 3, 0, 7, 7, 4, 11, 11, 8})
	wantFloats(t, r[2], []int64{2, 2}, []float64{3, 0, 5, 0})
	// Tuples (2,3) -> 11, (3,0) out of bounds, (-3,-1) -> (0,3) -> 3.
	wantFloats(t, r[3], []int64{3}, []float64{11, 0, 3})

	n := NewNetwork()
	in := n.AddInput("x", ir.Float32, ir.Shape{ir.Sym("N")})
	gi := n.AddInput("i", ir.Int64, ir.S(1))
	n.MarkOutput(n.AddGather(in, gi, 0, network.GatherDEFAULT), "y")
	blob, err := n.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	e, _ := Load(blob)
	if _, err := e.Run(map[string]*ir.Tensor{"x": iota32(3), "i": ir.FromSlice(ir.Int64, []int64{1}, []int64{-1})}); err == nil || !strings.Contains(err.Error(), "undefined") {
		t.Fatalf("negative index into a dynamic dim: %v", err)
	}
	got, err := e.Run(map[string]*ir.Tensor{"x": iota32(3), "i": ir.FromSlice(ir.Int64, []int64{1}, []int64{5})})
	if err != nil || got["y"].Float(0) != 0 {
		t.Fatalf("out-of-bounds index into a dynamic dim: %v %v", got, err)
	}
}

func TestGatherShapeDataPicksDims(t *testing.T) {
	n := NewNetwork()
	in := n.AddInput("x", ir.Float32, ir.Shape{ir.Sym("B"), ir.D(7)})
	g := n.AddGather(n.AddShape(in), n.AddConstant(ir.FromSlice(ir.Int64, []int64{1}, []int64{0})), 0, network.GatherDEFAULT)
	if sd := g.(*tensor).val.ShapeData; !sd.Equal(ir.Shape{ir.Sym("B")}) {
		t.Fatalf("ShapeData %v, want [B]", sd)
	}
}

func TestFillCumulativeTopK(t *testing.T) {
	x := ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, 5, 3, 4, 2, 6})
	r := runNet(t, map[string]*ir.Tensor{"x": x}, func(n *Network) []network.Tensor {
		in := n.AddInput("x", ir.Float32, ir.S(2, 3))
		lin := n.AddFill(network.FillParams{Op: network.FillLINSPACE, Dims: []int64{4}, DType: ir.Int64, Alpha: 2, Beta: 3})
		lin2 := n.AddFill(network.FillParams{Op: network.FillLINSPACE, DimsT: n.AddShape(in), DType: ir.Float32,
			AlphaT: n.AddConstant(ir.Scalar(ir.Float32, 1)), BetaT: n.AddConstant(ir.FromSlice(ir.Float32, []int64{2}, []float32{10, 1}))})
		cs := n.AddCumulative(in, n.AddConstant(ir.Scalar(ir.Int32, 1)), network.CumulativeSUM, true, true)
		v, i := n.AddTopK(in, network.TopKMAX, 2, network.AxesMask(1))
		return []network.Tensor{lin, lin2, cs, v, i}
	})
	wantFloats(t, r[0], []int64{4}, []float64{2, 5, 8, 11})
	wantFloats(t, r[1], []int64{2, 3}, []float64{1, 2, 3, 11, 12, 13})
	wantFloats(t, r[2], []int64{2, 3}, []float64{8, 3, 0, 8, 6, 0})
	wantFloats(t, r[3], []int64{2, 2}, []float64{5, 3, 6, 4})
	if r[4].DType != ir.Int32 {
		t.Fatalf("TopK indices are %v, TensorRT gives Int32", r[4].DType)
	}
	wantFloats(t, r[4], []int64{2, 2}, []float64{1, 2, 2, 0})

	n := NewNetwork()
	in := n.AddInput("x", ir.Float32, ir.S(2, 3))
	n.AddCumulative(in, n.AddInput("a", ir.Int32, ir.S()), network.CumulativeSUM, false, false)
	if n.Err() == nil {
		t.Fatal("a run-time cumulative axis was accepted")
	}
	n = NewNetwork()
	n.AddTopK(n.AddInput("x", ir.Float32, ir.S(2, 3)), network.TopKMIN, 1, network.AxesMask(0, 1))
	if n.Err() == nil {
		t.Fatal("TopK over two axes was accepted")
	}
}

func TestGatherNDElementWiseDims(t *testing.T) {
	// data [2,2,3], one index tuple per batch: out[b] = data[b, idx[b,0]].
	x := iota32(2, 2, 3)
	idx := ir.FromSlice(ir.Int64, []int64{2, 1}, []int64{1, 0})
	r := runNet(t, map[string]*ir.Tensor{"x": x, "i": idx}, func(n *Network) []network.Tensor {
		return []network.Tensor{n.AddGatherND(n.AddInput("x", ir.Float32, ir.S(2, 2, 3)), n.AddInput("i", ir.Int64, ir.S(2, 1)), 1)}
	})
	wantFloats(t, r[0], []int64{2, 3}, []float64{3, 4, 5, 6, 7, 8})

	for _, c := range []struct {
		idx ir.Shape
		b   int
	}{{ir.S(3, 1), 1}, {ir.S(2, 1), 2}, {ir.S(2, 3), 1}} {
		n := NewNetwork()
		n.AddGatherND(n.AddInput("x", ir.Float32, ir.S(2, 2, 3)), n.AddInput("i", ir.Int64, c.idx), c.b)
		if n.Err() == nil {
			t.Errorf("GatherND of indices %v with %d element-wise dims was accepted", c.idx, c.b)
		}
	}
}
