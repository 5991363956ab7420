package reference_test

import (
	"path/filepath"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/backend/reference"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/tensorio"
)

// TestFusedPlanOnModels runs each engine segment of the testdata CNNs fused
// and unfused on the model's input and checks the outputs agree within float
// rounding, and that fusion happened at all.
func TestFusedPlanOnModels(t *testing.T) {
	for _, name := range []string{"cnn_resnet", "cnn_mobilenet"} {
		dir := filepath.Join("..", "..", "..", "testdata", "models", name)
		s := &conversion.Settings{MinBlockSize: 1, Backend: "reference"}
		res, err := compiler.CompileFile(filepath.Join(dir, "model.onnx"), compiler.Options{Settings: s, Registry: converters.Builtin()})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Partition.Segments) != 1 || len(res.Engines) != 1 {
			t.Fatalf("%s: %d segments, want one engine segment", name, len(res.Partition.Segments))
		}
		x, err := tensorio.ReadNPY(filepath.Join(dir, "input.npy"))
		if err != nil {
			t.Fatal(err)
		}
		for _, eng := range res.Engines {
			fused, err := reference.Load(eng.Blob)
			if err != nil {
				t.Fatal(err)
			}
			unfused, err := reference.LoadUnfused(eng.Blob)
			if err != nil {
				t.Fatal(err)
			}
			if reference.FusedLayers(fused) == 0 {
				t.Fatalf("%s: nothing was fused", name)
			}
			in := map[string]*ir.Tensor{fused.InputNames()[0]: x}
			// The third run works on buffers recycled by the first two.
			var got map[string]*ir.Tensor
			for r := 0; r < 3; r++ {
				if got, err = fused.Run(in); err != nil {
					t.Fatal(err)
				}
			}
			want, err := unfused.Run(in)
			if err != nil {
				t.Fatal(err)
			}
			for k, w := range want {
				g := got[k]
				if g == nil || g.Numel() != w.Numel() || w.Numel() == 0 {
					t.Fatalf("%s: output %s missing or resized", name, k)
				}
				for i := 0; i < int(w.Numel()); i++ {
					if d := g.Float(i) - w.Float(i); d > 1e-4 || d < -1e-4 {
						t.Fatalf("%s: %s[%d] = %g fused, %g unfused", name, k, i, g.Float(i), w.Float(i))
					}
				}
			}
			t.Logf("%s: %d layers fused into convolutions", name, reference.FusedLayers(fused))
		}
	}
}
