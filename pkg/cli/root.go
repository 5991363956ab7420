// Package cli implements trtc's commands, one file each. Every command owns
// an options struct, a NewCmdX constructor that parses flags into it, and an
// xRun function that does the work, so tests check flag parsing without
// running commands. Main maps errors to exit codes in one place (exit.go).
package cli

import (
	"context"
	"io"
	"os"
	"strings"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/trtc-dev/trtc/internal/safefile"
	"github.com/trtc-dev/trtc/internal/sizes"

	// The reference backend is always built in; the TensorRT backend with
	// the tensorrt build tag, and as a "missing" entry saying how to get it
	// without.
	_ "github.com/trtc-dev/trtc/cgo/tensorrt"
	_ "github.com/trtc-dev/trtc/pkg/backend/reference"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// IO bundles a command's streams and logger.
type IO struct {
	Out, Err io.Writer
	Log      zerolog.Logger
	Config   *viper.Viper
	// TTY says that Err is a terminal: progress is shown only then (and
	// never with --log-format json).
	TTY bool

	sources      map[string]source // where each setting came from
	extraPlugins []string          // plugins: and TRTC_PLUGINS
	logFormat    string            // "console" or "json", once known
}

// Main runs trtc with args and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	return MainContext(context.Background(), args, stdout, stderr)
}

// MainContext is Main with a context whose cancellation (SIGINT, SIGTERM:
// MainProcess) stops the command before it writes anything more.
func MainContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	streams := &IO{Out: stdout, Err: stderr, Log: zerolog.Nop(), Config: viper.New(), TTY: isTerminal(stderr)}
	return streams.MainContext(ctx, args)
}

// Main runs trtc with these streams.
func (s *IO) Main(args []string) int { return s.MainContext(context.Background(), args) }

// MainContext runs trtc with these streams and a context.
func (s *IO) MainContext(ctx context.Context, args []string) int {
	root := NewRootCmd(s)
	root.SetArgs(args)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	err := execute(ctx, root)
	if err == nil {
		return ExitOK
	}
	code := exitCode(err)
	if code == ExitInternal && isCobraUsageError(err) {
		code = ExitUsage
	}
	if s.logFormat == "" {
		s.logFormat = prescanLogFormat(args)
	}
	s.writeError(err, code)
	return code
}

// execute runs the command tree, turning a panic into an error (see
// recovered): never a goroutine dump and exit 2, which Go uses for an
// unrecovered panic and trtc for bad flags.
func execute(ctx context.Context, root *cobra.Command) (err error) {
	defer func() {
		if r := recover(); r != nil {
			st := stack()
			if os.Getenv("TRTC_TRACEBACK") != "" {
				os.Stderr.Write(st)
			}
			err = recovered(r, st)
		}
	}()
	return root.ExecuteContext(ctx)
}

// isTerminal says whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// prescanLogFormat finds --log-format where setup did not get far enough
// to resolve it (a bad flag, a bad value in the config file): the command
// line, then TRTC_LOG_FORMAT, then the config file's top-level
// log-format, if the file parses.
func prescanLogFormat(args []string) string {
	config := ""
	for i, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--log-format="); ok {
			return v
		}
		if a == "--log-format" && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, "--config="); ok {
			config = v
		}
		if a == "--config" && i+1 < len(args) {
			config = args[i+1]
		}
	}
	if v := os.Getenv("TRTC_LOG_FORMAT"); v != "" {
		return v
	}
	if config == "" {
		config = os.Getenv("TRTC_CONFIG")
	}
	if config == "" {
		config = "trtc.yaml"
	}
	var top struct {
		LogFormat string `yaml:"log-format"`
	}
	if data, err := safefile.ReadFile(config, maxConfigBytes); err == nil && yaml.Unmarshal(data, &top) == nil {
		return top.LogFormat
	}
	return ""
}

// isCobraUsageError recognizes cobra's own flag and argument errors.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand", "unknown command", "accepts ", "requires at least", "invalid argument", "flag needs an argument", "required flag", "bad flag syntax"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// NewRootCmd builds the command tree.
func NewRootCmd(streams *IO) *cobra.Command {
	var configFile, logLevel, logFormat string
	var threads int
	root := &cobra.Command{
		Use:           "trtc",
		Short:         "Compile model graphs into TensorRT engine bundles, and run them",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return setup(cmd, streams, &logLevel, &logFormat, &threads)
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&configFile, "config", "", "config file, YAML (default: $TRTC_CONFIG, else ./trtc.yaml if present)")
	pf.StringVar(&logLevel, "log-level", "warn", "log level: debug, info, warn, error")
	pf.StringVar(&logFormat, "log-format", "console", "log format: console or json (every log line and error on stderr is one JSON object)")
	pf.String("max-memory", "", "memory budget for tensors, e.g. 8GiB (default: 3/4 of the memory the process may use); a tensor over it stops the run with exit 11")
	pf.String("max-tensor-memory", "", "largest single tensor, e.g. 2GiB (default: the memory budget)")
	pf.IntVar(&threads, "threads", 0, "CPU threads for the reference backend and fallback kernels (0: one per core, GOMAXPROCS)")
	root.AddCommand(
		NewCmdCompile(streams, nil),
		NewCmdRun(streams, nil),
		NewCmdCompare(streams, nil),
		NewCmdBench(streams, nil),
		NewCmdConverters(streams),
		NewCmdInspect(streams, nil),
		NewCmdDevices(streams, nil),
		NewCmdCache(streams),
		NewCmdVersion(streams),
	)
	return root
}

// setup resolves every setting (flag > TRTC_<FLAG> > config file, see
// config.go) and makes the logger.
func setup(cmd *cobra.Command, streams *IO, logLevel, logFormat *string, threads *int) error {
	if err := resolveConfig(cmd, streams); err != nil {
		return err
	}
	switch *logFormat {
	case "console", "json":
		streams.logFormat = *logFormat
	default:
		return streams.badValue("log-format", "must be console or json, not %q", *logFormat)
	}
	if err := setBudget(cmd, streams); err != nil {
		return err
	}
	if *threads < 0 {
		return streams.badValue("threads", "must be 0 (one per core) or more, got %d", *threads)
	}
	kernels.SetThreads(*threads)
	level, err := zerolog.ParseLevel(*logLevel)
	if err != nil || *logLevel == "" {
		return streams.badValue("log-level", "must be debug, info, warn or error, not %q", *logLevel)
	}
	var w io.Writer = streams.Err
	if streams.logFormat == "console" {
		w = zerolog.ConsoleWriter{Out: streams.Err, NoColor: true, TimeFormat: "15:04:05"}
	}
	streams.Log = zerolog.New(w).Level(level).With().Timestamp().Logger()
	return nil
}

// setBudget applies max-memory and max-tensor-memory (flags, TRTC_MAX_MEMORY
// and TRTC_MAX_TENSOR_MEMORY, or the config file: resolveConfig has set the
// flags from them).
func setBudget(cmd *cobra.Command, streams *IO) error {
	budget, limit := int64(0), int64(0)
	for _, f := range []struct {
		name string
		to   *int64
	}{{"max-memory", &budget}, {"max-tensor-memory", &limit}} {
		s, err := cmd.Flags().GetString(f.name)
		if err != nil || s == "" {
			continue
		}
		n, err := sizes.ParseBytes(s)
		if err != nil {
			return streams.badValue(f.name, "%v", err)
		}
		*f.to = n
	}
	sizes.SetBudget(budget)
	sizes.SetTensorLimit(limit)
	return nil
}
