package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/trtc-dev/trtc/internal/atomicfile"
	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/partition"
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
	// Engine build settings (TensorRT; the reference backend ignores them).
	MinShapes, OptShapes, MaxShapes []string
	Workspace                       string
	OptimizationLevel               int
	TimingCache                     string
	HardwareCompatibility           string
	VersionCompatible               bool

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

With --dry-run nothing is written: the coverage and partition report is printed
instead. --report writes the same report as JSON in either case.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Model = args[0]
			opts.ctx = cmd.Context()
			cfg := streams.Config
			opts.MinBlockSize = cfg.GetInt("min-block-size")
			opts.FallbackOps = splitList(cfg.GetStringSlice("fallback-ops"))
			opts.RequireFullCompilation = cfg.GetBool("require-full-compilation")
			opts.Backend = cfg.GetString("backend")
			opts.Plugins = pluginList(cfg)
			if runF != nil {
				return runF(opts)
			}
			return compileRun(opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Output, "output", "o", "", "bundle path (default: MODEL with extension .trtb)")
	f.StringVar(&opts.Format, "format", "", "model format: onnx, pt2 or pb (default: detected)")
	f.Int("min-block-size", 5, "fewest compute ops an engine segment may hold")
	f.StringSlice("fallback-ops", nil, "ops that always run as fallback (Relu, onnx.Relu, aten.relu.default)")
	f.Bool("require-full-compilation", false, "fail unless every node converts")
	f.StringArrayVar(&opts.Shapes, "shapes", nil, "input shape override NAME:DIMS, e.g. input:1x3x224x224 (repeatable)")
	f.String("backend", "reference", "engine backend: reference or tensorrt")
	f.BoolVar(&opts.DryRun, "dry-run", false, "report coverage and partitions; write no bundle")
	f.StringVar(&opts.Report, "report", "", "write the report as JSON to this file")
	f.StringArray("plugin", nil, "converter plugin .so to load (repeatable)")
	// TensorRT build settings, named as trtexec names them; the reference
	// backend ignores them (its plans have no profiles, pools or caches).
	f.StringArrayVar(&opts.MinShapes, "min-shapes", nil, "optimization profile minimum shapes NAME:DIMS[,NAME:DIMS...], e.g. input:1x3x224x224; the Nth of --min/--opt/--max-shapes form profile N (repeatable; TensorRT only)")
	f.StringArrayVar(&opts.OptShapes, "opt-shapes", nil, "optimization profile shapes TensorRT tunes for (see --min-shapes)")
	f.StringArrayVar(&opts.MaxShapes, "max-shapes", nil, "optimization profile maximum shapes (see --min-shapes)")
	f.StringVar(&opts.Workspace, "workspace", "", "builder workspace memory pool limit, e.g. 4GiB, 512MiB or bytes (default: TensorRT's)")
	f.IntVar(&opts.OptimizationLevel, "builder-optimization-level", -1, "TensorRT builder optimization level 0..5 (default: TensorRT's, 3)")
	f.StringVar(&opts.TimingCache, "timing-cache", "", "timing cache file, read if present and written after the build")
	f.StringVar(&opts.HardwareCompatibility, "hardware-compatibility", "none", "engine hardware compatibility: none, ampere+ or same-compute-capability")
	f.BoolVar(&opts.VersionCompatible, "version-compatible", false, "build engines that later TensorRT versions can run (TensorRT only; so are the flags above)")
	return cmd
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

// parseShapes reads NAME:DIMS entries.
func parseShapes(entries []string) (map[string]ir.Shape, error) {
	out := map[string]ir.Shape{}
	for _, e := range splitList(entries) {
		i := strings.LastIndexByte(e, ':')
		if i <= 0 {
			return nil, usageErrorf("--shapes %q: want NAME:DIMS such as input:1x3x224x224", e)
		}
		s, err := ir.ParseShape(e[i+1:])
		if err != nil {
			return nil, usageErrorf("--shapes %q: %v", e, err)
		}
		out[e[:i]] = s
	}
	return out, nil
}

func compileRun(opts *CompileOptions) error {
	log := opts.IO.Log
	if opts.MinBlockSize < 1 {
		return usageErrorf("--min-block-size must be at least 1, got %d", opts.MinBlockSize)
	}
	shapes, err := parseShapes(opts.Shapes)
	if err != nil {
		return err
	}
	settings := &conversion.Settings{
		MinBlockSize: opts.MinBlockSize, FallbackOps: opts.FallbackOps,
		RequireFullCompilation: opts.RequireFullCompilation, InputShapes: shapes, Backend: opts.Backend,
	}
	build, err := buildOptions(opts)
	if err != nil {
		return err
	}
	if _, err := backend.Get(opts.Backend); err != nil {
		return withCode(ExitBuild, err)
	}
	reg, err := loadRegistry(opts.Plugins, log)
	if err != nil {
		return err
	}
	out := opts.Output
	if out == "" {
		out = strings.TrimSuffix(opts.Model, filepath.Ext(opts.Model)) + ".trtb"
	}
	// Refuse an output that is a device, FIFO, socket or folder before
	// compiling, not after (atomicfile.Target; links are followed).
	if !opts.DryRun {
		if _, err := atomicfile.Target(out); err != nil {
			return usageErrorf("-o: %v", err)
		}
	}
	if opts.Report != "" {
		if _, err := atomicfile.Target(opts.Report); err != nil {
			return usageErrorf("--report: %v", err)
		}
	}

	res, err := compiler.CompileFile(opts.Model, compiler.Options{Settings: settings, Registry: reg, Format: opts.Format, Build: build})
	if err != nil {
		return withCode(compileExitCode(err), err)
	}
	log.Info().Str("model", opts.Model).Int("segments", len(res.Partition.Segments)).Msg("compiled")
	rep := compiler.BuildReport(res)
	if err := interrupted(opts.ctx); err != nil {
		return err
	}
	// The report is written beside its target first and renamed only once
	// the bundle is in place: a report that cannot be written leaves no
	// new bundle, and a bundle that fails leaves no report claiming it.
	var report *atomicfile.Pending
	if opts.Report != "" {
		if !opts.DryRun {
			rep.Bundle = out
		}
		data, err := json.MarshalIndent(rep, "", "  ")
		if err == nil {
			report, err = atomicfile.Prepare(opts.Report, append(data, '\n'), 0o644)
		}
		if err != nil {
			return withCode(ExitInput, fmt.Errorf("--report: %w", err))
		}
	}
	if !opts.DryRun {
		if err := compiler.WriteBundle(res, opts.Model, out); err != nil {
			if report != nil {
				report.Abort()
			}
			return withCode(ExitBuild, err)
		}
		rep.Bundle = out
	}
	if report != nil {
		if err := report.Commit(); err != nil {
			return withCode(ExitInput, fmt.Errorf("--report: %w (the bundle %s was written)", err, out))
		}
	}
	if opts.DryRun {
		rep.WriteText(opts.IO.Out)
		return nil
	}
	fmt.Fprintf(opts.IO.Out, "%s: %d/%d nodes converted (%.1f%%), %d segment(s) -> %s\n",
		opts.Model, rep.ConvertedNodes, rep.TotalNodes, rep.CoveragePercent, len(rep.Segments), out)
	return nil
}

// compileExitCode classifies a compile error.
func compileExitCode(err error) int {
	var (
		load        *compiler.LoadError
		prep        *compiler.PrepareError
		unsupported *compiler.UnsupportedOpsError
		dtype       *compiler.UnsupportedDTypeError
		full        *partition.FullCompilationError
	)
	switch {
	case errors.As(err, &load), errors.As(err, &prep):
		return ExitInput
	case errors.As(err, &unsupported), errors.As(err, &dtype):
		return ExitUnsupported
	case errors.As(err, &full):
		return ExitFallback
	}
	return ExitBuild
}

// interrupted is the error of a cancelled command (SIGINT, SIGTERM).
func interrupted(ctx context.Context) error {
	if ctx != nil && ctx.Err() != nil {
		return &ExitError{Code: ExitInternal, Err: fmt.Errorf("interrupted: %w", context.Cause(ctx))}
	}
	return nil
}
