package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/viper"
)

// parseBuildFlags runs `trtc compile`'s flag parsing only (runF replaces
// the command) and returns its options.
func parseBuildFlags(t *testing.T, args ...string) (*CompileOptions, error) {
	t.Helper()
	var got *CompileOptions
	streams := &IO{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}, Config: viper.New()}
	cmd := NewCmdCompile(streams, func(o *CompileOptions) error { got = o; return nil })
	cmd.SetArgs(append([]string{"model.onnx"}, args...))
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	if err := cmd.Execute(); err != nil {
		return nil, err
	}
	return got, nil
}

func TestBuildOptionsFlags(t *testing.T) {
	o, err := parseBuildFlags(t,
		"--min-shapes", "x:1x3x8x8,y:1", "--opt-shapes", "x:4x3x8x8,y:2", "--max-shapes", "x:8x3x8x8,y:4",
		"--min-shapes", "x:1x3x8x8,y:1", "--opt-shapes", "x:1x3x8x8,y:1", "--max-shapes", "x:2x3x8x8,y:1",
		"--workspace", "2GiB", "--builder-optimization-level", "0", "--timing-cache", "tc.bin",
		"--hardware-compatibility", "ampere+", "--version-compatible")
	if err != nil {
		t.Fatal(err)
	}
	b, err := buildOptions(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Profiles) != 2 || fmt.Sprint(b.Profiles[0].Opt["x"], b.Profiles[0].Max["y"], b.Profiles[1].Max["x"]) != "[4 3 8 8] [4] [2 3 8 8]" {
		t.Errorf("profiles: %+v", b.Profiles)
	}
	if b.WorkspaceBytes != 2<<30 || !b.OptimizationLevelSet || b.OptimizationLevel != 0 || b.TimingCache != "tc.bin" ||
		b.HardwareCompatibility != "ampere+" || !b.VersionCompatible {
		t.Errorf("options: %+v", b)
	}
	o, _ = parseBuildFlags(t)
	if b, err := buildOptions(o); err != nil || b.OptimizationLevelSet || b.Profiles != nil || b.WorkspaceBytes != 0 {
		t.Errorf("defaults: %+v %v", b, err)
	}
}

func TestBuildOptionsErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--min-shapes", "x:1"}, "must be given together, once per profile (got 1, 0 and 0)"},
		{[]string{"--min-shapes", "x:2", "--opt-shapes", "x:1", "--max-shapes", "x:4"}, `input "x" dim 0: want min <= opt <= max, got 2, 1, 4`},
		{[]string{"--min-shapes", "x:1", "--opt-shapes", "y:1", "--max-shapes", "x:1"}, `input "x" is in --min-shapes but not in --opt-shapes`},
		{[]string{"--min-shapes", "x:1", "--opt-shapes", "x:1x2", "--max-shapes", "x:1"}, "ranks 1, 2 and 1"},
		{[]string{"--min-shapes", "1x3", "--opt-shapes", "x:1", "--max-shapes", "x:1"}, "want NAME:DIMS"},
		{[]string{"--min-shapes", "x:Nx3", "--opt-shapes", "x:1x3", "--max-shapes", "x:1x3"}, `"N" is not a number`},
		{[]string{"--min-shapes", "x:1,x:2", "--opt-shapes", "x:1", "--max-shapes", "x:1"}, `input "x" is given twice`},
		{[]string{"--workspace", "lots"}, `--workspace: "lots": want a positive size`},
		{[]string{"--builder-optimization-level", "7"}, "must be 0..5, got 7"},
		{[]string{"--hardware-compatibility", "hopper+"}, `not "hopper+"`},
	}
	for _, c := range cases {
		o, err := parseBuildFlags(t, c.args...)
		if err == nil {
			_, err = buildOptions(o)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.args, err, c.want)
			continue
		}
		if exitCode(err) != ExitUsage {
			t.Errorf("%v: exit code %d, want %d", c.args, exitCode(err), ExitUsage)
		}
	}
}

// Shape-tensor values (trtexec's syntax) may be negative, as a reshape's
// -1 wildcard is; the backend checks dims against the network.
func TestProfileValuesMayBeNegative(t *testing.T) {
	o, err := parseBuildFlags(t, "--min-shapes", "s:-1x2", "--opt-shapes", "s:-1x3", "--max-shapes", "s:-1x4")
	if err != nil {
		t.Fatal(err)
	}
	b, err := buildOptions(o)
	if err != nil {
		t.Fatal(err)
	}
	if p := b.Profiles[0]; fmt.Sprint(p.Min["s"], p.Opt["s"], p.Max["s"]) != "[-1 2] [-1 3] [-1 4]" {
		t.Errorf("got %v %v %v", p.Min["s"], p.Opt["s"], p.Max["s"])
	}
}
