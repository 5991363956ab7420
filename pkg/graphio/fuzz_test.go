package graphio

import (
	"github.com/trtc-dev/trtc/internal/sizes"
	"os"
	"path/filepath"
	"testing"

	"github.com/trtc-dev/trtc/internal/testenv"
	"github.com/trtc-dev/trtc/pkg/frontend/onnx"
)

// FuzzUnmarshal feeds mutated graph protobufs (the .pb format and the
// bundle's fallback subgraphs) to the reader: it must return a graph or an
// error, never panic or allocate past the memory budget. Seeds are the
// handmade graph and the example models converted to the format.
//
//	go test ./pkg/graphio -run '^$' -fuzz FuzzUnmarshal -fuzztime 30s
func FuzzUnmarshal(f *testing.F) {
	sizes.SetBudget(256 << 20) // allocations past it are errors, not out-of-memory deaths
	if b, err := Marshal(handmade(), nil); err == nil {
		f.Add(b)
	}
	for _, m := range []string{"gelu_tanh", "dyn_mlp"} {
		data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "testdata", "models", m, "model.onnx"))
		if err != nil {
			continue
		}
		g, err := onnx.Parse(data, "")
		if err != nil {
			continue
		}
		if b, err := Marshal(g, nil); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := Unmarshal(data, nil)
		if err != nil {
			return
		}
		// What decodes must encode again.
		if _, err := Marshal(g, nil); err != nil {
			t.Logf("re-encoding a decoded graph: %v", err)
		}
	})
}
