package tensorrt

import (
	"fmt"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func prof(min, opt, max map[string][]int64) backend.Profile {
	return backend.Profile{Min: min, Opt: opt, Max: max}
}

func TestResolveProfiles(t *testing.T) {
	n := ir.Sym("N")
	x := inputSpec{"x", ir.Shape{n, ir.Dim{Size: 3}}}
	// An engine input inside the graph, sharing the batch symbol.
	h := inputSpec{"h", ir.Shape{n, ir.Dim{Size: 8}}}
	w := inputSpec{"w", ir.S(3, 3)} // static: not in the profile
	p := prof(map[string][]int64{"x": {1, 3}, "other": {1}}, map[string][]int64{"x": {4, 3}, "other": {1}}, map[string][]int64{"x": {8, 3}, "other": {1}})
	got, err := resolveProfiles([]inputSpec{x, h, w}, []backend.Profile{p})
	if err != nil {
		t.Fatal(err)
	}
	want := "map[h:[1 8] x:[1 3]] map[h:[4 8] x:[4 3]] map[h:[8 8] x:[8 3]]"
	if s := fmt.Sprint(got[0].Min, " ", got[0].Opt, " ", got[0].Max); len(got) != 1 || s != want {
		t.Fatalf("got %s, want %s", s, want)
	}
	if got, err := resolveProfiles([]inputSpec{w}, nil); got != nil || err != nil {
		t.Errorf("static engine: %v %v", got, err)
	}
}

func TestResolveProfilesErrors(t *testing.T) {
	n := ir.Sym("N")
	x := inputSpec{"x", ir.Shape{n, ir.Dim{Size: 3}}}
	y := inputSpec{"y", ir.Shape{n}}
	anon := inputSpec{"a", ir.Shape{{Size: -1}}}
	m := func(v ...int64) map[string][]int64 { return map[string][]int64{"x": v} }
	cases := []struct {
		name   string
		inputs []inputSpec
		ps     []backend.Profile
		want   string
	}{
		{"none", []inputSpec{x}, nil, `engine input "x" has dynamic shape [Nx3]: give its range with --min-shapes, --opt-shapes and --max-shapes (e.g. x:1x3)`},
		{"order", []inputSpec{x}, []backend.Profile{prof(m(4, 3), m(2, 3), m(8, 3))}, "want 0 <= min <= opt <= max, got 4, 2, 8"},
		{"rank", []inputSpec{x}, []backend.Profile{prof(m(1), m(1), m(1))}, `input "x" has rank 2`},
		{"static", []inputSpec{x}, []backend.Profile{prof(m(1, 2), m(1, 3), m(1, 3))}, "dim 1 is fixed at 3 by the model, but the profile gives 2..3"},
		{"no max", []inputSpec{x}, []backend.Profile{prof(m(1, 3), m(1, 3), nil)}, "no --opt-shapes or --max-shapes entry"},
		{"conflict", []inputSpec{x, y}, []backend.Profile{prof(map[string][]int64{"x": {1, 3}, "y": {2}}, map[string][]int64{"x": {1, 3}, "y": {2}}, map[string][]int64{"x": {1, 3}, "y": {2}})},
			"dim N is 2..2..2 in input"},
		{"uncovered", []inputSpec{x, anon}, []backend.Profile{prof(m(1, 3), m(1, 3), m(1, 3))}, `engine input "a" (shape [?]) is not named in --min-shapes`},
	}
	for _, c := range cases {
		_, err := resolveProfiles(c.inputs, c.ps)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}

// Shape-tensor inputs keep their values per profile, also when their dims
// are static (a reshape's shape input [2]); bad values are refused.
func TestResolveProfilesShapeValues(t *testing.T) {
	s := inputSpec{"s", ir.S(2)}
	x := inputSpec{"x", ir.S(4, 6)}
	v := func(a ...int64) map[string][]int64 { return map[string][]int64{"s": a} }
	p := backend.Profile{MinValues: v(1, 6), OptValues: v(2, 12), MaxValues: v(4, 24)}
	got, err := resolveProfiles([]inputSpec{x, s}, []backend.Profile{p})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || fmt.Sprint(got[0].MinValues, got[0].OptValues, got[0].MaxValues) != "map[s:[1 6]] map[s:[2 12]] map[s:[4 24]]" {
		t.Fatalf("got %+v", got)
	}
	bad := backend.Profile{MinValues: v(1, 6), OptValues: v(2, 5), MaxValues: v(4, 24)}
	if _, err := resolveProfiles([]inputSpec{s}, []backend.Profile{bad}); err == nil || !strings.Contains(err.Error(), `shape-tensor input "s" value 1: want min <= opt <= max, got 6, 5, 24`) {
		t.Errorf("min > opt: %v", err)
	}
	short := backend.Profile{MinValues: v(1, 6), OptValues: v(2), MaxValues: v(4, 24)}
	if _, err := resolveProfiles([]inputSpec{s}, []backend.Profile{short}); err == nil || !strings.Contains(err.Error(), "2 min, 1 opt and 2 max values") {
		t.Errorf("lengths: %v", err)
	}
}
