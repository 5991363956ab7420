package compiler

import (
	"fmt"
	"testing"

	"github.com/trtc-dev/trtc/pkg/backend"
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
