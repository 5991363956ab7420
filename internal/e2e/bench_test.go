package e2e

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/runtime"
	"github.com/trtc-dev/trtc/pkg/tensorio"
)

// BenchmarkRun measures the latency of one run of each bundled model on the
// reference backend (engine) and with every node forced to the CPU fallback
// kernels, bundles opened once.
func BenchmarkRun(b *testing.B) {
	for _, m := range []struct{ name, input string }{
		{"cnn_resnet", "input.npy"},
		{"cnn_mobilenet", "input.npy"},
		{"gpt_tiny", "input_ids.npy"},
	} {
		for _, mode := range []string{"engine", "fallback"} {
			b.Run(fmt.Sprintf("%s/%s", m.name, mode), func(b *testing.B) {
				dir := modelDir(m.name)
				s := &conversion.Settings{MinBlockSize: 5, Backend: "reference"}
				if mode == "fallback" {
					s.FallbackOps = []string{"*"}
				}
				res, err := compiler.CompileFile(filepath.Join(dir, "model.onnx"), compiler.Options{Settings: s, Registry: converters.Builtin()})
				if err != nil {
					b.Fatal(err)
				}
				if mode == "fallback" && res.Partition.Converted() != 0 {
					b.Fatalf("%d nodes still converted", res.Partition.Converted())
				}
				path := filepath.Join(b.TempDir(), "m.trtb")
				if err := compiler.WriteBundle(res, filepath.Join(dir, "model.onnx"), path); err != nil {
					b.Fatal(err)
				}
				prog, err := runtime.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				defer prog.Close()
				x, err := tensorio.ReadNPY(filepath.Join(dir, m.input))
				if err != nil {
					b.Fatal(err)
				}
				in := map[string]*ir.Tensor{prog.Inputs[0].Name: x}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := prog.Run(in); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
