package runtime_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/runtime"
)

func TestCheckTarget(t *testing.T) {
	trt := func(cc, v, hw string, vc bool) backend.Target {
		return backend.Target{Backend: "tensorrt", Version: v, ComputeCapability: cc, HardwareCompat: hw, VersionCompatible: vc}
	}
	h100 := func(v string) runtime.Machine {
		return runtime.Machine{BackendVersion: v, ComputeCapability: "9.0", GPU: "NVIDIA H100 80GB HBM3"}
	}
	cases := []struct {
		name   string
		target backend.Target
		m      runtime.Machine
		want   string // "" for a match, else a substring of the error
	}{
		{"same GPU and version", trt("9.0", "10.8.0", "", false), h100("10.8.0"), ""},
		{"patch releases differ", trt("9.0", "10.8.0", "NONE", false), h100("10.8.1.3"), ""},
		{"CC differs", trt("8.0", "10.8.0", "", false), h100("10.8.0"), "compute capability 9.0 is not 8.0, and the engine is not hardware-compatible"},
		{"CC and version differ", trt("8.0", "10.3.0", "", false), h100("10.8.0"),
			"engine segment 2 was built for compute capability 8.0 with TensorRT 10.3.0; this machine has 9.0 (compared against NVIDIA H100 80GB HBM3) and TensorRT 10.8.0: compute capability 9.0 is not 8.0"},
		{"minor version differs", trt("9.0", "10.3.0", "", false), h100("10.8.0"), "TensorRT 10.8 is not 10.3, and the engine is not version-compatible"},
		{"ampere+ on hopper", trt("8.0", "10.8.0", "AMPERE_PLUS", false), h100("10.8.0"), ""},
		{"ampere+ on ampere 8.6", trt("8.0", "10.8.0", "AMPERE_PLUS", false), runtime.Machine{BackendVersion: "10.8.0", ComputeCapability: "8.6"}, ""},
		{"ampere+ on turing", trt("8.6", "10.8.0", "AMPERE_PLUS", false), runtime.Machine{BackendVersion: "10.8.0", ComputeCapability: "7.5"},
			"an AMPERE_PLUS engine needs compute capability 8.0 or newer, not 7.5"},
		{"same-CC level, other CC", trt("8.9", "10.8.0", "SAME_COMPUTE_CAPABILITY", false), h100("10.8.0"), "compute capability 9.0 is not 8.9"},
		{"same-CC level, same CC", trt("9.0", "10.8.0", "SAME_COMPUTE_CAPABILITY", false), h100("10.8.0"), ""},
		{"unknown level", trt("9.0", "10.8.0", "BLACKWELL_PLUS", false), h100("10.8.0"), `unknown hardware compatibility level "BLACKWELL_PLUS"`},
		{"version-compatible, newer minor", trt("9.0", "10.3.0", "", true), h100("10.8.0"), ""},
		{"version-compatible, older minor", trt("9.0", "10.8.0", "", true), h100("10.3.0"), "a version-compatible engine runs on TensorRT 10.8 or newer within 10.x, not 10.3.0"},
		{"version-compatible, other major", trt("9.0", "10.8.0", "", true), h100("11.0.0"), "a version-compatible engine runs only on TensorRT 10.x, not 11.0.0"},
		{"both flags, both differ", trt("8.0", "10.3.0", "AMPERE_PLUS", true), h100("10.8.0"), ""},
		{"no GPU", trt("9.0", "10.8.0", "", false), runtime.Machine{BackendVersion: "10.8.0", GPU: "no NVIDIA driver found: libnvidia-ml.so.1 missing"},
			"this machine has no GPU (no NVIDIA driver found: libnvidia-ml.so.1 missing) and TensorRT 10.8.0: an engine needs an NVIDIA GPU"},
		{"TensorRT not loaded", trt("9.0", "10.8.0", "", false), runtime.Machine{ComputeCapability: "9.0"}, "TensorRT is not loaded"},
		{"malformed CC", trt("nine", "10.8.0", "", false), h100("10.8.0"), `the engine's compute capability "nine" is malformed`},
		{"malformed version", trt("9.0", "10", "", false), h100("10.8.0"), `the engine's TensorRT version "10" is malformed`},
		{"nothing recorded", backend.Target{Backend: "tensorrt"}, runtime.Machine{}, ""},
		{"flags are named", trt("8.0", "10.3.0", "AMPERE_PLUS", true), runtime.Machine{BackendVersion: "10.8.0", ComputeCapability: "7.0"},
			"with TensorRT 10.3.0 (hardware compatibility AMPERE_PLUS, version-compatible); this machine has 7.0"},
	}
	for _, c := range cases {
		err := runtime.CheckTarget(2, c.target, c.m)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v, want a match", c.name, err)
		case c.want != "" && err == nil:
			t.Errorf("%s: matched, want %q", c.name, c.want)
		case c.want != "" && !strings.Contains(err.Error(), c.want):
			t.Errorf("%s:\n got %v\nwant %q in it", c.name, err, c.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "engine segment 2 was built for ") {
			t.Errorf("%s: %q does not start by naming the segment", c.name, err)
		}
	}
}
