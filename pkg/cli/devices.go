package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
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
				return opts.IO.badValue("output", "must be text or json, not %q", opts.Output)
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

// deviceQuery reads the GPUs for --device; tests replace it.
var deviceQuery = device.Query

// selectDevice resolves --device (an index as `trtc devices` lists them, or
// a UUID) for a backend. The chosen GPU becomes CUDA's only visible device
// (CUDA_VISIBLE_DEVICES=<its UUID>, set before CUDA is loaded), so engines
// are built and run on it, and the runtime's target check compares against
// it. Without --device it returns nil, except that for a GPU backend it
// returns NVML's GPU 0 where there is one (its compute capability is part
// of the engine cache key).
func selectDevice(streams *IO, spec, backendName string) (*device.GPU, error) {
	if spec == "" {
		if backendName == "reference" {
			return nil, nil
		}
		info, err := deviceQuery()
		if err != nil || len(info.GPUs) == 0 {
			return nil, nil
		}
		return &info.GPUs[0], nil
	}
	info, err := deviceQuery()
	if err != nil {
		if errors.Is(err, device.ErrNoDriver) {
			return nil, withCode(ExitNoGPU, fmt.Errorf("%s: %w", streams.where("device"), err))
		}
		return nil, withCode(ExitInternal, err)
	}
	g, err := device.Select(info, spec)
	if err != nil {
		return nil, withCode(ExitNoGPU, fmt.Errorf("%s: %w", streams.where("device"), err))
	}
	if err := os.Setenv("CUDA_VISIBLE_DEVICES", g.UUID); err != nil {
		return nil, withCode(ExitInternal, err)
	}
	streams.Log.Info().Int("device", g.Index).Str("uuid", g.UUID).Str("compute_capability", g.ComputeCapability).Msg("selected " + g.String())
	if backendName == "reference" {
		streams.Log.Warn().Str("device", spec).Msg("--device has no effect on the reference backend's engines, which run on the CPU")
	}
	return g, nil
}
