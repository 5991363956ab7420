package cmdtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/trtc-dev/trtc/internal/testenv"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/tensorio"
	onnxpb "github.com/trtc-dev/trtc/proto/onnx"
)

var (
	root    string // repository root
	trtcBin string // built by `make build`
)

func TestMain(m *testing.M) {
	root = testenv.RepoRoot()
	dir, err := os.MkdirTemp("", "trtc-cmd")
	if err != nil {
		panic(err)
	}
	trtcBin = filepath.Join(dir, "trtc")
	cmd := exec.Command("make", "-s", "build", "TRTC="+trtcBin)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "make build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is one run of the binary.
type result struct {
	code           int
	stdout, stderr string
}

// run runs bin with args in dir, with env added to a clean environment
// (HOME and the cache directory in the test's temp dir, no TRTC_*).
func run(t *testing.T, bin, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = baseEnv(t)
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("%s %v: %v", bin, args, err)
	}
	if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
		t.Errorf("trtc %v panicked:\n%s", args, r.stderr)
	}
	return r
}

var cacheHome string

func baseEnv(t *testing.T) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TRTC_") && !strings.HasPrefix(kv, "XDG_CACHE_HOME=") {
			env = append(env, kv)
		}
	}
	if cacheHome == "" {
		cacheHome = t.TempDir()
	}
	return append(env, "XDG_CACHE_HOME="+cacheHome)
}

func trtc(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	return run(t, trtcBin, dir, env, args...)
}

func model(name string) string { return filepath.Join(root, "testdata", "models", name, "model.onnx") }

func exists(path string) bool { _, err := os.Stat(path); return err == nil }

type report struct {
	Outcome        string `json:"outcome"`
	ExitCode       int    `json:"exit_code"`
	Error          string `json:"error"`
	TotalNodes     int    `json:"total_nodes"`
	ConvertedNodes int    `json:"converted_nodes"`
	MinBlockSize   int    `json:"min_block_size"`
	EnginesReused  int    `json:"engines_reused"`
	Bundle         string `json:"bundle"`
	Segments       []struct {
		Kind   string `json:"kind"`
		Cache  string `json:"cache"`
		Inputs []struct {
			Name, Shape string
		} `json:"inputs"`
	} `json:"segments"`
	Unsupported []struct {
		Node, Op string
		Reasons  []string
	} `json:"unsupported"`
	UnsupportedOps []struct {
		Op    string
		Count int
	} `json:"unsupported_ops"`
	ForcedFallback []struct{ Node, Op string } `json:"forced_fallback"`
}

func readReport(t *testing.T, path string) *report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	var r report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("report %s: %v", path, err)
	}
	return &r
}

// unsupportedModel writes an ONNX model with a Relu and an op that has
// neither a converter nor a kernel.
func unsupportedModel(t *testing.T, dir string) string {
	f32 := int32(onnxpb.TensorProto_FLOAT)
	vi := func(name string) *onnxpb.ValueInfoProto {
		shape := &onnxpb.TensorShapeProto{Dim: []*onnxpb.TensorShapeProto_Dimension{
			{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: 2}}, {Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: 3}}}}
		return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{
			Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(f32), Shape: shape}}}}
	}
	m := &onnxpb.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(17)}},
		Graph: &onnxpb.GraphProto{Name: proto.String("t"), Node: []*onnxpb.NodeProto{
			{Name: proto.String("relu"), OpType: proto.String("Relu"), Input: []string{"x"}, Output: []string{"h"}},
			{Name: proto.String("mystery"), OpType: proto.String("FrobnicateTensor"), Input: []string{"h"}, Output: []string{"y"}},
		}, Input: []*onnxpb.ValueInfoProto{vi("x")}, Output: []*onnxpb.ValueInfoProto{vi("y")}},
	}
	data, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "mystery.onnx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkDevices starts a binary with `devices`: with no driver (here, CI) it
// must say so and exit 10, not die in the dynamic loader.
func checkDevices(t *testing.T, bin string) {
	t.Helper()
	r := run(t, bin, t.TempDir(), nil, "devices")
	if strings.Contains(r.stderr, "undefined symbol") || strings.Contains(r.stderr, "symbol lookup error") {
		t.Fatalf("%s dies at start-up (not linked with lazy binding?): %s", bin, r.stderr)
	}
	switch r.code {
	case 10:
		if !strings.Contains(r.stderr, "no NVIDIA driver found: ") || !strings.Contains(r.stderr, "libnvidia-ml.so.1") || r.stdout != "" {
			t.Errorf("%s devices: exit 10 but stdout %q, stderr %q", bin, r.stdout, r.stderr)
		}
	case 0:
		if !strings.HasPrefix(r.stdout, "driver ") {
			t.Errorf("%s devices: %q", bin, r.stdout)
		}
	default:
		t.Errorf("%s devices: exit %d, stderr %s", bin, r.code, r.stderr)
	}
}

// buildLine finds documented ways to build trtc: `go build` and `go install`
// lines for ./cmd/trtc in README.md and docs/*.md, except those needing
// TensorRT (-tags tensorrt, which no machine here has).
var buildLine = regexp.MustCompile(`^\s*(go (build|install) .*(\./cmd/trtc|/cmd/trtc@\S+))\s*$`)

func documentedBuilds(t *testing.T) []string {
	files, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	files = append(files, filepath.Join(root, "README.md"))
	var lines []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			if m := buildLine.FindStringSubmatch(sc.Text()); m != nil && !strings.Contains(m[1], "-tags tensorrt") {
				lines = append(lines, m[1])
			}
		}
	}
	return lines
}

// Every documented way to build trtc links it so that it starts where no
// driver is installed; README.md has a go install line.
func TestDocumentedBuilds(t *testing.T) {
	checkDevices(t, trtcBin) // make build
	lines := documentedBuilds(t)
	hasInstall := false
	for _, l := range lines {
		hasInstall = hasInstall || strings.HasPrefix(l, "go install")
	}
	if !hasInstall || len(lines) < 2 {
		t.Fatalf("documented builds: %q; README.md must give a go install line", lines)
	}
	if testing.Short() {
		t.Skip("-short: not building every documented way")
	}
	for i, line := range lines {
		dir := t.TempDir()
		args := shellWords(line)[1:]
		bin := filepath.Join(dir, "trtc")
		for j := range args {
			switch {
			case regexp.MustCompile(`/cmd/trtc@\S+$`).MatchString(args[j]):
				args[j] = "./cmd/trtc" // the module as checked out here
			case j > 0 && args[j-1] == "-o":
				args[j] = bin
			}
		}
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOBIN="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("documented build %d %q: %v\n%s", i, line, err, out)
		}
		t.Logf("built: %s", line)
		checkDevices(t, bin)
	}
}

// shellWords splits a command line as a shell would, for the quoting
// documented build lines use ('...' and "..."; no escapes).
func shellWords(line string) []string {
	var out []string
	var cur strings.Builder
	in, quote := false, rune(0)
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

// README: the CI recipe exits 5 when a node would fall back and still
// writes coverage.json, marked with the outcome; no bundle is written.
func TestCIRecipeReportOnFallback(t *testing.T) {
	dir := t.TempDir()
	r := trtc(t, dir, []string{"TRTC_FALLBACK_OPS=Gemm"}, "compile", model("cnn_resnet"), "--dry-run", "--require-full-compilation", "--report", "coverage.json")
	if r.code != 5 {
		t.Fatalf("exit %d, want 5: %s", r.code, r.stderr)
	}
	rep := readReport(t, filepath.Join(dir, "coverage.json"))
	if rep.Outcome != "fallback" || rep.ExitCode != 5 || len(rep.ForcedFallback) != 1 || rep.ForcedFallback[0].Op != "onnx.Gemm" ||
		rep.TotalNodes != 23 || rep.ConvertedNodes != 22 || !strings.Contains(rep.Error, "would fall back") {
		t.Errorf("report: %+v", rep)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("wrote %d files, want only coverage.json", len(ents))
	}
}

// --report is written for exits 4 and 6 too, and a dry run never writes a
// bundle, whatever the outcome.
func TestReportOnEveryOutcome(t *testing.T) {
	dir := t.TempDir()
	mystery := unsupportedModel(t, dir)
	r := trtc(t, dir, nil, "compile", mystery, "--report", "r4.json")
	if r.code != 4 || !strings.Contains(r.stderr, "FrobnicateTensor") {
		t.Fatalf("unsupported op: exit %d: %s", r.code, r.stderr)
	}
	rep := readReport(t, filepath.Join(dir, "r4.json"))
	if rep.Outcome != "unsupported_ops" || rep.ExitCode != 4 || len(rep.UnsupportedOps) != 1 || rep.UnsupportedOps[0].Op != "onnx.FrobnicateTensor" ||
		len(rep.Unsupported) != 1 || rep.Unsupported[0].Node != "mystery" || rep.TotalNodes != 2 {
		t.Errorf("exit 4 report: %+v", rep)
	}
	if exists(filepath.Join(dir, "mystery.trtb")) {
		t.Error("a failed compile wrote a bundle")
	}
	r = trtc(t, dir, nil, "compile", model("cnn_resnet"), "--backend", "tensorrt", "--report", "r6.json", "-o", "b.trtb")
	if r.code != 6 {
		t.Fatalf("tensorrt backend: exit %d: %s", r.code, r.stderr)
	}
	if rep := readReport(t, filepath.Join(dir, "r6.json")); rep.Outcome != "build" || rep.ExitCode != 6 || !strings.Contains(rep.Error, "tensorrt") {
		t.Errorf("exit 6 report: %+v", rep)
	}
	r = trtc(t, dir, nil, "compile", filepath.Join(dir, "missing.onnx"), "--report", "r3.json")
	if rep := readReport(t, filepath.Join(dir, "r3.json")); r.code != 3 || rep.Outcome != "input" || rep.ExitCode != 3 {
		t.Errorf("exit 3: %d, report %+v", r.code, rep)
	}
	r = trtc(t, dir, nil, "compile", model("cnn_resnet"), "--dry-run", "--report", "r0.json", "-o", "dry.trtb")
	if rep := readReport(t, filepath.Join(dir, "r0.json")); r.code != 0 || rep.Outcome != "ok" || rep.Bundle != "" || exists(filepath.Join(dir, "dry.trtb")) {
		t.Errorf("dry run: exit %d, report %+v, bundle written: %v", r.code, rep, exists(filepath.Join(dir, "dry.trtb")))
	}
	if !strings.Contains(r.stdout, "coverage") {
		t.Errorf("dry run printed no report: %s", r.stdout)
	}
}

// README: every flag can be set in the config file or as TRTC_<FLAG>;
// flags win over the environment, which wins over the file.
func TestConfigThroughBinary(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "trtc.yaml"), []byte("min-block-size: 7\nreport: file.json\nshapes: [\"x:5x16\"]\n"), 0o644)
	// TRTC_DRY_RUN writes no bundle.
	r := trtc(t, dir, []string{"TRTC_DRY_RUN=true"}, "compile", model("dyn_mlp"), "-o", "m.trtb")
	if r.code != 0 || exists(filepath.Join(dir, "m.trtb")) || !strings.Contains(r.stdout, "coverage") {
		t.Fatalf("TRTC_DRY_RUN=true: exit %d, bundle %v, stdout %s %s", r.code, exists(filepath.Join(dir, "m.trtb")), r.stdout, r.stderr)
	}
	rep := readReport(t, filepath.Join(dir, "file.json"))
	if rep.MinBlockSize != 7 || len(rep.Segments) == 0 || rep.Segments[0].Inputs[0].Shape != "[5x16]" {
		t.Errorf("config file: %+v", rep)
	}
	r = trtc(t, dir, []string{"TRTC_DRY_RUN=1", "TRTC_MIN_BLOCK_SIZE=3", "TRTC_REPORT=env.json", "TRTC_SHAPES=x:2x16"}, "compile", model("dyn_mlp"))
	rep = readReport(t, filepath.Join(dir, "env.json"))
	if r.code != 0 || rep.MinBlockSize != 3 || rep.Segments[0].Inputs[0].Shape != "[2x16]" || exists(filepath.Join(dir, "file.json.tmp")) {
		t.Errorf("env over file: exit %d %+v", r.code, rep)
	}
	r = trtc(t, dir, []string{"TRTC_DRY_RUN=1", "TRTC_MIN_BLOCK_SIZE=3"}, "compile", model("dyn_mlp"), "--min-block-size", "1", "--report", "flag.json")
	if rep := readReport(t, filepath.Join(dir, "flag.json")); r.code != 0 || rep.MinBlockSize != 1 {
		t.Errorf("flag over env: exit %d %+v", r.code, rep)
	}
	// run: TRTC_OUTPUT_DIR, TRTC_ATOL and TRTC_RTOL.
	mlp := filepath.Join(root, "testdata", "models", "dyn_mlp")
	os.Remove(filepath.Join(dir, "trtc.yaml"))
	if r := trtc(t, dir, nil, "compile", model("dyn_mlp"), "-o", "mlp.trtb"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	wrong := wrongExpected(t, filepath.Join(mlp, "expected"))
	r = trtc(t, dir, []string{"TRTC_OUTPUT_DIR=outs"}, "run", "mlp.trtb", "--input", filepath.Join(mlp, "x.npy"), "--expect", wrong)
	if r.code != 9 || !exists(filepath.Join(dir, "outs", "y.npy")) {
		t.Errorf("mismatch: exit %d (want 9), outs/y.npy %v: %s", r.code, exists(filepath.Join(dir, "outs", "y.npy")), r.stderr)
	}
	r = trtc(t, dir, []string{"TRTC_ATOL=1e9", "TRTC_RTOL=1e9", "TRTC_OUTPUT_DIR=outs"}, "run", "mlp.trtb", "--input", filepath.Join(mlp, "x.npy"), "--expect", filepath.Join(mlp, "expected"))
	if r.code != 0 || !strings.Contains(r.stdout, "atol") && !strings.Contains(r.stdout, "y:") {
		t.Errorf("tolerances from the environment: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	// An unknown key is an error that names the closest key; nothing is written.
	os.WriteFile(filepath.Join(dir, "trtc.yaml"), []byte("min_block_size: 3\n"), 0o644)
	r = trtc(t, dir, nil, "compile", model("dyn_mlp"), "-o", "never.trtb", "--report", "never.json")
	if r.code != 3 || !strings.Contains(r.stderr, "trtc.yaml:1: unknown key min_block_size (did you mean min-block-size?)") ||
		exists(filepath.Join(dir, "never.trtb")) || exists(filepath.Join(dir, "never.json")) {
		t.Errorf("unknown key: exit %d: %s", r.code, r.stderr)
	}
}

// decodeLines checks that every stderr line is one JSON object and returns them.
func decodeLines(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimRight(stderr, "\n"), "\n") {
		if line == "" {
			continue
		}
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("stderr line is not JSON: %q", line)
		}
		if obj["level"] == nil || obj["msg"] == nil {
			t.Errorf("line lacks level or msg: %q", line)
		}
		out = append(out, obj)
	}
	return out
}

// README: --log-format json makes every log line and the error one JSON
// object; info has a line per stage, debug one per node decision.
func TestJSONLogs(t *testing.T) {
	dir := t.TempDir()
	r := trtc(t, dir, nil, "compile", model("cnn_resnet"), "-o", "r.trtb", "--log-format", "json", "--log-level", "debug", "--fallback-ops", "Gemm")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	stages := map[string]bool{}
	decisions := 0
	for _, o := range decodeLines(t, r.stderr) {
		if s, ok := o["stage"].(string); ok && o["level"] == "info" {
			stages[s] = true
			if s == "engine" && (o["layers"] == nil || o["elapsed_ms"] == nil) {
				t.Errorf("engine line lacks layers or elapsed_ms: %v", o)
			}
		}
		if o["msg"] == "node decision" {
			decisions++
			if o["node"] == nil || o["op"] == nil || o["decision"] == nil {
				t.Errorf("decision line: %v", o)
			}
		}
	}
	for _, s := range []string{"parse", "lowering", "capability", "partition", "engine", "bundle"} {
		if !stages[s] {
			t.Errorf("no info line for stage %s", s)
		}
	}
	if decisions != 23 {
		t.Errorf("%d node decisions logged, want 23", decisions)
	}
	// Errors: one JSON object with exit_code and what locates the problem.
	mystery := unsupportedModel(t, dir)
	for _, c := range []struct {
		args   []string
		code   int
		fields map[string]string
	}{
		{[]string{"compile", mystery}, 4, map[string]string{"file": mystery, "op": "onnx.FrobnicateTensor", "node": "mystery"}},
		{[]string{"compile", filepath.Join(dir, "nope.onnx")}, 3, map[string]string{"file": filepath.Join(dir, "nope.onnx")}},
		{[]string{"run", "r.trtb", "--input", "x=missing.npy"}, 3, map[string]string{"tensor": "x", "file": "missing.npy"}},
		{[]string{"run", "r.trtb", "--input", "input=" + filepath.Join(root, "testdata", "models", "dyn_mlp", "x.npy")}, 3, map[string]string{"tensor": "input"}},
		{[]string{"compile", "--no-such-flag"}, 2, nil},
		{[]string{"devices"}, 10, nil},
	} {
		r := trtc(t, dir, []string{"TRTC_LOG_FORMAT=json"}, c.args...)
		lines := decodeLines(t, r.stderr)
		if r.code != c.code || len(lines) == 0 {
			t.Errorf("%v: exit %d, want %d; stderr %s", c.args, r.code, c.code, r.stderr)
			continue
		}
		last := lines[len(lines)-1]
		if last["level"] != "error" || last["exit_code"] != float64(c.code) {
			t.Errorf("%v: error line %v", c.args, last)
		}
		for k, v := range c.fields {
			if last[k] != v {
				t.Errorf("%v: %s = %v, want %q", c.args, k, last[k], v)
			}
		}
	}
}

// README: a progress display on a terminal, none when stderr is not one.
func TestProgressOnlyOnATerminal(t *testing.T) {
	dir := t.TempDir()
	r := trtc(t, dir, nil, "compile", model("cnn_resnet"), "-o", "a.trtb")
	if r.code != 0 || r.stderr != "" {
		t.Errorf("not a terminal: exit %d, stderr %q", r.code, r.stderr)
	}
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("no script(1) to run trtc on a pseudo-terminal")
	}
	line := fmt.Sprintf("%s compile %s -o b.trtb --no-cache", trtcBin, model("cnn_resnet"))
	cmd := exec.Command(script, "-qec", line, "/dev/null")
	cmd.Dir = dir
	cmd.Env = baseEnv(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, want := range []string{"\r\x1b[K", "compile model.onnx: parse", "engines 0/1 built", "engines 1/1 built"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("terminal output lacks %q: %q", want, out)
		}
	}
	line = fmt.Sprintf("%s run b.trtb --input %s --output-dir o", trtcBin, filepath.Join(root, "testdata", "models", "cnn_resnet", "input.npy"))
	cmd = exec.Command(script, "-qec", line, "/dev/null")
	cmd.Dir = dir
	cmd.Env = baseEnv(t)
	if out, err = cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, want := range []string{"run b.trtb: segments 0/1 done", "run b.trtb: segments 1/1 done", "logits float32[1x10]"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("terminal output of run lacks %q: %q", want, out)
		}
	}
}

// README: the engine cache. A second compile of an unchanged model reuses
// every engine; cache list shows them; a corrupted entry is rebuilt; cache
// clear empties it.
func TestEngineCache(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	env := []string{"TRTC_CACHE_DIR=" + cache}
	compile := func(name string) *report {
		r := trtc(t, dir, env, "compile", model("cnn_resnet"), "-o", name+".trtb", "--fallback-ops", "Add", "--min-block-size", "1", "--report", name+".json")
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		return readReport(t, filepath.Join(dir, name+".json"))
	}
	first := compile("first")
	engines := 0
	for _, s := range first.Segments {
		if s.Kind == "engine" {
			engines++
			if s.Cache != "built" {
				t.Errorf("first compile: segment cache %q", s.Cache)
			}
		}
	}
	if engines < 2 || first.EnginesReused != 0 {
		t.Fatalf("first compile: %d engines, %d reused", engines, first.EnginesReused)
	}
	second := compile("second")
	if second.EnginesReused != engines {
		t.Errorf("second compile reused %d of %d engines", second.EnginesReused, engines)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "first.trtb"))
	b, _ := os.ReadFile(filepath.Join(dir, "second.trtb"))
	if !bytes.Equal(a, b) {
		t.Error("the bundle built from cached engines differs from the first")
	}
	r := trtc(t, dir, env, "cache", "list", "-o", "json")
	var list struct {
		Dir     string
		Entries []struct{ Key, SHA256 string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list.Entries) != engines || list.Dir != cache {
		t.Fatalf("cache list: %v %s", err, r.stdout)
	}
	// Corrupt one engine: it is rebuilt, not used.
	path := filepath.Join(cache, list.Entries[0].Key+".engine")
	data, _ := os.ReadFile(path)
	data[len(data)/2] ^= 0xff
	os.WriteFile(path, data, 0o644)
	third := compile("third")
	if third.EnginesReused != engines-1 {
		t.Errorf("after corrupting one entry: %d reused, want %d", third.EnginesReused, engines-1)
	}
	c, _ := os.ReadFile(filepath.Join(dir, "third.trtb"))
	if !bytes.Equal(a, c) {
		t.Error("the rebuilt bundle differs")
	}
	r = trtc(t, dir, env, "cache", "clear")
	if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("removed %d entries", engines)) {
		t.Errorf("cache clear: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = trtc(t, dir, env, "cache", "list")
	if !strings.Contains(r.stdout, "0 entries") {
		t.Errorf("after clear: %s", r.stdout)
	}
	// --no-cache neither reads nor writes it.
	if r := trtc(t, dir, env, "compile", model("cnn_resnet"), "-o", "n.trtb", "--no-cache"); r.code != 0 || exists(cache) && countFiles(cache) != 0 {
		t.Errorf("--no-cache: exit %d, %d cache files", r.code, countFiles(cache))
	}
}

// wrongExpected copies a folder of expected outputs with every value
// changed by 1, for a mismatch.
func wrongExpected(t *testing.T, dir string) string {
	t.Helper()
	out := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(dir, "*.npy"))
	for _, f := range files {
		tn, err := tensorio.ReadNPY(f)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < int(tn.Numel()); i++ {
			tn.SetFloat(i, tn.Float(i)+1)
		}
		if err := tensorio.WriteNPY(filepath.Join(out, filepath.Base(f)), tn); err != nil {
			t.Fatal(err)
		}
	}
	if len(files) == 0 {
		t.Fatalf("no .npy in %s", dir)
	}
	return out
}

func countFiles(dir string) int {
	ents, _ := os.ReadDir(dir)
	return len(ents)
}

// README: devices (exit 10 without a driver), and --device on compile and
// run: a GPU that is not there is exit 10, naming what was asked for.
func TestDevices(t *testing.T) {
	dir := t.TempDir()
	r := trtc(t, dir, nil, "devices", "-o", "json")
	if r.code == 0 {
		t.Skip("this machine has an NVIDIA driver")
	}
	if r.code != 10 {
		t.Fatalf("devices: exit %d: %s", r.code, r.stderr)
	}
	r = trtc(t, dir, nil, "compile", model("cnn_resnet"), "--device", "1", "-o", "d.trtb")
	if r.code != 10 || !strings.Contains(r.stderr, "--device: no NVIDIA driver found") || exists(filepath.Join(dir, "d.trtb")) {
		t.Errorf("compile --device 1: exit %d: %s", r.code, r.stderr)
	}
	trtc(t, dir, nil, "compile", model("cnn_resnet"), "-o", "ok.trtb")
	r = trtc(t, dir, []string{"TRTC_DEVICE=GPU-0a1b2c3d"}, "run", "ok.trtb", "--input", filepath.Join(root, "testdata", "models", "cnn_resnet", "input.npy"))
	if r.code != 10 || !strings.Contains(r.stderr, "device (env TRTC_DEVICE): no NVIDIA driver found") {
		t.Errorf("run with TRTC_DEVICE: exit %d: %s", r.code, r.stderr)
	}
}

// The README's exit code table, for the codes not shown above.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"compile"}, 2},
		{[]string{"compile", model("cnn_resnet"), "--min-block-size", "-1"}, 2},
		{[]string{"inspect", filepath.Join(dir, "none.trtb")}, 3},
		{[]string{"compile", model("cnn_resnet"), "--plugin", filepath.Join(dir, "none.so")}, 8},
		{[]string{"version"}, 0},
	} {
		if r := trtc(t, dir, nil, c.args...); r.code != c.code {
			t.Errorf("%v: exit %d, want %d: %s", c.args, r.code, c.code, r.stderr)
		}
	}
}

// docs/ci.md's script, run as written there, on the three outcomes it
// handles: all converts, some nodes fall back, outputs differ.
func TestCIScript(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(root, "docs", "ci.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```sh\n(#!/bin/sh\n# ci.sh .*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/ci.md has no ci.sh block")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "ci.sh")
	os.WriteFile(script, m[1], 0o755)
	binDir := filepath.Dir(trtcBin)
	resnet := filepath.Join(root, "testdata", "models", "cnn_resnet")
	runCI := func(env []string, args ...string) result {
		wd := t.TempDir()
		env = append(env, "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
		return run(t, "/bin/sh", wd, env, append([]string{script}, args...)...)
	}
	r := runCI(nil, model("cnn_resnet"), filepath.Join(resnet, "input.npy"), filepath.Join(resnet, "expected"))
	if r.code != 0 || !strings.Contains(r.stdout, "coverage: every node converts (ok)") || !strings.Contains(r.stdout, "run: outputs match") {
		t.Errorf("all converts: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCI([]string{"TRTC_FALLBACK_OPS=Gemm"}, model("cnn_resnet"), filepath.Join(resnet, "input.npy"), filepath.Join(resnet, "expected"))
	if r.code != 0 || !strings.Contains(r.stdout, "coverage: some nodes fall back (fallback)") || !strings.Contains(r.stdout, "\n  node_linear\n") {
		t.Errorf("fallback: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	mlp := filepath.Join(root, "testdata", "models", "dyn_mlp")
	r = runCI(nil, model("dyn_mlp"), filepath.Join(mlp, "x.npy"), wrongExpected(t, filepath.Join(mlp, "expected")))
	if r.code != 1 || !strings.Contains(r.stdout, "run: outputs differ") {
		t.Errorf("mismatch: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	dir2 := t.TempDir()
	r = runCI(nil, unsupportedModel(t, dir2), filepath.Join(mlp, "x.npy"), filepath.Join(mlp, "expected"))
	if r.code != 1 || !strings.Contains(r.stdout, "onnx.FrobnicateTensor") {
		t.Errorf("unsupported op: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// README: inspect -o json of a bundle prints trtc's own schema.
func TestInspectJSON(t *testing.T) {
	dir := t.TempDir()
	if r := trtc(t, dir, nil, "compile", model("cnn_resnet"), "-o", "m.trtb"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := trtc(t, dir, nil, "inspect", "-o", "json", "m.trtb")
	var info struct {
		Schema string
		Source struct{ SHA256 string }
		Inputs []struct{ DType string }
		Blobs  []struct {
			Length json.Number
			SHA256 string
		}
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.UseNumber()
	if err := dec.Decode(&info); err != nil || r.code != 0 {
		t.Fatalf("exit %d, %v: %s", r.code, err, r.stdout)
	}
	if info.Schema != "trtc.inspect.bundle/1" || len(info.Source.SHA256) != 64 || info.Inputs[0].DType != "float32" ||
		len(info.Blobs) == 0 || len(info.Blobs[0].SHA256) != 64 || !strings.HasPrefix(r.stdout, "{\n  \"schema\"") {
		t.Errorf("inspect -o json: %+v", info)
	}
	if _, err := info.Blobs[0].Length.Int64(); err != nil || strings.Contains(r.stdout, `"length": "`) {
		t.Errorf("blob length is not a JSON integer: %v", err)
	}
}

// Only cmd/trtc (through pkg/conversion/pluginload) links Go's plugin
// package: any other binary, test binaries included, would be linked to
// bind symbols at start-up and die on go-nvml's lazily bound ones without
// -ldflags=-extldflags=-Wl,-z,lazy, and a plain `go test` would fail.
func TestOnlyTheCommandImportsPlugin(t *testing.T) {
	cmd := exec.Command("go", "list", "-test", "-f", `{{.ImportPath}}{{range .Deps}}{{if eq . "plugin"}} PLUGIN{{end}}{{end}}`, "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := regexp.MustCompile(`^github\.com/trtc-dev/trtc/(cmd/trtc|pkg/conversion/pluginload)([ .]|$)`)
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if !strings.HasSuffix(line, " PLUGIN") {
			continue
		}
		n++
		if !allowed.MatchString(line) {
			t.Errorf("%s links Go's plugin package; only cmd/trtc may (cli.PluginLoader)", strings.TrimSuffix(line, " PLUGIN"))
		}
	}
	if n == 0 {
		t.Error("nothing links the plugin package: the check itself is broken")
	}
}

// Profiles are honoured by the reference backend: a bundle compiled for
// batch 1..4 runs batch 2 and refuses batch 5 with exit 3, naming the
// input, the dim and the range; the TensorRT-only builder settings are
// accepted with a warning that they have no effect there.
func TestProfilesHonoured(t *testing.T) {
	dir := t.TempDir()
	m := filepath.Join(root, "testdata", "models", "dyn_mlp")
	r := trtc(t, dir, nil, "compile", filepath.Join(m, "model.onnx"), "-o", "mlp.trtb", "--min-block-size", "1",
		"--min-shapes", "x:1x16", "--opt-shapes", "x:2x16", "--max-shapes", "x:4x16",
		"--workspace", "1GiB", "--version-compatible", "--timing-cache", "tc.bin")
	if r.code != 0 {
		t.Fatalf("compile: exit %d: %s", r.code, r.stderr)
	}
	for _, flag := range []string{"workspace", "version-compatible", "timing-cache"} {
		if !strings.Contains(r.stderr, flag) || !strings.Contains(r.stderr, "no effect on the reference backend") {
			t.Errorf("no warning that --%s has no effect on the reference backend:\n%s", flag, r.stderr)
		}
	}
	if exists(filepath.Join(dir, "tc.bin")) {
		t.Errorf("the reference backend wrote a timing cache")
	}
	r = trtc(t, dir, nil, "run", "mlp.trtb", "--input", "x="+filepath.Join(m, "x_b2.npy"), "--output-dir", "out2",
		"--expect", filepath.Join(m, "expected_b2"))
	if r.code != 0 {
		t.Fatalf("run at batch 2 (inside the profile): exit %d: %s", r.code, r.stderr)
	}
	r = trtc(t, dir, nil, "run", "mlp.trtb", "--input", "x="+filepath.Join(m, "x_b5.npy"), "--output-dir", "out5")
	if r.code != 3 {
		t.Fatalf("run at batch 5 (max 4): exit %d, want 3: %s", r.code, r.stderr)
	}
	for _, want := range []string{`"x"`, "dim 0", "5", "[1, 4]"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the refusal does not name %s:\n%s", want, r.stderr)
		}
	}
	if exists(filepath.Join(dir, "out5")) && countFiles(filepath.Join(dir, "out5")) > 0 {
		t.Errorf("a refused run wrote outputs")
	}
	r = trtc(t, dir, nil, "inspect", "mlp.trtb")
	if r.code != 0 || !strings.Contains(r.stdout, "1x16") || !strings.Contains(r.stdout, "4x16") {
		t.Errorf("inspect does not show the profile (exit %d):\n%s", r.code, r.stdout)
	}
}

// Value-pinned inputs through the binary: the ONNX node suite's
// ReduceSum case feeds axes from a graph input. Pinned by the profile flags
// (min = opt = max; for an int input whose shape the model fixes, the list
// is its values), the reduce compiles into an engine, the report names the
// pinned input, run with the same value matches the suite's output, and
// run with another value is exit 3 naming the input. Unpinned, the reduce
// falls back with the converter's reason.
func TestPinnedInputs(t *testing.T) {
	m := filepath.Join(testenv.NodeTestsDir(t), "test_reduce_sum_keepdims_example")
	dir := t.TempDir()
	pin := "data:3x2x2,axes:1"
	r := trtc(t, dir, nil, "compile", filepath.Join(m, "model.onnx"), "-o", "pin.trtb", "--min-block-size", "1",
		"--min-shapes", pin, "--opt-shapes", pin, "--max-shapes", pin, "--report", "pin.json")
	if r.code != 0 {
		t.Fatalf("compile: exit %d: %s", r.code, r.stderr)
	}
	var rep struct {
		Converted int `json:"converted_nodes"`
		Pinned    []struct {
			Name   string  `json:"name"`
			Values []int64 `json:"values"`
		} `json:"pinned_inputs"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "pin.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Converted != 1 || len(rep.Pinned) != 1 || rep.Pinned[0].Name != "axes" || fmt.Sprint(rep.Pinned[0].Values) != "[1]" {
		t.Fatalf("report: %d converted, pinned %+v; want 1 and axes = [1]", rep.Converted, rep.Pinned)
	}
	set := filepath.Join(m, "test_data_set_0")
	r = trtc(t, dir, nil, "run", "pin.trtb", "--input", "data="+filepath.Join(set, "input_0.pb"),
		"--input", "axes="+filepath.Join(set, "input_1.pb"), "--output-dir", "out")
	if r.code != 0 {
		t.Fatalf("run with the pinned value: exit %d: %s", r.code, r.stderr)
	}
	got, err := tensorio.ReadNPY(filepath.Join(dir, "out", "reduced.npy"))
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := tensorio.ReadAuto(filepath.Join(set, "output_0.pb"))
	if err != nil {
		t.Fatal(err)
	}
	if d := tensorio.Diff(got, want, 1e-6, 1e-5); !d.OK {
		t.Errorf("output differs from the suite's: %s", d)
	}
	other := filepath.Join(dir, "axes2.npy")
	if err := tensorio.WriteNPY(other, ir.FromSlice(ir.Int64, []int64{1}, []int64{2})); err != nil {
		t.Fatal(err)
	}
	r = trtc(t, dir, nil, "run", "pin.trtb", "--input", "data="+filepath.Join(set, "input_0.pb"),
		"--input", "axes="+other, "--output-dir", "out2")
	if r.code != 3 || !strings.Contains(r.stderr, `input "axes": value [2], but the bundle was compiled for [1]`) {
		t.Errorf("run with another axes value: exit %d, want 3 naming the input and the pinned value:\n%s", r.code, r.stderr)
	}
	r = trtc(t, dir, nil, "compile", filepath.Join(m, "model.onnx"), "--min-block-size", "1", "--dry-run",
		"--min-shapes", "data:3x2x2,axes:0", "--opt-shapes", "data:3x2x2,axes:1", "--max-shapes", "data:3x2x2,axes:2")
	if r.code != 0 || !strings.Contains(r.stdout, "axes input must be a constant") || strings.Contains(r.stdout, "pinned:") {
		t.Errorf("a range of axes values pins nothing and keeps the converter's reason (exit %d):\n%s", r.code, r.stdout)
	}
}

// --min-block-size counts compute ops: a lone Flatten (a shape op) is
// demoted at 1, and kept in an engine at 0, which sets no minimum.
func TestMinBlockSizeZero(t *testing.T) {
	m := filepath.Join(testenv.NodeTestsDir(t), "test_flatten_axis0", "model.onnx")
	dir := t.TempDir()
	for _, tc := range []struct {
		size      string
		converted int
	}{{"1", 0}, {"0", 1}} {
		r := trtc(t, dir, nil, "compile", m, "--dry-run", "--min-block-size", tc.size, "--report", "r"+tc.size+".json")
		if r.code != 0 {
			t.Fatalf("--min-block-size %s: exit %d: %s", tc.size, r.code, r.stderr)
		}
		var rep struct {
			Converted int `json:"converted_nodes"`
		}
		data, err := os.ReadFile(filepath.Join(dir, "r"+tc.size+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Converted != tc.converted {
			t.Errorf("--min-block-size %s: %d node(s) in engines, want %d:\n%s", tc.size, rep.Converted, tc.converted, r.stdout)
		}
	}
	if r := trtc(t, dir, nil, "compile", m, "--dry-run", "--min-block-size", "-1"); r.code != 2 || !strings.Contains(r.stderr, "must be at least 0") {
		t.Errorf("--min-block-size -1: exit %d, want 2: %s", r.code, r.stderr)
	}
}
