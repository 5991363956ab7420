package cli

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/partition"
	"github.com/trtc-dev/trtc/pkg/runtime"
	"github.com/trtc-dev/trtc/pkg/tensorio"
)

// CompareOptions are `trtc compare`'s inputs: the compile flags (the same
// set as `trtc compile`'s, addBuildFlags) and how to feed and judge the
// two runs.
type CompareOptions struct {
	Compile CompileOptions
	// Inputs are --input FILE or NAME=FILE; inputs not given are
	// generated from Seed within InputRanges.
	Inputs      []string
	Seed        int
	InputRanges []string
	Atol, Rtol  float64
	Output      string // text or json
	// Layerwise marks every computed tensor as an output and reports the
	// first ones beyond the tolerance.
	Layerwise bool
}

// NewCmdCompare builds `trtc compare`.
func NewCmdCompare(streams *IO, runF func(*CompareOptions) error) *cobra.Command {
	opts := &CompareOptions{Compile: CompileOptions{IO: streams}}
	cmd := &cobra.Command{
		Use:   "compare MODEL [compile flags] [--input NAME=FILE ...]",
		Short: "Compile a model and compare its outputs with a float32 run of the same model",
		Long: `Compare compiles MODEL as trtc compile would with the same flags, runs it,
and runs the same model with every node as a fallback segment in float32
(the oracle: trtc's CPU kernels, no engine), on the same inputs. For each
output it prints the maximum and mean absolute and relative error and
PASSED or FAILED against |a-b| <= atol + rtol*|b|, b being the oracle's
value (Polygraphy's check). A FAILED output exits 9.

Inputs not given with --input are generated from --seed: floats uniformly
in [LO, HI), integers uniformly among LO..HI (both included), bools 0 or 1,
with LO,HI from --input-range (NAME=LO,HI for one input, LO,HI for the
rest; default 0,1, Polygraphy's). A dynamic dim takes the optimization
profile's opt size (--opt-shapes), else its range's lower bound, else 1
(with a warning); --shapes fixes it.

--layerwise makes every tensor the model computes an output of the engine
or fallback segment computing it (Polygraphy's --mark-all), compares each,
and names the first ones, in topological order, beyond the tolerance: the
node, its op, its segment and the engine layer that produced it, and
whether its own inputs were still within tolerance (where the error
starts). Marked tensors cannot be fused away, so the engine may round
differently from one built without --layerwise.

A model that does not compile exits with compile's code and message.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Compile.Model = args[0]
			opts.Compile.finish(cmd)
			if runF != nil {
				return runF(opts)
			}
			return compareRun(opts)
		},
	}
	f := cmd.Flags()
	addBuildFlags(f, &opts.Compile)
	f.StringArrayVarP(&opts.Inputs, "input", "i", nil, "input tensor FILE or NAME=FILE, .npy or TensorProto .pb (repeatable; inputs not given are generated)")
	f.IntVar(&opts.Seed, "seed", 1, "seed of the generated inputs")
	f.StringArrayVar(&opts.InputRanges, "input-range", nil, "range of generated values, LO,HI for every input or NAME=LO,HI for one (repeatable; default 0,1: floats in [0,1), integers 0 or 1)")
	f.Float64Var(&opts.Atol, "atol", 1e-4, "absolute tolerance: an element passes if |a-b| <= atol + rtol*|b|")
	f.Float64Var(&opts.Rtol, "rtol", 1e-3, "relative tolerance (see --atol)")
	f.StringVarP(&opts.Output, "output", "o", "text", "output format: text or json")
	f.BoolVar(&opts.Layerwise, "layerwise", false, "compare every tensor the model computes and name the first ones beyond the tolerance")
	return cmd
}

// CompareResult is `trtc compare -o json`.
type CompareResult struct {
	Model   string          `json:"model"`
	Backend string          `json:"backend"`
	Seed    int             `json:"seed"`
	Atol    float64         `json:"atol"`
	Rtol    float64         `json:"rtol"`
	Inputs  []CompareInput  `json:"inputs"`
	Outputs []TensorCompare `json:"outputs"`
	Passed  bool            `json:"passed"`
	// Layerwise is set with --layerwise.
	Layerwise *LayerwiseResult `json:"layerwise,omitempty"`
}

// CompareInput says where one input came from.
type CompareInput struct {
	Name  string  `json:"name"`
	DType string  `json:"dtype"`
	Shape []int64 `json:"shape"`
	// File is the --input file; empty for a generated input, which has
	// Range.
	File  string      `json:"file,omitempty"`
	Range *[2]float64 `json:"range,omitempty"`
}

// TensorCompare is one tensor's comparison (tensorio.Comparison).
type TensorCompare struct {
	Name         string  `json:"name"`
	DType        string  `json:"dtype"`
	Shape        []int64 `json:"shape"`
	MaxAbsError  float64 `json:"max_abs_error"`
	MeanAbsError float64 `json:"mean_abs_error"`
	MaxRelError  float64 `json:"max_rel_error"`
	MeanRelError float64 `json:"mean_rel_error"`
	// MaxAbsIndex is the flat index of the largest absolute error, -1
	// when there is none.
	MaxAbsIndex int    `json:"max_abs_index"`
	Mismatched  int    `json:"mismatched"`
	Elements    int    `json:"elements"`
	Passed      bool   `json:"passed"`
	Reason      string `json:"reason,omitempty"`
	// Layerwise only: where the tensor comes from.
	Node    string `json:"node,omitempty"`
	Op      string `json:"op,omitempty"`
	Segment *int   `json:"segment,omitempty"`
	Kind    string `json:"kind,omitempty"`
	Layer   string `json:"layer,omitempty"`
	// FirstDivergence says that every input of the tensor's node is
	// within tolerance (or a model input or constant): the error starts
	// at this node.
	FirstDivergence bool `json:"first_divergence,omitempty"`
}

// LayerwiseResult is --layerwise's finding: the tensors beyond the
// tolerance, in topological order.
type LayerwiseResult struct {
	Compared int             `json:"compared"`
	Failed   []TensorCompare `json:"failed"`
}

// layerwiseShown is how many failing tensors the text output lists.
const layerwiseShown = 10

func compareRun(opts *CompareOptions) error {
	streams := opts.Compile.IO
	if err := checkTolerances(streams, opts.Atol, opts.Rtol); err != nil {
		return err
	}
	if opts.Output != "text" && opts.Output != "json" {
		return streams.badValue("output", "must be text or json, not %q", opts.Output)
	}
	ranges, err := parseInputRanges(streams, opts.InputRanges)
	if err != nil {
		return err
	}
	bs, err := opts.Compile.resolveBuild()
	if err != nil {
		return err
	}
	bs.cache = opts.Compile.openCache()
	tmp, err := os.MkdirTemp("", "trtc-compare-")
	if err != nil {
		return withCode(ExitInput, fmt.Errorf("temporary folder for the compared bundles: %w", err))
	}
	defer os.RemoveAll(tmp)

	model := opts.Compile.Model
	disp := newProgress(streams, "compare "+filepath.Base(model))
	defer disp.done()
	res, err := compileModel(&opts.Compile, bs, disp, opts.Layerwise)
	if err != nil {
		if isBundle(model) {
			return withCode(exitCode(err), fmt.Errorf("%s is a trtc bundle: compare takes the model it was compiled from (trtc run --expect compares a bundle's outputs with files): %w", model, err))
		}
		return err
	}
	if err := interrupted(opts.Compile.ctx); err != nil {
		return err
	}
	// The oracle: the same profiles, no precision flags.
	obuild := bs.build
	obuild.Precision = backend.PrecisionFlags{}
	oracle, err := compileModel(oracleOptions(&opts.Compile), &buildSetup{shapes: bs.shapes, build: obuild}, disp, opts.Layerwise)
	if err != nil {
		return withCode(exitCode(err), fmt.Errorf("the float32 oracle (every node as fallback): %w", err))
	}
	if err := interrupted(opts.Compile.ctx); err != nil {
		return err
	}
	progs := make([]*runtime.Program, 2)
	for i, r := range []*compiler.Result{res, oracle} {
		path := filepath.Join(tmp, fmt.Sprintf("%d.trtb", i))
		if err := compiler.WriteBundle(r, model, path); err != nil {
			return withFields(withCode(ExitBuild, err), "file", model)
		}
		ropts := runtime.Options{}
		if i == 0 {
			ropts.TRTPluginLibs = opts.Compile.TRTPluginLibs
			if opts.Compile.Device != "" {
				if ropts.GPU, err = selectDevice(streams, opts.Compile.Device, ""); err != nil {
					return err
				}
			}
		}
		progs[i], err = openProgram(path, ropts)
		// The program holds the bundle (mapped, or read): the file goes at
		// once, so that no compare bundle outlives an interrupted run.
		os.Remove(path)
		if err != nil {
			return err
		}
		defer progs[i].Close()
	}
	var profileOpt map[string][]int64
	if len(bs.build.Profiles) > 0 {
		profileOpt = bs.build.Profiles[0].Opt
	}
	inputs, described, err := prepareInputs(streams, model, opts.Inputs, ranges, opts.Seed, progs[0], profileOpt)
	if err != nil {
		return err
	}
	disp.stage("run", 0, 0)
	got, err := progs[0].Run(inputs)
	if err != nil {
		return runError(err)
	}
	if err := interrupted(opts.Compile.ctx); err != nil {
		return err
	}
	want, err := progs[1].Run(inputs)
	if err != nil {
		return withCode(exitCode(runError(err)), fmt.Errorf("the float32 oracle: %w", err))
	}
	disp.done()

	out := &CompareResult{Model: model, Backend: opts.Compile.Backend, Seed: opts.Seed, Atol: opts.Atol, Rtol: opts.Rtol,
		Inputs: described, Passed: true}
	marked := map[string]bool{}
	for _, name := range res.MarkedOutputs {
		marked[name] = true
	}
	var bad []string
	for _, o := range progs[0].Outputs {
		if marked[o.Name] {
			continue
		}
		tc := compareTensor(o.Name, got[o.Name], want[o.Name], opts.Atol, opts.Rtol)
		out.Outputs = append(out.Outputs, tc)
		if !tc.Passed {
			out.Passed = false
			bad = append(bad, o.Name)
		}
	}
	if opts.Layerwise {
		out.Layerwise = layerwise(res, oracle, got, want, opts.Atol, opts.Rtol)
	}
	if opts.Output == "json" {
		if err := writeJSON(streams.Out, out); err != nil {
			return err
		}
	} else {
		writeCompareText(streams.Out, out, res)
	}
	if len(bad) > 0 {
		return withFields(&ExitError{Code: ExitMismatch, Err: fmt.Errorf("%d output(s) of %s differ from the float32 oracle beyond atol %g, rtol %g: %s",
			len(bad), model, opts.Atol, opts.Rtol, strings.Join(bad, ", "))}, "tensors", bad)
	}
	return nil
}

// oracleOptions are the compile options of the oracle: the same model,
// shapes and plugins, every node forced to fallback ("*.*" matches every
// op key), on the reference backend (which then builds no engine), with
// no engine cache.
func oracleOptions(o *CompileOptions) *CompileOptions {
	return &CompileOptions{IO: o.IO, Model: o.Model, Format: o.Format, MinBlockSize: 1, FallbackOps: []string{"*.*"},
		Backend: "reference", Plugins: o.Plugins, NoCache: true, ctx: o.ctx}
}

// checkTolerances refuses tolerances that make every comparison pass or
// fail: NaN, infinite or negative ones.
func checkTolerances(streams *IO, atol, rtol float64) error {
	for _, t := range []struct {
		name string
		v    float64
	}{{"atol", atol}, {"rtol", rtol}} {
		if t.v < 0 || math.IsNaN(t.v) || math.IsInf(t.v, 0) {
			return streams.badValue(t.name, "must be a finite number >= 0, got %v", t.v)
		}
	}
	return nil
}

// inputRanges are --input-range's entries: per input name, and "" for
// every input not named.
type inputRanges map[string]tensorio.Range

// parseInputRanges reads LO,HI and NAME=LO,HI entries.
func parseInputRanges(streams *IO, entries []string) (inputRanges, error) {
	out := inputRanges{}
	for _, e := range entries {
		name, spec := "", e
		if i := strings.LastIndexByte(e, '='); i >= 0 {
			name, spec = e[:i], e[i+1:]
			if name == "" {
				return nil, streams.badValue("input-range", "%q: want LO,HI or NAME=LO,HI such as 0,1 or ids=0,50256", e)
			}
		}
		parts := strings.Split(spec, ",")
		if len(parts) != 2 {
			return nil, streams.badValue("input-range", "%q: want LO,HI or NAME=LO,HI such as 0,1 or ids=0,50256", e)
		}
		var r [2]float64
		for i, p := range parts {
			v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil {
				return nil, streams.badValue("input-range", "%q: %q is not a number", e, strings.TrimSpace(p))
			}
			r[i] = v
		}
		rg := tensorio.Range{Lo: r[0], Hi: r[1]}
		if err := tensorio.CheckRange(ir.Float64, rg); err != nil {
			return nil, streams.badValue("input-range", "%q: %v", e, err)
		}
		if _, dup := out[name]; dup {
			what := "a range for every input"
			if name != "" {
				what = fmt.Sprintf("input %q", name)
			}
			return nil, streams.badValue("input-range", "%s is given twice", what)
		}
		out[name] = rg
	}
	return out, nil
}

// prepareInputs reads the --input files (specs) and generates the other
// inputs of prog from seed within ranges (compare and bench); what names
// the model or bundle in messages.
func prepareInputs(streams *IO, what string, specs []string, ranges inputRanges, seed int, prog *runtime.Program, profileOpt map[string][]int64) (map[string]*ir.Tensor, []CompareInput, error) {
	names := valueNames(prog.Inputs)
	for _, name := range ir.SortedKeys(ranges) {
		if name != "" && !contains(names, name) {
			return nil, nil, streams.badValue("input-range", "%q is not an input of %s (its inputs: %s)", name, what, strings.Join(names, ", "))
		}
	}
	if len(specs) == 1 && !strings.Contains(specs[0], "=") && len(prog.Inputs) == 1 {
		specs = []string{prog.Inputs[0].Name + "=" + specs[0]}
	}
	for _, s := range specs {
		if !strings.Contains(s, "=") {
			return nil, nil, withFields(usageErrorf("--input %s has no name, but %s has %d inputs (%s): use NAME=FILE", s, what, len(names), strings.Join(names, ", ")), "file", s)
		}
	}
	inputs, err := bindInputs(specs, prog.Inputs)
	if err != nil {
		return nil, nil, err
	}
	files := map[string]string{}
	for _, s := range specs {
		i := strings.IndexByte(s, '=')
		files[s[:i]] = s[i+1:]
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x7472746320636d70)) // "trtc cmp"
	var described []CompareInput
	for _, in := range prog.Inputs {
		if t, ok := inputs[in.Name]; ok {
			described = append(described, CompareInput{Name: in.Name, DType: t.DType.String(), Shape: t.Shape, File: files[in.Name]})
			continue
		}
		shape := concreteShape(streams, prog, in, profileOpt)
		r, ok := ranges[in.Name]
		flag := "input-range"
		if !ok {
			if r, ok = ranges[""]; !ok {
				r = tensorio.DefaultRange
			}
		}
		if err := tensorio.CheckRange(in.DType, r); err != nil {
			return nil, nil, withFields(streams.badValue(flag, "input %q: %v", in.Name, err), "tensor", in.Name)
		}
		t, err := tensorio.Generate(fmt.Sprintf("input %q", in.Name), in.DType, shape, r, rng)
		if err != nil {
			return nil, nil, withFields(withCode(ExitInput, err), "tensor", in.Name)
		}
		inputs[in.Name] = t
		described = append(described, CompareInput{Name: in.Name, DType: in.DType.String(), Shape: shape, Range: &[2]float64{r.Lo, r.Hi}})
	}
	return inputs, described, nil
}

// concreteShape is a generated input's shape: its static dims, and for a
// dynamic dim the opt size of the engine profile that binds the input (or,
// where no engine reads it, of the first --opt-shapes profile), else the
// lower bound of the dim's symbol range, else 1 (with a warning
// saying how to choose it).
func concreteShape(streams *IO, prog *runtime.Program, in runtime.Value, profileOpt map[string][]int64) []int64 {
	opt, hasOpt := prog.OptShape(in.Name)
	if !hasOpt {
		opt, hasOpt = profileOpt[in.Name]
	}
	shape := make([]int64, len(in.Shape))
	for i, d := range in.Shape {
		switch {
		case d.Static():
			shape[i] = d.Size
		case hasOpt && i < len(opt):
			shape[i] = opt[i]
		case in.Min[d.Sym] > 0:
			shape[i] = in.Min[d.Sym]
		default:
			shape[i] = 1
			streams.Log.Warn().Str("tensor", in.Name).Msgf("input %q dim %d (%s) is dynamic and no optimization profile or range gives it a size: generated with size 1 (choose one with --shapes %s:DIMS or --input %s=FILE)",
				in.Name, i, d, in.Name, in.Name)
		}
	}
	return shape
}

func valueNames(vs []runtime.Value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Name
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func compareTensor(name string, got, want *ir.Tensor, atol, rtol float64) TensorCompare {
	c := tensorio.Compare(got, want, atol, rtol)
	tc := TensorCompare{Name: name, MaxAbsError: c.MaxAbs, MeanAbsError: c.MeanAbs, MaxRelError: c.MaxRel, MeanRelError: c.MeanRel,
		MaxAbsIndex: c.MaxAbsIndex, Mismatched: c.Mismatched, Elements: c.Elements, Passed: c.Passed, Reason: c.Reason, Shape: []int64{}}
	if got != nil {
		tc.DType, tc.Shape = got.DType.String(), got.Shape
	}
	// JSON has no infinity: a NaN against a number is reported as the
	// largest float64.
	for _, v := range []*float64{&tc.MaxAbsError, &tc.MeanAbsError, &tc.MaxRelError, &tc.MeanRelError} {
		if math.IsInf(*v, 1) || math.IsNaN(*v) {
			*v = math.MaxFloat64
		}
	}
	return tc
}

// layerwise compares every tensor both runs returned, in topological
// order, and describes those beyond the tolerance. Each is
// named by the model's node that computes it (the oracle's graph is the
// model's, lowered and folded; the candidate's may have nodes the compiler
// added, such as the autocast pass's casts), with the segment and engine
// layer that node became in the candidate.
func layerwise(res, oracle *compiler.Result, got, want map[string]*ir.Tensor, atol, rtol float64) *LayerwiseResult {
	lw := &LayerwiseResult{Failed: []TensorCompare{}}
	modelNodes := oracle.Graph.Producers()
	byName := map[string]*ir.Node{}
	segOf := map[*ir.Node]int{}
	for i, s := range res.Partition.Segments {
		for _, n := range s.Nodes {
			segOf[n] = i
			byName[n.Name] = n
		}
	}
	layers := map[int][]network.LayerInfo{}
	failed := map[string]bool{}
	// Every value both runs returned (the marked ones and the model's
	// outputs), in the model's topological order.
	var names []string
	for _, n := range oracle.Graph.Nodes {
		for _, o := range n.Outputs {
			if _, ok := want[o]; ok && o != "" {
				if _, ok := got[o]; ok {
					names = append(names, o)
				}
			}
		}
	}
	for _, name := range names {
		w := want[name]
		lw.Compared++
		tc := compareTensor(name, got[name], w, atol, rtol)
		if tc.Passed {
			continue
		}
		failed[name] = true
		if n := modelNodes[name]; n != nil {
			tc.Node, tc.Op = n.Name, n.Op
			tc.FirstDivergence = true
			for _, in := range n.Inputs {
				if failed[in] {
					tc.FirstDivergence = false
				}
			}
			if cn := byName[n.Name]; cn != nil {
				i := segOf[cn]
				seg := res.Partition.Segments[i]
				tc.Segment, tc.Kind = &i, seg.Kind.String()
				if seg.Kind == partition.Engine {
					if _, done := layers[i]; !done {
						layers[i] = engineLayers(res.Engines[seg])
					}
					tc.Layer = layerOf(layers[i], cn, name)
				}
			}
		}
		lw.Failed = append(lw.Failed, tc)
	}
	return lw
}

// engineLayers lists an engine's layers where its backend can.
func engineLayers(e *compiler.Engine) []network.LayerInfo {
	if e == nil {
		return nil
	}
	layers, _ := backend.DescribeLayers(e.Target.Backend, e.Blob)
	return layers
}

// layerOf names the layer that computes value for node n: the last of
// the layers named after n ("[Kind]-[op]-[n]", with an "_N" suffix for a
// node's further layers of a kind), which computes its output (also where
// the autocast pass made the node write a low-typed twin and cast it
// back); else the layer whose output is the value (a marked engine output
// carries the value's name).
func layerOf(layers []network.LayerInfo, n *ir.Node, value string) string {
	named, producer := "", ""
	for _, l := range layers {
		if strings.HasSuffix(l.Name, "-["+n.Name+"]") || strings.Contains(l.Name, "-["+n.Name+"]_") {
			named = l.Name
		}
		for _, t := range l.Outputs {
			if t.Name == value && producer == "" {
				producer = l.Name
			}
		}
	}
	if named != "" {
		return named
	}
	return producer
}

// num prints an error; the largest float64 stands for an infinite one
// (a NaN or an infinity against a finite value; compareTensor).
func num(v float64) string {
	if v == math.MaxFloat64 {
		return "inf"
	}
	return fmt.Sprintf("%.4g", v)
}

// writeCompareText prints the comparison in the manner of Polygraphy's
// `run --trt --onnxrt`: per output the tolerance, the absolute and
// relative error, and PASSED or FAILED; then the verdict.
func writeCompareText(w io.Writer, r *CompareResult, res *compiler.Result) {
	engines := 0
	for _, s := range res.Partition.Segments {
		if s.Kind == partition.Engine {
			engines++
		}
	}
	fmt.Fprintf(w, "Comparing %s: trtc (backend %s, %d engine(s) of %d segment(s)) against the float32 oracle (every node as fallback)\n",
		r.Model, r.Backend, engines, len(res.Partition.Segments))
	for _, in := range r.Inputs {
		if in.File != "" {
			fmt.Fprintf(w, "  input %q %s%v from %s\n", in.Name, in.DType, ir.S(in.Shape...), in.File)
		} else {
			fmt.Fprintf(w, "  input %q %s%v generated (seed %d, range %g,%g)\n", in.Name, in.DType, ir.S(in.Shape...), r.Seed, in.Range[0], in.Range[1])
		}
	}
	var names []string
	for _, o := range r.Outputs {
		fmt.Fprintf(w, "Output %q %s%v\n", o.Name, o.DType, ir.S(o.Shape...))
		fmt.Fprintf(w, "    Tolerance: abs=%g rel=%g (|a-b| <= abs + rel*|b|, b the oracle's)\n", r.Atol, r.Rtol)
		if o.Reason != "" {
			fmt.Fprintf(w, "    FAILED | %s\n", o.Reason)
			continue
		}
		at := ""
		if o.MaxAbsIndex >= 0 {
			at = fmt.Sprintf(" at index %d", o.MaxAbsIndex)
		}
		fmt.Fprintf(w, "    Absolute error | max=%s%s, mean=%s\n", num(o.MaxAbsError), at, num(o.MeanAbsError))
		fmt.Fprintf(w, "    Relative error | max=%s, mean=%s\n", num(o.MaxRelError), num(o.MeanRelError))
		verdict := "PASSED"
		if !o.Passed {
			verdict = "FAILED"
			names = append(names, o.Name)
		}
		fmt.Fprintf(w, "    %s | %d of %d element(s) beyond tolerance\n", verdict, o.Mismatched, o.Elements)
	}
	if lw := r.Layerwise; lw != nil {
		fmt.Fprintf(w, "Layerwise: %d tensor(s) compared, %d beyond tolerance", lw.Compared, len(lw.Failed))
		if len(lw.Failed) > 0 {
			fmt.Fprintf(w, "; the first in topological order:")
		}
		fmt.Fprintln(w)
		for i, t := range lw.Failed {
			if i == layerwiseShown {
				fmt.Fprintf(w, "    ... %d more (-o json lists all)\n", len(lw.Failed)-i)
				break
			}
			where := ""
			if t.Segment != nil {
				where = fmt.Sprintf(", segment %d (%s)", *t.Segment, t.Kind)
			}
			if t.Layer != "" {
				where += fmt.Sprintf(", layer %q", t.Layer)
			}
			first := ""
			if t.FirstDivergence {
				first = " <- error starts here (its inputs are within tolerance)"
			}
			fmt.Fprintf(w, "    %q from node %q (%s)%s%s\n", t.Name, t.Node, t.Op, where, first)
			if t.Reason != "" {
				fmt.Fprintf(w, "        %s\n", t.Reason)
				continue
			}
			fmt.Fprintf(w, "        abs error max=%s mean=%s, rel error max=%s mean=%s, %d of %d element(s) beyond tolerance\n",
				num(t.MaxAbsError), num(t.MeanAbsError), num(t.MaxRelError), num(t.MeanRelError), t.Mismatched, t.Elements)
		}
	}
	if r.Passed {
		fmt.Fprintf(w, "PASSED | all %d output(s) within tolerance\n", len(r.Outputs))
	} else {
		fmt.Fprintf(w, "FAILED | %d of %d output(s) beyond tolerance: %s\n", len(names), len(r.Outputs), strings.Join(names, ", "))
	}
}
