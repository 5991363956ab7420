package compiler_test

import (
	"path/filepath"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/backend/reference"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/lower"
	"github.com/trtc-dev/trtc/pkg/tensorio"
)

// The zoo's torch.export archives of nn.LSTM (2 layers, batch_first) and
// nn.GRU (bidirectional) with unrolling off: aten.lstm.input and
// aten.gru.input become TensorRT loops (converters/aten/rnn.go), in one
// engine, and match eager PyTorch.
func TestZooRecurrentAsLoops(t *testing.T) {
	saved := lower.MaxUnrolledSteps
	lower.MaxUnrolledSteps = 0
	defer func() { lower.MaxUnrolledSteps = saved }()
	for _, c := range []struct{ name, op string }{{"lstm", "aten.lstm.input"}, {"gru_bi", "aten.gru.input"}} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join("..", "..", "testdata", "zoo", c.name)
			s := &conversion.Settings{MinBlockSize: 1, Backend: "reference"}
			res, err := compiler.CompileFile(filepath.Join(dir, "model.pt2"), compiler.Options{Settings: s, Registry: converters.Builtin()})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Partition.Segments) != 1 || len(res.Engines) != 1 {
				t.Fatalf("%d segments, want one engine segment", len(res.Partition.Segments))
			}
			loops := 0
			for _, n := range res.Graph.Nodes {
				if n.Op == c.op {
					if d := res.Partition.Info(n).Decision; d.Converter == nil || d.Converter.Target != c.op {
						t.Fatalf("%s is not converted: %v", n.Name, d.Reasons())
					}
					loops++
				}
			}
			if loops != 1 {
				t.Fatalf("%d %s nodes after lowering, want 1 (kept for the loop converter)", loops, c.op)
			}
			x, err := tensorio.ReadNPY(filepath.Join(dir, "x.npy"))
			if err != nil {
				t.Fatal(err)
			}
			want, err := tensorio.ReadNPY(filepath.Join(dir, "expected", "output_0.npy"))
			if err != nil {
				t.Fatal(err)
			}
			e, err := reference.Load(res.Engines[res.Partition.Segments[0]].Blob)
			if err != nil {
				t.Fatal(err)
			}
			out, err := e.Run(map[string]*ir.Tensor{e.InputNames()[0]: x})
			if err != nil {
				t.Fatal(err)
			}
			got := out[res.Graph.Outputs[0]]
			if d := tensorio.Diff(got, want, 1e-4, 1e-3); !d.OK {
				t.Errorf("against PyTorch: %v", d)
			}
		})
	}
}
