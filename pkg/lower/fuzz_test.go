package lower

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/trtc-dev/trtc/internal/testenv"
	"github.com/trtc-dev/trtc/pkg/frontend/aten"
)

// FuzzLower mutates the program JSON of zoo archives (the dynamic GPT, with
// its sym nodes, swin, with its in-place writes through views, and the op
// models of SymInt arguments, random ops, bit ops and grid sampling), parses
// it, and lowers it: the lowering returns an error or a graph, never
// panics.
//
//	go test ./pkg/lower -run '^$' -fuzz FuzzLower -fuzztime 30s
func FuzzLower(f *testing.F) {
	type archive struct {
		members map[string][]byte
		program string
	}
	var archives []archive
	for _, name := range []string{"gpt_dyn", "swin", "ops_symint", "ops_random", "ops_bits", "ops_gridsample"} {
		data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "testdata", "zoo", name, "model.pt2"))
		if err != nil {
			f.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			f.Fatal(err)
		}
		a := archive{members: map[string][]byte{}, program: "model/models/model.json"}
		for _, zf := range zr.File {
			rc, err := zf.Open()
			if err != nil {
				f.Fatal(err)
			}
			a.members[zf.Name], _ = io.ReadAll(rc)
			rc.Close()
		}
		f.Add(uint8(len(archives)), a.members[a.program])
		archives = append(archives, a)
	}
	f.Fuzz(func(t *testing.T, which uint8, prog []byte) {
		a := archives[int(which)%len(archives)]
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, data := range a.members {
			if name == a.program {
				data = prog
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
		g, err := aten.Parse(buf.Bytes())
		if err != nil {
			return
		}
		if _, err := Run(g); err == nil && g == nil {
			t.Fatal("no graph")
		}
	})
}
