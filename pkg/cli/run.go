package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/trtc-dev/trtc/internal/atomicfile"
	"github.com/trtc-dev/trtc/pkg/bundle"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
	"github.com/trtc-dev/trtc/pkg/runtime"
	"github.com/trtc-dev/trtc/pkg/tensorio"
)

// RunOptions are `trtc run`'s inputs.
type RunOptions struct {
	IO        *IO
	Bundle    string
	Inputs    []string
	OutputDir string
	// OutputFormat is auto, npy, pb or npy-f32 (tensorio.OutputFormat).
	OutputFormat string
	// Expect is a directory of <output name>.npy or .pb files to compare
	// with.
	Expect     string
	Atol, Rtol float64
	// Stats prints the run time and the bytes that crossed between host
	// and device memory.
	Stats bool
	// Device selects the GPU engines run on (index or UUID).
	Device string
	// Plugins are loaded before the bundle is opened: a bundle whose
	// fallback segments run ops a plugin defined needs that plugin.
	Plugins []string
	// TRTPluginLibs are TensorRT plugin libraries (--trt-plugin-lib).
	TRTPluginLibs []string
}

// NewCmdRun builds `trtc run`.
func NewCmdRun(streams *IO, runF func(*RunOptions) error) *cobra.Command {
	opts := &RunOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "run BUNDLE --input FILE | --input NAME=FILE ...",
		Short: "Execute a bundle on inputs from .npy or ONNX TensorProto .pb files",
		Long: `Run executes BUNDLE: engines through their backend, fallback segments through
trtc's CPU kernels. Inputs are .npy files or serialized ONNX TensorProto .pb
files. A single unnamed --input binds to the model's single input; otherwise
give NAME=FILE. Each output is written as DIR/<output name>.npy.

.npy has no bfloat16, float8, float4e2m1, int4, uint4, int2 or uint2 type.
With --output-format auto (the default) outputs of those dtypes are written
as serialized ONNX TensorProto files, DIR/<output name>.pb, which
onnx.numpy_helper reads; --output-format npy-f32 writes them as float32 .npy
instead (exact: each of their values is a float32 value), pb writes every
output as .pb, and npy fails on them. --expect reads DIR/<output name>.npy,
or DIR/<output name>.pb when there is no .npy; a float32 reference is
compared with such an output widened to float32.

Engines that run on a GPU keep their tensors in device memory; values
cross to the host only where a fallback segment or the caller reads them.
--stats prints the run time and those bytes ("bytes crossed: H2D n, D2H m"),
which are also logged at info level. A bundle whose engines were built for
another GPU or TensorRT version is refused before anything is loaded, with
exit code 10. A bundle whose fallback segments run ops defined by a plugin
needs that plugin, the same build (--plugin, the config's plugins:,
TRTC_PLUGINS); without it, or with another build, run exits 8 before
anything runs.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Bundle = args[0]
			opts.Plugins = append(opts.Plugins, streams.extraPlugins...)
			if runF != nil {
				return runF(opts)
			}
			return runRun(opts)
		},
	}
	cmd.Flags().StringArrayVarP(&opts.Inputs, "input", "i", nil, "input tensor FILE or NAME=FILE (repeatable)")
	cmd.Flags().StringVar(&opts.OutputDir, "output-dir", ".", "directory for the output .npy files")
	cmd.Flags().StringVar(&opts.OutputFormat, "output-format", string(tensorio.FormatAuto), "output files: auto (.npy, or ONNX TensorProto .pb for dtypes .npy lacks: bfloat16, float8, float4, int4, int2), npy, pb, or npy-f32 (those dtypes widened to float32 .npy)")
	cmd.Flags().StringVar(&opts.Expect, "expect", "", "compare each output with DIR/<output name>.npy (or .pb); exit 9 on a mismatch")
	cmd.Flags().Float64Var(&opts.Atol, "atol", 1e-4, "absolute tolerance for --expect")
	cmd.Flags().Float64Var(&opts.Rtol, "rtol", 1e-3, "relative tolerance for --expect")
	cmd.Flags().BoolVar(&opts.Stats, "stats", false, "print the run time and the bytes copied between host and device")
	cmd.Flags().StringVar(&opts.Device, "device", "", "GPU to run engines on: an index as `trtc devices` lists them, or a UUID (default: GPU 0)")
	cmd.Flags().StringArrayVar(&opts.Plugins, "plugin", nil, "plugin .so defining ops the bundle runs (repeatable)")
	cmd.Flags().StringArrayVar(&opts.TRTPluginLibs, "trt-plugin-lib", nil, "TensorRT plugin library the bundle's TensorRT engines need (repeatable)")
	return cmd
}

func runRun(opts *RunOptions) error {
	if st, err := os.Stat(opts.OutputDir); err == nil && !st.IsDir() {
		return usageErrorf("--output-dir %s is not a directory", opts.OutputDir)
	}
	if opts.OutputFormat == "" {
		opts.OutputFormat = string(tensorio.FormatAuto)
	}
	format, err := tensorio.ParseOutputFormat(opts.OutputFormat)
	if err != nil {
		return opts.IO.badValue("output-format", "%v", err)
	}
	// NaN would make every comparison pass, a negative tolerance every
	// one fail, an infinite one every one pass.
	if err := checkTolerances(opts.IO, opts.Atol, opts.Rtol); err != nil {
		return err
	}
	if _, err := loadRegistry(opts.Plugins, opts.IO.Log); err != nil {
		return err
	}
	ropts := runtime.Options{TRTPluginLibs: opts.TRTPluginLibs}
	if opts.Device != "" {
		gpu, err := selectDevice(opts.IO, opts.Device, "")
		if err != nil {
			return err
		}
		ropts.GPU = gpu
	}
	disp := newProgress(opts.IO, "run "+filepath.Base(opts.Bundle))
	defer disp.done()
	segStart := time.Now()
	ropts.OnSegment = func(done, total int) {
		opts.IO.Log.Debug().Str("stage", "run").Int("segment", done-1).Dur("elapsed_ms", time.Since(segStart)).Msg("segment ran")
		segStart = time.Now()
		disp.stage("segment", done, total)
	}
	start := time.Now()
	prog, err := openProgram(opts.Bundle, ropts)
	if err != nil {
		return err
	}
	defer prog.Close()
	opts.IO.Log.Info().Str("stage", "load").Str("file", opts.Bundle).Int("segments", len(prog.Segments())).
		Dur("elapsed_ms", time.Since(start)).Msg("bundle loaded")
	if len(opts.Inputs) == 0 && len(prog.Inputs) > 0 {
		names := make([]string, len(prog.Inputs))
		for i, v := range prog.Inputs {
			names[i] = v.Name
		}
		return usageErrorf("no --input given; the model has %d input(s): %s", len(prog.Inputs), strings.Join(names, ", "))
	}
	// Every output file must be writable as a regular file before the run:
	// a device, FIFO or socket in its place is refused, not replaced.
	for _, o := range prog.Outputs {
		path := filepath.Join(opts.OutputDir, safeFileName(o.Name)+".npy")
		if _, err := atomicfile.Target(path); err != nil {
			return usageErrorf("output %q: %v", o.Name, err)
		}
	}
	inputs, err := bindInputs(opts.Inputs, prog.Inputs)
	if err != nil {
		return err
	}
	disp.stage("segment", 0, len(prog.Segments()))
	start, segStart = time.Now(), time.Now()
	outs, err := prog.Run(inputs)
	disp.done()
	if err != nil {
		return runError(err)
	}
	elapsed := time.Since(start)
	if err := os.MkdirAll(opts.OutputDir, 0o755); err != nil {
		return withCode(ExitInput, err)
	}
	for _, o := range prog.Outputs {
		path, err := tensorio.WriteOutput(opts.OutputDir, safeFileName(o.Name), o.Name, outs[o.Name], format)
		if err != nil {
			return withFields(withCode(ExitRun, fmt.Errorf("writing output %q: %w", o.Name, err)), "tensor", o.Name, "file", path)
		}
		fmt.Fprintf(opts.IO.Out, "%s %v%v -> %s\n", o.Name, outs[o.Name].DType, ir.S(outs[o.Name].Shape...), path)
	}
	tr := prog.Transfers()
	opts.IO.Log.Info().Str("stage", "run").Dur("elapsed_ms", elapsed).Int("segments", len(prog.Segments())).
		Int64("h2d_bytes", tr.H2D).Int64("d2h_bytes", tr.D2H).Msg("ran bundle")
	if opts.Stats {
		fmt.Fprintf(opts.IO.Out, "ran %d segment(s) in %v; %s\n", len(prog.Segments()), elapsed.Round(time.Microsecond), tr)
	}
	if opts.Expect != "" {
		return expectOutputs(opts, prog.Outputs, outs)
	}
	return nil
}

// openProgram opens a bundle to run, giving each failure its exit code:
// 10 for a build target this machine cannot run, 8 for a missing plugin,
// 3 for a missing or malformed file, 7 otherwise.
func openProgram(path string, ropts runtime.Options) (*runtime.Program, error) {
	prog, err := runtime.OpenWith(path, ropts)
	if err == nil {
		return prog, nil
	}
	err = withFields(err, "file", path)
	var te *runtime.TargetError
	if errors.As(err, &te) {
		return nil, withCode(ExitNoGPU, err)
	}
	var pe *runtime.PluginError
	var le *runtime.TRTPluginLibError
	var me *ops.MissingOpError
	if errors.As(err, &pe) || errors.As(err, &le) || errors.As(err, &me) {
		return nil, withCode(ExitPlugin, err)
	}
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, bundle.ErrCorrupt) || errors.Is(err, bundle.ErrNotBundle) || errors.Is(err, bundle.ErrVersion) {
		return nil, withCode(ExitInput, err)
	}
	return nil, withCode(ExitRun, err)
}

// runError gives an error of Program.Run its exit code: 3 for inputs that
// do not match the model (naming the input), 8 for a plugin op, 7
// otherwise.
func runError(err error) error {
	var ie *runtime.InputError
	if errors.As(err, &ie) {
		if m := inputName.FindStringSubmatch(ie.Error()); m != nil {
			err = withFields(err, "tensor", m[1])
		}
		return withCode(ExitInput, err)
	}
	var pe *ops.PluginOpError
	if errors.As(err, &pe) {
		return withCode(ExitPlugin, err)
	}
	return withCode(ExitRun, err)
}

// inputName finds the input a runtime.InputError is about (its messages
// start `input "name"`), for the JSON error's "tensor" field.
var inputName = regexp.MustCompile(`^input "((?:[^"\\]|\\.)*)"`)

// expectOutputs compares outputs with reference files.
func expectOutputs(opts *RunOptions, want []runtime.Value, outs map[string]*ir.Tensor) error {
	var bad []string
	for _, o := range want {
		path := filepath.Join(opts.Expect, safeFileName(o.Name)+".npy")
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			if pb := strings.TrimSuffix(path, ".npy") + ".pb"; fileExists(pb) {
				path = pb
			}
		}
		ref, _, err := tensorio.ReadAuto(path)
		if err != nil {
			return withFields(withCode(ExitInput, fmt.Errorf("--expect: %w", err)), "tensor", o.Name, "file", path)
		}
		got := outs[o.Name]
		if got != nil && ref.DType == ir.Float32 && !tensorio.NPYHas(got.DType) {
			got = tensorio.AsFloat32(got) // a reference written with npy-f32
		}
		d := tensorio.Diff(got, ref, opts.Atol, opts.Rtol)
		fmt.Fprintf(opts.IO.Out, "%s: %s\n", o.Name, d)
		if !d.OK {
			bad = append(bad, o.Name)
		}
	}
	if len(bad) > 0 {
		return withFields(&ExitError{Code: ExitMismatch, Err: fmt.Errorf("%d output(s) differ from %s beyond atol %g, rtol %g: %s",
			len(bad), opts.Expect, opts.Atol, opts.Rtol, strings.Join(bad, ", "))}, "tensors", bad)
	}
	return nil
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// safeFileName keeps an output name usable as a file name.
func safeFileName(name string) string {
	r := strings.NewReplacer("/", "_", "\\", "_", ":", "_", "..", "_")
	if name = r.Replace(name); name == "" {
		name = "output"
	}
	return name
}

// bindInputs reads the --input files and binds them to graph inputs.
func bindInputs(specs []string, want []runtime.Value) (map[string]*ir.Tensor, error) {
	out := map[string]*ir.Tensor{}
	names := make([]string, len(want))
	for i, v := range want {
		names[i] = v.Name
	}
	for _, spec := range specs {
		name, file := "", spec
		if i := strings.IndexByte(spec, '='); i > 0 {
			name, file = spec[:i], spec[i+1:]
		}
		if name == "" {
			if len(specs) != 1 || len(want) != 1 {
				return nil, withFields(usageErrorf("--input %s has no name, but the model has %d inputs (%s): use NAME=FILE", spec, len(want), strings.Join(names, ", ")), "file", file)
			}
			name = want[0].Name
		}
		if _, dup := out[name]; dup {
			return nil, withFields(usageErrorf("input %q is given twice", name), "tensor", name)
		}
		t, _, err := tensorio.ReadAuto(file)
		if err != nil {
			return nil, withFields(withCode(ExitInput, fmt.Errorf("input %q: %w", name, err)), "tensor", name, "file", file)
		}
		out[name] = t
	}
	return out, nil
}
