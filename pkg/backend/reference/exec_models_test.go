package reference_test

import (
	"path/filepath"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/backend/reference"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/tensorio"
)

// modelEngine compiles a testdata model to one reference engine segment and
// loads it with the optimized plan and layer by layer.
func modelEngine(t *testing.T, name string) (opt, base *reference.Engine, dir string) {
	t.Helper()
	dir = filepath.Join("..", "..", "..", "testdata", "models", name)
	s := &conversion.Settings{MinBlockSize: 1, Backend: "reference"}
	res, err := compiler.CompileFile(filepath.Join(dir, "model.onnx"), compiler.Options{Settings: s, Registry: converters.Builtin()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Partition.Segments) != 1 || len(res.Engines) != 1 {
		t.Fatalf("%s: %d segments, want one engine segment", name, len(res.Partition.Segments))
	}
	for _, eng := range res.Engines {
		if opt, err = reference.Load(eng.Blob); err != nil {
			t.Fatal(err)
		}
		if base, err = reference.LoadUnfused(eng.Blob); err != nil {
			t.Fatal(err)
		}
	}
	return opt, base, dir
}

// TestFusedPlanOnModels runs the engine of each testdata model (the CNNs
// and the GPT) with the optimized plan (convolution fusion, layers on
// constants evaluated at load, outputs in the arena) and layer by layer on
// the model's input and on a second input, and checks that the outputs
// agree within float rounding on every run, that the optimized plan fused
// and placed tensors in its arena at all, and that a run's outputs stay
// intact through the runs after it (the caller owns them: they never live
// in the arena).
func TestFusedPlanOnModels(t *testing.T) {
	for _, m := range []struct{ name, input string }{
		{"cnn_resnet", "input.npy"}, {"cnn_mobilenet", "input.npy"}, {"gpt_tiny", "input_ids.npy"},
	} {
		opt, base, dir := modelEngine(t, m.name)
		x, err := tensorio.ReadNPY(filepath.Join(dir, m.input))
		if err != nil {
			t.Fatal(err)
		}
		if m.name != "gpt_tiny" && reference.FusedLayers(opt) == 0 {
			t.Fatalf("%s: nothing was fused", m.name)
		}
		// A second input: the float inputs scaled, the token ids shifted.
		x2 := ir.NewTensor(x.DType, x.Shape)
		for i := 0; i < int(x.Numel()); i++ {
			switch x.DType {
			case ir.Float32:
				ir.View[float32](x2)[i] = ir.View[float32](x)[i] * -0.5
			case ir.Int64:
				ir.View[int64](x2)[i] = (ir.View[int64](x)[i] + 3) % 50
			default:
				t.Fatalf("%s: input dtype %v", m.name, x.DType)
			}
		}
		name := opt.InputNames()[0]
		var first map[string]*ir.Tensor
		for r, in := range []*ir.Tensor{x, x2, x, x2} {
			feed := map[string]*ir.Tensor{name: in}
			got, err := opt.Run(feed)
			if err != nil {
				t.Fatal(err)
			}
			want, err := base.Run(feed)
			if err != nil {
				t.Fatal(err)
			}
			compareOutputs(t, m.name, got, want)
			if r == 0 {
				first = map[string]*ir.Tensor{}
				for k, v := range got {
					first[k] = &ir.Tensor{DType: v.DType, Shape: v.Shape, Data: append([]byte{}, v.Data...)}
					first[k+"/live"] = v
				}
			}
		}
		for k, v := range first {
			if live := first[k+"/live"]; live != nil && string(live.Data) != string(v.Data) {
				t.Fatalf("%s: output %s of the first run changed in later runs", m.name, k)
			}
		}
		if reference.ArenaTensors(opt) == 0 || reference.ArenaBytes(opt) == 0 {
			t.Fatalf("%s: no tensor lives in the arena", m.name)
		}
		t.Logf("%s: %d layers fused into convolutions, %d layers evaluated at load, %d tensors in a %d-byte arena",
			m.name, reference.FusedLayers(opt), reference.FoldedLayers(opt), reference.ArenaTensors(opt), reference.ArenaBytes(opt))
	}
}

func compareOutputs(t *testing.T, model string, got, want map[string]*ir.Tensor) {
	t.Helper()
	for k, w := range want {
		g := got[k]
		if g == nil || g.Numel() != w.Numel() || w.Numel() == 0 {
			t.Fatalf("%s: output %s missing or resized", model, k)
		}
		for i := 0; i < int(w.Numel()); i++ {
			if d := g.Float(i) - w.Float(i); d > 1e-4 || d < -1e-4 {
				t.Fatalf("%s: %s[%d] = %g optimized, %g layer by layer", model, k, i, g.Float(i), w.Float(i))
			}
		}
	}
}

// TestSteadyStateAllocations checks that once the arena is laid out, a
// one-thread run of each testdata model's engine allocates only what it
// hands to the caller (the output map and the output tensors) and what the
// few layer kinds without an into kernel allocate, counted per model.
func TestSteadyStateAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts under the race detector are not the program's")
	}
	defer kernels.SetThreads(kernels.Threads())
	kernels.SetThreads(1)
	for _, m := range []struct {
		name, input string
		max         float64
	}{
		// What the caller gets: the output map and the output tensor
		// (header, shape, data).
		{"cnn_resnet", "input.npy", 6},
		{"cnn_mobilenet", "input.npy", 6},
		{"gpt_tiny", "input_ids.npy", 6},
	} {
		t.Run(m.name, func(t *testing.T) {
			opt, _, dir := modelEngine(t, m.name)
			x, err := tensorio.ReadNPY(filepath.Join(dir, m.input))
			if err != nil {
				t.Fatal(err)
			}
			feed := map[string]*ir.Tensor{opt.InputNames()[0]: x}
			if _, err := opt.Run(feed); err != nil { // lays out the arena
				t.Fatal(err)
			}
			n := testing.AllocsPerRun(20, func() {
				if _, err := opt.Run(feed); err != nil {
					t.Fatal(err)
				}
			})
			t.Logf("%.0f allocations per run", n)
			if n > m.max {
				t.Errorf("%.0f allocations per steady-state run, want at most %.0f", n, m.max)
			}
		})
	}
}
