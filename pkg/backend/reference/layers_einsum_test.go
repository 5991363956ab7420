package reference

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// IEinsumLayer: float inputs of either width, a Float32 output, diagonals,
// three inputs and broadcasting.
func TestEinsum(t *testing.T) {
	a := iota32(2, 3)
	b := iota32(3, 3)
	h := ir.FromSlice(ir.Float16, []int64{3}, []uint16{0x3c00, 0x4000, 0x4200}) // 1, 2, 3
	r := runNet(t, map[string]*ir.Tensor{"a": a, "b": b, "h": h}, func(n *Network) []network.Tensor {
		x := n.AddInput("a", ir.Float32, ir.S(2, 3))
		y := n.AddInput("b", ir.Float32, ir.S(3, 3))
		z := n.AddInput("h", ir.Float16, ir.S(3))
		return []network.Tensor{
			n.AddEinsum([]network.Tensor{x, y}, "ij,jk->ik"),
			n.AddEinsum([]network.Tensor{y}, "ii->i"),
			n.AddEinsum([]network.Tensor{x, y, z}, "ij,jk,k->i"),
			n.AddEinsum([]network.Tensor{z}, "k"),
		}
	})
	// a = [[0 1 2] [3 4 5]], b = [[0 1 2] [3 4 5] [6 7 8]].
	wantFloats(t, r[0], []int64{2, 3}, []float64{15, 18, 21, 42, 54, 66})
	wantFloats(t, r[1], []int64{3}, []float64{0, 4, 8})
	// (a·b)·[1 2 3]: [15+36+63, 42+108+198].
	wantFloats(t, r[2], []int64{2}, []float64{114, 348})
	if r[3].DType != ir.Float32 {
		t.Errorf("einsum of a Float16 input gives %v, TensorRT gives Float32", r[3].DType)
	}
	n := NewNetwork()
	n.AddEinsum([]network.Tensor{n.AddInput("a", ir.Int32, ir.S(2))}, "i")
	if n.Err() == nil {
		t.Error("einsum of Int32 built")
	}
}

// IOneHotLayer: on where the new axis's index equals the index, off
// elsewhere; an index outside [0, depth) is refused (TensorRT documents no
// result for it).
func TestOneHot(t *testing.T) {
	idx := ir.FromSlice(ir.Int32, []int64{2}, []int32{2, 0})
	r := runNet(t, map[string]*ir.Tensor{"i": idx}, func(n *Network) []network.Tensor {
		i := n.AddInput("i", ir.Int32, ir.S(2))
		v := n.AddConstant(ir.FromSlice(ir.Float32, []int64{2}, []float32{-1, 5}))
		d := n.AddConstant(ir.Scalar(ir.Int32, 3))
		return []network.Tensor{n.AddOneHot(i, v, d, -1), n.AddOneHot(i, v, d, 0)}
	})
	wantFloats(t, r[0], []int64{2, 3}, []float64{-1, -1, 5, 5, -1, -1})
	wantFloats(t, r[1], []int64{3, 2}, []float64{-1, 5, -1, -1, 5, -1})

	n := NewNetwork()
	i := n.AddInput("i", ir.Int32, ir.S(1))
	n.MarkOutput(n.AddOneHot(i, n.AddConstant(ir.NewTensor(ir.Float32, []int64{2})), n.AddConstant(ir.Scalar(ir.Int32, 3)), -1), "y")
	blob, err := n.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	e, _ := Load(blob)
	for _, v := range []int32{3, -1} {
		if _, err := e.Run(map[string]*ir.Tensor{"i": ir.FromSlice(ir.Int32, []int64{1}, []int32{v})}); err == nil || !strings.Contains(err.Error(), "documents no result") {
			t.Errorf("one-hot index %d: %v", v, err)
		}
	}
}
