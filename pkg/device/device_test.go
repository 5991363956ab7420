package device

import (
	"errors"
	"strings"
	"testing"
)

// On machines without a driver (CI, the developers' machines) Query must
// say so clearly; on a GPU machine it must list plausible GPUs.
func TestQuery(t *testing.T) {
	info, err := Query()
	if err != nil {
		var nd *NoDriverError
		if !errors.As(err, &nd) || !errors.Is(err, ErrNoDriver) {
			t.Fatalf("Query() = %v, want a *NoDriverError on a machine without GPUs", err)
		}
		if !strings.HasPrefix(err.Error(), "no NVIDIA driver found: ") || !strings.Contains(err.Error(), "libnvidia-ml") {
			t.Errorf("message %q does not say what is missing", err)
		}
		t.Logf("no driver: %v", err)
		return
	}
	if info.DriverVersion == "" || info.CUDAVersion == "" {
		t.Errorf("Query() = %+v: no driver or CUDA version", info)
	}
	for _, g := range info.GPUs {
		if g.Name == "" || !strings.HasPrefix(g.UUID, "GPU-") || g.MemoryTotal == 0 || g.ComputeCapability == "" {
			t.Errorf("GPU %+v is implausible", g)
		}
	}
	t.Logf("%+v", info)
}

func TestSelect(t *testing.T) {
	info := &Info{GPUs: []GPU{
		{Index: 0, Name: "A", UUID: "GPU-8ae83013-89b7-8c24-0077-92850eab5ba5", ComputeCapability: "9.0"},
		{Index: 1, Name: "B", UUID: "GPU-8ae83013-0000-0000-0000-000000000001", ComputeCapability: "8.0"},
		{Index: 2, Name: "C", UUID: "GPU-12345678-0000-0000-0000-000000000002", ComputeCapability: "8.6"},
	}}
	for spec, want := range map[string]string{
		"1": "B", " 2 ": "C", "GPU-8ae83013-89b7-8c24-0077-92850eab5ba5": "A", "GPU-1234": "C",
	} {
		g, err := Select(info, spec)
		if err != nil || g.Name != want {
			t.Errorf("Select(%q) = %v, %v; want %s", spec, g, err, want)
		}
	}
	for spec, want := range map[string]string{
		"3":            `GPU "3" not found: this machine has 0 GPU-8ae8`,
		"GPU-8ae83013": "ambiguous",
		"GPU-ffff0000": "not found",
		"GPU":          "not found", // too short to be a prefix
		"-1":           "not found",
	} {
		if _, err := Select(info, spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Select(%q) = %v, want %q", spec, err, want)
		}
	}
	if _, err := Select(&Info{}, "0"); err == nil || !strings.Contains(err.Error(), "NVML lists no GPU") {
		t.Errorf("no GPUs: %v", err)
	}
	if s := info.GPUs[0].String(); s != "GPU 0 (A, GPU-8ae83013-89b7-8c24-0077-92850eab5ba5, compute capability 9.0)" {
		t.Errorf("String: %s", s)
	}
}
