package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/trtc-dev/trtc/internal/atomicfile"
	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/backend/reference"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/enginecache"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
	"github.com/trtc-dev/trtc/pkg/partition"
	"github.com/trtc-dev/trtc/pkg/precision"
)

// CompileOptions are `trtc compile`'s inputs.
type CompileOptions struct {
	IO                     *IO
	Model                  string
	Output                 string
	Format                 string
	MinBlockSize           int
	FallbackOps            []string
	RequireFullCompilation bool
	Shapes                 []string
	Backend                string
	DryRun                 bool
	Report                 string
	Plugins                []string
	// TRTPluginLibs are TensorRT plugin libraries (--trt-plugin-lib)
	// loaded into the backend before the build and recorded in the bundle.
	TRTPluginLibs []string
	// Engine build settings: profiles for every backend, the rest for
	// TensorRT (the reference backend warns that they have no effect).
	MinShapes, OptShapes, MaxShapes []string
	Workspace                       string
	OptimizationLevel               int
	TimingCache                     string
	HardwareCompatibility           string
	VersionCompatible               bool
	// TRTVersion is the TensorRT release to build for (--trt-version
	// MAJOR.MINOR): the reference backend applies that release's rules and
	// converters use the layers it has. Empty: network.NewestVersion, or
	// with the TensorRT backend the loaded library's.
	TRTVersion string
	// Device selects the GPU engines are built for: an index as `trtc
	// devices` lists them, or a UUID; "" for the default (device 0).
	Device string
	// CacheDir is the engine cache; NoCache turns it off.
	CacheDir string
	NoCache  bool
	// PrecisionFlags are --fp16, --bf16, --int8, --fp8, --strongly-typed,
	// --keep-fp32 and --precision-constraints (docs/precision.md).
	PrecisionFlags

	ctx context.Context // cancelled by SIGINT/SIGTERM
}

// NewCmdCompile builds `trtc compile`; runF replaces compileRun in tests.
func NewCmdCompile(streams *IO, runF func(*CompileOptions) error) *cobra.Command {
	opts := &CompileOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "compile MODEL",
		Short: "Compile a model into a bundle of TensorRT engines and fallback segments",
		Long: `Compile parses MODEL (ONNX; format detected from content), checks every node
against the converter registry, cuts the graph into engine and fallback
segments, builds the engines and writes one bundle file.

With --dry-run nothing is written but the report: the coverage and partition
report is printed instead. --report writes the same report as JSON in either
case, and also when the compile fails (exits 3 to 8), with "outcome" and
"exit_code" saying how it ended.

Built engines are kept in the engine cache (--cache-dir); compiling an
unchanged model again reuses them (the report's segments say "cache":
"reused"). trtc cache list|clear manages it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Model = args[0]
			opts.finish(cmd)
			if runF != nil {
				return runF(opts)
			}
			return compileRun(opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Output, "output", "o", "", "bundle path (default: MODEL with extension .trtb)")
	f.BoolVar(&opts.DryRun, "dry-run", false, "report coverage and partitions; write no bundle")
	f.StringVar(&opts.Report, "report", "", "write the report as JSON to this file (also when the compile fails)")
	addBuildFlags(f, opts)
	return cmd
}

// addBuildFlags adds the flags that decide what a compile builds: every
// compile flag but where its outputs go (--output, --dry-run, --report).
// `trtc compare` takes the same set, so a model is compared exactly as
// `trtc compile` would build it.
func addBuildFlags(f *pflag.FlagSet, opts *CompileOptions) {
	f.StringVar(&opts.Format, "format", "", "model format: onnx, pt2 or pb (default: detected)")
	f.IntVar(&opts.MinBlockSize, "min-block-size", 5, "fewest compute ops an engine segment may hold (one holding a recurrent layer, If, Loop or Scan is always kept; 0: no minimum, so even a lone reshape or shape op stays in an engine)")
	f.StringSliceVar(&opts.FallbackOps, "fallback-ops", nil, "ops that always run as fallback (Relu, onnx.Relu, aten.relu.default)")
	f.BoolVar(&opts.RequireFullCompilation, "require-full-compilation", false, "fail (exit 5) unless every node converts")
	f.StringArrayVar(&opts.Shapes, "shapes", nil, "input shape override NAME:DIMS, e.g. input:1x3x224x224 (repeatable)")
	f.StringVar(&opts.Backend, "backend", "reference", "engine backend: reference or tensorrt")
	f.StringArrayVar(&opts.Plugins, "plugin", nil, "converter plugin .so to load (repeatable)")
	f.StringArrayVar(&opts.TRTPluginLibs, "trt-plugin-lib", nil, "TensorRT plugin library to load before building, recorded in the bundle (repeatable; trtexec's --dynamicPlugins)")
	// Engine build settings, named as trtexec names them. Profiles are
	// honoured by every backend; the reference backend warns that the
	// others have no effect on it (reference.IgnoredOptions).
	f.StringArrayVar(&opts.MinShapes, "min-shapes", nil, "optimization profile minimum shapes NAME:DIMS[,NAME:DIMS...], e.g. input:1x3x224x224; for a shape-tensor input the VALUES, e.g. shape:2x3 is [2,3] (trtexec's way), as for an int input whose shape the model fixes: pinned to one value in every profile (min = opt = max), it is compiled as a constant and run refuses other values; the Nth of --min/--opt/--max-shapes form profile N (repeatable)")
	f.StringArrayVar(&opts.OptShapes, "opt-shapes", nil, "optimization profile shapes TensorRT tunes for (see --min-shapes)")
	f.StringArrayVar(&opts.MaxShapes, "max-shapes", nil, "optimization profile maximum shapes (see --min-shapes)")
	f.StringVar(&opts.Workspace, "workspace", "", "builder workspace memory pool limit, e.g. 4GiB, 512MiB or bytes (default: TensorRT's)")
	f.IntVar(&opts.OptimizationLevel, "builder-optimization-level", -1, "TensorRT builder optimization level 0..5 (default: TensorRT's, 3)")
	f.StringVar(&opts.TimingCache, "timing-cache", "", "timing cache file, read if present and written after the build")
	f.StringVar(&opts.HardwareCompatibility, "hardware-compatibility", "none", "engine hardware compatibility: none, ampere+ or same-compute-capability")
	f.BoolVar(&opts.VersionCompatible, "version-compatible", false, "build engines that later TensorRT versions can run (TensorRT only, as are --workspace, --builder-optimization-level, --timing-cache and --hardware-compatibility)")
	f.StringVar(&opts.TRTVersion, "trt-version", "", "TensorRT release to build for, MAJOR.MINOR from 10.0 to "+network.NewestVersion.String()+": the reference backend applies its rules and converters use only the layers it has (default: "+network.NewestVersion.String()+"; with --backend tensorrt, the loaded library's, which a value must equal)")
	f.StringVar(&opts.Device, "device", "", "GPU to build engines for: an index as `trtc devices` lists them, or a UUID (default: GPU 0)")
	f.StringVar(&opts.CacheDir, "cache-dir", "", "engine cache directory (default: the user cache directory's trtc/engines)")
	f.BoolVar(&opts.NoCache, "no-cache", false, "neither reuse nor store engines in the engine cache")
	addPrecisionFlags(f, &opts.PrecisionFlags)
}

// finish completes the options once the flags are resolved: lists split
// at commas, plugins from the config file and TRTC_PLUGINS added.
func (opts *CompileOptions) finish(cmd *cobra.Command) {
	opts.ctx = cmd.Context()
	opts.FallbackOps = splitList(opts.FallbackOps)
	opts.Plugins = append(opts.Plugins, opts.IO.extraPlugins...)
}

// splitList flattens comma-separated entries.
func splitList(in []string) []string {
	var out []string
	for _, s := range in {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// parseShapes reads NAME:DIMS entries of the setting flag.
func parseShapes(streams *IO, flag string, entries []string) (map[string]ir.Shape, error) {
	out := map[string]ir.Shape{}
	for _, e := range splitList(entries) {
		i := strings.LastIndexByte(e, ':')
		if i <= 0 {
			return nil, streams.badValue(flag, "%q: want NAME:DIMS such as input:1x3x224x224", e)
		}
		s, err := ir.ParseShape(e[i+1:])
		if err != nil {
			return nil, streams.badValue(flag, "%q: %v", e, err)
		}
		out[e[:i]] = s
	}
	return out, nil
}

// compileOutcomes name each exit code in the report's "outcome".
var compileOutcomes = map[int]string{
	ExitOK: "ok", ExitInternal: "internal", ExitUsage: "usage", ExitInput: "input", ExitUnsupported: "unsupported_ops",
	ExitFallback: "fallback", ExitBuild: "build", ExitRun: "run", ExitPlugin: "plugin", ExitNoGPU: "no_gpu",
}

// buildSetup is what the build flags resolve to before a compile starts
// (compile and compare share it).
type buildSetup struct {
	shapes map[string]ir.Shape
	build  backend.BuildOptions
	prec   precision.Options
	target network.Version // --trt-version; zero: the default
	cache  *enginecache.Cache
}

// resolveBuild checks the build flags and resolves them; errors are usage
// errors (exit 2, or 3 from the config file) naming the flag.
func (opts *CompileOptions) resolveBuild() (*buildSetup, error) {
	if opts.MinBlockSize < 0 {
		return nil, opts.IO.badValue("min-block-size", "must be at least 0, got %d", opts.MinBlockSize)
	}
	shapes, err := parseShapes(opts.IO, "shapes", opts.Shapes)
	if err != nil {
		return nil, err
	}
	build, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}
	be, _ := backend.Get(opts.Backend) // an unknown backend is reported by compileModel
	prec, err := opts.PrecisionFlags.Options(opts.IO, be)
	if err != nil {
		return nil, err
	}
	var target network.Version
	if opts.TRTVersion != "" {
		if target, err = network.ParseVersion(opts.TRTVersion); err != nil {
			return nil, opts.IO.badValue("trt-version", "%v", err)
		}
		if err := network.CheckTarget(target); err != nil {
			return nil, opts.IO.badValue("trt-version", "%v", err)
		}
	}
	if opts.Backend == "reference" {
		for _, flag := range reference.IgnoredOptions(build) {
			opts.IO.Log.Warn().Str("flag", flag).Msgf("%s has no effect on the reference backend (it configures TensorRT's builder); ignored", flag)
		}
	}
	switch opts.Format {
	case "", "onnx", "pt2", "pb":
	default:
		return nil, opts.IO.badValue("format", "must be onnx, pt2 or pb, not %q", opts.Format)
	}
	return &buildSetup{shapes: shapes, build: build, prec: prec, target: target}, nil
}

// openCache is the engine cache the flags ask for; nil when it is off.
func (opts *CompileOptions) openCache() *enginecache.Cache {
	if opts.NoCache {
		return nil
	}
	dir := opts.CacheDir
	if dir == "" {
		var err error
		if dir, err = enginecache.DefaultDir(); err != nil {
			opts.IO.Log.Warn().Err(err).Msg("engine cache off")
		}
	}
	if dir == "" {
		return nil
	}
	return &enginecache.Cache{Dir: dir}
}

func compileRun(opts *CompileOptions) error {
	bs, err := opts.resolveBuild()
	if err != nil {
		return err
	}
	if opts.Report != "" && opts.Output != "" && filepath.Clean(opts.Report) == filepath.Clean(opts.Output) {
		return opts.IO.badValue("report", "%s is also the bundle path (--output)", opts.Report)
	}
	// Refuse an output that is a device, FIFO, socket or folder, or that
	// cannot be created, before compiling rather than after (links are
	// followed): so a --report that cannot be written leaves no bundle.
	for _, o := range []struct{ flag, path string }{{"output", opts.Output}, {"report", opts.Report}} {
		if o.path == "" || o.flag == "output" && opts.DryRun {
			continue
		}
		if err := atomicfile.CheckWritable(o.path); err != nil {
			var nr *atomicfile.NotRegularError
			if errors.As(err, &nr) {
				return opts.IO.badValue(o.flag, "%v", err)
			}
			return withFields(withCode(ExitInput, fmt.Errorf("--%s: %w", o.flag, err)), "file", o.path)
		}
	}
	bs.cache = opts.openCache()
	// From here on the compile has valid settings: every outcome is
	// written to --report.
	rep, err := compileWork(opts, bs)
	code := exitCode(err)
	if opts.Report != "" {
		if rep == nil {
			rep = compiler.FailureReport(nil, opts.Model, err)
		}
		rep.ExitCode, rep.Outcome = code, compileOutcomes[code]
		if werr := writeJSONFile(opts.Report, rep); werr != nil {
			if err == nil {
				return withFields(withCode(ExitInput, fmt.Errorf("--report: %w", werr)), "file", opts.Report)
			}
			opts.IO.Log.Error().Err(werr).Str("file", opts.Report).Msg("--report not written")
		} else {
			opts.IO.Log.Info().Str("stage", "report").Str("file", opts.Report).Str("outcome", rep.Outcome).Msg("report written")
		}
	}
	return err
}

// compileModel runs the compiler on opts.Model with the resolved settings;
// markAll makes every computed value a graph output
// (compiler.Options.MarkAllOutputs). The error carries the exit code
// compileExitCode gives it; the result is non-nil whenever the compile got
// far enough to know anything.
func compileModel(opts *CompileOptions, bs *buildSetup, prog *progress, markAll bool) (*compiler.Result, error) {
	log := opts.IO.Log
	settings := &conversion.Settings{
		MinBlockSize: opts.MinBlockSize, FallbackOps: opts.FallbackOps,
		RequireFullCompilation: opts.RequireFullCompilation, InputShapes: bs.shapes, Backend: opts.Backend,
		TargetVersion: bs.target,
	}
	be, err := backend.Get(opts.Backend)
	if err != nil {
		return nil, withCode(ExitBuild, err)
	}
	gpu, err := selectDevice(opts.IO, opts.Device, be.Name())
	if err != nil {
		return nil, err
	}
	if err := backend.LoadPluginLibraries(be, opts.TRTPluginLibs); err != nil {
		return nil, withCode(ExitPlugin, err)
	}
	reg, err := loadRegistry(opts.Plugins, log)
	if err != nil {
		return nil, err
	}
	copts := compiler.Options{Settings: settings, Registry: reg, Format: opts.Format, Build: bs.build,
		Log: log, Progress: prog.stage, Cache: bs.cache, TRTPluginLibs: opts.TRTPluginLibs, MarkAllOutputs: markAll,
		Precision: bs.prec}
	if gpu != nil && be.Name() != "reference" {
		// The GPU is part of the cache key of engines that run on it;
		// reference engines run on the CPU anywhere.
		copts.ComputeCapability = gpu.ComputeCapability
	}
	res, err := compiler.CompileFile(opts.Model, copts)
	if err != nil {
		if src := opts.IO.sources["shapes"]; (src.kind == srcEnv || src.kind == srcFile) && strings.Contains(err.Error(), "--shapes") {
			err = fmt.Errorf("%w (shapes from %s)", err, src)
		}
		err = withCode(compileExitCode(err), err)
		if res == nil {
			return nil, withFields(err, "file", opts.Model)
		}
		return res, err
	}
	for _, name := range compiler.UnusedProfileNames(res, bs.build.Profiles) {
		log.Warn().Str("tensor", name).Msgf("--min/opt/max-shapes name %q, which is neither a model input nor an input of any engine; ignored", name)
	}
	return res, nil
}

// compileWork compiles and writes the bundle; the report it returns is
// non-nil whenever the compile got far enough to know anything.
func compileWork(opts *CompileOptions, bs *buildSetup) (*compiler.Report, error) {
	log := opts.IO.Log
	out := opts.Output
	if out == "" {
		out = strings.TrimSuffix(opts.Model, filepath.Ext(opts.Model)) + ".trtb"
	}
	prog := newProgress(opts.IO, "compile "+filepath.Base(opts.Model))
	defer prog.done()
	res, err := compileModel(opts, bs, prog, false)
	if err != nil {
		if res == nil {
			return nil, err
		}
		return compiler.FailureReport(res, opts.Model, err), err
	}
	rep := compiler.BuildReport(res)
	if err := interrupted(opts.ctx); err != nil {
		return rep, err
	}
	if !opts.DryRun {
		prog.stage("bundle", 0, 0)
		start := time.Now()
		if err := compiler.WriteBundle(res, opts.Model, out); err != nil {
			err = withFields(withCode(ExitBuild, err), "file", out)
			rep.Error = err.Error()
			return rep, err
		}
		rep.Bundle = out
		var size int64
		if fi, err := os.Stat(out); err == nil {
			size = fi.Size()
		}
		log.Info().Str("stage", "bundle").Str("file", out).Int64("bytes", size).Int("segments", len(res.Partition.Segments)).
			Dur("elapsed_ms", time.Since(start)).Msg("bundle written")
	}
	prog.done()
	if opts.DryRun {
		rep.WriteText(opts.IO.Out)
		return rep, nil
	}
	reused := ""
	if rep.EnginesReused > 0 {
		reused = fmt.Sprintf(", %d engine(s) reused from the cache", rep.EnginesReused)
	}
	fmt.Fprintf(opts.IO.Out, "%s: %d/%d nodes converted (%.1f%%), %d segment(s)%s -> %s\n",
		opts.Model, rep.ConvertedNodes, rep.TotalNodes, rep.CoveragePercent, len(rep.Segments), reused, out)
	return rep, nil
}

// interrupted is the error of a cancelled command (SIGINT, SIGTERM).
func interrupted(ctx context.Context) error {
	if ctx != nil && ctx.Err() != nil {
		return &ExitError{Code: ExitInternal, Err: fmt.Errorf("interrupted: %w", context.Cause(ctx))}
	}
	return nil
}

// compileExitCode classifies a compile error.
func compileExitCode(err error) int {
	var (
		load        *compiler.LoadError
		prep        *compiler.PrepareError
		unsupported *compiler.UnsupportedOpsError
		dtype       *compiler.UnsupportedDTypeError
		lowering    *compiler.LoweringError
		full        *partition.FullCompilationError
		pluginOp    *ops.PluginOpError
	)
	switch {
	case errors.As(err, &pluginOp):
		return ExitPlugin
	case errors.As(err, &load), errors.As(err, &prep):
		return ExitInput
	case errors.As(err, &unsupported), errors.As(err, &dtype), errors.As(err, &lowering):
		return ExitUnsupported
	case errors.As(err, &full):
		return ExitFallback
	}
	return ExitBuild
}

// writeJSONFile writes v as indented JSON, atomically.
func writeJSONFile(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(data, '\n'), 0o644)
}
