package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/internal/stattest"
	"github.com/trtc-dev/trtc/internal/testenv"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/tensorio"
)

// The model zoo (testdata/zoo, made by testdata/gen/gen_zoo.py with
// PyTorch on the GPU machine): torchvision and torch.nn models with random
// weights at small widths, each as exported and after run_decompositions().
// Every archive compiles, runs, and matches PyTorch's eager outputs within
// atol 1e-4, rtol 1e-3 (dynamic models at each of their input sets), with at
// least 90% of its nodes in engines and a reason for every node that is not.
// With -v the test logs the rows of docs/aten.md's zoo table.

type zooMeta struct {
	Name       string         `json:"name"`
	InputNames []string       `json:"input_names"`
	Ranges     map[string]any `json:"ranges"`
	Forms      map[string]any `json:"forms"`
	// Compare is "distribution" for models of random ops: each output is
	// checked against Distributions[i] (internal/stattest), never by value.
	Compare       string           `json:"compare"`
	Distributions []map[string]any `json:"distributions"`
	Sets          []struct {
		Name     string            `json:"name"`
		Inputs   map[string]string `json:"inputs"`
		Expected map[string]string `json:"expected"`
	} `json:"sets"`
}

func zooDir() string { return filepath.Join(testenv.RepoRoot(), "testdata", "zoo") }

func readZooMeta(t *testing.T, dir string) *zooMeta {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m zooMeta
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	return &m
}

func TestZooMatchesPyTorch(t *testing.T) {
	entries, err := os.ReadDir(zooDir())
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	models := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		models++
		dir := filepath.Join(zooDir(), e.Name())
		meta := readZooMeta(t, dir)
		for _, form := range []string{"model.pt2", "model_decomposed.pt2"} {
			if _, err := os.Stat(filepath.Join(dir, form)); err != nil {
				t.Errorf("%s: %s is missing", e.Name(), form)
				continue
			}
			t.Run(e.Name()+"/"+form, func(t *testing.T) {
				row := zooCase(t, dir, form, meta)
				rows = append(rows, row)
			})
		}
	}
	if models < 20 {
		t.Errorf("the zoo holds %d models, want the 20 that gen_zoo.py makes", models)
	}
	sort.Strings(rows)
	t.Logf("zoo table:\n| model | form | exported nodes | nodes | in engines | segments | max abs diff |\n| --- | --- | --- | --- | --- | --- | --- |\n%s", strings.Join(rows, "\n"))
}

// zooFallbackByDesign: op-exercise models whose ops have no TensorRT layer
// (or none in trtc's layer-kind table yet); they must compile, run and
// match, and each fallback node must carry its reason.
var zooFallbackByDesign = map[string]string{
	"ops_bits": "integer bitwise ops and shifts: TensorRT's ElementWise AND/OR/XOR take bool only, and it has no shifts",
}

func zooCase(t *testing.T, dir, form string, meta *zooMeta) string {
	tmp := t.TempDir()
	bundle := filepath.Join(tmp, "m.trtb")
	rep := filepath.Join(tmp, "report.json")
	mustTrtc(t, "compile", filepath.Join(dir, form), "-o", bundle, "--report", rep)
	r := readReport(t, rep)
	if r.TotalNodes == 0 {
		t.Fatal("no nodes")
	}
	if why, ok := zooFallbackByDesign[meta.Name]; ok {
		t.Logf("%s: %d of %d nodes in engines; the 90%% rule does not apply: %s", meta.Name, r.ConvertedNodes, r.TotalNodes, why)
	} else if frac := float64(r.ConvertedNodes) / float64(r.TotalNodes); frac < 0.9 {
		t.Errorf("%d of %d nodes in engines (%.1f%%), want at least 90%%", r.ConvertedNodes, r.TotalNodes, 100*frac)
	}
	for _, u := range r.Unsupported {
		if len(u.Reasons) == 0 {
			t.Errorf("fallback node %s (%s) has no reason", u.Node, u.Op)
		}
	}
	if len(meta.Sets) == 0 {
		t.Fatal("meta.json lists no input sets")
	}
	if meta.Ranges != nil && len(meta.Sets) < 3 {
		t.Errorf("a dynamic model needs three input sets, has %d", len(meta.Sets))
	}
	if meta.Compare == "distribution" {
		// Random draws: engines (as compiled above) and kernels (every
		// node in fallback) both sample the declared distributions, and so
		// do PyTorch's own samples in expected/.
		fb := filepath.Join(tmp, "fb.trtb")
		mustTrtc(t, "compile", filepath.Join(dir, form), "-o", fb, "--min-block-size", "1000000")
		for _, b := range []string{bundle, fb} {
			checkZooDistributions(t, dir, tmp, b, meta)
		}
		formName := map[string]string{"model.pt2": "exported", "model_decomposed.pt2": "decomposed"}[form]
		return fmt.Sprintf("| %s | %s | %d | %d | %d (%.1f%%) | %d | by distribution |", meta.Name, formName,
			r.ExportedNodes, r.TotalNodes, r.ConvertedNodes, r.CoveragePercent, len(r.Segments))
	}
	maxAbs := 0.0
	for _, set := range meta.Sets {
		args := []string{"run", bundle, "--output-dir", filepath.Join(tmp, "out_"+set.Name)}
		for _, name := range meta.InputNames {
			args = append(args, "--input", name+"="+filepath.Join(dir, set.Inputs[name]))
		}
		mustTrtc(t, args...)
		if len(set.Expected) == 0 {
			t.Fatalf("set %s has no expected outputs", set.Name)
		}
		for out, file := range set.Expected {
			want, err := tensorio.ReadNPY(filepath.Join(dir, file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := tensorio.ReadNPY(filepath.Join(tmp, "out_"+set.Name, out+".npy"))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Shape) == 0 && len(want.Shape) == 1 && want.Shape[0] == 1 {
				// common.save_npy writes through np.ascontiguousarray,
				// which makes PyTorch's 0-d results (a.sum()) 1-d.
				got = got.Reshaped([]int64{1})
			}
			d := tensorio.Diff(got, want, 1e-4, 1e-3)
			if !d.OK {
				t.Errorf("set %s, %s: %s", set.Name, out, d)
			}
			maxAbs = max(maxAbs, d.MaxAbs)
		}
	}
	formName := map[string]string{"model.pt2": "exported", "model_decomposed.pt2": "decomposed"}[form]
	return fmt.Sprintf("| %s | %s | %d | %d | %d (%.1f%%) | %d | %.2g |", meta.Name, formName,
		r.ExportedNodes, r.TotalNodes, r.ConvertedNodes, r.CoveragePercent, len(r.Segments), maxAbs)
}

// The dynamic GPT refuses a run outside its export ranges, naming the
// symbol and the range.
func TestZooDynamicRangeRefused(t *testing.T) {
	dir := filepath.Join(zooDir(), "gpt_dyn")
	tmp := t.TempDir()
	bundle := filepath.Join(tmp, "m.trtb")
	mustTrtc(t, "compile", filepath.Join(dir, "model.pt2"), "-o", bundle)
	for _, c := range []struct {
		shape []int64
		want  string
	}{{[]int64{1, 17}, "above the compiled range [2, 16]"}, {[]int64{5, 4}, "above the compiled range [1, 4]"}, {[]int64{1, 1}, "below the compiled range [2, 16]"}} {
		x := filepath.Join(tmp, "x.npy")
		if err := tensorio.WriteNPY(x, ir.NewTensor(ir.Int64, c.shape)); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := trtc(t, "run", bundle, "--input", "idx="+x, "--output-dir", filepath.Join(tmp, "out"))
		if code != 3 || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, "(s") {
			t.Errorf("shape %v: exit %d, stderr %q; want exit 3, the symbol and %q", c.shape, code, stderr, c.want)
		}
	}
}

// A malformed symbolic size expression in an archive is exit 3 naming it.
func TestZooMalformedSymIntExpression(t *testing.T) {
	src := filepath.Join(zooDir(), "gpt_dyn", "model.pt2")
	for name, repl := range map[string]string{
		"unbalanced": `"expr_str": "Mul(Symbol('s75', positive=True), "`,
		"garbage":    `"expr_str": "s75 $ 2"`,
		"empty":      `"expr_str": ""`,
	} {
		t.Run(name, func(t *testing.T) {
			tmp := t.TempDir()
			bad := filepath.Join(tmp, "bad.pt2")
			found := false
			rewriteZip(t, src, bad, func(f string, data []byte) []byte {
				if !strings.HasSuffix(f, "models/model.json") {
					return data
				}
				old := `"expr_str": "Mul(Symbol('s75', positive=True, integer=True), Symbol('s95', positive=True, integer=True))"`
				found = strings.Contains(string(data), old)
				return []byte(strings.ReplaceAll(string(data), old, repl))
			})
			if !found {
				t.Fatal("the archive's mul expression was not found")
			}
			code, _, stderr := trtc(t, "compile", bad, "-o", filepath.Join(tmp, "b.trtb"))
			if code != 3 || !strings.Contains(stderr, "malformed symbolic size expression") || !strings.Contains(stderr, "bad.pt2") {
				t.Fatalf("exit %d, stderr %q; want exit 3 naming the file and the malformed expression", code, stderr)
			}
		})
	}
}

// --fallback-ops names what the user exported: hardswish_ reaches the
// hardswish that functionalization made of it, and the report says so.
func TestZooFallbackOpsByExportedOp(t *testing.T) {
	tmp := t.TempDir()
	rep := filepath.Join(tmp, "r.json")
	mustTrtc(t, "compile", filepath.Join(zooDir(), "mobilenet_v3", "model.pt2"), "--dry-run", "--report", rep,
		"--fallback-ops", "aten.hardswish_.default")
	r := readReport(t, rep)
	if len(r.ForcedFallback) != 7 {
		t.Fatalf("%d forced fallback nodes, want the 7 hardswish_ nodes: %+v", len(r.ForcedFallback), r.ForcedFallback)
	}
	for _, f := range r.ForcedFallback {
		if f.Op != "aten.hardswish.default" || f.FromOp != "aten.hardswish_.default" || f.FromNode == "" {
			t.Errorf("forced %+v, want aten.hardswish.default from aten.hardswish_.default", f)
		}
	}
	// meta.json: 60 call_function nodes as exported, no getitem.
	if r.ExportedNodes != 60 || r.ExportedConverted > 53 || r.ExportedConverted == 0 {
		t.Errorf("exported nodes %d, %d converted; want 60, and at most the 53 non-hardswish_ ones", r.ExportedNodes, r.ExportedConverted)
	}
	mustTrtc(t, "compile", filepath.Join(zooDir(), "mobilenet_v3", "model.pt2"), "--dry-run", "--report", rep)
	if r := readReport(t, rep); r.ExportedNodes != 60 || r.ExportedConverted != 60 || r.TotalNodes != 60 {
		t.Errorf("without --fallback-ops: %d exported, %d converted, %d lowered nodes; want 60 each", r.ExportedNodes, r.ExportedConverted, r.TotalNodes)
	}
}

// The dynamic GPT's parsed graph, sym nodes and symbolic arguments
// included, survives the .pb round trip and compiles to the same results.
func TestZooDynamicPbRoundTrip(t *testing.T) {
	dir := filepath.Join(zooDir(), "gpt_dyn")
	tmp := t.TempDir()
	pb := filepath.Join(tmp, "g.pb")
	mustTrtc(t, "inspect", filepath.Join(dir, "model.pt2"), "--export", pb)
	bundle := filepath.Join(tmp, "g.trtb")
	mustTrtc(t, "compile", pb, "-o", bundle)
	for _, set := range []string{"s1", "s3"} {
		mustTrtc(t, "run", bundle, "--input", "idx="+filepath.Join(dir, "idx_"+set+".npy"), "--output-dir", filepath.Join(tmp, set),
			"--expect", filepath.Join(dir, "expected_"+set))
	}
}

// A valid program the lowering cannot express (an as_strided that reads
// elements twice) is refused with exit 4, naming the node and the strides.
func TestZooUnsupportedLoweringExit4(t *testing.T) {
	tmp := t.TempDir()
	bad := filepath.Join(tmp, "bad.pt2")
	found := false
	rewriteZip(t, filepath.Join(zooDir(), "convnext", "model_decomposed.pt2"), bad, func(f string, data []byte) []byte {
		if !strings.HasSuffix(f, "models/model.json") {
			return data
		}
		old := `{"name": "stride", "arg": {"as_ints": [48, 1, 48, 48]}`
		found = strings.Contains(string(data), old)
		return []byte(strings.ReplaceAll(string(data), old, `{"name": "stride", "arg": {"as_ints": [48, 0, 48, 48]}`))
	})
	if !found {
		t.Fatal("the archive's as_strided was not found")
	}
	code, _, stderr := trtc(t, "compile", bad, "-o", filepath.Join(tmp, "b.trtb"))
	if code != 4 || !strings.Contains(stderr, `node "as_strided"`) || !strings.Contains(stderr, "[48 0 48 48]") {
		t.Fatalf("exit %d, stderr %q; want exit 4 naming the as_strided node and its strides", code, stderr)
	}
}

// checkZooDistributions runs bundle on each input set and checks every
// output (and PyTorch's expected sample) against meta.Distributions.
func checkZooDistributions(t *testing.T, dir, tmp, bundle string, meta *zooMeta) {
	t.Helper()
	for _, set := range meta.Sets {
		outDir := filepath.Join(tmp, "out_"+filepath.Base(bundle)+"_"+set.Name)
		args := []string{"run", bundle, "--output-dir", outDir}
		inputs := map[string]*ir.Tensor{}
		for _, name := range meta.InputNames {
			args = append(args, "--input", name+"="+filepath.Join(dir, set.Inputs[name]))
			x, err := tensorio.ReadNPY(filepath.Join(dir, set.Inputs[name]))
			if err != nil {
				t.Fatal(err)
			}
			inputs[name] = x
		}
		mustTrtc(t, args...)
		if len(set.Expected) != len(meta.Distributions) {
			t.Fatalf("%d outputs, %d distributions", len(set.Expected), len(meta.Distributions))
		}
		for i, dist := range meta.Distributions {
			out := fmt.Sprintf("output_%d", i)
			got, err := tensorio.ReadNPY(filepath.Join(outDir, out+".npy"))
			if err != nil {
				t.Fatal(err)
			}
			want, err := tensorio.ReadNPY(filepath.Join(dir, set.Expected[out]))
			if err != nil {
				t.Fatal(err)
			}
			if got.DType != want.DType || fmt.Sprint(got.Shape) != fmt.Sprint(want.Shape) {
				t.Errorf("%s: %s is %v%v, PyTorch's %v%v", filepath.Base(bundle), out, got.DType, got.Shape, want.DType, want.Shape)
				continue
			}
			for who, y := range map[string]*ir.Tensor{"trtc " + filepath.Base(bundle): got, "PyTorch": want} {
				if err := checkDistribution(y, dist, inputs, meta.InputNames); err != nil {
					t.Errorf("%s, %s (%v): %v", who, out, dist, err)
				}
			}
		}
	}
}

func tensorFloats(t *ir.Tensor) []float64 {
	v := make([]float64, t.Numel())
	for i := range v {
		v[i] = t.Float(i)
	}
	return v
}

func checkDistribution(y *ir.Tensor, d map[string]any, inputs map[string]*ir.Tensor, names []string) error {
	num := func(k string) float64 { f, _ := d[k].(float64); return f }
	input := func(k string) (*ir.Tensor, error) {
		i := int(num(k))
		if i < 0 || i >= len(names) {
			return nil, fmt.Errorf("input %d is not a model input", i)
		}
		return inputs[names[i]], nil
	}
	v := tensorFloats(y)
	switch d["kind"] {
	case "uniform":
		return stattest.Uniform(v, num("low"), num("high"))
	case "normal":
		return stattest.Normal(v, num("mean"), num("std"))
	case "randint":
		return stattest.Randint(v, int64(num("low")), int64(num("high")))
	case "bernoulli":
		if _, ok := d["p_input"]; ok {
			p, err := input("p_input")
			if err != nil {
				return err
			}
			return stattest.Bernoulli(v, tensorFloats(p))
		}
		return stattest.Bernoulli(v, []float64{num("p")})
	case "dropout":
		x, err := input("input")
		if err != nil {
			return err
		}
		return stattest.Dropout(v, tensorFloats(x), num("p"))
	}
	return fmt.Errorf("distribution kind %v is not known", d["kind"])
}

// The SymInt-argument model with every node in fallback: the symbolic
// sizes, shifts, counts and pads are scalars in kernels there, and must
// give PyTorch's values at all three shapes as the engines do.
func TestZooSymIntInFallback(t *testing.T) {
	dir := filepath.Join(zooDir(), "ops_symint")
	meta := readZooMeta(t, dir)
	for _, form := range []string{"model.pt2", "model_decomposed.pt2"} {
		tmp := t.TempDir()
		bundle := filepath.Join(tmp, "fb.trtb")
		rep := filepath.Join(tmp, "report.json")
		mustTrtc(t, "compile", filepath.Join(dir, form), "-o", bundle, "--min-block-size", "1000000", "--report", rep)
		if r := readReport(t, rep); r.ConvertedNodes != 0 {
			t.Fatalf("%s: %d nodes in engines, want none", form, r.ConvertedNodes)
		}
		for _, set := range meta.Sets {
			out := filepath.Join(tmp, "out_"+set.Name)
			args := []string{"run", bundle, "--output-dir", out}
			for _, name := range meta.InputNames {
				args = append(args, "--input", name+"="+filepath.Join(dir, set.Inputs[name]))
			}
			mustTrtc(t, args...)
			for o, file := range set.Expected {
				want, err := tensorio.ReadNPY(filepath.Join(dir, file))
				if err != nil {
					t.Fatal(err)
				}
				got, err := tensorio.ReadNPY(filepath.Join(out, o+".npy"))
				if err != nil {
					t.Fatal(err)
				}
				if d := tensorio.Diff(got, want, 1e-6, 1e-6); !d.OK {
					t.Errorf("%s set %s, %s: %s", form, set.Name, o, d)
				}
			}
		}
	}
}
