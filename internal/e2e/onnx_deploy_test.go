package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/frontend/onnx"
)

// The deployment models (testdata/gen/gen_deploy.py, made on the GPU
// machine; outputs from ONNX Runtime's CPU or CUDA provider, the bfloat16
// MLP's from PyTorch on CUDA since ONNX Runtime 1.30 has no bfloat16 Gemm:
// see testdata/models/deploy_manifest.json; lstm_dyn and gru_dyn, whose
// sequence length is symbolic, from testdata/gen/gen_rnn_dyn.py, each run
// at two lengths; if_gate from testdata/gen/gen_control.py) compile with
// the default settings
// and match their reference through `trtc run --expect`.
//
// minEngine is the share of nodes that must run in engines today. LSTM,
// GRU, Scan and Loop are TensorRT loops and If a conditional (their layer
// kinds: pkg/network/kinddef); det_head's NonMaxSuppression (INMSLayer) is
// not in the layer-kind table yet and is checked for correctness in
// fallback. The lstm, gru, scan_loop, lstm_dyn and gru_dyn graphs have
// fewer than the default 5 compute ops (an LSTM node, a Gemm and a Gather;
// Scan and Loop; ...): their engine segments are kept because they hold
// TensorRT loops (pkg/partition). if_gate runs twice, so that each branch
// is taken.
func TestDeployModels(t *testing.T) {
	for _, m := range []struct {
		name      string
		inputs    []string // NAME=FILE relative to the model folder
		expect    string
		atol      string // "" for one quantization step of the output
		minEngine float64
	}{
		{"fp16_cnn", []string{"x=x.npy"}, "expected", "1e-2", 1},
		{"bf16_mlp", []string{"x=x.pb"}, "expected", "1e-2", 1},
		{"qdq_cnn", []string{"x=x.npy"}, "expected", "", 1},
		// testdata/gen/gen_qdq.py: ONNX Runtime's quantize_static in the
		// form TensorRT users make (symmetric int8, per-channel weights),
		// with its defaults (uint8 asymmetric activations: float
		// emulation in the engine) and in float8 e4m3fn.
		{"qdq_int8_sym", []string{"x=x.npy"}, "expected", "", 0.9},
		{"qdq_uint8", []string{"x=x.npy"}, "expected", "", 0.9},
		{"qdq_fp8", []string{"x=x.npy"}, "expected", "", 0.9},
		// testdata/gen/gen_qoperator.py: QOperator format (QLinearConv),
		// symmetric int8, ONNX Runtime CPU's output.
		{"qlinear_conv", []string{"x=x.npy"}, "expected", "", 1},
		{"lstm", []string{"x=x.npy"}, "expected", "1e-5", 0.9},
		{"gru", []string{"x=x.npy", "h0=h0.npy"}, "expected", "1e-5", 0.9},
		{"scan_loop", []string{"s0=s0.npy", "x=x.npy"}, "expected", "1e-5", 0.9},
		{"lstm_dyn", []string{"x=x.npy"}, "expected", "1e-5", 0.9},
		{"lstm_dyn", []string{"x=x_s9.npy"}, "expected_s9", "1e-5", 0.9},
		{"gru_dyn", []string{"x=x.npy"}, "expected", "1e-5", 0.9},
		{"gru_dyn", []string{"x=x_s9.npy"}, "expected_s9", "1e-5", 0.9},
		{"if_gate", []string{"x=x.npy"}, "expected", "1e-5", 0.9},
		{"if_gate", []string{"x=x_neg.npy"}, "expected_neg", "1e-5", 0.9},
		{"det_head", []string{"boxes=boxes.npy", "scores=scores.npy"}, "expected", "1e-5", 0},
	} {
		t.Run(m.name+"/"+m.expect, func(t *testing.T) {
			dir, tmp := modelDir(m.name), t.TempDir()
			model := filepath.Join(dir, "model.onnx")
			bundle, report := filepath.Join(tmp, "m.trtb"), filepath.Join(tmp, "report.json")
			mustTrtc(t, "compile", model, "-o", bundle, "--report", report)

			r := readReport(t, report)
			share := float64(r.ConvertedNodes) / float64(r.TotalNodes)
			t.Logf("%d/%d nodes in engines, %d segment(s)", r.ConvertedNodes, r.TotalNodes, len(r.Segments))
			if share < m.minEngine {
				t.Errorf("%d/%d nodes in engines, want at least %.0f%%", r.ConvertedNodes, r.TotalNodes, 100*m.minEngine)
			}
			atol := m.atol
			if atol == "" {
				atol = strconv.FormatFloat(outputStep(t, model), 'g', -1, 64)
			}
			args := []string{"run", bundle, "--output-dir", tmp, "--expect", filepath.Join(dir, m.expect), "--atol", atol, "--rtol", "1e-3"}
			for _, in := range m.inputs {
				name, file, _ := strings.Cut(in, "=")
				args = append(args, "--input", name+"="+filepath.Join(dir, file))
			}
			out := mustTrtc(t, args...)
			if !strings.Contains(out, "ok, max abs diff") {
				t.Fatalf("no comparison in output:\n%s", out)
			}
			t.Log(strings.TrimSpace(out))
			if q, ok := qdqLayers[m.name]; ok {
				checkQDQLayers(t, bundle, q)
			}
		})
	}
}

// outputStep is the scale of the DequantizeLinear that produces the
// model's first output: one quantization step.
func outputStep(t *testing.T, model string) float64 {
	g, err := onnx.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range g.Nodes {
		if n.Op == "onnx.DequantizeLinear" && n.Outputs[0] == g.Outputs[0] {
			if s := g.Values[n.Inputs[1]]; s != nil && s.Const != nil {
				return s.Const.Float(0)
			}
		}
	}
	t.Fatalf("%s: no constant-scale DequantizeLinear makes output %s", model, g.Outputs[0])
	return 0
}

// A bfloat16 output is written as a TensorProto .pb by default, as float32
// .npy with --output-format npy-f32 (compared with a float32 reference),
// and refused with --output-format npy.
func TestBFloat16OutputFormats(t *testing.T) {
	dir, tmp := modelDir("bf16_mlp"), t.TempDir()
	bundle := filepath.Join(tmp, "m.trtb")
	mustTrtc(t, "compile", filepath.Join(dir, "model.onnx"), "-o", bundle)
	in := "x=" + filepath.Join(dir, "x.pb")
	mustTrtc(t, "run", bundle, "--input", in, "--output-dir", tmp)
	if _, err := os.Stat(filepath.Join(tmp, "y.pb")); err != nil {
		t.Errorf("no y.pb: %v", err)
	}
	f32 := filepath.Join(tmp, "f32")
	mustTrtc(t, "run", bundle, "--input", in, "--output-dir", f32, "--output-format", "npy-f32",
		"--expect", filepath.Join(dir, "expected_f32"), "--atol", "1e-2", "--rtol", "1e-2")
	if _, err := os.Stat(filepath.Join(f32, "y.npy")); err != nil {
		t.Errorf("no y.npy: %v", err)
	}
	code, _, stderr := trtc(t, "run", bundle, "--input", in, "--output-dir", filepath.Join(tmp, "npy"), "--output-format", "npy")
	if code == 0 || !strings.Contains(stderr, "no bfloat16 type") {
		t.Errorf("--output-format npy on a bfloat16 output: exit %d, %s", code, stderr)
	}
	noFile(t, filepath.Join(tmp, "npy", "y.npy"))
}

// qdqLayers: the quantize_static models keep TensorRT's Q/DQ placement.
// Every activation Q/DQ pair of the symmetric models is a quantize and a
// dequantize layer of the quantized type, and the weights of the three
// convolutions and the Gemm stay constants of the low type feeding
// dequantize layers (the convolutions take them as their kernel input).
// ONNX Runtime's default model has symmetric int8 weights (dequantize
// layers) but uint8 asymmetric activations, which TensorRT's layers cannot
// take: those are emulated in float, with no quantize layer.
var qdqLayers = map[string]qdqWant{
	"qdq_int8_sym": {q: 11, dq: 15, to: "int8", weights: 4},
	"qdq_fp8":      {q: 11, dq: 15, to: "float8e4m3fn", weights: 4},
	"qdq_uint8":    {q: 0, dq: 4, to: "int8", weights: 4},
	// QLinearConv as DQ(x), DQ(W) -> Convolution -> Q(y): the input's Q,
	// one Q per convolution, three input and three kernel DQs and the
	// output's DQ.
	"qlinear_conv": {q: 4, dq: 7, to: "int8", weights: 3},
}

type qdqWant struct {
	q, dq   int    // quantize and dequantize layers
	to      string // the quantized type
	weights int    // constants of that type (quantized weights)
}

func checkQDQLayers(t *testing.T, bundle string, want qdqWant) {
	t.Helper()
	out := mustTrtc(t, "inspect", "--layers", bundle)
	q, dq := strings.Count(out, "[Op: QUANTIZE]"), strings.Count(out, "[Op: DEQUANTIZE]")
	if q != want.q || dq != want.dq {
		t.Errorf("%d quantize and %d dequantize layers, want %d and %d", q, dq, want.q, want.dq)
	}
	if n := strings.Count(out, "to_type=\""+want.to+"\""); n != want.q {
		t.Errorf("%d quantize layers to %s, want %d", n, want.to, want.q)
	}
	if n := strings.Count(out, "dtype=\""+want.to+"\" weights="); n != want.weights {
		t.Errorf("%d %s weight constants, want %d", n, want.to, want.weights)
	}
}
