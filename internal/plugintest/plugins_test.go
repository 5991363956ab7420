package plugintest

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/internal/testenv"
	"github.com/trtc-dev/trtc/pkg/cli"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/tensorio"
)

// buildFlags are the flags the Makefile builds trtc and plugins with.
var buildFlags = []string{"-trimpath", "-ldflags=-extldflags=-Wl,-z,lazy"}

var (
	bin     string // folder of the built binaries
	trtcBin string
	root    string
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() || os.Getenv("TRTC_SKIP_PLUGIN_TESTS") != "" {
		os.Exit(m.Run())
	}
	root = testenv.RepoRoot()
	dir, err := os.MkdirTemp("", "trtc-plugintest")
	if err != nil {
		panic(err)
	}
	bin = dir
	trtcBin = filepath.Join(bin, "trtc")
	// The engine cache of the compiles run here stays in the temporary folder.
	os.Setenv("TRTC_CACHE_DIR", filepath.Join(dir, "engine-cache"))
	code := 1
	if err := goBuild(root, trtcBin, "", "./cmd/trtc"); err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// goBuild runs go build in dir with trtc's flags.
func goBuild(dir, out, mode, pkg string) error {
	args := append([]string{"build"}, buildFlags...)
	if mode != "" {
		args = append(args, "-buildmode="+mode)
	}
	args = append(args, "-o", out, pkg)
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	return nil
}

// plugin builds a plugin package once and returns its .so path.
func plugin(t *testing.T, pkg string) string {
	t.Helper()
	out := filepath.Join(bin, strings.ReplaceAll(strings.TrimPrefix(pkg, "./"), "/", "_")+".so")
	if _, err := os.Stat(out); err == nil {
		return out
	}
	if err := goBuild(root, out, "plugin", pkg); err != nil {
		t.Fatal(err)
	}
	return out
}

func skipShort(t *testing.T) {
	if testing.Short() || trtcBin == "" {
		t.Skip("builds trtc and plugins; skipped with -short")
	}
}

// run executes the built trtc.
func run(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(trtcBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := run(t, nil, args...)
	if code != 0 {
		t.Fatalf("trtc %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func model(name string) string { return filepath.Join(root, "testdata", "models", name) }

func report(t *testing.T, path string) *compiler.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r compiler.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// geluNode returns the report entry of the model's Gelu node.
func geluNode(t *testing.T, r *compiler.Report) compiler.NodeReport {
	t.Helper()
	for _, s := range r.Segments {
		for _, n := range s.Nodes {
			if n.Op == "onnx.Gelu" {
				return n
			}
		}
	}
	t.Fatalf("no Gelu node in the report")
	return compiler.NodeReport{}
}

// TestTutorial is Torch-TensorRT's custom-converter tutorial with trtc.
func TestTutorial(t *testing.T) {
	skipShort(t)
	so := plugin(t, "./plugins/gelu_tanh")
	tmp := t.TempDir()
	compile := func(name, model string, plugins ...string) (string, *compiler.Report) {
		bundle, rep := filepath.Join(tmp, name+".trtb"), filepath.Join(tmp, name+".json")
		args := []string{"compile", model, "-o", bundle, "--report", rep, "--min-block-size", "1"}
		for _, p := range plugins {
			args = append(args, "--plugin", p)
		}
		mustRun(t, args...)
		return bundle, report(t, rep)
	}
	tanhModel := filepath.Join(model("gelu_tanh"), "model.onnx")
	erfModel := filepath.Join(model("gelu_erf"), "model.onnx")

	// 1. Without the plugin the built-in converter takes the tanh GeLU.
	builtinBundle, r := compile("tanh_builtin", tanhModel)
	if n := geluNode(t, r); n.Converter == nil || n.Converter.Origin != "builtin" {
		t.Fatalf("without the plugin: %+v", n)
	}
	// 2. With it, the plugin's HIGH converter takes it.
	pluginBundle, r := compile("tanh_plugin", tanhModel, so)
	n := geluNode(t, r)
	if n.Converter == nil || n.Converter.Origin != so || n.Converter.Priority != "HIGH" {
		t.Fatalf("with the plugin, the Gelu node was converted by %+v, want the plugin's HIGH converter", n.Converter)
	}
	// 3. The erf GeLU: the plugin declines with its reason, the built-in
	// converter takes it.
	erfBundle, r := compile("erf_plugin", erfModel, so)
	n = geluNode(t, r)
	if n.Converter == nil || n.Converter.Origin != "builtin" {
		t.Fatalf("erf GeLU converted by %+v, want the built-in converter", n.Converter)
	}
	if len(n.Rejected) != 1 || n.Rejected[0].Origin != so || !strings.Contains(n.Rejected[0].Reason, `approximate is "none"`) {
		t.Fatalf("the plugin's rejection is not in the report: %+v", n.Rejected)
	}

	// Run all three and compare.
	outputs := map[string]string{}
	for name, b := range map[string]string{"builtin": builtinBundle, "plugin": pluginBundle, "erf": erfBundle} {
		input := filepath.Join(model("gelu_tanh"), "x.npy")
		if name == "erf" {
			input = filepath.Join(model("gelu_erf"), "x.npy")
		}
		dir := filepath.Join(tmp, "out_"+name)
		mustRun(t, "run", b, "--input", input, "--output-dir", dir)
		outputs[name] = filepath.Join(dir, "y.npy")
	}
	compare := func(what, a, b string, tol float64) {
		t.Helper()
		x, err := tensorio.ReadNPY(a)
		if err != nil {
			t.Fatal(err)
		}
		y, err := tensorio.ReadNPY(b)
		if err != nil {
			t.Fatal(err)
		}
		d := tensorio.Diff(x, y, tol, 0)
		if !d.OK {
			t.Errorf("%s: %s", what, d)
		}
		t.Logf("%s: %s", what, d)
	}
	ortTanh := filepath.Join(model("gelu_tanh"), "expected", "y.npy")
	compare("tanh: plugin vs built-in", outputs["plugin"], outputs["builtin"], 1e-5)
	compare("tanh: plugin vs ONNX Runtime", outputs["plugin"], ortTanh, 1e-5)
	compare("tanh: built-in vs ONNX Runtime", outputs["builtin"], ortTanh, 1e-5)
	compare("erf: built-in (plugin declined) vs ONNX Runtime", outputs["erf"], filepath.Join(model("gelu_erf"), "expected", "y.npy"), 1e-5)
}

// converters list shows the plugin's converter first, then the built-in.
func TestConvertersListWithPlugin(t *testing.T) {
	skipShort(t)
	so := plugin(t, "./plugins/gelu_tanh")
	out := mustRun(t, "converters", "list", "--plugin", so, "--op", "onnx.Gelu", "-o", "json")
	var entries []cli.ConverterEntry
	if err := json.Unmarshal([]byte(out), &entries); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(entries) != 2 || entries[0].Origin != so || entries[0].Priority != "HIGH" || entries[1].Origin != "builtin" {
		t.Fatalf("want the plugin's converter then the built-in one, got %+v", entries)
	}
	if entries[0].Opsets != "20+" || !entries[0].DynamicShapes || entries[0].Description == "" {
		t.Errorf("plugin entry: %+v", entries[0])
	}
	table := mustRun(t, "converters", "list", "--plugin", so, "--op", "onnx.Ge*")
	// The glob matches Gelu and Gemm: Gelu's candidates come first, the
	// plugin's before the built-in one.
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[1], "onnx.Gelu") || !strings.Contains(lines[1], so) ||
		!strings.HasPrefix(lines[2], "onnx.Gelu") || !strings.Contains(lines[2], "builtin") || !strings.HasPrefix(lines[3], "onnx.Gemm") {
		t.Fatalf("table:\n%s", table)
	}
}

// Plugins load from the config file and from TRTC_PLUGINS too.
func TestPluginSources(t *testing.T) {
	skipShort(t)
	so := plugin(t, "./plugins/gelu_tanh")
	tmp := t.TempDir()
	cfg := filepath.Join(tmp, "trtc.yaml")
	if err := os.WriteFile(cfg, []byte("plugins:\n  - "+so+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		env  []string
		args []string
	}{
		"config": {nil, []string{"--config", cfg}},
		"env":    {[]string{"TRTC_PLUGINS=" + so}, nil},
	} {
		code, out, errs := run(t, c.env, append([]string{"converters", "list", "--op", "onnx.Gelu"}, c.args...)...)
		if code != 0 || !strings.Contains(out, so) {
			t.Errorf("%s: exit %d, plugin not listed:\n%s%s", name, code, out, errs)
		}
	}
}

// A converter without dynamic-shape support is skipped for a node with a
// symbolic dim; the report says so and the next candidate converts it.
func TestStaticOnlyConverterSkippedForDynamicNode(t *testing.T) {
	skipShort(t)
	so := plugin(t, "./testdata/plugins/staticonly")
	tmp := t.TempDir()
	rep := filepath.Join(tmp, "r.json")
	mustRun(t, "compile", filepath.Join(model("dyn_mlp"), "model.onnx"), "-o", filepath.Join(tmp, "m.trtb"),
		"--report", rep, "--min-block-size", "1", "--plugin", so)
	r := report(t, rep)
	found := false
	for _, s := range r.Segments {
		for _, n := range s.Nodes {
			if n.Op != "onnx.Relu" {
				continue
			}
			found = true
			if n.Converter == nil || n.Converter.Origin != "builtin" {
				t.Errorf("Relu converted by %+v, want the built-in converter", n.Converter)
			}
			if len(n.Rejected) != 1 || n.Rejected[0].Converter != "static-relu" || !strings.Contains(n.Rejected[0].Reason, "dynamic shapes") {
				t.Errorf("rejections %+v, want static-relu skipped for dynamic shapes", n.Rejected)
			}
		}
	}
	if !found {
		t.Fatal("no Relu node in the report")
	}
	// With a static batch the plugin's converter is used.
	mustRun(t, "compile", filepath.Join(model("dyn_mlp"), "model.onnx"), "-o", filepath.Join(tmp, "s.trtb"),
		"--report", rep, "--min-block-size", "1", "--plugin", so, "--shapes", "x:2x16")
	for _, s := range report(t, rep).Segments {
		for _, n := range s.Nodes {
			if n.Op == "onnx.Relu" && (n.Converter == nil || n.Converter.Name != "static-relu") {
				t.Errorf("static batch: Relu converted by %+v, want static-relu", n.Converter)
			}
		}
	}
}

// Every way a plugin can fail gives exit 8, a message naming the file and
// the cause, no crash, and no bundle.
func TestPluginFailures(t *testing.T) {
	skipShort(t)
	tmp := t.TempDir()
	text := filepath.Join(tmp, "notes.so")
	os.WriteFile(text, []byte("not a plugin\n"), 0o644)
	cLib := filepath.Join(tmp, "libplain.so")
	src := filepath.Join(tmp, "plain.c")
	os.WriteFile(src, []byte("int plain(void) { return 42; }\n"), 0o644)
	if msg, err := exec.Command("gcc", "-shared", "-fPIC", "-o", cLib, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, msg)
	}
	cases := []struct {
		name    string
		plugins []string
		want    []string
	}{
		{"not a file", []string{filepath.Join(tmp, "missing.so")}, []string{"missing.so", "no such file"}},
		{"not a shared object", []string{text}, []string{"notes.so", "not a Go plugin"}},
		{"a C library", []string{cLib}, []string{"libplain.so", "not a Go plugin", "without Go build information"}},
		{"a Go program", []string{trtcBin}, []string{"not a Go plugin", "-buildmode=exe"}},
		{"no registration function", []string{plugin(t, "./testdata/plugins/noregister")}, []string{"does not export RegisterConverters"}},
		{"wrong signature", []string{plugin(t, "./testdata/plugins/wrongsig")}, []string{"RegisterConverters has type func() error"}},
		{"registration error", []string{plugin(t, "./testdata/plugins/failing")}, []string{"returned an error", "license file"}},
		{"malformed target", []string{plugin(t, "./testdata/plugins/badtarget")}, []string{`"aten.gelu"`, "overload is required"}},
		{"duplicate converter name", []string{plugin(t, "./testdata/plugins/dup_a"), plugin(t, "./testdata/plugins/dup_b")},
			[]string{"dup_b", `"shared-relu" is registered twice`}},
		{"another version of trtc", []string{otherVersionPlugin(t)}, []string{"another version of trtc's packages", "make plugins"}},
		{"another Go toolchain", []string{otherToolchainPlugin(t)}, []string{"built with " + fakeGoVersion(), "this trtc was built with " + goruntime.Version()}},
	}
	model := filepath.Join(model("gelu_tanh"), "model.onnx")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bundle := filepath.Join(tmp, "out.trtb")
			args := []string{"compile", model, "-o", bundle}
			for _, p := range c.plugins {
				args = append(args, "--plugin", p)
			}
			code, _, errs := run(t, nil, args...)
			if code != cli.ExitPlugin {
				t.Errorf("exit %d, want %d: %s", code, cli.ExitPlugin, errs)
			}
			if !strings.Contains(errs, "plugin "+c.plugins[len(c.plugins)-1]) {
				t.Errorf("message does not name the file: %s", errs)
			}
			for _, w := range c.want {
				if !strings.Contains(errs, w) {
					t.Errorf("message lacks %q: %s", w, errs)
				}
			}
			if strings.Contains(errs, "goroutine ") || strings.Contains(errs, "fatal error") {
				t.Errorf("crashed: %s", errs)
			}
			if _, err := os.Stat(bundle); err == nil {
				t.Error("a bundle was written")
			}
		})
	}
}

// fakeGoVersion is a Go version string of the same length as this
// toolchain's and different from it.
func fakeGoVersion() string {
	v := []byte(goruntime.Version())
	last := len(v) - 1
	if v[last] == '9' {
		v[last] = '8'
	} else {
		v[last]++
	}
	return string(v)
}

// otherToolchainPlugin is gelu_tanh.so with its recorded Go version changed
// to another one of the same length, which is what a plugin built by
// another toolchain reports in its build information. trtc must refuse it
// before plugin.Open sees it.
func otherToolchainPlugin(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(plugin(t, "./plugins/gelu_tanh"))
	if err != nil {
		t.Fatal(err)
	}
	patched := bytes.ReplaceAll(data, []byte(goruntime.Version()), []byte(fakeGoVersion()))
	if bytes.Equal(patched, data) {
		t.Fatal("the Go version string is not in the plugin file")
	}
	out := filepath.Join(t.TempDir(), "other_toolchain.so")
	if err := os.WriteFile(out, patched, 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}

// otherVersionPlugin builds gelu_tanh from a copy of trtc whose pkg/ir
// differs by one added declaration: Go refuses to load it into this trtc.
func otherVersionPlugin(t *testing.T) string {
	t.Helper()
	out := filepath.Join(bin, "other_version.so")
	if _, err := os.Stat(out); err == nil {
		return out
	}
	src := t.TempDir()
	for _, p := range []string{"go.mod", "go.sum", "pkg", "internal", "converters", "plugins", "proto", "cgo"} {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			continue
		}
		if msg, err := exec.Command("cp", "-r", filepath.Join(root, p), src).CombinedOutput(); err != nil {
			t.Fatalf("copy %s: %v %s", p, err, msg)
		}
	}
	f, err := os.OpenFile(filepath.Join(src, "pkg", "ir", "zz_other_version.go"), os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "package ir\n\n// OtherVersion makes this copy of trtc differ.\nconst OtherVersion = 2")
	f.Close()
	if err := goBuild(src, out, "plugin", "./plugins/gelu_tanh"); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTutorialATen is the tutorial in ATen form: torch.export archives of
// the GeLU module in both modes. The plugin converts the tanh model's
// aten.gelu.default node, the built-in converter the erf model's, and both
// agree with PyTorch.
func TestTutorialATen(t *testing.T) {
	skipShort(t)
	so := plugin(t, "./plugins/gelu_tanh")
	tmp := t.TempDir()
	for _, c := range []struct {
		name, origin, rejected string
	}{
		{"gelu_tanh", so, ""},
		{"gelu_erf", "builtin", `approximate is "none"`},
	} {
		dir := filepath.Join(root, "testdata", "pt2", c.name)
		bundle, rep := filepath.Join(tmp, c.name+".trtb"), filepath.Join(tmp, c.name+".json")
		mustRun(t, "compile", filepath.Join(dir, "model.pt2"), "-o", bundle, "--report", rep,
			"--min-block-size", "1", "--plugin", so)
		var gelu *compiler.NodeReport
		for _, s := range report(t, rep).Segments {
			for i, n := range s.Nodes {
				if n.Op == "aten.gelu.default" {
					gelu = &s.Nodes[i]
				}
			}
		}
		if gelu == nil || gelu.Converter == nil || gelu.Converter.Origin != c.origin {
			t.Fatalf("%s: aten.gelu.default converted by %+v, want origin %s", c.name, gelu, c.origin)
		}
		if c.rejected != "" && (len(gelu.Rejected) != 1 || gelu.Rejected[0].Origin != so || !strings.Contains(gelu.Rejected[0].Reason, c.rejected)) {
			t.Errorf("%s: rejections %+v, want the plugin's reason", c.name, gelu.Rejected)
		}
		out := mustRun(t, "run", bundle, "--input", filepath.Join(dir, "x.npy"), "--output-dir", filepath.Join(tmp, "out_"+c.name),
			"--expect", filepath.Join(dir, "expected"), "--atol", "1e-5", "--rtol", "1e-4")
		t.Logf("%s: %s", c.name, strings.TrimSpace(out))
	}
}

// buildFlags must be the Makefile's: trtc and its plugins are built with
// them (`make build plugins`), and the plugins here load into a trtc built
// with them, lazy binding for go-nvml included.
func TestBuildFlagsAreTheMakefiles(t *testing.T) {
	for _, target := range []string{"build", "plugins"} {
		cmd := exec.Command("make", "-n", target)
		cmd.Dir = testenv.RepoRoot()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make -n %s: %v\n%s", target, err, out)
		}
		for _, f := range buildFlags {
			if !strings.Contains(string(out), " "+f+" ") {
				t.Errorf("make %s does not pass %s:\n%s", target, f, out)
			}
		}
	}
}
