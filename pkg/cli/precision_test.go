package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/viper"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/precision"
)

// trtBackend stands for the TensorRT backend at a version: only its name
// and version are asked.
type trtBackend struct {
	backend.Backend
	version string
}

func (trtBackend) Name() string                      { return "tensorrt" }
func (b trtBackend) RuntimeVersion() (string, error) { return b.version, nil }

func precisionOf(t *testing.T, be backend.Backend, args ...string) (precision.Options, error) {
	t.Helper()
	o, err := parseBuildFlags(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	return o.PrecisionFlags.Options(&IO{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}, Config: viper.New()}, be)
}

func TestPrecisionFlags(t *testing.T) {
	p, err := precisionOf(t, nil, "--fp16", "--int8", "--fp8", "--keep-fp32", "Softmax,ln_1", "--keep-fp32", "onnx.Exp",
		"--precision-constraints", "conv1:fp16, head:fp32", "--precision-constraints", "a:b:FP32")
	if err != nil {
		t.Fatal(err)
	}
	if !p.FP16 || p.BF16 || !p.INT8 || !p.FP8 || p.StronglyTyped || p.LowType() != ir.Float16 {
		t.Errorf("flags: %+v", p)
	}
	if strings.Join(p.KeepFP32, "|") != "Softmax|ln_1|onnx.Exp" {
		t.Errorf("keep-fp32: %q", p.KeepFP32)
	}
	want := []precision.Constraint{{Name: "conv1", Type: ir.Float16}, {Name: "head", Type: ir.Float32}, {Name: "a:b", Type: ir.Float32}}
	if len(p.Constraints) != len(want) {
		t.Fatalf("constraints: %v", p.Constraints)
	}
	for i := range want {
		if p.Constraints[i] != want[i] {
			t.Errorf("constraint %d: %v, want %v", i, p.Constraints[i], want[i])
		}
	}
	if p, err := precisionOf(t, nil); err != nil || p.Any() || p.LowType() != ir.Undefined {
		t.Errorf("defaults: %+v %v", p, err)
	}
	// --fp16 --bf16 are two builder flags on a weakly typed TensorRT 10
	// network, but a strongly typed one is autocast to one type.
	if p, err := precisionOf(t, trtBackend{version: "10.8.0"}, "--fp16", "--bf16"); err != nil || !p.FP16 || !p.BF16 {
		t.Errorf("TensorRT 10 --fp16 --bf16: %+v %v", p, err)
	}
}

func TestPrecisionFlagErrors(t *testing.T) {
	cases := []struct {
		be   backend.Backend
		args []string
		want string
	}{
		{nil, []string{"--fp16", "--bf16"}, "--bf16: a strongly typed network is autocast to one type"},
		{trtBackend{version: "11.1.0"}, []string{"--fp16", "--bf16"}, "--bf16: a strongly typed network"},
		{trtBackend{version: "10.8.0"}, []string{"--fp16", "--bf16", "--strongly-typed"}, "--bf16: a strongly typed network"},
		{nil, []string{"--keep-fp32", "Softmax"}, "--keep-fp32: has no effect without --fp16"},
		{nil, []string{"--precision-constraints", "x:fp32"}, "--precision-constraints: has no effect without"},
		{nil, []string{"--fp16", "--precision-constraints", "x:fp12"}, `unknown type "fp12" (want fp32, fp16 or bf16)`},
		{nil, []string{"--fp16", "--precision-constraints", "conv1"}, `"conv1": want NAME:TYPE`},
		{nil, []string{"--fp16", "--precision-constraints", ":fp16"}, `":fp16": want NAME:TYPE`},
		{nil, []string{"--fp16", "--precision-constraints", "conv1:bf16"}, "conv1:bf16 pins bf16, which needs --bf16"},
		{nil, []string{"--bf16", "--precision-constraints", "conv1:fp16"}, "conv1:fp16 pins fp16, which needs --fp16"},
		{nil, []string{"--fp16", "--precision-constraints", "c:fp16,c:fp32"}, `"c" is pinned to both fp16 and fp32`},
		{nil, []string{"--fp16", "--keep-fp32", "c", "--precision-constraints", "c:fp16"}, `--keep-fp32: "c" is kept in float32 but --precision-constraints pins it to fp16`},
	}
	for _, c := range cases {
		_, err := precisionOf(t, c.be, c.args...)
		var ee *ExitError
		if !errors.As(err, &ee) || ee.Code != ExitUsage || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want exit %d with %q", c.args, err, ExitUsage, c.want)
		}
	}
}

// TestPrecisionFlagsThroughCompile: a bad precision flag stops `trtc
// compile` with exit 2 before the model is read.
func TestPrecisionFlagsThroughCompile(t *testing.T) {
	streams := &IO{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}, Config: viper.New()}
	root := NewRootCmd(streams)
	root.SetArgs([]string{"compile", "does-not-exist.onnx", "--fp16", "--bf16"})
	root.SetOut(&bytes.Buffer{})
	root.SetErr(&bytes.Buffer{})
	err := root.Execute()
	if code := exitCode(err); code != ExitUsage || !strings.Contains(err.Error(), "--bf16") {
		t.Errorf("got exit %d: %v", code, err)
	}
}
