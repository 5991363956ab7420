package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/internal/testenv"
	"github.com/trtc-dev/trtc/pkg/tensorio"
)

// The model zoo (testdata/zoo, made by testdata/gen/gen_zoo.py with
// PyTorch on the GPU machine): torchvision and torch.nn models with random
// weights at small widths, each as exported and after run_decompositions().
// Every archive compiles, runs, and matches PyTorch's eager outputs within
// atol 1e-4, rtol 1e-3 (dynamic models at each of their input sets), with at
// least 90% of its nodes in engines and a reason for every node that is not.
// With -v the test logs the rows of docs/aten.md's zoo table.

type zooMeta struct {
	Name       string         `json:"name"`
	InputNames []string       `json:"input_names"`
	Ranges     map[string]any `json:"ranges"`
	Forms      map[string]any `json:"forms"`
	Sets       []struct {
		Name     string            `json:"name"`
		Inputs   map[string]string `json:"inputs"`
		Expected map[string]string `json:"expected"`
	} `json:"sets"`
}

func zooDir() string { return filepath.Join(testenv.RepoRoot(), "testdata", "zoo") }

func readZooMeta(t *testing.T, dir string) *zooMeta {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m zooMeta
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	return &m
}

func TestZooMatchesPyTorch(t *testing.T) {
	entries, err := os.ReadDir(zooDir())
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	models := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		models++
		dir := filepath.Join(zooDir(), e.Name())
		meta := readZooMeta(t, dir)
		for _, form := range []string{"model.pt2", "model_decomposed.pt2"} {
			if _, err := os.Stat(filepath.Join(dir, form)); err != nil {
				t.Errorf("%s: %s is missing", e.Name(), form)
				continue
			}
			t.Run(e.Name()+"/"+form, func(t *testing.T) {
				row := zooCase(t, dir, form, meta)
				rows = append(rows, row)
			})
		}
	}
	if models < 20 {
		t.Errorf("the zoo holds %d models, want the 20 that gen_zoo.py makes", models)
	}
	sort.Strings(rows)
	t.Logf("zoo table:\n| model | form | nodes | converted | segments | max abs diff |\n| --- | --- | --- | --- | --- | --- |\n%s", strings.Join(rows, "\n"))
}

func zooCase(t *testing.T, dir, form string, meta *zooMeta) string {
	tmp := t.TempDir()
	bundle := filepath.Join(tmp, "m.trtb")
	rep := filepath.Join(tmp, "report.json")
	mustTrtc(t, "compile", filepath.Join(dir, form), "-o", bundle, "--report", rep)
	r := readReport(t, rep)
	if r.TotalNodes == 0 {
		t.Fatal("no nodes")
	}
	if frac := float64(r.ConvertedNodes) / float64(r.TotalNodes); frac < 0.9 {
		t.Errorf("%d of %d nodes in engines (%.1f%%), want at least 90%%", r.ConvertedNodes, r.TotalNodes, 100*frac)
	}
	for _, u := range r.Unsupported {
		if len(u.Reasons) == 0 {
			t.Errorf("fallback node %s (%s) has no reason", u.Node, u.Op)
		}
	}
	if len(meta.Sets) == 0 {
		t.Fatal("meta.json lists no input sets")
	}
	if meta.Ranges != nil && len(meta.Sets) < 3 {
		t.Errorf("a dynamic model needs three input sets, has %d", len(meta.Sets))
	}
	maxAbs := 0.0
	for _, set := range meta.Sets {
		args := []string{"run", bundle, "--output-dir", filepath.Join(tmp, "out_"+set.Name)}
		for _, name := range meta.InputNames {
			args = append(args, "--input", name+"="+filepath.Join(dir, set.Inputs[name]))
		}
		mustTrtc(t, args...)
		if len(set.Expected) == 0 {
			t.Fatalf("set %s has no expected outputs", set.Name)
		}
		for out, file := range set.Expected {
			want, err := tensorio.ReadNPY(filepath.Join(dir, file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := tensorio.ReadNPY(filepath.Join(tmp, "out_"+set.Name, out+".npy"))
			if err != nil {
				t.Fatal(err)
			}
			d := tensorio.Diff(got, want, 1e-4, 1e-3)
			if !d.OK {
				t.Errorf("set %s, %s: %s", set.Name, out, d)
			}
			maxAbs = max(maxAbs, d.MaxAbs)
		}
	}
	return fmt.Sprintf("| %s | %s | %d | %d (%.1f%%) | %d | %.2g |", meta.Name, strings.TrimSuffix(strings.TrimPrefix(form, "model"), ".pt2"),
		r.TotalNodes, r.ConvertedNodes, r.CoveragePercent, len(r.Segments), maxAbs)
}
