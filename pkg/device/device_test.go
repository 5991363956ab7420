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
