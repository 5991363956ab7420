package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The bundled models compile to one engine segment each and match ONNX
// Runtime within atol 1e-4, rtol 1e-3 (trtc run --expect checks it).
func TestModelsMatchONNXRuntime(t *testing.T) {
	// The GeLU models have two nodes, below the default min block size.
	for _, m := range []struct{ name, input, minBlock string }{
		{"cnn_resnet", "input.npy", "5"},
		{"cnn_mobilenet", "input.npy", "5"},
		{"gpt_tiny", "input_ids.npy", "5"},
		{"gelu_tanh", "x.npy", "1"},
		{"gelu_erf", "x.npy", "1"},
	} {
		t.Run(m.name, func(t *testing.T) {
			dir, tmp := modelDir(m.name), t.TempDir()
			bundle, report := filepath.Join(tmp, "m.trtb"), filepath.Join(tmp, "report.json")
			mustTrtc(t, "compile", filepath.Join(dir, "model.onnx"), "-o", bundle, "--report", report, "--min-block-size", m.minBlock)
			r := readReport(t, report)
			if len(r.Segments) != 1 || r.Segments[0].Kind != "engine" || r.ConvertedNodes != r.TotalNodes {
				t.Fatalf("want the whole model as one engine segment; got %d segment(s), %d/%d converted, unsupported %v",
					len(r.Segments), r.ConvertedNodes, r.TotalNodes, r.Unsupported)
			}
			out := mustTrtc(t, "run", bundle, "--input", filepath.Join(dir, m.input), "--output-dir", tmp,
				"--expect", filepath.Join(dir, "expected"), "--atol", "1e-4", "--rtol", "1e-3")
			if !strings.Contains(out, "ok, max abs diff") {
				t.Fatalf("no comparison in output:\n%s", out)
			}
			t.Log(strings.TrimSpace(out))
		})
	}
}

// A model with a dynamic batch compiles once and runs at two batch sizes.
func TestDynamicBatch(t *testing.T) {
	dir, tmp := modelDir("dyn_mlp"), t.TempDir()
	bundle, report := filepath.Join(tmp, "m.trtb"), filepath.Join(tmp, "report.json")
	mustTrtc(t, "compile", filepath.Join(dir, "model.onnx"), "-o", bundle, "--report", report, "--min-block-size", "1")
	if r := readReport(t, report); len(r.Segments) != 1 || r.Segments[0].Kind != "engine" {
		t.Fatalf("want one engine segment, got %+v", r.Segments)
	}
	for _, b := range []string{"b2", "b5"} {
		mustTrtc(t, "run", bundle, "--input", filepath.Join(dir, "x_"+b+".npy"), "--output-dir", tmp,
			"--expect", filepath.Join(dir, "expected_"+b))
	}
}

// Forcing one op to fallback gives the same outputs, and the report shows
// the extra segments and the forced nodes.
func TestFallbackOpsSameOutputs(t *testing.T) {
	for _, m := range []struct{ name, input, op string }{
		{"cnn_resnet", "input.npy", "MaxPool"},
		{"cnn_resnet", "input.npy", "Relu"},
		{"gpt_tiny", "input_ids.npy", "Softmax"},
		{"cnn_mobilenet", "input.npy", "onnx.HardSwish"},
		// Fallback convolutions with constant weights run prepared
		// (runtime/fallback_conv.go): plain, strided, depthwise, 1x1.
		{"cnn_resnet", "input.npy", "Conv"},
		{"cnn_mobilenet", "input.npy", "Conv"},
	} {
		t.Run(m.name+"/"+m.op, func(t *testing.T) {
			dir, tmp := modelDir(m.name), t.TempDir()
			bundle, report := filepath.Join(tmp, "m.trtb"), filepath.Join(tmp, "report.json")
			mustTrtc(t, "compile", filepath.Join(dir, "model.onnx"), "-o", bundle, "--report", report,
				"--fallback-ops", m.op, "--min-block-size", "1")
			r := readReport(t, report)
			fallbacks := 0
			for _, s := range r.Segments {
				if s.Kind == "fallback" {
					fallbacks++
					for _, n := range s.Nodes {
						if n.Converter != nil {
							t.Errorf("fallback node %s names a converter", n.Name)
						}
					}
				}
			}
			if len(r.Segments) < 2 || fallbacks == 0 || len(r.ForcedFallback) == 0 {
				t.Fatalf("want extra fallback segments and forced nodes, got %d segments, %d fallback, forced %v",
					len(r.Segments), fallbacks, r.ForcedFallback)
			}
			mustTrtc(t, "run", bundle, "--input", filepath.Join(dir, m.input), "--output-dir", tmp,
				"--expect", filepath.Join(dir, "expected"))
		})
	}
}

// The dry run prints the report and writes nothing.
func TestDryRun(t *testing.T) {
	tmp := t.TempDir()
	model := filepath.Join(tmp, "model.onnx")
	data, err := os.ReadFile(filepath.Join(modelDir("gpt_tiny"), "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(model, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustTrtc(t, "compile", model, "--dry-run", "--fallback-ops", "Softmax")
	for _, want := range []string{"coverage", "#0 engine", "fallback", "forced fallback", "onnx.Softmax", "in  "} {
		if !strings.Contains(out, want) {
			t.Errorf("dry-run output lacks %q:\n%s", want, out)
		}
	}
	noFile(t, filepath.Join(tmp, "model.trtb"))
}
