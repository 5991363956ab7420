package runtime

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/device"
	bundlepb "github.com/trtc-dev/trtc/proto/bundle"
)

// Machine is what an engine's build target is checked against.
type Machine struct {
	// BackendVersion is the loaded backend library's version ("10.8.0").
	BackendVersion string
	// ComputeCapability is the GPU's ("9.0"); "" where there is none.
	ComputeCapability string
	// GPU names the GPU the check compares against, for messages ("GPU 0
	// (NVIDIA H100 80GB HBM3, GPU-8ae8..., compute capability 9.0)"), or
	// says why there is none ("no NVIDIA driver found: ...").
	GPU string
}

// TargetError is a bundle engine that cannot run on this machine.
type TargetError struct{ Msg string }

func (e *TargetError) Error() string { return e.Msg }

// CheckTarget says whether an engine built for t can run on m, following
// TensorRT's rules:
//   - the library's major.minor must equal the one the engine was built
//     with; a version-compatible engine runs on any version of the same
//     major that is not older;
//   - the GPU's compute capability must equal the engine's, except with
//     hardware compatibility AMPERE_PLUS, which accepts any compute
//     capability from 8.0 up (SAME_COMPUTE_CAPABILITY and NONE require
//     equality).
//
// Checks whose facts are absent from t are skipped: an engine with no
// version or compute capability recorded is not checked for it.
func CheckTarget(segment int, t backend.Target, m Machine) error {
	lib := t.Backend
	if lib == "tensorrt" {
		lib = "TensorRT"
	}
	built := fmt.Sprintf("engine segment %d was built for compute capability %s with %s %s", segment, orNone(t.ComputeCapability), lib, orNone(t.Version))
	var flags []string
	if t.HardwareCompat != "" && !strings.EqualFold(t.HardwareCompat, "NONE") {
		flags = append(flags, "hardware compatibility "+t.HardwareCompat)
	}
	if t.VersionCompatible {
		flags = append(flags, "version-compatible")
	}
	if len(flags) > 0 {
		built += " (" + strings.Join(flags, ", ") + ")"
	}
	have := fmt.Sprintf("this machine has %s and %s %s", orNone(m.ComputeCapability), lib, orNone(m.BackendVersion))
	if m.ComputeCapability != "" && m.GPU != "" {
		have = fmt.Sprintf("this machine has %s (compared against %s) and %s %s", m.ComputeCapability, m.GPU, lib, orNone(m.BackendVersion))
	}
	if m.ComputeCapability == "" && m.GPU != "" {
		have = fmt.Sprintf("this machine has no GPU (%s) and %s %s", m.GPU, lib, orNone(m.BackendVersion))
	}

	var why []string
	if t.ComputeCapability != "" {
		ok, reason := ccMatches(t.ComputeCapability, t.HardwareCompat, m.ComputeCapability)
		if !ok {
			why = append(why, reason)
		}
	}
	if t.Version != "" {
		ok, reason := versionMatches(lib, t.Version, t.VersionCompatible, m.BackendVersion)
		if !ok {
			why = append(why, reason)
		}
	}
	if len(why) == 0 {
		return nil
	}
	return &TargetError{Msg: built + "; " + have + ": " + strings.Join(why, "; ")}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func ccMatches(built, compat, have string) (bool, string) {
	bMaj, bMin, err := majorMinor(built)
	if err != nil {
		return false, fmt.Sprintf("the engine's compute capability %q is malformed", built)
	}
	if have == "" {
		return false, "an engine needs an NVIDIA GPU"
	}
	hMaj, hMin, err := majorMinor(have)
	if err != nil {
		return false, fmt.Sprintf("the GPU's compute capability %q is malformed", have)
	}
	switch strings.ToUpper(compat) {
	case "AMPERE_PLUS":
		if hMaj >= 8 {
			return true, ""
		}
		return false, fmt.Sprintf("an AMPERE_PLUS engine needs compute capability 8.0 or newer, not %s", have)
	case "", "NONE", "SAME_COMPUTE_CAPABILITY":
		if hMaj == bMaj && hMin == bMin {
			return true, ""
		}
		return false, fmt.Sprintf("compute capability %s is not %s, and the engine is not hardware-compatible (AMPERE_PLUS)", have, built)
	default:
		return false, fmt.Sprintf("unknown hardware compatibility level %q", compat)
	}
}

func versionMatches(lib, built string, compatible bool, have string) (bool, string) {
	bMaj, bMin, err := majorMinor(built)
	if err != nil {
		return false, fmt.Sprintf("the engine's %s version %q is malformed", lib, built)
	}
	if have == "" {
		return false, lib + " is not loaded"
	}
	hMaj, hMin, err := majorMinor(have)
	if err != nil {
		return false, fmt.Sprintf("the loaded %s version %q is malformed", lib, have)
	}
	switch {
	case hMaj == bMaj && hMin == bMin:
		return true, ""
	case compatible && hMaj == bMaj && hMin > bMin:
		return true, ""
	case compatible && hMaj == bMaj:
		return false, fmt.Sprintf("a version-compatible engine runs on %s %d.%d or newer within %d.x, not %s", lib, bMaj, bMin, bMaj, have)
	case compatible:
		return false, fmt.Sprintf("a version-compatible engine runs only on %s %d.x, not %s", lib, bMaj, have)
	default:
		return false, fmt.Sprintf("%s %d.%d is not %d.%d, and the engine is not version-compatible", lib, hMaj, hMin, bMaj, bMin)
	}
}

// majorMinor parses "9.0" or "10.8.0.43".
func majorMinor(v string) (int, int, error) {
	parts := strings.Split(strings.TrimSpace(v), ".")
	if len(parts) < 2 {
		return 0, 0, fmt.Errorf("version %q has no minor part", v)
	}
	maj, err := strconv.Atoi(parts[0])
	if err != nil || maj < 0 {
		return 0, 0, fmt.Errorf("version %q", v)
	}
	mnr, err := strconv.Atoi(parts[1])
	if err != nil || mnr < 0 {
		return 0, 0, fmt.Errorf("version %q", v)
	}
	return maj, mnr, nil
}

// machineFacts are probed once per Program.
type machineFacts struct {
	cc, gpu string
}

// probeGPU returns the compute capability and description of the GPU
// engines run on when no --device names one (NVML's device 0, which is
// CUDA's device 0 unless CUDA_VISIBLE_DEVICES or CUDA_DEVICE_ORDER reorders
// them), or "" and why there is none. Tests replace it.
var probeGPU = func() (cc, name string) {
	info, err := device.Query()
	if err != nil {
		return "", err.Error()
	}
	if len(info.GPUs) == 0 {
		return "", "NVML lists no GPU"
	}
	return info.GPUs[0].ComputeCapability, info.GPUs[0].String()
}

// checkTarget checks one engine's target before it is deserialized.
// Reference engines run on the CPU anywhere and are not checked.
func (p *Program) checkTarget(i int, be backend.Backend, bt *bundlepb.BuildTarget) error {
	if bt == nil || be.Name() == "reference" {
		return nil
	}
	t := backend.Target{Backend: be.Name(), Version: bt.Version, ComputeCapability: bt.ComputeCapability,
		HardwareCompat: bt.HardwareCompatibility, VersionCompatible: bt.VersionCompatible}
	var m Machine
	if t.ComputeCapability != "" {
		if p.machine == nil && p.opts.GPU != nil {
			p.machine = &machineFacts{cc: p.opts.GPU.ComputeCapability, gpu: p.opts.GPU.String()}
		}
		if p.machine == nil {
			cc, gpu := probeGPU()
			p.machine = &machineFacts{cc: cc, gpu: gpu}
		}
		m.ComputeCapability, m.GPU = p.machine.cc, p.machine.gpu
	}
	if t.Version != "" {
		vr, ok := be.(backend.VersionReporter)
		if !ok {
			// A backend that does not report versions accepts its own
			// engines; it checks them when it loads them.
			t.Version = ""
		} else {
			v, err := vr.RuntimeVersion()
			if err != nil {
				return fmt.Errorf("engine segment %d: %w", i, err)
			}
			m.BackendVersion = v
		}
	}
	return CheckTarget(i, t, m)
}
