// Package device reports the machine's NVIDIA GPUs through NVML (cgo/nvml,
// which loads libnvidia-ml with dlopen, so trtc runs where no driver is
// installed). It answers `trtc devices` and gives the runtime the compute
// capability that bundle engines are checked against.
package device

import (
	"errors"
	"fmt"

	"github.com/trtc-dev/trtc/cgo/nvml"
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
	s, err := nvml.Open()
	if err != nil {
		var le *nvml.LoadError
		var ne *nvml.Error
		switch {
		case errors.As(err, &le):
			return nil, &NoDriverError{Reason: "NVML (libnvidia-ml.so.1, installed with the driver) could not be loaded: " + le.Error()}
		case errors.As(err, &ne) && ne.Code == nvml.ErrorDriverNotLoaded:
			return nil, &NoDriverError{Reason: "NVML is installed but the NVIDIA kernel driver is not running (" + err.Error() + ")"}
		}
		return nil, fmt.Errorf("NVML: %w", err)
	}
	info, err := query(s)
	if cerr := s.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("NVML: %w", cerr)
	}
	return info, err
}

func query(s *nvml.Session) (*Info, error) {
	info := &Info{}
	var err error
	if info.DriverVersion, err = s.DriverVersion(); err != nil {
		return nil, fmt.Errorf("NVML: %w", err)
	}
	cuda, err := s.CUDADriverVersion()
	if err != nil {
		return nil, fmt.Errorf("NVML: %w", err)
	}
	info.CUDAVersion = fmt.Sprintf("%d.%d", cuda/1000, cuda%1000/10)
	n, err := s.DeviceCount()
	if err != nil {
		return nil, fmt.Errorf("NVML: %w", err)
	}
	for i := 0; i < n; i++ {
		d, err := s.Device(i)
		if err != nil {
			return nil, fmt.Errorf("NVML: GPU %d: %w", i, err)
		}
		info.GPUs = append(info.GPUs, GPU{Index: i, Name: d.Name, UUID: d.UUID, MemoryTotal: d.Total,
			MemoryFree: d.Free, ComputeCapability: fmt.Sprintf("%d.%d", d.Major, d.Minor)})
	}
	return info, nil
}
