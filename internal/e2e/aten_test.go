package e2e

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/internal/testenv"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/tensorio"
)

// ATen graphs from torch.export (testdata/pt2, made by testdata/gen/gen_pt2.py
// with PyTorch 2.11): each compiles to one engine segment and matches
// PyTorch's outputs.

func pt2Dir(name string) string {
	return filepath.Join(testenv.RepoRoot(), "testdata", "pt2", name)
}

func TestATenModelsOneSegmentMatchPyTorch(t *testing.T) {
	cases := []struct{ dir, file, input string }{
		{"cnn", "model.pt2", "x.npy"},
		{"cnn", "model_decomposed.pt2", "x.npy"},
		{"gpt", "model.pt2", "input_ids.npy"},
		{"gpt", "model_decomposed.pt2", "input_ids.npy"},
		{"gelu_tanh", "model.pt2", "x.npy"},
		{"gelu_erf", "model.pt2", "x.npy"},
		{"dyn_mlp", "model.pt2", "x.npy"},
	}
	for _, c := range cases {
		t.Run(c.dir+"/"+c.file, func(t *testing.T) {
			dir := pt2Dir(c.dir)
			tmp := t.TempDir()
			out := filepath.Join(tmp, "m.trtb")
			rep := filepath.Join(tmp, "report.json")
			mustTrtc(t, "compile", filepath.Join(dir, c.file), "-o", out, "--min-block-size", "1", "--report", rep)
			r := readReport(t, rep)
			if len(r.Segments) != 1 || r.Segments[0].Kind != "engine" || len(r.Unsupported) != 0 {
				t.Fatalf("want one engine segment and no fallback, got %d segment(s) (first %q), %d unsupported: %+v", len(r.Segments), r.Segments[0].Kind, len(r.Unsupported), r.Unsupported)
			}
			if r.ConvertedNodes != r.TotalNodes || r.TotalNodes == 0 {
				t.Fatalf("%d of %d nodes converted", r.ConvertedNodes, r.TotalNodes)
			}
			mustTrtc(t, "run", out, "--input", filepath.Join(dir, c.input), "--output-dir", filepath.Join(tmp, "out"),
				"--expect", filepath.Join(dir, "expected"), "--atol", "1e-4", "--rtol", "1e-3")
		})
	}
}

// The tutorial's GeLU in ATen form: approximate reaches the node as the
// string attribute the gelu converters (built-in and plugin) read.
func TestATenGeluApproximateAttribute(t *testing.T) {
	for name, want := range map[string]string{"gelu_tanh": "tanh", "gelu_erf": "none"} {
		tmp := t.TempDir()
		pb := filepath.Join(tmp, "g.pb")
		mustTrtc(t, "inspect", filepath.Join(pt2Dir(name), "model.pt2"), "--export", pb)
		data, err := os.ReadFile(pb)
		if err != nil {
			t.Fatal(err)
		}
		hasTanh := bytes.Contains(data, []byte("approximate")) && bytes.Contains(data, []byte("tanh"))
		if hasTanh != (want == "tanh") {
			t.Errorf("%s: approximate=tanh in the exported graph is %v, want %v", name, hasTanh, want == "tanh")
		}
	}
}

func TestATenDynamicBatch(t *testing.T) {
	dir := pt2Dir("dyn_mlp")
	tmp := t.TempDir()
	out := filepath.Join(tmp, "m.trtb")
	mustTrtc(t, "compile", filepath.Join(dir, "model.pt2"), "-o", out, "--min-block-size", "1")
	for _, set := range []string{"b2", "b5"} {
		mustTrtc(t, "run", out, "--input", "x="+filepath.Join(dir, "x_"+set+".npy"), "--output-dir", filepath.Join(tmp, set),
			"--expect", filepath.Join(dir, "expected_"+set))
	}
	x9 := filepath.Join(tmp, "x9.npy")
	if err := tensorio.WriteNPY(x9, ir.NewTensor(ir.Float32, []int64{9, 16})); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := trtc(t, "run", out, "--input", x9, "--output-dir", filepath.Join(tmp, "b9"))
	if code != 3 || !strings.Contains(stderr, "above the compiled range [1, 8]") {
		t.Fatalf("batch 9: exit %d, stderr %q; want exit 3 naming the range [1, 8]", code, stderr)
	}
}

func TestATenPbRoundTrip(t *testing.T) {
	for _, name := range []string{"gpt", "dyn_mlp"} {
		t.Run(name, func(t *testing.T) {
			dir := pt2Dir(name)
			tmp := t.TempDir()
			input := filepath.Join(dir, map[string]string{"gpt": "input_ids.npy", "dyn_mlp": "x.npy"}[name])
			pb := filepath.Join(tmp, "model.pb")
			mustTrtc(t, "inspect", filepath.Join(dir, "model.pt2"), "--export", pb)
			// Detected by content: a copy without the extension still reads.
			noext := filepath.Join(tmp, "graphfile")
			data, err := os.ReadFile(pb)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(noext, data, 0o644); err != nil {
				t.Fatal(err)
			}
			outputs := map[string][]byte{}
			for src, model := range map[string]string{"pt2": filepath.Join(dir, "model.pt2"), "pb": pb, "noext": noext} {
				b := filepath.Join(tmp, src+".trtb")
				mustTrtc(t, "compile", model, "-o", b, "--min-block-size", "1")
				od := filepath.Join(tmp, "out_"+src)
				mustTrtc(t, "run", b, "--input", input, "--output-dir", od)
				got, err := os.ReadFile(filepath.Join(od, "output_0.npy"))
				if err != nil {
					t.Fatal(err)
				}
				outputs[src] = got
			}
			if !bytes.Equal(outputs["pt2"], outputs["pb"]) || !bytes.Equal(outputs["pt2"], outputs["noext"]) {
				t.Fatal("compiling the .pb gives other outputs than compiling the .pt2")
			}
			if name == "dyn_mlp" {
				x9 := filepath.Join(tmp, "x9.npy")
				if err := tensorio.WriteNPY(x9, ir.NewTensor(ir.Float32, []int64{9, 16})); err != nil {
					t.Fatal(err)
				}
				if code, _, stderr := trtc(t, "run", filepath.Join(tmp, "pb.trtb"), "--input", x9, "--output-dir", filepath.Join(tmp, "b9")); code != 3 {
					t.Fatalf("the .pb bundle lost the batch range: exit %d, %s", code, stderr)
				}
			}
		})
	}
}

// rewriteZip copies a zip, letting edit change or drop (nil) each entry.
func rewriteZip(t *testing.T, src, dst string, edit func(name string, data []byte) []byte) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if data = edit(f.Name, data); data == nil {
			continue
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestATenBadArchives(t *testing.T) {
	src := filepath.Join(pt2Dir("dyn_mlp"), "model.pt2")
	schema := regexp.MustCompile(`"schema_version": \{"major": \d+`)
	cases := []struct {
		name string
		edit func(name string, data []byte) []byte
		want string
	}{
		{"not an export archive", func(name string, data []byte) []byte {
			if strings.HasSuffix(name, "archive_format") || strings.HasSuffix(name, ".json") {
				return nil
			}
			return data
		}, "not a torch.export archive"},
		{"unknown schema version", func(name string, data []byte) []byte {
			if strings.HasSuffix(name, "models/model.json") {
				out := schema.ReplaceAll(data, []byte(`"schema_version": {"major": 99`))
				if bytes.Equal(out, data) {
					t.Fatal("schema_version not found in model.json")
				}
				return out
			}
			return data
		}, "export schema version 99."},
		{"missing weight file", func(name string, data []byte) []byte {
			if strings.HasSuffix(name, "data/weights/weight_0") {
				return nil
			}
			return data
		}, "weight_0 is missing"},
		{"weight of the wrong size", func(name string, data []byte) []byte {
			if strings.HasSuffix(name, "data/weights/weight_2") {
				return data[:len(data)-4]
			}
			return data
		}, "weight_2 has 508 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			bad := filepath.Join(tmp, "bad.pt2")
			rewriteZip(t, src, bad, c.edit)
			out := filepath.Join(tmp, "bad.trtb")
			code, _, stderr := trtc(t, "compile", bad, "-o", out, "--min-block-size", "1")
			if code != 3 || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, "bad.pt2") {
				t.Fatalf("exit %d, stderr %q; want exit 3 naming the file and %q", code, stderr, c.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Fatalf("a bundle was written: %v", err)
			}
		})
	}
}
