package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/spf13/viper"

	"github.com/trtc-dev/trtc/pkg/device"
)

func testIO() (*IO, *bytes.Buffer) {
	var out bytes.Buffer
	return &IO{Out: &out, Err: &out, Log: zerolog.Nop(), Config: viper.New()}, &out
}

var h100 = &device.Info{DriverVersion: "580.159.04", CUDAVersion: "13.0", GPUs: []device.GPU{{
	Index: 0, Name: "NVIDIA H100 80GB HBM3", UUID: "GPU-0a1b2c3d-0000-1111-2222-333344445555",
	MemoryTotal: 81559 << 20, MemoryFree: 81000 << 20, ComputeCapability: "9.0"}}}

func TestDevicesFlags(t *testing.T) {
	streams, _ := testIO()
	var got *DevicesOptions
	cmd := NewCmdDevices(streams, func(o *DevicesOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-o", "json"})
	if err := cmd.Execute(); err != nil || got == nil || got.Output != "json" {
		t.Fatalf("devices -o json: err %v, opts %+v", err, got)
	}
	cmd = NewCmdDevices(streams, func(*DevicesOptions) error { t.Error("ran with a bad -o"); return nil })
	cmd.SetArgs([]string{"-o", "yaml"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); exitCode(err) != ExitUsage {
		t.Errorf("devices -o yaml: %v (exit %d), want exit %d", err, exitCode(err), ExitUsage)
	}
}

func TestDevicesText(t *testing.T) {
	streams, out := testIO()
	err := devicesRun(&DevicesOptions{IO: streams, Output: "text", Query: func() (*device.Info, error) { return h100, nil }})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || lines[0] != "driver 580.159.04, CUDA 13.0, 1 GPU(s)" {
		t.Fatalf("output:\n%s", out)
	}
	for _, want := range []string{"0", "NVIDIA H100 80GB HBM3", "9.0", "81559", "81000", "GPU-0a1b2c3d-0000-1111-2222-333344445555"} {
		if !strings.Contains(lines[2], want) {
			t.Errorf("GPU line %q lacks %q", lines[2], want)
		}
	}
}

func TestDevicesJSON(t *testing.T) {
	streams, out := testIO()
	err := devicesRun(&DevicesOptions{IO: streams, Output: "json", Query: func() (*device.Info, error) { return h100, nil }})
	if err != nil {
		t.Fatal(err)
	}
	var got device.Info
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(got.GPUs) != 1 || got.GPUs[0] != h100.GPUs[0] || got.DriverVersion != h100.DriverVersion || got.CUDAVersion != "13.0" {
		t.Errorf("JSON round trip: %+v", got)
	}
	for _, key := range []string{`"compute_capability": "9.0"`, `"memory_total_bytes": 85520809984`, `"uuid"`, `"driver_version"`, `"cuda_version"`} {
		if !strings.Contains(out.String(), key) {
			t.Errorf("JSON lacks %s:\n%s", key, out)
		}
	}
}

func TestDevicesErrors(t *testing.T) {
	streams, _ := testIO()
	noDriver := func() (*device.Info, error) {
		return nil, &device.NoDriverError{Reason: "libnvidia-ml.so.1: cannot open"}
	}
	err := devicesRun(&DevicesOptions{IO: streams, Output: "text", Query: noDriver})
	if exitCode(err) != ExitNoGPU || !strings.Contains(err.Error(), "no NVIDIA driver found: libnvidia-ml.so.1") {
		t.Errorf("no driver: %v (exit %d), want exit %d", err, exitCode(err), ExitNoGPU)
	}
	other := func() (*device.Info, error) { return nil, errors.New("NVML: nvmlDeviceGetCount: Unknown Error") }
	if err := devicesRun(&DevicesOptions{IO: streams, Output: "text", Query: other}); exitCode(err) != ExitInternal {
		t.Errorf("NVML failure: exit %d, want %d", exitCode(err), ExitInternal)
	}
}

// TestDevicesThisMachine runs the real command: machines without a driver
// (CI) must get exit 10 and the message; with a driver, a list.
func TestDevicesThisMachine(t *testing.T) {
	var out, errb bytes.Buffer
	code := Main([]string{"devices"}, &out, &errb)
	if _, err := device.Query(); errors.Is(err, device.ErrNoDriver) {
		if code != ExitNoGPU || !strings.Contains(errb.String(), "trtc: no NVIDIA driver found: ") || out.Len() != 0 {
			t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and the no-driver message", code, out.String(), errb.String(), ExitNoGPU)
		}
		return
	}
	if code != ExitOK || !strings.HasPrefix(out.String(), "driver ") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}

// --device picks a GPU by index or UUID, makes it CUDA's only visible
// device, and fails with exit 10 naming the setting where it cannot.
func TestSelectDevice(t *testing.T) {
	old := deviceQuery
	defer func() { deviceQuery = old }()
	two := &device.Info{GPUs: []device.GPU{h100.GPUs[0], {Index: 1, Name: "NVIDIA A100", UUID: "GPU-aaaaaaaa-0000", ComputeCapability: "8.0"}}}
	deviceQuery = func() (*device.Info, error) { return two, nil }
	t.Setenv("CUDA_VISIBLE_DEVICES", "")
	streams, _ := testIO()
	g, err := selectDevice(streams, "1", "tensorrt")
	if err != nil || g.Name != "NVIDIA A100" || os.Getenv("CUDA_VISIBLE_DEVICES") != "GPU-aaaaaaaa-0000" {
		t.Fatalf("--device 1: %v %v, CUDA_VISIBLE_DEVICES=%q", g, err, os.Getenv("CUDA_VISIBLE_DEVICES"))
	}
	if g, err := selectDevice(streams, "GPU-0a1b2c3d-0000-1111-2222-333344445555", "tensorrt"); err != nil || g.Index != 0 {
		t.Errorf("by UUID: %v %v", g, err)
	}
	if g, err := selectDevice(streams, "", "tensorrt"); err != nil || g == nil || g.Index != 0 {
		t.Errorf("default for a GPU backend: %v %v", g, err)
	}
	if g, err := selectDevice(streams, "", "reference"); err != nil || g != nil {
		t.Errorf("default for the reference backend: %v %v", g, err)
	}
	streams.sources = map[string]source{"device": {srcEnv, "TRTC_DEVICE"}}
	if _, err := selectDevice(streams, "7", "tensorrt"); exitCode(err) != ExitNoGPU || !strings.Contains(err.Error(), `device (env TRTC_DEVICE): GPU "7" not found`) {
		t.Errorf("missing GPU: %v (exit %d)", err, exitCode(err))
	}
	deviceQuery = func() (*device.Info, error) { return nil, &device.NoDriverError{Reason: "test"} }
	if _, err := selectDevice(streams, "0", "tensorrt"); exitCode(err) != ExitNoGPU || !strings.Contains(err.Error(), "no NVIDIA driver found: test") {
		t.Errorf("no driver: %v", err)
	}
}
