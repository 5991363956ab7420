package plugintest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/cli"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/tensorio"
)

const swishOp = "com.acme.ScaledSwish"

// opSegment returns the kind of the segment holding the node of op and the
// node's report entry.
func opSegment(t *testing.T, r *compiler.Report, op string) (string, compiler.NodeReport) {
	t.Helper()
	for _, s := range r.Segments {
		for _, n := range s.Nodes {
			if n.Op == op {
				return s.Kind, n
			}
		}
	}
	t.Fatalf("no %s node in the report", op)
	return "", compiler.NodeReport{}
}

func readNPY(t *testing.T, path string) *ir.Tensor {
	t.Helper()
	x, err := tensorio.ReadNPY(path)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func inspectPlugins(t *testing.T, bundle string) []map[string]any {
	t.Helper()
	var m struct {
		Plugins []map[string]any `json:"plugins"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "inspect", bundle, "-o", "json")), &m); err != nil {
		t.Fatal(err)
	}
	return m.Plugins
}

// The custom op of docs/custom-ops.md in both forms, the ONNX node of
// domain com.acme and the torch.library custom op exported by torch.export:
// compiled into an engine with the plugin's converter, and run in a fallback
// segment with the plugin's kernel under --fallback-ops; compared with the
// generators' references (numpy for the ONNX form, eager PyTorch for the
// .pt2) and, on another batch size, engine with fallback.
func TestCustomOp(t *testing.T) {
	skipShort(t)
	so := plugin(t, "./plugins/scaled_swish")
	for _, form := range []struct {
		name, dir, model, op, output string
	}{
		{"onnx", model("scaled_swish"), "model.onnx", swishOp, "y"},
		{"pt2", filepath.Join(root, "testdata", "pt2", "scaled_swish"), "model.pt2", "acme.scaled_swish.default", "output_0"},
	} {
		t.Run(form.name, func(t *testing.T) { customOp(t, so, form.dir, form.model, form.op, form.output) })
	}
}

func customOp(t *testing.T, so, dir, modelFile, op, output string) {
	tmp := t.TempDir()
	src := filepath.Join(dir, modelFile)
	x := filepath.Join(dir, "x.npy")
	expected := filepath.Join(dir, "expected")

	// Without the plugin trtc does not know the op (exit 4).
	if code, _, errs := run(t, nil, "compile", src, "-o", filepath.Join(tmp, "none.trtb")); code != cli.ExitUnsupported || !strings.Contains(errs, op) {
		t.Fatalf("compile without the plugin: exit %d, want %d naming %s: %s", code, cli.ExitUnsupported, op, errs)
	}

	compile := func(name string, extra ...string) (string, *compiler.Report) {
		bundle, rep := filepath.Join(tmp, name+".trtb"), filepath.Join(tmp, name+".json")
		mustRun(t, append([]string{"compile", src, "-o", bundle, "--report", rep, "--min-block-size", "1", "--plugin", so}, extra...)...)
		return bundle, report(t, rep)
	}
	engine, r := compile("engine")
	if kind, n := opSegment(t, r, op); kind != "engine" || n.Converter == nil || n.Converter.Origin != so {
		t.Fatalf("engine bundle: the node is in a %s segment, converter %+v; want an engine and the plugin's converter", kind, n.Converter)
	}
	fallback, r := compile("fallback", "--fallback-ops", op)
	if kind, n := opSegment(t, r, op); kind != "fallback" || n.Converter != nil || n.OpPlugin != so {
		t.Fatalf("fallback bundle: the node is in a %s segment, converter %+v, op plugin %q; want fallback with the plugin's kernel", kind, n.Converter, n.OpPlugin)
	}

	// The bundles record the plugin: engine ops need no plugin at run
	// time, fallback ops do.
	for name, key := range map[string]string{engine: "engine_ops", fallback: "fallback_ops"} {
		pl := inspectPlugins(t, name)
		if len(pl) != 1 || pl[0]["path"] != so || pl[0]["build_id"] == "" || pl[0]["sha256"] == "" {
			t.Fatalf("%s: plugins recorded: %v", name, pl)
		}
		if ops, _ := pl[0][key].([]any); len(ops) != 1 || ops[0] != op {
			t.Fatalf("%s: %s = %v, want [%s]", name, key, pl[0][key], op)
		}
	}

	// Run both against the references; the engine bundle runs without the
	// plugin, the fallback bundle with it (from --plugin, TRTC_PLUGINS and
	// the config file's plugins:).
	outE, outF, outEnv := filepath.Join(tmp, "out_e"), filepath.Join(tmp, "out_f"), filepath.Join(tmp, "out_env")
	mustRun(t, "run", engine, "--input", x, "--output-dir", outE, "--expect", expected, "--atol", "1e-5", "--rtol", "0")
	mustRun(t, "run", fallback, "--input", x, "--output-dir", outF, "--plugin", so, "--expect", expected, "--atol", "1e-5", "--rtol", "0")
	if code, out, errs := run(t, []string{"TRTC_PLUGINS=" + so}, "run", fallback, "--input", x, "--output-dir", outEnv); code != 0 {
		t.Fatalf("run with TRTC_PLUGINS: exit %d\n%s%s", code, out, errs)
	}
	cfg := filepath.Join(tmp, "trtc.yaml")
	if err := os.WriteFile(cfg, []byte("plugins: ["+strconv.Quote(so)+"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	outCfg := filepath.Join(tmp, "out_cfg")
	mustRun(t, "run", fallback, "--config", cfg, "--input", x, "--output-dir", outCfg)
	want := readNPY(t, filepath.Join(expected, output+".npy"))
	for _, dir := range []string{outE, outF, outEnv, outCfg} {
		d := tensorio.Diff(readNPY(t, filepath.Join(dir, output+".npy")), want, 1e-5, 0)
		if !d.OK {
			t.Errorf("%s vs reference: %s", dir, d)
		}
		t.Logf("%s vs reference: %s", filepath.Base(dir), d)
	}

	// The batch dim is symbolic: another batch size runs, and engine
	// (converter's layers) and fallback (plugin's kernel) agree.
	x5 := ir.NewTensor(ir.Float32, []int64{5, 8})
	for i := range 40 {
		x5.SetFloat(i, float64(i%13)/3-2)
	}
	x5Path := filepath.Join(tmp, "x5.npy")
	if err := tensorio.WriteNPY(x5Path, x5); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "run", engine, "--input", x5Path, "--output-dir", outE+"5")
	mustRun(t, "run", fallback, "--input", x5Path, "--output-dir", outF+"5", "--plugin", so)
	ye, yf := readNPY(t, filepath.Join(outE+"5", output+".npy")), readNPY(t, filepath.Join(outF+"5", output+".npy"))
	if len(ye.Shape) != 2 || ye.Shape[0] != 5 {
		t.Fatalf("batch 5 gave shape %v", ye.Shape)
	}
	if d := tensorio.Diff(ye, yf, 1e-5, 0); !d.OK {
		t.Errorf("batch 5: engine vs fallback: %s", d)
	} else {
		t.Logf("batch 5: engine vs fallback: %s", d)
	}
}

// goBuildFlags builds a plugin with extra go build flags.
func goBuildFlags(t *testing.T, out, pkg string, extra ...string) {
	t.Helper()
	args := append(append([]string{"build"}, buildFlags...), "-buildmode=plugin")
	args = append(append(args, extra...), "-o", out, pkg)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
}

// Every way a plugin op can go wrong is an exit-8 error naming the op and
// the plugin, with nothing written.
func TestCustomOpFailures(t *testing.T) {
	skipShort(t)
	good := plugin(t, "./plugins/scaled_swish")
	bad := plugin(t, "./testdata/plugins/badswish")
	tmp := t.TempDir()
	onnxModel := filepath.Join(model("scaled_swish"), "model.onnx")
	x := filepath.Join(model("scaled_swish"), "x.npy")
	noCrash := func(t *testing.T, errs string) {
		if strings.Contains(errs, "goroutine ") || strings.Contains(errs, "fatal error") {
			t.Errorf("crashed: %s", errs)
		}
	}
	expect := func(t *testing.T, code int, errs string, want ...string) {
		t.Helper()
		if code != cli.ExitPlugin {
			t.Errorf("exit %d, want %d: %s", code, cli.ExitPlugin, errs)
		}
		for _, w := range want {
			if !strings.Contains(errs, w) {
				t.Errorf("message lacks %q: %s", w, errs)
			}
		}
		noCrash(t, errs)
	}

	t.Run("two plugins define the op", func(t *testing.T) {
		out := filepath.Join(tmp, "dup.trtb")
		code, _, errs := run(t, nil, "compile", onnxModel, "-o", out, "--plugin", good, "--plugin", bad)
		expect(t, code, errs, swishOp, "defined twice", good, bad)
		if _, err := os.Stat(out); err == nil {
			t.Error("a bundle was written")
		}
	})
	for _, c := range []struct{ mode, want string }{
		{"infer-panic", "shape inference panicked"},
		{"infer-rank", "has rank 3; the op declares the rank of input 0, which is 2"},
	} {
		t.Run(c.mode, func(t *testing.T) {
			out := filepath.Join(tmp, c.mode+".trtb")
			code, _, errs := run(t, []string{"TRTC_TEST_BADSWISH=" + c.mode}, "compile", onnxModel, "-o", out, "--plugin", bad)
			expect(t, code, errs, c.want, swishOp, bad, "node_swish")
			if _, err := os.Stat(out); err == nil {
				t.Error("a bundle was written")
			}
		})
	}

	// A fallback bundle compiled with a well-behaved build, then run with
	// misbehaving kernels.
	fb := filepath.Join(tmp, "fallback.trtb")
	mustRun(t, "compile", onnxModel, "-o", fb, "--plugin", bad, "--min-block-size", "1", "--fallback-ops", swishOp)
	for _, c := range []struct{ mode, want string }{
		{"kernel-dtype", "kernel returned output 0 as int32, its shape inference says float32"},
		{"kernel-shape", "kernel returned output 0 with shape [24], its shape inference says [3x8]"},
		{"kernel-panic", "kernel panicked: badswish: kernel-panic"},
	} {
		t.Run(c.mode, func(t *testing.T) {
			dir := filepath.Join(tmp, "out_"+c.mode)
			code, _, errs := run(t, []string{"TRTC_TEST_BADSWISH=" + c.mode}, "run", fb, "--input", x, "--output-dir", dir, "--plugin", bad)
			expect(t, code, errs, c.want, swishOp, bad, "node_swish")
			if _, err := os.Stat(filepath.Join(dir, "y.npy")); err == nil {
				t.Error("an output was written")
			}
		})
	}

	t.Run("plugin missing at run time", func(t *testing.T) {
		dir := filepath.Join(tmp, "out_missing")
		code, _, errs := run(t, nil, "run", fb, "--input", x, "--output-dir", dir)
		expect(t, code, errs, "op "+swishOp+" needs plugin "+bad, "not loaded", "--plugin")
		if _, err := os.Stat(filepath.Join(dir, "y.npy")); err == nil {
			t.Error("an output was written")
		}
	})

	t.Run("plugin rebuilt", func(t *testing.T) {
		// Same path, another build.
		path := filepath.Join(tmp, "rebuilt", "badswish.so")
		goBuildFlags(t, path, "./testdata/plugins/badswish")
		b := filepath.Join(tmp, "rebuilt.trtb")
		mustRun(t, "compile", onnxModel, "-o", b, "--plugin", path, "--min-block-size", "1", "--fallback-ops", swishOp)
		dir := filepath.Join(tmp, "out_rebuilt")
		mustRun(t, "run", b, "--input", x, "--output-dir", dir, "--plugin", path)
		os.Remove(filepath.Join(dir, "y.npy"))
		goBuildFlags(t, path, "./testdata/plugins/badswish", "-ldflags=-X=main.rebuilt=yes")
		code, _, errs := run(t, nil, "run", b, "--input", x, "--output-dir", dir, "--plugin", path)
		expect(t, code, errs, "op "+swishOp+" needs plugin "+path, "another build")
		if _, err := os.Stat(filepath.Join(dir, "y.npy")); err == nil {
			t.Error("an output was written")
		}
		// A different plugin file defining the op is not the recorded one.
		code, _, errs = run(t, nil, "run", b, "--input", x, "--output-dir", dir, "--plugin", good)
		expect(t, code, errs, "op "+swishOp+" needs plugin "+path, good, "another build")
	})
}

// A converter that adds a TensorRT plugin layer: the reference backend runs
// it through the CPU op the converter names (the Go plugin's kernel), and
// refuses it, naming why, when the converter names none; the node then
// falls back to the Go plugin's kernel.
func TestPluginLayer(t *testing.T) {
	skipShort(t)
	so := plugin(t, "./plugins/scaled_swish")
	trt := plugin(t, "./testdata/plugins/trtswish")
	tmp := t.TempDir()
	dir := model("scaled_swish")
	src, x := filepath.Join(dir, "model.onnx"), filepath.Join(dir, "x.npy")
	bundle, rep := filepath.Join(tmp, "layer.trtb"), filepath.Join(tmp, "layer.json")
	mustRun(t, "compile", src, "-o", bundle, "--report", rep, "--min-block-size", "1", "--plugin", so, "--plugin", trt)
	if kind, n := opSegment(t, report(t, rep), swishOp); kind != "engine" || n.Converter == nil || n.Converter.Origin != trt {
		t.Fatalf("the node is in a %s segment, converted by %+v; want an engine and trtswish's converter", kind, n.Converter)
	}
	// The engine holds one PluginV3 layer with the converter's creator,
	// version, namespace and fields.
	layers := mustRun(t, "inspect", bundle, "--layers", "-o", "json")
	want := `params: cpu_op="com.acme.ScaledSwish" creator="ScaledSwishPlugin" fields=[{"data":[1.5],"length":1,"name":"alpha","type":"kFLOAT32"}] namespace="acme" version="1"`
	if text := mustRun(t, "inspect", bundle, "--layers"); strings.Count(text, "[Op: PLUGIN_V3]") != 1 || !strings.Contains(text, want) {
		t.Errorf("inspect --layers: want one PLUGIN_V3 layer with %s:\n%s", want, text)
	}
	if !strings.Contains(layers, `"type": "PLUGIN_V3"`) {
		t.Errorf("inspect --layers -o json has no PLUGIN_V3 layer")
	}
	out := filepath.Join(tmp, "out")
	mustRun(t, "run", bundle, "--plugin", so, "--input", x, "--output-dir", out,
		"--expect", filepath.Join(dir, "expected"), "--atol", "1e-5", "--rtol", "0")

	// Without the Go plugin that defines its CPU op, the reference engine
	// cannot run: exit 8 naming the op and the layer, before anything runs.
	dirNo := filepath.Join(tmp, "out_noplugin")
	if code, _, errs := run(t, nil, "run", bundle, "--input", x, "--output-dir", dirNo); code != cli.ExitPlugin ||
		!strings.Contains(errs, "op com.acme.ScaledSwish is not defined here") || !strings.Contains(errs, "TensorRT plugin ScaledSwishPlugin") {
		t.Errorf("run without the Go plugin: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dirNo, "y.npy")); err == nil {
		t.Error("an output was written")
	}

	// --trt-plugin-lib: a shared library is recorded (path and sha256);
	// the reference backend loads nothing from it, and its engines run
	// without it. Something that is not a shared library is refused.
	lib := filepath.Join(tmp, "libacmeplugins.so")
	csrc := filepath.Join(tmp, "acme.c")
	os.WriteFile(csrc, []byte("int acme_plugins(void) { return 1; }\n"), 0o644)
	if msg, err := exec.Command("gcc", "-shared", "-fPIC", "-o", lib, csrc).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, msg)
	}
	withLib := filepath.Join(tmp, "withlib.trtb")
	mustRun(t, "compile", src, "-o", withLib, "--min-block-size", "1", "--plugin", so, "--plugin", trt, "--trt-plugin-lib", lib)
	var m struct {
		Libs []map[string]any `json:"trt_plugin_libs"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "inspect", withLib, "-o", "json")), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Libs) != 1 || m.Libs[0]["path"] != lib || m.Libs[0]["sha256"] == "" {
		t.Errorf("recorded TensorRT plugin libraries: %v", m.Libs)
	}
	mustRun(t, "run", withLib, "--plugin", so, "--input", x, "--output-dir", filepath.Join(tmp, "out_lib"))
	bad := filepath.Join(tmp, "notalib.so")
	os.WriteFile(bad, []byte("text"), 0o644)
	code, _, errs := run(t, nil, "compile", src, "-o", filepath.Join(tmp, "bad.trtb"), "--plugin", so, "--trt-plugin-lib", bad)
	if code != cli.ExitPlugin || !strings.Contains(errs, "notalib.so: not a shared library") {
		t.Errorf("non-library --trt-plugin-lib: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(tmp, "bad.trtb")); err == nil {
		t.Error("a bundle was written")
	}

	// No CPU equivalent: the reference backend refuses the layer, the
	// converter's failure is in the report and the node falls back.
	rep2 := filepath.Join(tmp, "nocpu.json")
	// (--no-cache: the engine cache does not know the environment
	// variable that changes this test converter.)
	code, stdout, errs := run(t, []string{"TRTC_TEST_TRTSWISH=nocpu"}, "compile", src, "-o", filepath.Join(tmp, "nocpu.trtb"),
		"--no-cache", "--report", rep2, "--min-block-size", "1", "--plugin", so, "--plugin", trt)
	if code != 0 {
		t.Fatalf("compile: exit %d\n%s%s", code, stdout, errs)
	}
	data, _ := os.ReadFile(rep2)
	if kind, _ := opSegment(t, report(t, rep2), swishOp); kind != "fallback" || !strings.Contains(string(data), "cannot run TensorRT plugins") {
		t.Errorf("nocpu: node in a %s segment; report:\n%s", kind, data)
	}
}
