package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/version"
)

// NewCmdVersion prints trtc's version and build facts.
func NewCmdVersion(streams *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print trtc's version, Go version and available backends",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintf(streams.Out, "trtc %s\n", version.Version)
			fmt.Fprintf(streams.Out, "go %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" {
						fmt.Fprintf(streams.Out, "commit %s\n", s.Value)
					}
				}
			}
			fmt.Fprintf(streams.Out, "backends %v\n", backend.Names())
			return nil
		},
	}
}
