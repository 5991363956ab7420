package nodetests

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/internal/testenv"
	"github.com/trtc-dev/trtc/pkg/backend"
	_ "github.com/trtc-dev/trtc/pkg/backend/reference"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/frontend/onnx"
	"github.com/trtc-dev/trtc/pkg/ir"
	trt "github.com/trtc-dev/trtc/pkg/runtime"
	"github.com/trtc-dev/trtc/pkg/tensorio"
)

// Tolerances: the suite's runner uses rtol 1e-3, atol 1e-7; float32 CPU
// kernels that sum in another order need a little more absolute slack.
const (
	rtol = 1e-3
	atol = 1e-5
)

type outcome struct {
	status string // pass, fail, skip
	detail string
	// converted counts nodes that ran in engines (converted mode).
	converted, total int
}

// runCase compiles and runs one case; mode is "converted" or "fallback".
func runCase(t *testing.T, dir, mode string) (out outcome) {
	defer func() {
		if p := recover(); p != nil {
			out = outcome{status: "fail", detail: fmt.Sprintf("panic: %v\n%s", p, debug.Stack())}
		}
	}()
	g, err := onnx.Load(filepath.Join(dir, "model.onnx"))
	if err != nil {
		return outcome{status: "skip", detail: "model: " + err.Error()}
	}
	s := &conversion.Settings{MinBlockSize: 1, Backend: "reference"}
	if mode == "fallback" {
		for op := range g.OpCounts() {
			s.FallbackOps = append(s.FallbackOps, op)
		}
	}
	inputs := append([]string(nil), g.Inputs...)
	outputs := append([]string(nil), g.Outputs...)
	folded, err := compiler.Prepare(g, dir, s)
	var unsupported *compiler.UnsupportedOpsError
	if errors.As(err, &unsupported) {
		return outcome{status: "skip", detail: "unsupported: " + strings.Join(ir.SortedKeys(unsupported.Ops), ",")}
	}
	var dtype *compiler.UnsupportedDTypeError
	if errors.As(err, &dtype) {
		return outcome{status: "skip", detail: err.Error()}
	}
	if err != nil {
		return outcome{status: "fail", detail: "prepare: " + err.Error()}
	}
	res, err := compiler.Compile(g, dir, folded, compiler.Options{Settings: s, Registry: converters.Builtin(),
		Build: backend.BuildOptions{Profiles: dataProfile(dir, inputs)}})
	if err != nil {
		return outcome{status: "fail", detail: "compile: " + err.Error()}
	}
	path := filepath.Join(t.TempDir(), "case.trtb")
	if err := compiler.WriteBundle(res, filepath.Join(dir, "model.onnx"), path); err != nil {
		return outcome{status: "fail", detail: "bundle: " + err.Error()}
	}
	prog, err := trt.Open(path)
	if err != nil {
		return outcome{status: "fail", detail: "open: " + err.Error()}
	}
	defer prog.Close()
	sets, _ := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	sort.Strings(sets)
	for _, set := range sets {
		in := map[string]*ir.Tensor{}
		for i, name := range inputs {
			tensor, _, err := onnx.ReadTensorFile(filepath.Join(set, fmt.Sprintf("input_%d.pb", i)))
			if err != nil {
				return outcome{status: "skip", detail: "input: " + err.Error()}
			}
			in[name] = tensor
		}
		got, err := prog.Run(in)
		if err != nil {
			return outcome{status: "fail", detail: "run: " + err.Error()}
		}
		for i, name := range outputs {
			want, _, err := onnx.ReadTensorFile(filepath.Join(set, fmt.Sprintf("output_%d.pb", i)))
			if err != nil {
				return outcome{status: "skip", detail: "output: " + err.Error()}
			}
			if d := tensorio.Diff(got[name], want, atol, rtol); !d.OK {
				return outcome{status: "fail", detail: fmt.Sprintf("%s output %q: %s", filepath.Base(set), name, d)}
			}
		}
	}
	return outcome{status: "pass", converted: res.Partition.Converted(), total: len(res.Partition.Nodes)}
}

// dataProfile is the optimization profile a TensorRT user would give for
// the case's data (trtexec --minShapes/--optShapes/--maxShapes): each
// input's dims and, for a small integer input that the engine may use as a
// shape tensor (reshape dims, pads, resize sizes), its values, from the
// smallest to the largest over the case's data sets (opt: the first set).
// Backends ignore values for inputs that are not shape tensors; without
// them TensorRT cannot build an engine that reads such an input.
func dataProfile(dir string, inputs []string) []backend.Profile {
	sets, _ := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	sort.Strings(sets)
	p := backend.Profile{Min: map[string][]int64{}, Opt: map[string][]int64{}, Max: map[string][]int64{},
		MinValues: map[string][]int64{}, OptValues: map[string][]int64{}, MaxValues: map[string][]int64{}}
	ragged := map[string]bool{} // ranks differ between sets: left out
	widen := func(mn, op, mx map[string][]int64, name string, v []int64) {
		if ragged[name] {
			return
		}
		if _, ok := mn[name]; !ok {
			mn[name], op[name], mx[name] = slices.Clone(v), slices.Clone(v), slices.Clone(v)
			return
		}
		if len(mn[name]) != len(v) {
			ragged[name] = true
			delete(mn, name)
			delete(op, name)
			delete(mx, name)
			return
		}
		for i := range v {
			mn[name][i], mx[name][i] = min(mn[name][i], v[i]), max(mx[name][i], v[i])
		}
	}
	for _, set := range sets {
		for i, name := range inputs {
			t, _, err := onnx.ReadTensorFile(filepath.Join(set, fmt.Sprintf("input_%d.pb", i)))
			if err != nil {
				return nil
			}
			widen(p.Min, p.Opt, p.Max, name, t.Shape)
			if (t.DType == ir.Int64 || t.DType == ir.Int32) && len(t.Shape) <= 1 && t.Numel() <= 64 {
				widen(p.MinValues, p.OptValues, p.MaxValues, name, t.Ints())
			}
		}
	}
	return []backend.Profile{p}
}

// knownFailures reads known_failures.txt: "mode case  # reason" lines.
func knownFailures(t *testing.T) map[string]string {
	f, err := os.Open("known_failures.txt")
	if err != nil {
		t.Fatalf("known_failures.txt: %v", err)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		reason := ""
		if i := strings.Index(line, "#"); i >= 0 {
			line, reason = strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+1:])
		}
		fields := strings.Fields(line)
		if len(fields) != 2 || (fields[0] != "converted" && fields[0] != "fallback" && fields[0] != "both") {
			t.Fatalf("known_failures.txt: bad line %q (want: converted|fallback|both CASE # reason)", line)
		}
		if fields[0] == "both" {
			m["converted "+fields[1]] = reason
			m["fallback "+fields[1]] = reason
		} else {
			m[fields[0]+" "+fields[1]] = reason
		}
	}
	return m
}

func TestNodeSuite(t *testing.T) {
	root := testenv.NodeTestsDir(t)
	if testing.Short() {
		t.Skip("the node suite takes about a minute; skipped with -short")
	}
	cases, _ := filepath.Glob(filepath.Join(root, "test_*"))
	sort.Strings(cases)
	if len(cases) < 1000 {
		t.Fatalf("found %d cases in %s, expected about 1,800", len(cases), root)
	}
	known := knownFailures(t)
	report := os.Getenv("TRTC_NODE_REPORT") // write every outcome here
	var lines []string
	for _, mode := range []string{"converted", "fallback"} {
		counts := map[string]int{}
		fullyConverted := 0
		var regressions, fixed []string
		for _, dir := range cases {
			name := filepath.Base(dir)
			o := runCase(t, dir, mode)
			counts[o.status]++
			key := mode + " " + name
			_, isKnown := known[key]
			switch {
			case o.status == "fail" && !isKnown:
				regressions = append(regressions, fmt.Sprintf("%s: %s", name, firstLine(o.detail)))
			case o.status == "pass" && isKnown:
				fixed = append(fixed, name)
			}
			if o.status == "pass" && o.total > 0 && o.converted == o.total {
				fullyConverted++
			}
			lines = append(lines, fmt.Sprintf("%s %s %s %d/%d %s", mode, o.status, name, o.converted, o.total, firstLine(o.detail)))
		}
		t.Logf("%s: %d passed, %d failed, %d skipped of %d cases; %d passed with every node in engines",
			mode, counts["pass"], counts["fail"], counts["skip"], len(cases), fullyConverted)
		if len(fixed) > 0 {
			t.Logf("%s: %d case(s) in known_failures.txt now pass; remove them: %s", mode, len(fixed), strings.Join(fixed, " "))
		}
		if len(regressions) > 0 {
			t.Errorf("%s: %d case(s) failed that are not in known_failures.txt:\n  %s", mode, len(regressions), strings.Join(regressions, "\n  "))
		}
	}
	if report != "" {
		if err := os.WriteFile(report, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Error(err)
		}
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
