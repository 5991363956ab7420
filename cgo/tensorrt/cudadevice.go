//go:build tensorrt

package tensorrt

import (
	"fmt"

	"github.com/trtc-dev/trtc/cgo/cuda"
)

// A trtc built with TensorRT runs engines on cgo/cuda's runtime (libcudart,
// loaded with dlopen at first use). The wiring lives here, under the tag,
// so that every program that links the backend gets it, and cgo/cuda
// stays free of TensorRT.
func init() { SetDevice(openCUDA) }

// openCUDA loads libcudart, or says why engines cannot run.
func openCUDA() (Device, error) {
	if err := cuda.Load(); err != nil {
		return nil, fmt.Errorf("running TensorRT engines needs the CUDA runtime: %w", err)
	}
	return cuda.Runtime{}, nil
}
