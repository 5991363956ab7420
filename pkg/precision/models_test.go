package precision_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	_ "github.com/trtc-dev/trtc/pkg/backend/reference" // registers the reference backend
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/precision"
	"github.com/trtc-dev/trtc/pkg/runtime"
	"github.com/trtc-dev/trtc/pkg/tensorio"
)

// Tolerances the issue sets for reduced precision against the float32
// fallback run (trtc compare uses the same defaults).
const atol, rtol = 1e-2, 1e-2

// compileRun compiles the graph load gives with the precision options on
// the reference backend, writes the bundle, runs it on inputs and returns
// the outputs and the report. minBlock = -1 makes every segment fallback:
// the float32 oracle.
func compileRun(t *testing.T, load func() (*ir.Graph, error), p precision.Options, minBlock int, inputs map[string]*ir.Tensor) (map[string]*ir.Tensor, *compiler.Report) {
	t.Helper()
	s := conversion.DefaultSettings()
	s.Backend = "reference"
	if minBlock < 0 {
		s.MinBlockSize = 1 << 30
	}
	g, err := load()
	if err != nil {
		t.Fatal(err)
	}
	folded, err := compiler.Prepare(g, g.Name, s)
	if err != nil {
		t.Fatal(err)
	}
	res, err := compiler.Compile(g, g.Name, folded, compiler.Options{Settings: s, Registry: converters.Builtin(), Precision: p})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "model.src") // the bundle records the source's hash
	if err := os.WriteFile(model, []byte(g.Name), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "m.trtb")
	if err := compiler.WriteBundle(res, model, path); err != nil {
		t.Fatal(err)
	}
	prog, err := runtime.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	out, err := prog.Run(inputs)
	if err != nil {
		t.Fatal(err)
	}
	return out, compiler.BuildReport(res)
}

func loadFile(path string) func() (*ir.Graph, error) {
	return func() (*ir.Graph, error) {
		g, err := compilerLoad(path)
		return g, err
	}
}

// TestModelsInLowPrecision: the testdata CNN (a ResNet) and GPT (LayerNorm,
// softmax, GELU), compiled with --fp16 and with --bf16, put at least 90% of
// their engines' compute layers in the low type, and their outputs stay
// within atol 1e-2, rtol 1e-2 of the float32 fallback run.
func TestModelsInLowPrecision(t *testing.T) {
	models := []struct{ dir, input string }{
		{"cnn_resnet", "input"},
		{"gpt_tiny", "input_ids"},
	}
	for _, m := range models {
		dir := filepath.Join("..", "..", "testdata", "models", m.dir)
		x, err := tensorio.ReadNPY(filepath.Join(dir, m.input+".npy"))
		if err != nil {
			t.Fatal(err)
		}
		inputs := map[string]*ir.Tensor{m.input: x}
		load := loadFile(filepath.Join(dir, "model.onnx"))
		want, _ := compileRun(t, load, precision.Options{}, -1, inputs)
		for _, p := range []precision.Options{{FP16: true}, {BF16: true}} {
			t.Run(fmt.Sprintf("%s/%s", m.dir, precision.TypeName(p.LowType())), func(t *testing.T) {
				got, rep := compileRun(t, load, p, 0, inputs)
				pr := rep.Precision
				if pr == nil || pr.ComputeLayers == 0 {
					t.Fatalf("no precision report: %+v", pr)
				}
				frac := float64(pr.LowLayers) / float64(pr.ComputeLayers)
				t.Logf("%d of %d compute layers in %s (%.1f%%); %d of %d float nodes lowered; kept %v",
					pr.LowLayers, pr.ComputeLayers, pr.Type, 100*frac, pr.LoweredNodes, pr.FloatNodes, pr.Kept)
				if frac < 0.9 {
					t.Errorf("only %.1f%% of compute layers in %s, want >= 90%%", 100*frac, pr.Type)
				}
				lowSeen := false
				for _, s := range rep.Segments {
					for _, l := range s.LayerPrecisions {
						lowSeen = lowSeen || l.Precision == pr.Type
					}
				}
				if !lowSeen {
					t.Errorf("no engine layer reports precision %s", pr.Type)
				}
				for name, w := range want {
					d := tensorio.Diff(got[name], w, atol, rtol)
					t.Logf("%s: %v", name, d)
					if !d.OK {
						t.Errorf("%s: %v against the float32 fallback run", name, d)
					}
					if d.MaxAbs == 0 {
						t.Errorf("%s: bit-identical to float32: nothing ran in %s", name, pr.Type)
					}
				}
			})
		}
	}
}

// overflowGraph: out_exp = ReduceMean(Exp(x*6)) and out_mm =
// ReduceMean(MatMul(Abs(y), W)) with W = 1000: on the inputs below Exp
// reaches e^12 ≈ 162755 and the MatMul 128000, both beyond float16's 65504.
func overflowGraph() (*ir.Graph, error) {
	g := ir.NewGraph("overflow", "onnx")
	g.Opsets[""] = 18
	g.Inputs, g.Outputs = []string{"x", "y"}, []string{"out_exp", "out_mm"}
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(1, 256)}
	g.Values["y"] = &ir.Value{Name: "y", DType: ir.Float32, Shape: ir.S(1, 256)}
	cst := func(name string, shape []int64, v float32) {
		n := ir.Numel(shape)
		vals := make([]float32, n)
		for i := range vals {
			vals[i] = v
		}
		t := ir.FromSlice(ir.Float32, shape, vals)
		g.Values[name] = &ir.Value{Name: name, DType: ir.Float32, Shape: ir.S(shape...), Const: t}
	}
	cst("six", nil, 6)
	cst("w", []int64{256, 8}, 1000)
	g.Values["axes"] = &ir.Value{Name: "axes", DType: ir.Int64, Shape: ir.S(1), Const: ir.FromSlice(ir.Int64, []int64{1}, []int64{1})}
	node := func(name, op string, in []string, out ...string) *ir.Node {
		return &ir.Node{Name: name, Op: "onnx." + op, Inputs: in, Outputs: out, Attrs: map[string]ir.Attr{}}
	}
	g.Nodes = []*ir.Node{
		node("scale", "Mul", []string{"x", "six"}, "xs"),
		node("exp", "Exp", []string{"xs"}, "e"),
		node("mean_exp", "ReduceMean", []string{"e", "axes"}, "out_exp"),
		node("abs", "Abs", []string{"y"}, "ya"),
		node("mm", "MatMul", []string{"ya", "w"}, "m"),
		node("mean_mm", "ReduceMean", []string{"m", "axes"}, "out_mm"),
	}
	return g, nil
}

// TestOverflowRules: the float16 overflow case passes with the autocast
// rules and overflows to inf without them.
func TestOverflowRules(t *testing.T) {
	x, y := ir.NewTensor(ir.Float32, []int64{1, 256}), ir.NewTensor(ir.Float32, []int64{1, 256})
	for i := range 256 {
		x.SetFloat(i, -2+4*float64(i)/255) // up to 2: x*6 = 12
		y.SetFloat(i, float64(i)/255)      // sum 128: MatMul 128000
	}
	inputs := map[string]*ir.Tensor{"x": x, "y": y}
	want, _ := compileRun(t, overflowGraph, precision.Options{}, -1, inputs)
	// e^12 and the MatMul's 128000 exceed float16's 65504; float32 holds
	// them (the MatMul's mean is the MatMul's value, all columns equal).
	if e, m := want["out_exp"].Float(0), want["out_mm"].Float(0); math.IsInf(e, 0) || math.IsInf(m, 0) || m < 65504 {
		t.Fatalf("float32 out_exp = %g, out_mm = %g: want finite, out_mm beyond float16's range", e, m)
	}
	got, rep := compileRun(t, overflowGraph, precision.Options{FP16: true}, 0, inputs)
	kept := map[string]string{}
	for _, k := range rep.Precision.Kept {
		kept[k.Node] = k.Rule
	}
	if kept["exp"] != "transcendental" || kept["mm"] != "overflow" {
		t.Errorf("kept in float32: %v; want exp by transcendental and mm by overflow", kept)
	}
	for name, w := range want {
		if d := tensorio.Diff(got[name], w, atol, rtol); !d.OK {
			t.Errorf("with the rules, %s: %v", name, d)
		}
	}
	off := precision.Options{FP16: true}
	precision.RulesOff(&off)
	got, rep = compileRun(t, overflowGraph, off, 0, inputs)
	if len(rep.Precision.Kept) != 0 {
		t.Errorf("rules off, yet kept: %v", rep.Precision.Kept)
	}
	for _, name := range []string{"out_exp", "out_mm"} {
		if v := got[name].Float(0); !math.IsInf(v, 1) {
			t.Errorf("without the rules %s = %g, want +inf (float16 overflow)", name, v)
		}
	}
}

// TestQDQModels: --int8 (--fp8) on a strongly typed network keeps the
// model's own Q/DQ layers — the engine has int8 (fp8) layers, as many with
// --fp16 added — and the outputs match ONNX Runtime's exactly (1e-5); with
// --fp16 as well the float compute around them is lowered and the outputs
// stay within 1e-2.
func TestQDQModels(t *testing.T) {
	for _, m := range []struct {
		dir  string
		flag precision.Options
		prec string
	}{
		{"qdq_cnn", precision.Options{INT8: true}, "int8"},
		{"qdq_int8_sym", precision.Options{INT8: true}, "int8"},
		{"qdq_fp8", precision.Options{FP8: true}, "fp8"},
	} {
		t.Run(m.dir, func(t *testing.T) {
			dir := filepath.Join("..", "..", "testdata", "models", m.dir)
			x, err := tensorio.ReadNPY(filepath.Join(dir, "x.npy"))
			if err != nil {
				t.Fatal(err)
			}
			want, err := tensorio.ReadNPY(filepath.Join(dir, "expected", "y.npy"))
			if err != nil {
				t.Fatal(err)
			}
			load := loadFile(filepath.Join(dir, "model.onnx"))
			count := func(rep *compiler.Report) (n int) {
				for _, s := range rep.Segments {
					for _, l := range s.LayerPrecisions {
						if l.Precision == m.prec {
							n++
						}
					}
				}
				return n
			}
			inputs := map[string]*ir.Tensor{"x": x}
			both := m.flag
			both.FP16 = true
			got, rep := compileRun(t, load, m.flag, 0, inputs)
			got16, rep16 := compileRun(t, load, both, 0, inputs)
			if n, n16 := count(rep), count(rep16); n == 0 || n != n16 {
				t.Errorf("%d %s layers, %d with --fp16 too; want the same, > 0", n, m.prec, n16)
			}
			if d := tensorio.Diff(got["y"], want, 1e-5, 1e-5); !d.OK {
				t.Errorf("%v against ONNX Runtime: %v", m.flag.Flags(), d)
			}
			if d := tensorio.Diff(got16["y"], want, atol, rtol); !d.OK {
				t.Errorf("%v against ONNX Runtime: %v", both.Flags(), d)
			}
		})
	}
}
