// Package device reports the machine's NVIDIA GPUs through NVML, with
// NVIDIA's go-nvml, which loads libnvidia-ml with dlopen at nvmlInit, so
// trtc runs where no driver is installed. go-nvml calls NVML through
// symbols left unresolved at link time: a binary that can load plugins (as
// trtc can) is linked with -z now by default and then stops at start-up
// with "undefined symbol: nvml...". trtc is therefore linked with
// -ldflags=-extldflags=-Wl,-z,lazy (the Makefile and README's go install
// line do it; internal/cmdtest builds it every documented way and starts it). It answers `trtc devices` and gives the runtime the compute
// capability that bundle engines are checked against.
package device

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// GPU is one device as NVML reports it.
type GPU struct {
	Index             int    `json:"index"`
	Name              string `json:"name"`
	UUID              string `json:"uuid"`
	MemoryTotal       uint64 `json:"memory_total_bytes"`
	MemoryFree        uint64 `json:"memory_free_bytes"`
	ComputeCapability string `json:"compute_capability"` // "9.0"
}

// Info is the driver and its GPUs.
type Info struct {
	DriverVersion string `json:"driver_version"` // "580.159.04"
	CUDAVersion   string `json:"cuda_version"`   // the newest CUDA the driver supports, "13.0"
	GPUs          []GPU  `json:"gpus"`
}

// NoDriverError says that there is no usable NVIDIA driver: NVML's
// library is missing or the kernel driver is not loaded.
type NoDriverError struct{ Reason string }

func (e *NoDriverError) Error() string { return "no NVIDIA driver found: " + e.Reason }

// ErrNoDriver is matched (errors.Is) by every *NoDriverError.
var ErrNoDriver = errors.New("no NVIDIA driver found")

// Is makes errors.Is(err, ErrNoDriver) true.
func (e *NoDriverError) Is(target error) bool { return target == ErrNoDriver }

// Query reads the driver and every GPU.
func Query() (*Info, error) {
	if r := nvml.Init(); r != nvml.SUCCESS {
		switch r {
		case nvml.ERROR_LIBRARY_NOT_FOUND:
			return nil, &NoDriverError{Reason: "NVML (libnvidia-ml.so.1, installed with the driver) could not be loaded: " + r.Error()}
		case nvml.ERROR_DRIVER_NOT_LOADED:
			return nil, &NoDriverError{Reason: "NVML is installed but the NVIDIA kernel driver is not running (nvmlInit: " + r.Error() + ")"}
		}
		return nil, fmt.Errorf("NVML: nvmlInit: %v", r)
	}
	info, err := query()
	if r := nvml.Shutdown(); err == nil && r != nvml.SUCCESS {
		err = fmt.Errorf("NVML: nvmlShutdown: %v", r)
	}
	return info, err
}

func query() (*Info, error) {
	info := &Info{}
	var r nvml.Return
	if info.DriverVersion, r = nvml.SystemGetDriverVersion(); r != nvml.SUCCESS {
		return nil, fmt.Errorf("NVML: nvmlSystemGetDriverVersion: %v", r)
	}
	cuda, r := nvml.SystemGetCudaDriverVersion()
	if r != nvml.SUCCESS {
		return nil, fmt.Errorf("NVML: nvmlSystemGetCudaDriverVersion: %v", r)
	}
	info.CUDAVersion = fmt.Sprintf("%d.%d", cuda/1000, cuda%1000/10)
	n, r := nvml.DeviceGetCount()
	if r != nvml.SUCCESS {
		return nil, fmt.Errorf("NVML: nvmlDeviceGetCount: %v", r)
	}
	for i := 0; i < n; i++ {
		d, r := nvml.DeviceGetHandleByIndex(i)
		if r != nvml.SUCCESS {
			return nil, fmt.Errorf("NVML: GPU %d: nvmlDeviceGetHandleByIndex: %v", i, r)
		}
		g := GPU{Index: i}
		if g.Name, r = d.GetName(); r != nvml.SUCCESS {
			return nil, fmt.Errorf("NVML: GPU %d: nvmlDeviceGetName: %v", i, r)
		}
		if g.UUID, r = d.GetUUID(); r != nvml.SUCCESS {
			return nil, fmt.Errorf("NVML: GPU %d: nvmlDeviceGetUUID: %v", i, r)
		}
		mem, r := d.GetMemoryInfo()
		if r != nvml.SUCCESS {
			return nil, fmt.Errorf("NVML: GPU %d: nvmlDeviceGetMemoryInfo: %v", i, r)
		}
		g.MemoryTotal, g.MemoryFree = mem.Total, mem.Free
		major, minor, r := d.GetCudaComputeCapability()
		if r != nvml.SUCCESS {
			return nil, fmt.Errorf("NVML: GPU %d: nvmlDeviceGetCudaComputeCapability: %v", i, r)
		}
		g.ComputeCapability = fmt.Sprintf("%d.%d", major, minor)
		info.GPUs = append(info.GPUs, g)
	}
	return info, nil
}

// NotFoundError is a --device that names no GPU of this machine.
type NotFoundError struct {
	Spec string
	Have []GPU
}

func (e *NotFoundError) Error() string {
	var have []string
	for _, g := range e.Have {
		have = append(have, fmt.Sprintf("%d %s", g.Index, g.UUID))
	}
	if len(have) == 0 {
		return fmt.Sprintf("GPU %q not found: NVML lists no GPU", e.Spec)
	}
	return fmt.Sprintf("GPU %q not found: this machine has %s", e.Spec, strings.Join(have, ", "))
}

// Select finds the GPU spec names in info: an index as `trtc devices`
// lists them (NVML's order, which ignores CUDA_VISIBLE_DEVICES), or a UUID
// ("GPU-8ae83013-...", or a unique prefix of one).
func Select(info *Info, spec string) (*GPU, error) {
	spec = strings.TrimSpace(spec)
	if i, err := strconv.Atoi(spec); err == nil {
		for k := range info.GPUs {
			if info.GPUs[k].Index == i {
				return &info.GPUs[k], nil
			}
		}
		return nil, &NotFoundError{Spec: spec, Have: info.GPUs}
	}
	var found *GPU
	for k := range info.GPUs {
		g := &info.GPUs[k]
		if g.UUID == spec {
			return g, nil
		}
		if len(spec) >= 8 && strings.HasPrefix(g.UUID, spec) {
			if found != nil {
				return nil, fmt.Errorf("GPU %q is ambiguous: it starts both %s and %s", spec, found.UUID, g.UUID)
			}
			found = g
		}
	}
	if found == nil {
		return nil, &NotFoundError{Spec: spec, Have: info.GPUs}
	}
	return found, nil
}

// String names a GPU for messages: "GPU 0 (NVIDIA H100 80GB HBM3,
// GPU-8ae8..., compute capability 9.0)".
func (g *GPU) String() string {
	return fmt.Sprintf("GPU %d (%s, %s, compute capability %s)", g.Index, g.Name, g.UUID, g.ComputeCapability)
}
