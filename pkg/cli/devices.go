package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/trtc-dev/trtc/pkg/device"
)

// DevicesOptions are `trtc devices`'s inputs.
type DevicesOptions struct {
	IO     *IO
	Output string
	// Query reads the GPUs; device.Query unless a test sets it.
	Query func() (*device.Info, error)
}

// NewCmdDevices builds `trtc devices`.
func NewCmdDevices(streams *IO, runF func(*DevicesOptions) error) *cobra.Command {
	opts := &DevicesOptions{IO: streams, Query: device.Query}
	cmd := &cobra.Command{
		Use:   "devices [-o text|json]",
		Short: "List this machine's NVIDIA GPUs, driver and CUDA version",
		Long: `Devices lists each NVIDIA GPU that the driver reports through NVML: its
index, name, UUID, total and free memory, and compute capability, with the
driver's version and the newest CUDA version it supports. Where no driver
is installed it says so and exits 10.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if opts.Output != "text" && opts.Output != "json" {
				return usageErrorf("-o must be text or json, not %q", opts.Output)
			}
			if runF != nil {
				return runF(opts)
			}
			return devicesRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "text", "output format: text or json")
	return cmd
}

func devicesRun(opts *DevicesOptions) error {
	info, err := opts.Query()
	if err != nil {
		if errors.Is(err, device.ErrNoDriver) {
			return withCode(ExitNoGPU, err)
		}
		return withCode(ExitInternal, err)
	}
	if opts.Output == "json" {
		if info.GPUs == nil {
			info.GPUs = []device.GPU{}
		}
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	fmt.Fprintf(opts.IO.Out, "driver %s, CUDA %s, %d GPU(s)\n", info.DriverVersion, info.CUDAVersion, len(info.GPUs))
	if len(info.GPUs) == 0 {
		return nil
	}
	w := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "INDEX\tNAME\tCOMPUTE\tMEMORY MiB\tFREE MiB\tUUID")
	for _, g := range info.GPUs {
		fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%d\t%s\n", g.Index, g.Name, g.ComputeCapability, g.MemoryTotal>>20, g.MemoryFree>>20, g.UUID)
	}
	return w.Flush()
}
