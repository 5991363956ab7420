package ops

import (
	"testing"
	"time"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// A node whose input is empty but whose other dims are huge returns empty
// outputs at once instead of looping over the dims (Softmax would walk
// 2^62 empty rows).
func TestExecuteEmptyWithHugeDims(t *testing.T) {
	x := &ir.Tensor{DType: ir.Float32, Shape: []int64{1 << 31, 1 << 31, 0}, Data: []byte{}}
	// ReduceSum of nothing is one zero per kept dim: it must still finish.
	for op, numel := range map[string]int64{"onnx.Softmax": 0, "onnx.Relu": 0, "onnx.ReduceSum": 1} {
		n := &ir.Node{Name: "n", Op: op, Inputs: []string{"x"}, Outputs: []string{"y"}, Attrs: map[string]ir.Attr{}}
		done := make(chan error, 1)
		var out []*ir.Tensor
		go func() {
			var err error
			out, err = Execute(n, []*ir.Tensor{x})
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%s: %v", op, err)
			}
			if len(out) != 1 || out[0].Numel() != numel {
				t.Fatalf("%s: %v", op, out)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: still computing after 10s", op)
		}
	}
}
