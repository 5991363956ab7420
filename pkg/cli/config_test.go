package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// flagSamples gives each flag three valid values, distinct from each other
// and from the default: one for the config file, one for the environment
// and one for the command line. Bools alternate true/false/true (a bool
// has only two values, but each source still changes the result). A flag
// without samples fails TestEveryFlagFromEverySource, so a new flag cannot
// skip the check.
var flagSamples = map[string][3]string{
	"log-level":                  {"info", "error", "debug"},
	"log-format":                 {"json", "console", "json"},
	"max-memory":                 {"8GiB", "9GiB", "10GiB"},
	"max-tensor-memory":          {"1GiB", "2GiB", "3GiB"},
	"threads":                    {"1", "2", "3"},
	"output":                     {"a.trtb", "b.trtb", "c.trtb"}, // compile; per-command overrides below
	"format":                     {"onnx", "pt2", "pb"},
	"min-block-size":             {"3", "4", "7"},
	"fallback-ops":               {"Relu", "Gelu", "Softmax"},
	"require-full-compilation":   {"true", "false", "true"},
	"shapes":                     {"x:1x2", "x:3x4", "x:5x6"},
	"backend":                    {"one", "two", "three"},
	"dry-run":                    {"true", "false", "true"},
	"report":                     {"r1.json", "r2.json", "r3.json"},
	"plugin":                     {"p1.so", "p2.so", "p3.so"},
	"trt-plugin-lib":             {"l1.so", "l2.so", "l3.so"},
	"min-shapes":                 {"x:1", "x:2", "x:3"},
	"opt-shapes":                 {"x:1", "x:2", "x:3"},
	"max-shapes":                 {"x:1", "x:2", "x:3"},
	"workspace":                  {"1GiB", "2GiB", "3GiB"},
	"builder-optimization-level": {"1", "2", "3"},
	"timing-cache":               {"t1", "t2", "t3"},
	"hardware-compatibility":     {"ampere+", "same-compute-capability", "none"},
	"version-compatible":         {"true", "false", "true"},
	"device":                     {"0", "1", "GPU-12345678"},
	"trt-version":                {"10.0", "10.8", "11.1"},
	"cache-dir":                  {"c1", "c2", "c3"},
	"no-cache":                   {"true", "false", "true"},
	"input":                      {"a.npy", "b.npy", "c.npy"},
	"output-dir":                 {"o1", "o2", "o3"},
	"expect":                     {"e1", "e2", "e3"},
	"output-format":              {"pb", "npy-f32", "npy"},
	"atol":                       {"0.5", "0.25", "0.125"},
	"rtol":                       {"0.5", "0.25", "0.125"},
	"stats":                      {"true", "false", "true"},
	"op":                         {"onnx.A*", "onnx.B*", "onnx.C*"},
	"export":                     {"g1.pb", "g2.pb", "g3.pb"},
	"layers":                     {"true", "false", "true"},
	"fp16":                       {"true", "false", "true"},
	"bf16":                       {"true", "false", "true"},
	"int8":                       {"true", "false", "true"},
	"fp8":                        {"true", "false", "true"},
	"strongly-typed":             {"true", "false", "true"},
	"keep-fp32":                  {"Softmax", "Exp", "node_1"},
	"precision-constraints":      {"Softmax:fp32", "conv1:fp16", "*:bf16"},
	"seed":                       {"7", "8", "9"},
	"input-range":                {"0,1", "x=-1,1", "ids=0,50256"},
	"layerwise":                  {"true", "false", "true"},
	"warmup":                     {"0", "3", "5"},
	"iterations":                 {"1", "50", "100"},
	"duration":                   {"0.5", "1", "2.5"},
	"calibration-input":          {"x=a.npy", "x=b.npy", "x=c.npy"},
}

// outputSamples are -o's samples where it is a format, by command.
var outputSamples = map[string][3]string{
	"inspect": {"json", "text", "json"},
	"devices": {"json", "text", "json"},
	"compare": {"json", "text", "json"},
	"bench":   {"json", "text", "json"},
	"list":    {"json", "table", "json"}, // converters list; cache list overrides
}

func samplesFor(cmd *cobra.Command, flag string) ([3]string, bool) {
	if flag == "output" {
		if cmd.Name() == "list" && cmd.Parent().Name() == "cache" {
			return [3]string{"json", "text", "json"}, true
		}
		if s, ok := outputSamples[cmd.Name()]; ok {
			return s, true
		}
	}
	s, ok := flagSamples[flag]
	return s, ok
}

// leafCommands walks the tree built by NewRootCmd.
func leafCommands(c *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	if c.Runnable() && c.HasParent() {
		out = append(out, c)
	}
	for _, sub := range c.Commands() {
		if sub.Name() == "help" || sub.Name() == "completion" {
			continue
		}
		out = append(out, leafCommands(sub)...)
	}
	return out
}

// runResolved runs `trtc <path...> <args...>` with every command's work
// replaced by capturing the command, and returns the command (whose flags
// hold the resolved values) or the error.
func runResolved(t *testing.T, path []string, args []string) (*cobra.Command, *IO, error) {
	t.Helper()
	streams := &IO{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}, Config: viper.New()}
	root := NewRootCmd(streams)
	var got *cobra.Command
	var stub func(c *cobra.Command)
	stub = func(c *cobra.Command) {
		if c.RunE != nil {
			c.RunE = func(cmd *cobra.Command, _ []string) error { got = cmd; return nil }
			c.Args = cobra.ArbitraryArgs
		}
		for _, sub := range c.Commands() {
			stub(sub)
		}
	}
	stub(root)
	root.SetArgs(append(append([]string{}, path...), args...))
	root.SetOut(&bytes.Buffer{})
	root.SetErr(&bytes.Buffer{})
	err := root.Execute()
	return got, streams, err
}

func flagValue(f *pflag.Flag) string {
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		return strings.Join(sv.GetSlice(), ",")
	}
	return f.Value.String()
}

// canonical is how the flag prints a sample value (0.5 as "0.5", "true").
func canonical(t *testing.T, f *pflag.Flag, s string) string {
	t.Helper()
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.AddFlag(&pflag.Flag{Name: f.Name, Value: freshValue(t, f)})
	if err := fs.Set(f.Name, s); err != nil {
		t.Fatalf("sample %q for --%s: %v", s, f.Name, err)
	}
	return flagValue(fs.Lookup(f.Name))
}

func freshValue(t *testing.T, f *pflag.Flag) pflag.Value {
	fs := pflag.NewFlagSet("y", pflag.ContinueOnError)
	switch f.Value.Type() {
	case "string":
		fs.String("v", "", "")
	case "int":
		fs.Int("v", 0, "")
	case "bool":
		fs.Bool("v", false, "")
	case "float64":
		fs.Float64("v", 0, "")
	case "stringSlice":
		fs.StringSlice("v", nil, "")
	case "stringArray":
		fs.StringArray("v", nil, "")
	default:
		t.Fatalf("--%s: no test support for flag type %s", f.Name, f.Value.Type())
	}
	return fs.Lookup("v").Value
}

// Every flag of every command takes its value from the config file, from
// TRTC_<FLAG> over the file, and from the command line over both; and a
// config section named after the command wins over the top level.
func TestEveryFlagFromEverySource(t *testing.T) {
	t.Setenv("TRTC_CONFIG", "")
	root := NewRootCmd(&IO{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}, Config: viper.New()})
	dir := t.TempDir()
	checked := 0
	for _, leaf := range leafCommands(root) {
		path := strings.Fields(strings.TrimPrefix(leaf.CommandPath(), "trtc "))
		section := path[0]
		var names []string
		leaf.InheritedFlags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
		leaf.LocalFlags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
		sort.Strings(names)
		for _, name := range names {
			if name == "help" || name == "config" {
				continue
			}
			f := leaf.Flags().Lookup(name)
			if f == nil {
				f = leaf.InheritedFlags().Lookup(name)
			}
			s, ok := samplesFor(leaf, name)
			if !ok {
				t.Errorf("%s --%s: no samples in flagSamples; add three valid values", leaf.CommandPath(), name)
				continue
			}
			want := [3]string{canonical(t, f, s[0]), canonical(t, f, s[1]), canonical(t, f, s[2])}
			if want[0] == want[1] || want[1] == want[2] {
				t.Fatalf("--%s: samples must differ in turn: %q", name, s)
			}
			env := EnvName(name)
			cfg := filepath.Join(dir, strings.Join(path, "_")+"_"+name+".yaml")
			if err := os.WriteFile(cfg, []byte(fmt.Sprintf("%s: %q\n", name, s[0])), 0o644); err != nil {
				t.Fatal(err)
			}
			check := func(what string, args []string, want string) {
				t.Helper()
				cmd, streams, err := runResolved(t, path, append([]string{"--config", cfg}, args...))
				if err != nil {
					t.Errorf("%s --%s (%s): %v", leaf.CommandPath(), name, what, err)
					return
				}
				if got := flagValue(cmd.Flags().Lookup(name)); got != want {
					t.Errorf("%s --%s (%s): got %q, want %q", leaf.CommandPath(), name, what, got, want)
				}
				if v := fmt.Sprint(streams.Config.Get(name)); what != "file" && !strings.Contains(v, strings.Split(s[map[string]int{"env": 1, "flag": 2}[what]], ",")[0]) {
					t.Errorf("%s --%s (%s): viper says %q", leaf.CommandPath(), name, what, v)
				}
			}
			t.Setenv(env, "")
			os.Unsetenv(env)
			check("file", nil, want[0])
			t.Setenv(env, s[1])
			check("env", nil, want[1])
			check("flag", []string{"--" + name + "=" + s[2]}, want[2])
			os.Unsetenv(env)
			// The command's section wins over the top level.
			if err := os.WriteFile(cfg, []byte(fmt.Sprintf("%s: %q\n%s:\n  %s: %q\n", name, s[0], section, name, s[1])), 0o644); err != nil {
				t.Fatal(err)
			}
			check("section", nil, want[1])
			checked++
		}
	}
	if checked < 40 {
		t.Errorf("checked only %d command flags", checked)
	}
}

// A config list sets a list flag; plugins: and TRTC_PLUGINS add to
// --plugin's list.
func TestConfigListsAndPlugins(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "trtc.yaml")
	os.WriteFile(cfg, []byte("fallback-ops: [Relu, Gelu]\nshapes:\n  - x:1x3\n  - y:2\nplugins: [a.so]\nplugin: b.so\n"), 0o644)
	t.Setenv("TRTC_PLUGINS", "c.so"+string(os.PathListSeparator)+"d.so")
	var got *CompileOptions
	streams := &IO{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}, Config: viper.New()}
	root := NewRootCmd(streams)
	for _, c := range root.Commands() {
		if c.Name() == "compile" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(NewCmdCompile(streams, func(o *CompileOptions) error { got = o; return nil }))
	root.SetArgs([]string{"compile", "m.onnx", "--config", cfg})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.FallbackOps, " ") != "Relu Gelu" || strings.Join(got.Shapes, " ") != "x:1x3 y:2" {
		t.Errorf("lists: %q %q", got.FallbackOps, got.Shapes)
	}
	if strings.Join(got.Plugins, " ") != "b.so a.so c.so d.so" {
		t.Errorf("plugins: %q", got.Plugins)
	}
}

// Each bad value, from each source, is exit 2 (flag, env) or 3 (config
// file), names the key, the source and the value, never panics and writes
// nothing.
func TestBadSettings(t *testing.T) {
	model, err := filepath.Abs(filepath.Join("..", "..", "testdata", "models", "cnn_resnet", "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		args   []string
		env    map[string]string
		config string
		code   int
		want   []string
	}{
		{"file int", []string{"compile", model}, nil, "min-block-size: abc\n", 3, []string{"min-block-size (trtc.yaml:1)", `"abc" is not an integer`}},
		{"env int", []string{"compile", model}, map[string]string{"TRTC_MIN_BLOCK_SIZE": "abc"}, "", 2, []string{"min-block-size (env TRTC_MIN_BLOCK_SIZE)", `"abc"`}},
		{"flag int", []string{"compile", model, "--min-block-size", "abc"}, nil, "", 2, []string{"--min-block-size", `"abc"`}},
		{"file range", []string{"compile", model}, nil, "\n\nmin-block-size: -1\n", 3, []string{"min-block-size (trtc.yaml:3): must be at least 0, got -1"}},
		{"env range", []string{"compile", model}, map[string]string{"TRTC_MIN_BLOCK_SIZE": "-1"}, "", 2, []string{"min-block-size (env TRTC_MIN_BLOCK_SIZE): must be at least 0"}},
		{"file bool", []string{"compile", model}, nil, "dry-run: maybe\n", 3, []string{"dry-run (trtc.yaml:1)", `"maybe" is not true or false`}},
		{"env bool", []string{"compile", model}, map[string]string{"TRTC_DRY_RUN": "maybe"}, "", 2, []string{"dry-run (env TRTC_DRY_RUN)", `"maybe"`}},
		{"file float", []string{"run", "b.trtb", "-i", "x.npy"}, nil, "atol: lots\n", 3, []string{"atol (trtc.yaml:1)", `"lots" is not a number`}},
		{"env negative", []string{"run", "b.trtb", "-i", "x.npy"}, map[string]string{"TRTC_RTOL": "-1"}, "", 2, []string{"rtol (env TRTC_RTOL): must be a finite number >= 0"}},
		{"unknown key", []string{"compile", model}, nil, "backend: reference\nmin-blok-size: 3\n", 3, []string{"trtc.yaml:2: unknown key min-blok-size (did you mean min-block-size?)"}},
		{"unknown section key", []string{"version"}, nil, "compile:\n  atol: 1\n", 3, []string{"trtc.yaml:2: unknown key compile.atol"}},
		{"mapping value", []string{"compile", model}, nil, "fallback-ops: {a: b}\n", 3, []string{"fallback-ops (trtc.yaml:1)", "a mapping"}},
		{"list for scalar", []string{"compile", model}, nil, "backend: [a, b]\n", 3, []string{"backend (trtc.yaml:1)", "a list, want a string"}},
		{"empty value", []string{"compile", model}, nil, "report:\n", 3, []string{"report (trtc.yaml:1)", "no value"}},
		{"not yaml", []string{"compile", model}, nil, "a: [\n", 3, []string{"config trtc.yaml"}},
		{"not a mapping", []string{"compile", model}, nil, "- a\n- b\n", 3, []string{"trtc.yaml:1: want a mapping"}},
		{"twice", []string{"compile", model}, nil, "backend: a\nbackend: b\n", 3, []string{"trtc.yaml"}},
		{"huge", []string{"version"}, nil, "# " + strings.Repeat("x", 1<<20) + "\n", 3, []string{"over the 1.0 MiB (1048576 bytes) limit"}},
		{"alias bomb", []string{"version"}, nil, "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n", 3, []string{"trtc.yaml"}},
		{"file shapes", []string{"compile", model}, nil, "shapes: nocolon\n", 3, []string{"shapes (trtc.yaml:1)", `"nocolon": want NAME:DIMS`}},
		{"env shapes", []string{"compile", model}, map[string]string{"TRTC_SHAPES": "input"}, "", 2, []string{"shapes (env TRTC_SHAPES)", `"input": want NAME:DIMS`}},
		{"env shapes rank", []string{"compile", model}, map[string]string{"TRTC_SHAPES": "input:axb"}, "", 3, []string{"rank 2, but the model declares", "shapes from env TRTC_SHAPES"}},
		{"env log format", []string{"compile", model}, map[string]string{"TRTC_LOG_FORMAT": "xml"}, "", 2, []string{"log-format (env TRTC_LOG_FORMAT): must be console or json, not \"xml\""}},
		{"file log level", []string{"version"}, nil, "log-level: loud\n", 3, []string{"log-level (trtc.yaml:1)", `"loud"`}},
		{"file workspace", []string{"compile", model}, nil, "workspace: lots\n", 3, []string{"workspace (trtc.yaml:1)", `"lots"`}},
		{"env opt level", []string{"compile", model}, map[string]string{"TRTC_BUILDER_OPTIMIZATION_LEVEL": "9"}, "", 2, []string{"builder-optimization-level (env TRTC_BUILDER_OPTIMIZATION_LEVEL): must be 0..5, got 9"}},
		{"file hw compat", []string{"compile", model}, nil, "hardware-compatibility: hopper+\n", 3, []string{"hardware-compatibility (trtc.yaml:1)", `"hopper+"`}},
		{"trt-version form", []string{"compile", model, "--trt-version", "ten"}, nil, "", 2, []string{"--trt-version", `TensorRT version "ten": want MAJOR.MINOR such as 10.8`}},
		{"trt-version too old", []string{"compile", model, "--trt-version", "8.6"}, nil, "", 2, []string{"--trt-version", "TensorRT 8.6 is not supported: trtc builds for 10.0 to 11.1"}},
		{"file trt-version too new", []string{"compile", model}, nil, "trt-version: \"12.0\"\n", 3, []string{"trt-version (trtc.yaml:1)", "TensorRT 12.0 is not supported"}},
		{"profile without max", []string{"compile", model, "--min-shapes", "input:1x3x32x32", "--opt-shapes", "input:1x3x32x32"}, nil, "", 2, []string{"--min-shapes", "got 1, 1 and 0"}},
		{"profile from file", []string{"compile", model}, nil, "min-shapes: [\"input:1x3x32x32\"]\n", 3, []string{"min-shapes (trtc.yaml:1)", "got 1, 0 and 0"}},
		{"report is output", []string{"compile", model, "-o", "x.trtb", "--report", "x.trtb"}, nil, "", 2, []string{"--report: x.trtb is also the bundle path"}},
		{"env format", []string{"compile", model}, map[string]string{"TRTC_FORMAT": "tflite"}, "", 2, []string{"format (env TRTC_FORMAT): must be onnx, pt2 or pb"}},
		{"file inspect -o", []string{"inspect", model}, nil, "inspect:\n  output: xml\n", 3, []string{"output (trtc.yaml:2)", `"xml"`}},
		{"env devices -o", []string{"devices"}, map[string]string{"TRTC_OUTPUT": "yaml"}, "", 2, []string{"output (env TRTC_OUTPUT): must be text or json"}},
		{"missing config", []string{"version"}, map[string]string{"TRTC_CONFIG": "nope.yaml"}, "", 3, []string{"config nope.yaml"}},
		{"cache -o", []string{"cache", "list"}, map[string]string{"TRTC_OUTPUT": "xml"}, "", 2, []string{"output (env TRTC_OUTPUT)"}},
		{"converters --op", []string{"converters", "list"}, nil, "converters:\n  op: '['\n", 3, []string{"op (trtc.yaml:2)", "syntax error"}},
		{"env bench iterations", []string{"bench", "b.trtb"}, map[string]string{"TRTC_ITERATIONS": "0"}, "", 2, []string{"iterations (env TRTC_ITERATIONS): must be 1..1000000, got 0"}},
		{"file bench duration", []string{"bench", "b.trtb"}, nil, "bench:\n  duration: -1\n", 3, []string{"duration (trtc.yaml:2): must be a number of seconds >= 0"}},
		{"file bench warmup", []string{"bench", "b.trtb"}, nil, "warmup: many\n", 3, []string{"warmup (trtc.yaml:1)", `"many" is not an integer`}},
		{"file compare input-range", []string{"compare", model}, nil, "compare:\n  input-range: [\"0,1\", \"3\"]\n", 3, []string{"input-range (trtc.yaml:2)", `"3": want LO,HI or NAME=LO,HI`}},
		{"env compare seed", []string{"compare", model}, map[string]string{"TRTC_SEED": "x"}, "", 2, []string{"seed (env TRTC_SEED)", `"x" is not an integer`}},
		{"env compare -o", []string{"compare", model}, map[string]string{"TRTC_OUTPUT": "xml"}, "", 2, []string{"output (env TRTC_OUTPUT): must be text or json"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			t.Setenv("TRTC_CONFIG", "")
			os.Unsetenv("TRTC_CONFIG")
			t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			if c.config != "" {
				if err := os.WriteFile("trtc.yaml", []byte(c.config), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, format := range []string{"console", "json"} {
				var out, errb bytes.Buffer
				args := c.args
				if format == "json" {
					if c.env["TRTC_LOG_FORMAT"] != "" || strings.Contains(c.config, "log-") {
						continue // the log settings are what is bad
					}
					args = append(append([]string{}, c.args...), "--log-format", "json")
				}
				code := Main(args, &out, &errb)
				if code != c.code {
					t.Errorf("%s: exit %d, want %d; stderr %s", format, code, c.code, errb.String())
				}
				msg := errb.String()
				if format == "json" {
					lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
					var obj map[string]any
					if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &obj) != nil {
						t.Fatalf("json: stderr is not one JSON object: %q", errb.String())
					}
					if obj["level"] != "error" || obj["exit_code"] != float64(c.code) {
						t.Errorf("json: %v", obj)
					}
					msg, _ = obj["msg"].(string)
				}
				for _, w := range c.want {
					if !strings.Contains(msg, w) {
						t.Errorf("%s: stderr %q lacks %q", format, msg, w)
					}
				}
				if strings.Contains(errb.String(), "panic") {
					t.Errorf("%s: panic: %s", format, errb.String())
				}
				ents, _ := os.ReadDir(".")
				for _, e := range ents {
					if e.Name() != "trtc.yaml" {
						t.Errorf("%s: wrote %s", format, e.Name())
					}
				}
			}
		})
	}
}

func TestClosestKey(t *testing.T) {
	known := map[string]bool{"min-block-size": true, "fallback-ops": true, "dry-run": true}
	for key, want := range map[string]string{
		"min_block_size": "did you mean min-block-size?",
		"fallback-op":    "did you mean fallback-ops?",
		"dryrun":         "did you mean dry-run?",
		"zzzzzzzzzzzz":   "no known key is close",
	} {
		if got := closestHint(key, known); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", key, got, want)
		}
	}
}

// An error found while reading the settings is JSON when the config file
// asks for JSON logs, though its other settings are bad.
func TestConfigFileLogFormatForEarlyErrors(t *testing.T) {
	t.Chdir(t.TempDir())
	os.WriteFile("trtc.yaml", []byte("log-format: json\nmin-block-size: many\n"), 0o644)
	var out, errb bytes.Buffer
	code := Main([]string{"compile", "m.onnx"}, &out, &errb)
	var obj map[string]any
	if code != ExitInput || json.Unmarshal(errb.Bytes(), &obj) != nil || obj["exit_code"] != float64(ExitInput) ||
		!strings.Contains(obj["msg"].(string), "min-block-size (trtc.yaml:2)") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}
