package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/tensorio"
)

// The precision flags through the command line: --fp16 with a --keep-fp32
// that names an op and one that names nothing (a warning with the closest
// names), the report's precision section, inspect --layers showing each
// layer's precision in text and JSON, and the bundle's accuracy.
func TestPrecisionCommandLine(t *testing.T) {
	dir := t.TempDir()
	m := modelDir("cnn_resnet")
	b, rep := filepath.Join(dir, "m.trtb"), filepath.Join(dir, "r.json")
	code, _, errs := trtc(t, "compile", filepath.Join(m, "model.onnx"), "--fp16", "--keep-fp32", "Gemm,Convv",
		"-o", b, "--report", rep, "--no-cache")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, `--keep-fp32 "Convv" names no node or op`) || !strings.Contains(errs, "closest: Conv") {
		t.Errorf("no warning with the closest names:\n%s", errs)
	}
	r := readReport(t, rep)
	p := r.Precision
	if p == nil || p.Type != "fp16" || !p.StronglyTyped || p.LowLayers == 0 || len(p.Unmatched) != 1 {
		t.Fatalf("report precision: %+v", p)
	}
	kept := false
	for _, k := range p.Kept {
		kept = kept || k.Node == "node_linear" && k.Rule == "keep-fp32"
	}
	if !kept {
		t.Errorf("Gemm node not kept by --keep-fp32: %+v", p.Kept)
	}
	if len(r.Segments) == 0 || len(r.Segments[0].LayerPrecisions) == 0 {
		t.Fatal("no layer precisions in the report")
	}
	var info struct {
		Segments []struct {
			Layers []network.LayerInfo `json:"layers"`
		} `json:"segments"`
	}
	if err := json.Unmarshal([]byte(mustTrtc(t, "inspect", b, "--layers", "-o", "json")), &info); err != nil {
		t.Fatal(err)
	}
	text := mustTrtc(t, "inspect", b, "--layers")
	got := map[string]string{}
	for _, l := range info.Segments[0].Layers {
		if network.IsCompute(l.Type) {
			got[l.Name] = l.Precision
		}
		if !strings.Contains(text, l.Name+" [Op: "+l.Type+"] [Precision: "+l.Precision+"]") {
			t.Errorf("text lacks %s's precision %s", l.Name, l.Precision)
		}
	}
	for name, prec := range got {
		want := "fp16"
		if strings.Contains(name, "-[node_linear]") {
			want = "fp32"
		}
		if prec != want {
			t.Errorf("layer %s: precision %s, want %s", name, prec, want)
		}
	}
	out := filepath.Join(dir, "out")
	if code, o, e := trtc(t, "run", b, "--input", filepath.Join(m, "input.npy"), "--output-dir", out,
		"--expect", filepath.Join(m, "expected"), "--atol", "1e-2", "--rtol", "1e-2"); code != 0 {
		t.Errorf("fp16 bundle against ONNX Runtime's float32 outputs: exit %d\n%s%s", code, o, e)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--fp16", "--bf16"}, "--bf16: a strongly typed network is autocast to one type"},
		{[]string{"--fp16", "--precision-constraints", "node_linear:fp12"}, `unknown type "fp12"`},
		{[]string{"--keep-fp32", "Gemm"}, "--keep-fp32: has no effect without"},
	} {
		code, _, errs := trtc(t, append([]string{"compile", filepath.Join(m, "model.onnx"), "--dry-run"}, c.args...)...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %s; want 2 with %q", c.args, code, errs, c.want)
		}
	}
}

// --calibration-input: the overflow rule observes the model on the given
// inputs. The CNN's input scaled by 20000 overflows float16 in the first
// convolution, which then stays float32; a calibration input that does
// not fit the model is exit 3, one without --fp16/--bf16 exit 2.
func TestCalibrationInput(t *testing.T) {
	dir := t.TempDir()
	m := modelDir("cnn_resnet")
	x, err := tensorio.ReadNPY(filepath.Join(m, "input.npy"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range int(x.Numel()) {
		x.SetFloat(i, x.Float(i)*20000)
	}
	big := filepath.Join(dir, "big.npy")
	if err := tensorio.WriteNPY(big, x); err != nil {
		t.Fatal(err)
	}
	rep := filepath.Join(dir, "r.json")
	code, _, errs := trtc(t, "compile", filepath.Join(m, "model.onnx"), "--fp16", "--calibration-input", "input="+big,
		"--dry-run", "--report", rep, "--no-cache")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	p := readReport(t, rep).Precision
	overflow := 0
	for _, k := range p.Kept {
		if k.Rule == "overflow" {
			overflow++
		}
	}
	if overflow == 0 {
		t.Errorf("no node kept by the overflow rule with inputs of |x| ~ 20000: %+v", p.Kept)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--fp16", "--calibration-input", "nope=" + big}, 3, "--calibration-input nope: not a graph input (inputs: input)"},
		{[]string{"--fp16", "--calibration-input", "input=" + filepath.Join(dir, "missing.npy")}, 3, "--calibration-input input"},
		{[]string{"--int8", "--calibration-input", "input=" + big}, 2, "has no effect without --fp16 or --bf16"},
		{[]string{"--fp16", "--calibration-input", big}, 2, "want NAME=FILE"},
	} {
		code, _, errs := trtc(t, append([]string{"compile", filepath.Join(m, "model.onnx"), "--dry-run", "--no-cache"}, c.args...)...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %s; want %d with %q", c.args, code, errs, c.code, c.want)
		}
	}
}
