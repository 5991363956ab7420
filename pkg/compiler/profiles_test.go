package compiler

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/backend/reference"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

func TestProfilesProto(t *testing.T) {
	ps := []backend.Profile{
		{Min: map[string][]int64{"b": {1}, "a": {1, 3}}, Opt: map[string][]int64{"b": {2}, "a": {4, 3}}, Max: map[string][]int64{"b": {4}, "a": {8, 3}}},
		{Min: map[string][]int64{"a": {1, 3}}, Opt: map[string][]int64{"a": {1, 3}}, Max: map[string][]int64{"a": {2, 3}}},
	}
	got := profilesProto(ps, []string{"a", "w", "b"})
	var s string
	for _, p := range got {
		for _, in := range p.Inputs {
			s += fmt.Sprintf("%s:%v/%v/%v ", in.Tensor, in.Min, in.Opt, in.Max)
		}
		s += "| "
	}
	if want := "a:[1 3]/[4 3]/[8 3] b:[1]/[2]/[4] | a:[1 3]/[1 3]/[2 3] | "; s != want {
		t.Errorf("got %q, want %q", s, want)
	}
	if profilesProto(nil, []string{"a"}) != nil {
		t.Error("a static engine got profiles")
	}
}

// brokenBackend's networks fail before any layer, as a TensorRT network
// does when libnvinfer cannot create a builder.
type brokenBackend struct{ backend.Backend }

type brokenNetwork struct{ network.Network }

func (brokenBackend) Name() string                { return "broken-test" }
func (brokenBackend) NewNetwork() network.Network { return brokenNetwork{reference.NewNetwork()} }
func (brokenNetwork) Err() error                  { return errors.New("createInferBuilder returned null") }

// A backend that cannot make a network fails the compile; its nodes must
// not silently fall back.
func TestBrokenBackendFailsCompile(t *testing.T) {
	backend.Register(brokenBackend{})
	s := conversion.DefaultSettings()
	s.Backend = "broken-test"
	model := filepath.Join("..", "..", "testdata", "models", "cnn_resnet", "model.onnx")
	_, err := CompileFile(model, Options{Settings: s, Registry: converters.Builtin()})
	if err == nil || !strings.Contains(err.Error(), "backend broken-test: createInferBuilder returned null") {
		t.Fatalf("got %v", err)
	}
}
