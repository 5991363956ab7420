// Package cli implements trtc's commands, one file each. Every command owns
// an options struct, a NewCmdX constructor that parses flags into it, and an
// xRun function that does the work, so tests check flag parsing without
// running commands. Main maps errors to exit codes in one place (exit.go).
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/trtc-dev/trtc/internal/safefile"
	"github.com/trtc-dev/trtc/internal/sizes"

	// The reference backend is always built in; the TensorRT backend with
	// the tensorrt build tag, and as a "missing" entry saying how to get it
	// without.
	_ "github.com/trtc-dev/trtc/cgo/tensorrt"
	_ "github.com/trtc-dev/trtc/pkg/backend/reference"
)

// IO bundles a command's streams and logger.
type IO struct {
	Out, Err io.Writer
	Log      zerolog.Logger
	Config   *viper.Viper
}

// Main runs trtc with args and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	return MainContext(context.Background(), args, stdout, stderr)
}

// MainContext is Main with a context whose cancellation (SIGINT, SIGTERM:
// MainProcess) stops the command before it writes anything more.
func MainContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	streams := &IO{Out: stdout, Err: stderr, Log: zerolog.Nop(), Config: viper.New()}
	root := NewRootCmd(streams)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := execute(ctx, root)
	if err == nil {
		return ExitOK
	}
	code := exitCode(err)
	if code == ExitInternal && isCobraUsageError(err) {
		code = ExitUsage
	}
	fmt.Fprintf(stderr, "trtc: %v\n", err)
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

// isCobraUsageError recognizes cobra's own flag and argument errors.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand", "unknown command", "accepts ", "requires at least", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// NewRootCmd builds the command tree.
func NewRootCmd(streams *IO) *cobra.Command {
	var configFile, logLevel, logFormat string
	root := &cobra.Command{
		Use:           "trtc",
		Short:         "Compile model graphs into TensorRT engine bundles, and run them",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return setup(cmd, streams, configFile)
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&configFile, "config", "", "config file (default: ./trtc.yaml if present)")
	pf.StringVar(&logLevel, "log-level", "warn", "log level: debug, info, warn, error")
	pf.StringVar(&logFormat, "log-format", "console", "log format: console or json")
	pf.String("max-memory", "", "memory budget for tensors, e.g. 8GiB (default: 3/4 of the memory the process may use); a tensor over it stops the run with exit 11")
	pf.String("max-tensor-memory", "", "largest single tensor, e.g. 2GiB (default: the memory budget)")
	root.AddCommand(
		NewCmdCompile(streams, nil),
		NewCmdRun(streams, nil),
		NewCmdConverters(streams),
		NewCmdInspect(streams, nil),
		NewCmdDevices(streams, nil),
		NewCmdVersion(streams),
	)
	return root
}

// maxConfigBytes bounds a config file: a few hundred bytes in practice.
const maxConfigBytes = 1 << 20

// setup loads the config (file, TRTC_* environment, flags: later wins) and
// the logger.
func setup(cmd *cobra.Command, streams *IO, configFile string) error {
	v := streams.Config
	v.SetEnvPrefix("TRTC")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	if configFile != "" {
		// viper opens the file by name: check it first, so that a FIFO
		// or a device is refused instead of hanging or read without end.
		if err := safefile.Check(configFile); err != nil {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("config %s: %w", configFile, err)}
		}
		if _, err := safefile.ReadFile(configFile, maxConfigBytes); err != nil {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("config %s: %w", configFile, err)}
		}
		v.SetConfigFile(configFile)
		if err := v.ReadInConfig(); err != nil {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("config %s: %w", configFile, err)}
		}
	} else if _, err := os.Stat("trtc.yaml"); err == nil {
		if _, err := safefile.ReadFile("trtc.yaml", maxConfigBytes); err != nil {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("config trtc.yaml: %w", err)}
		}
		v.SetConfigFile("trtc.yaml")
		if err := v.ReadInConfig(); err != nil {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("config trtc.yaml: %w", err)}
		}
	}
	var bindErr error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Name == "config" || f.Name == "help" {
			return
		}
		if err := v.BindPFlag(f.Name, f); err != nil && bindErr == nil {
			bindErr = err
		}
	})
	if bindErr != nil {
		return bindErr
	}
	if err := setBudget(v); err != nil {
		return err
	}
	level, err := zerolog.ParseLevel(v.GetString("log-level"))
	if err != nil {
		return usageErrorf("--log-level: %v", err)
	}
	var w io.Writer = streams.Err
	switch v.GetString("log-format") {
	case "console":
		w = zerolog.ConsoleWriter{Out: streams.Err, NoColor: true, TimeFormat: "15:04:05"}
	case "json":
	default:
		return usageErrorf("--log-format must be console or json, not %q", v.GetString("log-format"))
	}
	streams.Log = zerolog.New(w).Level(level).With().Timestamp().Logger()
	return nil
}

// setBudget applies max-memory and max-tensor-memory (flags, config or
// TRTC_MAX_MEMORY / TRTC_MAX_TENSOR_MEMORY).
func setBudget(v *viper.Viper) error {
	budget, limit := int64(0), int64(0)
	if s := v.GetString("max-memory"); s != "" {
		n, err := sizes.ParseBytes(s)
		if err != nil {
			return usageErrorf("--max-memory: %v", err)
		}
		budget = n
	}
	if s := v.GetString("max-tensor-memory"); s != "" {
		n, err := sizes.ParseBytes(s)
		if err != nil {
			return usageErrorf("--max-tensor-memory: %v", err)
		}
		limit = n
	}
	sizes.SetBudget(budget)
	sizes.SetTensorLimit(limit)
	return nil
}
