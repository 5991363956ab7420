package cmdtest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

type compareJSON struct {
	Passed bool `json:"passed"`
	Seed   int  `json:"seed"`
	Inputs []struct {
		Name  string    `json:"name"`
		File  string    `json:"file"`
		Range []float64 `json:"range"`
		Shape []int64   `json:"shape"`
	} `json:"inputs"`
	Outputs []struct {
		Name         string  `json:"name"`
		MaxAbsError  float64 `json:"max_abs_error"`
		MeanAbsError float64 `json:"mean_abs_error"`
		MaxRelError  float64 `json:"max_rel_error"`
		MeanRelError float64 `json:"mean_rel_error"`
		Mismatched   int     `json:"mismatched"`
		Elements     int     `json:"elements"`
		Passed       bool    `json:"passed"`
	} `json:"outputs"`
	Layerwise *struct {
		Compared int `json:"compared"`
		Failed   []struct {
			Name            string `json:"name"`
			Node            string `json:"node"`
			Op              string `json:"op"`
			Kind            string `json:"kind"`
			Layer           string `json:"layer"`
			FirstDivergence bool   `json:"first_divergence"`
		} `json:"failed"`
	} `json:"layerwise"`
}

func decodeCompare(t *testing.T, r result) compareJSON {
	t.Helper()
	var c compareJSON
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil {
		t.Fatalf("compare -o json: %v\n%s", err, r.stdout)
	}
	return c
}

// trtc compare passes a model the reference backend computes as the
// fallback kernels do; generated inputs are reproducible from the seed and
// a given --input file is used as is.
func TestComparePasses(t *testing.T) {
	dir := t.TempDir()
	r := trtc(t, dir, nil, "compare", model("cnn_resnet"), "--no-cache")
	if r.code != 0 || !strings.Contains(r.stdout, `Output "logits"`) || !strings.Contains(r.stdout, "PASSED | all 1 output(s) within tolerance") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	a := decodeCompare(t, trtc(t, dir, nil, "compare", model("gpt_tiny"), "--no-cache", "-o", "json", "--input-range", "0,255", "--seed", "5"))
	b := decodeCompare(t, trtc(t, dir, nil, "compare", model("gpt_tiny"), "--no-cache", "-o", "json", "--input-range", "input_ids=0,255", "--seed", "5"))
	if !a.Passed || len(a.Outputs) != 1 || a.Outputs[0].Elements != 16*256 || a.Seed != 5 {
		t.Errorf("gpt_tiny: %+v", a)
	}
	if a.Outputs[0] != b.Outputs[0] || a.Inputs[0].Range[1] != 255 {
		t.Errorf("the same seed gave different results: %+v vs %+v", a.Outputs[0], b.Outputs[0])
	}
	// A dynamic batch takes the profile's opt size; without one, 1 and a
	// warning.
	d := decodeCompare(t, trtc(t, dir, nil, "compare", model("dyn_mlp"), "--no-cache", "-o", "json", "--min-block-size", "1",
		"--min-shapes", "x:1x16", "--opt-shapes", "x:5x16", "--max-shapes", "x:8x16"))
	if !d.Passed || fmt.Sprint(d.Inputs[0].Shape) != "[5 16]" {
		t.Errorf("dyn_mlp with a profile: %+v", d)
	}
	r = trtc(t, dir, nil, "compare", model("dyn_mlp"), "--no-cache")
	if r.code != 0 || !strings.Contains(r.stdout, `input "x" float32[1x16] generated`) || !strings.Contains(r.stderr, "generated with size 1") {
		t.Errorf("dyn_mlp without a profile: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	in := filepath.Join(root, "testdata", "models", "gpt_tiny", "input_ids.npy")
	c := decodeCompare(t, trtc(t, dir, nil, "compare", model("gpt_tiny"), "--no-cache", "-o", "json", "--input", in))
	if !c.Passed || c.Inputs[0].File != in || c.Inputs[0].Range != nil {
		t.Errorf("--input: %+v", c)
	}
}

// A real divergence: the reference backend's Normalization layer and the
// LayerNormalization fallback kernel round differently (float32 sums in
// another order), by a few ulps. At atol 0, rtol 0 compare fails with exit
// 9, and --layerwise names the first layer norm as where the error starts.
func TestCompareFailsAndLayerwiseNamesTheNode(t *testing.T) {
	dir := t.TempDir()
	r := trtc(t, dir, nil, "compare", model("gpt_tiny"), "--no-cache", "--atol", "0", "--rtol", "0", "--input-range", "0,255")
	if r.code != 9 || !strings.Contains(r.stdout, "FAILED | 1 of 1 output(s) beyond tolerance: logits") ||
		!strings.Contains(r.stderr, "differ from the float32 oracle beyond atol 0, rtol 0: logits") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = trtc(t, dir, nil, "compare", model("gpt_tiny"), "--no-cache", "--atol", "0", "--rtol", "0", "--input-range", "0,255", "--layerwise", "-o", "json")
	if r.code != 9 {
		t.Fatalf("layerwise: exit %d: %s", r.code, r.stderr)
	}
	c := decodeCompare(t, r)
	lw := c.Layerwise
	if lw == nil || lw.Compared < 60 || len(lw.Failed) == 0 {
		t.Fatalf("layerwise: %+v", lw)
	}
	first := lw.Failed[0]
	if first.Node != "node_layer_norm" || first.Op != "onnx.LayerNormalization" || first.Kind != "engine" ||
		first.Layer != "[Normalization]-[onnx.LayerNormalization]-[node_layer_norm]" || !first.FirstDivergence {
		t.Errorf("first failing tensor: %+v", first)
	}
	r = trtc(t, dir, nil, "compare", model("gpt_tiny"), "--no-cache", "--atol", "0", "--rtol", "0", "--input-range", "0,255", "--layerwise")
	if !strings.Contains(r.stdout, `"layer_norm" from node "node_layer_norm" (onnx.LayerNormalization), segment 0 (engine), layer "[Normalization]-[onnx.LayerNormalization]-[node_layer_norm]" <- error starts here`) {
		t.Errorf("layerwise text:\n%s", r.stdout)
	}
}

// trtc bench -o json has exactly the documented fields, with one segment
// entry per bundle segment and percentiles in order.
func TestBenchJSON(t *testing.T) {
	dir := t.TempDir()
	bundle := filepath.Join(dir, "gpt.trtb")
	if r := trtc(t, dir, nil, "compile", model("gpt_tiny"), "-o", bundle, "--no-cache", "--fallback-ops", "Softmax"); r.code != 0 {
		t.Fatalf("compile: %s", r.stderr)
	}
	r := trtc(t, dir, nil, "bench", bundle, "-o", "json", "--iterations", "7", "--warmup", "1", "--input-range", "0,255")
	if r.code != 0 {
		t.Fatalf("bench: exit %d: %s", r.code, r.stderr)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "iterations,latency_ms,segments,throughput_per_s,warmup" {
		t.Errorf("fields %v", keys)
	}
	var b struct {
		Iterations int                `json:"iterations"`
		Warmup     int                `json:"warmup"`
		Latency    map[string]float64 `json:"latency_ms"`
		Throughput float64            `json:"throughput_per_s"`
		Segments   []map[string]any   `json:"segments"`
	}
	json.Unmarshal([]byte(r.stdout), &b)
	l := b.Latency
	if b.Iterations != 7 || b.Warmup != 1 || len(l) != 6 || !(0 < l["min"] && l["min"] <= l["median"] && l["median"] <= l["p90"] &&
		l["p90"] <= l["p99"] && l["p99"] <= l["max"] && l["min"] <= l["mean"] && l["mean"] <= l["max"]) || b.Throughput <= 0 {
		t.Errorf("bench: %+v", b)
	}
	// gpt_tiny with Softmax forced to fallback: engine, fallback, engine,
	// fallback, engine.
	if len(b.Segments) != 5 {
		t.Fatalf("segments %v", b.Segments)
	}
	for i, s := range b.Segments {
		kind := map[bool]string{true: "engine", false: "fallback"}[i%2 == 0]
		lat, _ := s["latency_ms"].(map[string]any)
		if len(s) != 3 || s["index"] != float64(i) || s["kind"] != kind || len(lat) != 1 || lat["median"].(float64) <= 0 {
			t.Errorf("segment %d: %v", i, s)
		}
	}
	// Text: trtexec's summary lines; --duration runs past --iterations.
	r = trtc(t, dir, nil, "bench", bundle, "--iterations", "1", "--duration", "0.3", "--input-range", "0,255")
	for _, want := range []string{"=== Performance summary", "Throughput: ", "Latency: min = ", "percentile(99%) = ", "Segment 1 (fallback, 1 node(s); host clock): median = "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("bench text lacks %q:\n%s", want, r.stdout)
		}
	}
	var timed int
	var wall float64
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(line, "Iterations: ") {
			if _, err := fmtSscanf(line, &timed, &wall); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
		}
	}
	if timed < 2 || wall < 0.3 {
		t.Errorf("--iterations 1 --duration 0.3: %d iterations in %g s", timed, wall)
	}
}

// Bad input to compare and bench: clear messages and README's exit codes.
func TestCompareBenchBadInput(t *testing.T) {
	dir := t.TempDir()
	bundle := filepath.Join(dir, "cnn.trtb")
	if r := trtc(t, dir, nil, "compile", model("cnn_resnet"), "-o", bundle, "--no-cache"); r.code != 0 {
		t.Fatalf("compile: %s", r.stderr)
	}
	garbage := filepath.Join(dir, "garbage.trtb")
	os.WriteFile(garbage, []byte("this is not a bundle, nor a model, at all"), 0o644)
	garbageModel := filepath.Join(dir, "garbage.onnx")
	os.WriteFile(garbageModel, []byte("\x08\x07\x12\xff\xff\xff\xff\x0fnot a model"), 0o644)
	wrongDType := filepath.Join(dir, "ids.npy")
	data, _ := os.ReadFile(filepath.Join(root, "testdata", "models", "gpt_tiny", "input_ids.npy"))
	os.WriteFile(wrongDType, data, 0o644)
	cnnInput := filepath.Join(root, "testdata", "models", "cnn_resnet", "input.npy")
	gpt, cnn := model("gpt_tiny"), model("cnn_resnet")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"compare", cnn, "--no-such-flag"}, 2, "unknown flag: --no-such-flag"},
		{[]string{"bench", bundle, "--no-such-flag"}, 2, "unknown flag: --no-such-flag"},
		{[]string{"compare", filepath.Join(dir, "none.onnx")}, 3, "none.onnx"},
		{[]string{"compare", garbageModel, "--no-cache"}, 3, "garbage.onnx"},
		{[]string{"compare", bundle, "--no-cache"}, 3, "cnn.trtb is a trtc bundle: compare takes the model it was compiled from"},
		{[]string{"bench", cnn}, 3, "not a trtc bundle"},
		{[]string{"compare", unsupportedModel(t, dir), "--no-cache"}, 4, "FrobnicateTensor"},
		{[]string{"compare", cnn, "--require-full-compilation", "--fallback-ops", "Relu", "--no-cache"}, 5, "fall back"},
		{[]string{"compare", cnn, "--input-range", "1"}, 2, `--input-range: "1": want LO,HI or NAME=LO,HI`},
		{[]string{"compare", cnn, "--input-range", "0,x"}, 2, `"x" is not a number`},
		{[]string{"compare", cnn, "--input-range", "2,1"}, 2, "low bound 2 is above high bound 1"},
		{[]string{"compare", cnn, "--input-range", "=0,1"}, 2, "want LO,HI or NAME=LO,HI"},
		{[]string{"compare", cnn, "--input-range", "nope=0,1", "--no-cache"}, 2, `"nope" is not an input of`},
		{[]string{"compare", gpt, "--input-range", "0.5,3", "--no-cache"}, 2, `input "input_ids": int64 input needs whole-number bounds`},
		{[]string{"compare", cnn, "--atol", "-1"}, 2, "--atol: must be a finite number >= 0"},
		{[]string{"compare", cnn, "-o", "xml"}, 2, "--output: must be text or json"},
		{[]string{"compare", cnn, "--fp16", "--bf16"}, 2, "--bf16"},
		{[]string{"compare", cnn, "--input", "x=" + cnnInput, "--no-cache"}, 3, `input "x" is not an input of the model (its inputs: input)`},
		{[]string{"compare", cnn, "--input", filepath.Join(dir, "none.npy"), "--no-cache"}, 3, "none.npy"},
		{[]string{"compare", cnn, "--input", wrongDType, "--no-cache"}, 3, `input "input": dtype int64, the model expects float32`},
		{[]string{"bench", bundle, "--iterations", "0"}, 2, "--iterations: must be 1..1000000, got 0"},
		{[]string{"bench", bundle, "--iterations", "1000001"}, 2, "--iterations: must be 1..1000000, got 1000001"},
		{[]string{"bench", bundle, "--warmup", "-1"}, 2, "--warmup: must be 0 or more"},
		{[]string{"bench", bundle, "--duration", "-2"}, 2, "--duration: must be a number of seconds >= 0"},
		{[]string{"bench", bundle, "--duration", "NaN"}, 2, "--duration"},
		{[]string{"bench", bundle, "-o", "yaml"}, 2, "--output: must be text or json"},
		{[]string{"bench", filepath.Join(dir, "none.trtb")}, 3, "none.trtb"},
		{[]string{"bench", garbage}, 3, "garbage.trtb"},
		{[]string{"bench", bundle, "--input", wrongDType}, 3, `input "input": dtype int64`},
		{[]string{"bench", bundle, "--input-range", "input=-1,x"}, 2, `"x" is not a number`},
		{[]string{"bench", bundle, "--input", "input=" + cnnInput, "--iterations", "1"}, 0, "Performance summary"},
	} {
		r := trtc(t, dir, nil, c.args...)
		if r.code != c.code || !strings.Contains(r.stderr+r.stdout, c.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s%s", c.args, r.code, c.code, c.want, r.stdout, r.stderr)
		}
	}
	if ents, _ := filepath.Glob(filepath.Join(os.TempDir(), "trtc-compare-*")); len(ents) > 0 {
		t.Logf("note: %d trtc-compare-* folders in %s (other runs may be in flight)", len(ents), os.TempDir())
	}
}

// fmtSscanf reads bench's "Iterations: N timed, after W warm-up run(s);
// total walltime S s" line.
func fmtSscanf(line string, timed *int, wall *float64) (int, error) {
	var warm int
	return fmt.Sscanf(line, "Iterations: %d timed, after %d warm-up run(s); total walltime %g s", timed, &warm, wall)
}

// The case: a float16 overflow that only the real inputs reach
// (testdata/models/fp16_overflow: relu(x@W1+b1) squared passes 65504 on
// x.npy, while the autocast pass's observation on standard-normal inputs
// stays far below). compare --fp16 fails with exit 9, --layerwise names
// node "square" and its layer as where the error starts, and keeping the
// nodes it names in float32 (--keep-fp32), one round after another, makes
// the comparison pass.
func TestCompareLayerwiseFindsFloat16Overflow(t *testing.T) {
	dir := t.TempDir()
	m := model("fp16_overflow")
	x := filepath.Join(root, "testdata", "models", "fp16_overflow", "x.npy")
	args := []string{"compare", m, "--no-cache", "--fp16", "--atol", "1e-2", "--rtol", "1e-2", "--input", x}
	firstFailing := func(keep string) (string, string, int) {
		t.Helper()
		a := append(append([]string{}, args...), "--layerwise", "-o", "json")
		if keep != "" {
			a = append(a, "--keep-fp32", keep)
		}
		r := trtc(t, dir, nil, a...)
		c := decodeCompare(t, r)
		if c.Layerwise == nil || len(c.Layerwise.Failed) == 0 {
			return "", "", r.code
		}
		f := c.Layerwise.Failed[0]
		if !f.FirstDivergence || f.Kind != "engine" {
			t.Errorf("keep %q: first failing %+v", keep, f)
		}
		return f.Node, f.Layer, r.code
	}
	r := trtc(t, dir, nil, args...)
	if r.code != 9 || !strings.Contains(r.stdout, "Absolute error | max=inf") || !strings.Contains(r.stdout, "FAILED | 1 of 1 output(s) beyond tolerance: y") {
		t.Fatalf("--fp16: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = trtc(t, dir, nil, append(append([]string{}, args...), "--layerwise")...)
	if !strings.Contains(r.stdout, `"sq" from node "square" (onnx.Mul), segment 0 (engine), layer "[ElementWise]-[onnx.Mul]-[square]" <- error starts here`) {
		t.Errorf("layerwise text:\n%s", r.stdout)
	}
	for _, step := range []struct{ keep, node, layer string }{
		{"", "square", "[ElementWise]-[onnx.Mul]-[square]"},
		{"square", "fc2", "[MatrixMultiply]-[onnx.MatMul]-[fc2]"},
		{"square,fc2", "rescale", "[ElementWise]-[onnx.Mul]-[rescale]"},
	} {
		node, layer, code := firstFailing(step.keep)
		if node != step.node || layer != step.layer || code != 9 {
			t.Errorf("--keep-fp32 %q: first failing node %q layer %q exit %d, want %q %q exit 9", step.keep, node, layer, code, step.node, step.layer)
		}
	}
	if node, _, code := firstFailing("square,fc2,rescale"); node != "" || code != 0 {
		t.Errorf("--keep-fp32 square,fc2,rescale: still failing at %q (exit %d)", node, code)
	}
	// Or the autocast pass observes the real input (compile's
	// --calibration-input, which compare takes like every compile flag)
	// and keeps the overflowing nodes in float32 itself.
	if r := trtc(t, dir, nil, append(append([]string{}, args...), "--calibration-input", "x="+x)...); r.code != 0 {
		t.Errorf("--calibration-input: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Without --fp16 the model passes, and its bundle matches numpy's
	// float64 reference (so the overflow is float16's, not the model's).
	if r := trtc(t, dir, nil, "compare", m, "--no-cache", "--input", x); r.code != 0 {
		t.Errorf("float32: exit %d\n%s", r.code, r.stdout)
	}
	bundle := filepath.Join(dir, "ov.trtb")
	trtc(t, dir, nil, "compile", m, "-o", bundle, "--no-cache")
	if r := trtc(t, dir, nil, "run", bundle, "--input", x, "--output-dir", dir, "--expect", filepath.Join(root, "testdata", "models", "fp16_overflow", "expected")); r.code != 0 {
		t.Errorf("run --expect: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// The claim through the tool a user runs: the testdata CNN and
// GPT-style transformer compiled with --fp16 and with --bf16 pass trtc
// compare at atol 1e-2, rtol 1e-2 on their shipped inputs, and the errors
// are those of reduced precision: not 0, and bfloat16's (8 bits of
// mantissa) larger than float16's (11).
func TestCompareReducedPrecisionTestdata(t *testing.T) {
	dir := t.TempDir()
	for _, m := range []struct{ name, input string }{{"cnn_resnet", "input.npy"}, {"gpt_tiny", "input_ids.npy"}} {
		in := filepath.Join(root, "testdata", "models", m.name, m.input)
		errs := map[string]float64{}
		for _, p := range []string{"--fp16", "--bf16"} {
			r := trtc(t, dir, nil, "compare", model(m.name), "--no-cache", p, "--atol", "1e-2", "--rtol", "1e-2", "--input", in, "-o", "json")
			c := decodeCompare(t, r)
			if r.code != 0 || !c.Passed || len(c.Outputs) != 1 {
				t.Errorf("%s %s: exit %d, %+v: %s", m.name, p, r.code, c, r.stderr)
				continue
			}
			errs[p] = c.Outputs[0].MaxAbsError
		}
		if !(0 < errs["--fp16"] && errs["--fp16"] < errs["--bf16"]) {
			t.Errorf("%s: max abs errors %v, want 0 < float16's < bfloat16's", m.name, errs)
		}
	}
}
