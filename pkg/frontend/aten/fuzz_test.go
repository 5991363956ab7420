package aten

import (
	"archive/zip"
	"bytes"
	"github.com/trtc-dev/trtc/internal/sizes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/trtc-dev/trtc/internal/testenv"
)

// FuzzParse feeds mutated archives to the reader: it must return a graph or
// an error, never panic. Mutating a zip mostly breaks its checksums, so the
// fuzzer mutates the archive's JSON members instead (the program and the
// weights config) and repacks a valid zip around them.
//
//	go test ./pkg/frontend/aten -run '^$' -fuzz FuzzParse -fuzztime 30s -fuzzminimizetime 1s
func FuzzParse(f *testing.F) {
	sizes.SetBudget(256 << 20) // allocations past it are errors, not out-of-memory deaths
	base, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "testdata", "pt2", "gelu_tanh", "model.pt2"))
	if err != nil {
		f.Fatal(err)
	}
	members := map[string][]byte{}
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		f.Fatal(err)
	}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			f.Fatal(err)
		}
		members[zf.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	const program, config = "model/models/model.json", "model/data/weights/model_weights_config.json"
	f.Add(members[program], members[config])
	f.Add([]byte("{}"), []byte("{}"))
	f.Fuzz(func(t *testing.T, prog, cfg []byte) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, data := range members {
			switch name {
			case program:
				data = prog
			case config:
				data = cfg
			}
			w, err := zw.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(data)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		g, err := Parse(buf.Bytes())
		if err == nil && g == nil {
			t.Fatal("no graph and no error")
		}
	})
}

// FuzzArchive feeds mutated archive bytes (the zip container itself:
// headers, declared sizes, compression) to the reader, under a 256 MiB
// memory budget: a graph or an error, never a panic, a hang on a forged
// size or an allocation past the budget.
//
//	go test ./pkg/frontend/aten -run '^$' -fuzz FuzzArchive -fuzztime 30s
func FuzzArchive(f *testing.F) {
	sizes.SetBudget(256 << 20)
	for _, m := range []string{"gelu_tanh", "dyn_mlp"} {
		if data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "testdata", "pt2", m, "model.pt2")); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := Parse(data)
		if err == nil && g == nil {
			t.Fatal("no graph and no error")
		}
	})
}
