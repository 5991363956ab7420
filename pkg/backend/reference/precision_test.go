package reference

import (
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// TestHalfAccumulatesInFloat32: float16 layers accumulate in float32 and
// round once, as TensorRT's float16 kernels do. In float16 2048 + 1 is
// 2048, so a float16 accumulator would stop at 2048; summing 4096 ones
// (MatrixMultiply and Reduce) gives 4096, stored in the layer's type.
func TestHalfAccumulatesInFloat32(t *testing.T) {
	for _, dt := range []ir.DType{ir.Float16, ir.BFloat16} {
		n := NewNetwork()
		x := n.AddInput("x", dt, ir.S(1, 4096))
		ones := ir.NewTensor(ir.Float32, []int64{4096, 1})
		for i := range 4096 {
			ones.SetFloat(i, 1)
		}
		w, err := kernels.Cast(ones, dt)
		if err != nil {
			t.Fatal(err)
		}
		mm := n.AddMatrixMultiply(x, network.MatrixNONE, n.AddConstant(w), network.MatrixNONE)
		sum := n.AddReduce(x, network.ReduceSUM, 1<<1, true)
		n.MarkOutput(mm, "mm")
		n.MarkOutput(sum, "sum")
		blob, err := n.Serialize()
		if err != nil {
			t.Fatal(err)
		}
		e, err := Load(blob)
		if err != nil {
			t.Fatal(err)
		}
		in := ir.NewTensor(ir.Float32, []int64{1, 4096})
		for i := range 4096 {
			in.SetFloat(i, 1)
		}
		xin, _ := kernels.Cast(in, dt)
		out, err := e.Run(map[string]*ir.Tensor{"x": xin})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"mm", "sum"} {
			if o := out[name]; o.DType != dt || o.Float(0) != 4096 {
				t.Errorf("%v %s = %v (%v), want 4096 in %v: float32 accumulation", dt, name, o.Float(0), o.DType, dt)
			}
		}
	}
}
