package reference

import (
	"errors"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

func dimsProfile(name string, mn, op, mx []int64) backend.Profile {
	return backend.Profile{Min: map[string][]int64{name: mn}, Opt: map[string][]int64{name: op}, Max: map[string][]int64{name: mx}}
}

func reluEngine(t *testing.T, profiles ...backend.Profile) (*Engine, backend.Target) {
	t.Helper()
	n := NewNetwork()
	x := n.AddInput("x", ir.Float32, ir.Shape{ir.Sym("batch"), ir.D(3)})
	n.MarkOutput(n.AddActivation(x, network.ActivationParams{Type: network.ActivationRELU}), "y")
	blob, target, err := Backend{}.Build(n, backend.BuildOptions{Profiles: profiles})
	if err != nil {
		t.Fatal(err)
	}
	e, err := Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	return e, target
}

// The engine keeps its profiles and refuses a batch outside them, naming
// the input, the dim and the range, as IExecutionContext::setInputShape
// does.
func TestProfilesHonoured(t *testing.T) {
	e, target := reluEngine(t, dimsProfile("x", []int64{1, 3}, []int64{2, 3}, []int64{4, 3}))
	if len(target.Profiles) != 1 || len(e.Profiles()) != 1 || e.Profiles()[0].Max["x"][0] != 4 {
		t.Fatalf("profiles not recorded: target %+v, engine %+v", target.Profiles, e.Profiles())
	}
	if _, err := e.Run(map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{4, 3})}); err != nil {
		t.Fatalf("batch 4: %v", err)
	}
	_, err := e.Run(map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{5, 3})})
	var pe *backend.ProfileError
	if !errors.As(err, &pe) || pe.Input != "x" || pe.Index != 0 || pe.Got != 5 || pe.Min != 1 || pe.Max != 4 {
		t.Fatalf("batch 5: got %v", err)
	}
	if want := `input "x": dim 0 is 5, outside optimization profile 0's range [1, 4]`; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	// Without profiles the reference backend runs any shape.
	free, _ := reluEngine(t)
	if _, err := free.Run(map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{5, 3})}); err != nil {
		t.Fatalf("no profile: %v", err)
	}
}

// With several profiles, a binding that fits any of them runs; one that
// fits none names each profile's violation.
func TestSeveralProfiles(t *testing.T) {
	e, _ := reluEngine(t, dimsProfile("x", []int64{1, 3}, []int64{2, 3}, []int64{4, 3}),
		dimsProfile("x", []int64{8, 3}, []int64{8, 3}, []int64{16, 3}))
	for _, b := range []int64{1, 4, 8, 16} {
		if _, err := e.Run(map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{b, 3})}); err != nil {
			t.Errorf("batch %d: %v", b, err)
		}
	}
	_, err := e.Run(map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{6, 3})})
	if err == nil || !strings.Contains(err.Error(), "profile 0's range [1, 4]") || !strings.Contains(err.Error(), "profile 1's range [8, 16]") {
		t.Fatalf("batch 6: got %v", err)
	}
}

// A profile that contradicts the network is a build error.
func TestBadProfilesRefused(t *testing.T) {
	n := NewNetwork()
	x := n.AddInput("x", ir.Float32, ir.Shape{ir.Sym("batch"), ir.D(3)})
	n.MarkOutput(n.AddIdentity(x), "y")
	for _, c := range []struct {
		p    backend.Profile
		want string
	}{
		{dimsProfile("x", []int64{1, 3}, []int64{2, 3}, []int64{4, 4}), "fixed at 3 by the model"},
		{dimsProfile("x", []int64{3, 3}, []int64{2, 3}, []int64{4, 3}), "want 0 <= min <= opt <= max"},
		{dimsProfile("x", []int64{1}, []int64{2}, []int64{4}), "has rank 2"},
	} {
		if _, _, err := (Backend{}).Build(n, backend.BuildOptions{Profiles: []backend.Profile{c.p}}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("profile %+v: got %v, want %q", c.p, err, c.want)
		}
	}
}

func TestIgnoredOptions(t *testing.T) {
	if got := IgnoredOptions(backend.BuildOptions{HardwareCompatibility: "none"}); len(got) != 0 {
		t.Errorf("defaults: %v", got)
	}
	got := IgnoredOptions(backend.BuildOptions{WorkspaceBytes: 1 << 30, TimingCache: "t.cache", VersionCompatible: true,
		OptimizationLevelSet: true, HardwareCompatibility: "ampere+"})
	if strings.Join(got, " ") != "--workspace --timing-cache --version-compatible --builder-optimization-level --hardware-compatibility" {
		t.Errorf("got %v", got)
	}
}
