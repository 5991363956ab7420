package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/spf13/viper"

	"github.com/trtc-dev/trtc/pkg/kernels"
)

// parseCompile runs `trtc compile` flag parsing with a stub in place of the
// command's work and returns the options it would have run with.
func parseCompile(t *testing.T, env map[string]string, args ...string) *CompileOptions {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	streams := &IO{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}, Log: zerolog.Nop(), Config: viper.New()}
	var got *CompileOptions
	root := NewRootCmd(streams)
	for _, c := range root.Commands() {
		if c.Name() == "compile" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(NewCmdCompile(streams, func(o *CompileOptions) error { got = o; return nil }))
	root.SetArgs(append([]string{"compile"}, args...))
	if err := root.Execute(); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return got
}

func TestCompileFlags(t *testing.T) {
	o := parseCompile(t, nil, "m.onnx", "-o", "out.trtb", "--min-block-size", "3",
		"--fallback-ops", "Relu,Softmax", "--fallback-ops", "aten.*", "--shapes", "x:1x3x8x8",
		"--require-full-compilation", "--dry-run", "--report", "r.json")
	if o.Model != "m.onnx" || o.Output != "out.trtb" || o.MinBlockSize != 3 || !o.RequireFullCompilation ||
		!o.DryRun || o.Report != "r.json" || o.Backend != "reference" {
		t.Fatalf("options %+v", o)
	}
	if strings.Join(o.FallbackOps, " ") != "Relu Softmax aten.*" {
		t.Errorf("fallback ops %q", o.FallbackOps)
	}
	shapes, err := parseShapes(o.IO, "shapes", o.Shapes)
	if err != nil || shapes["x"].String() != "[1x3x8x8]" {
		t.Errorf("shapes %v %v", shapes, err)
	}
}

// Flags win over TRTC_* variables, which win over the config file.
func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "trtc.yaml")
	os.WriteFile(cfg, []byte("min-block-size: 7\nfallback-ops: [Gelu]\nbackend: reference\n"), 0o644)
	if o := parseCompile(t, nil, "m.onnx", "--config", cfg); o.MinBlockSize != 7 || strings.Join(o.FallbackOps, ",") != "Gelu" {
		t.Errorf("config: %+v", o)
	}
	if o := parseCompile(t, map[string]string{"TRTC_MIN_BLOCK_SIZE": "4"}, "m.onnx", "--config", cfg); o.MinBlockSize != 4 {
		t.Errorf("env over config: %d", o.MinBlockSize)
	}
	if o := parseCompile(t, map[string]string{"TRTC_MIN_BLOCK_SIZE": "4"}, "m.onnx", "--config", cfg, "--min-block-size", "2"); o.MinBlockSize != 2 {
		t.Errorf("flag over env: %d", o.MinBlockSize)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"compile"},
		{"compile", "m.onnx", "--no-such-flag"},
		{"compile", "m.onnx", "--shapes", "nocolon"},
		{"compile", "m.onnx", "--min-block-size", "-1"},
		{"converters", "list", "-o", "yaml"},
		{"inspect", "m.onnx", "-o", "xml"},
		// No --input is a usage error only for a bundle with inputs (the
		// bundle is read first: TestBadRunInputs covers it), so this case
		// now checks the tolerances instead.
		{"run", "b.trtb", "--atol", "NaN"},
		{"run", "b.trtb", "--rtol", "-1"},
		{"compile", "m.onnx", "--max-memory", "lots"},
		{"frobnicate"},
		{"compile", "m.onnx", "--log-format", "xml"},
		{"version", "--threads", "-1"},
	} {
		var out, errb bytes.Buffer
		if code := Main(args, &out, &errb); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, ExitUsage, errb.String())
		}
	}
}

func TestThreadsFlag(t *testing.T) {
	defer kernels.SetThreads(0)
	var out, errb bytes.Buffer
	if code := Main([]string{"version", "--threads", "1"}, &out, &errb); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if got := kernels.Threads(); got != 1 {
		t.Errorf("--threads 1: kernels use %d threads", got)
	}
	t.Setenv("TRTC_THREADS", "3")
	if code := Main([]string{"version"}, &out, &errb); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if got := kernels.Threads(); got != 3 {
		t.Errorf("TRTC_THREADS=3: kernels use %d threads", got)
	}
}

func TestExitCodeMapping(t *testing.T) {
	if exitCode(nil) != ExitOK || exitCode(os.ErrNotExist) != ExitInternal {
		t.Error("plain errors")
	}
	err := withCode(ExitBuild, withCode(ExitInput, os.ErrNotExist))
	if exitCode(err) != ExitInput {
		t.Errorf("the inner code must win, got %d", exitCode(err))
	}
}
