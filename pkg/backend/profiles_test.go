package backend

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// strict is TensorRT before 10.11: every dynamic input ranged, int32 values.
var strict = ResolveOptions{RequireDynamic: true}

func prof(dims, vals map[string][3][]int64) Profile {
	p := Profile{Min: map[string][]int64{}, Opt: map[string][]int64{}, Max: map[string][]int64{}}
	for k, v := range dims {
		p.Min[k], p.Opt[k], p.Max[k] = v[0], v[1], v[2]
	}
	if vals != nil {
		p.MinValues, p.OptValues, p.MaxValues = map[string][]int64{}, map[string][]int64{}, map[string][]int64{}
		for k, v := range vals {
			p.MinValues[k], p.OptValues[k], p.MaxValues[k] = v[0], v[1], v[2]
		}
	}
	return p
}

func TestResolveProfiles(t *testing.T) {
	n := ir.Sym("N")
	x := ProfileInput{Name: "x", DType: ir.Float32, Shape: ir.Shape{n, ir.D(3)}}
	h := ProfileInput{Name: "h", DType: ir.Float32, Shape: ir.Shape{n, ir.D(8)}} // an inner engine input
	s := ProfileInput{Name: "s", DType: ir.Int64, Shape: ir.S(2), ShapeTensor: true, Use: "[Shuffle]-[onnx.Reshape]-[r]"}
	w := ProfileInput{Name: "w", DType: ir.Float32, Shape: ir.S(3, 3)}

	// h's N range comes from x; s's values from Min/Opt/Max (trtexec's way).
	p := prof(map[string][3][]int64{"x": {{1, 3}, {2, 3}, {4, 3}}, "s": {{1, -1}, {2, 6}, {4, 12}}}, nil)
	got, err := ResolveProfiles([]ProfileInput{x, h, s, w}, []Profile{p}, strict)
	if err != nil {
		t.Fatal(err)
	}
	r := got[0]
	if fmt.Sprint(r.Min["h"], r.Opt["h"], r.Max["h"]) != "[1 8] [2 8] [4 8]" {
		t.Errorf("h: %v %v %v", r.Min["h"], r.Opt["h"], r.Max["h"])
	}
	if fmt.Sprint(r.MinValues["s"], r.OptValues["s"], r.MaxValues["s"]) != "[1 -1] [2 6] [4 12]" {
		t.Errorf("s values: %v %v %v", r.MinValues["s"], r.OptValues["s"], r.MaxValues["s"])
	}
	if _, ok := r.Min["s"]; ok {
		t.Error("a shape-tensor input got dims in the resolved profile")
	}
	if _, ok := r.Min["w"]; ok {
		t.Error("a static input got dims in the resolved profile")
	}
	// Explicit values win over Min/Opt/Max.
	p2 := prof(map[string][3][]int64{"x": {{1, 3}, {2, 3}, {4, 3}}}, map[string][3][]int64{"s": {{5, 5}, {5, 5}, {5, 5}}})
	if got, err := ResolveProfiles([]ProfileInput{x, s}, []Profile{p2}, strict); err != nil || fmt.Sprint(got[0].MaxValues["s"]) != "[5 5]" {
		t.Errorf("values: %v %v", got, err)
	}

	// No profile: dynamic inputs are an error only when required; shape
	// inputs always are.
	if got, err := ResolveProfiles([]ProfileInput{x}, nil, ResolveOptions{}); got != nil || err != nil {
		t.Errorf("optional: %v %v", got, err)
	}
	if _, err := ResolveProfiles([]ProfileInput{x}, nil, strict); err == nil || !strings.Contains(err.Error(), "x:1x3") {
		t.Errorf("required: %v", err)
	}
	var se *ShapeInputError
	if _, err := ResolveProfiles([]ProfileInput{x, s}, nil, ResolveOptions{}); !errors.As(err, &se) || se.Input != "s" || se.Profile != -1 ||
		!strings.Contains(err.Error(), "--min-shapes/--opt-shapes/--max-shapes s:1x1") {
		t.Errorf("shape input without profile: %v", err)
	}

	for _, c := range []struct {
		p    Profile
		want string
	}{
		{prof(map[string][3][]int64{"x": {{1, 3}, {2, 3}, {4, 3}}}, nil), "profile 0 does not give its values"},
		{prof(map[string][3][]int64{"x": {{1, 3}, {2, 3}, {4, 3}}, "s": {{1}, {1}, {1}}}, nil), "has 2 value(s)"},
		{prof(map[string][3][]int64{"x": {{1, 3}, {2, 3}, {4, 3}}, "s": {{1, 1}, {1, 1}, {1, 1 << 40}}}, nil), "outside int32"},
		{prof(map[string][3][]int64{"x": {{1, 3}, {2, 3}, {4, 3}}, "s": {{3, 1}, {2, 1}, {4, 1}}}, nil), "want min <= opt <= max"},
		{prof(map[string][3][]int64{"x": {{1, 3}, {2, 3}, {4, 3}}, "w": {{3, 3}, {3, 3}, {3, 4}}, "s": {{1, 1}, {1, 1}, {1, 1}}}, nil), "fixed at 3 by the model"},
		{prof(map[string][3][]int64{"s": {{1, 1}, {1, 1}, {1, 1}}}, nil), `engine input "x" (shape [Nx3]) is not named`},
	} {
		if _, err := ResolveProfiles([]ProfileInput{x, s, w}, []Profile{c.p}, strict); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.p, err, c.want)
		}
	}
}

// Without requireDynamic (the reference backend), an input no profile
// entry covers runs any size: it gets no entry.
func TestResolveProfilesLenient(t *testing.T) {
	x := ProfileInput{Name: "x", DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3)}}
	u := ProfileInput{Name: "u", DType: ir.Float32, Shape: ir.Shape{ir.Sym(""), ir.D(3)}}
	p := prof(map[string][3][]int64{"x": {{1, 3}, {2, 3}, {4, 3}}}, nil)
	got, err := ResolveProfiles([]ProfileInput{x, u}, []Profile{p}, ResolveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got[0].Min["u"]; ok || got[0].Max["x"][0] != 4 {
		t.Errorf("got %+v", got[0])
	}
	if _, err := ResolveProfiles([]ProfileInput{x, u}, []Profile{p}, strict); err == nil {
		t.Error("an unresolvable input passed with requireDynamic")
	}
}

// TensorRT 10.11+ takes int64 shape values (setShapeValuesV2).
func TestInt64ShapeValues(t *testing.T) {
	s := ProfileInput{Name: "s", DType: ir.Int64, Shape: ir.S(1), ShapeTensor: true}
	big := []int64{1 << 40}
	p := prof(nil, map[string][3][]int64{"s": {big, big, big}})
	if _, err := ResolveProfiles([]ProfileInput{s}, []Profile{p}, strict); err == nil || !strings.Contains(err.Error(), "outside int32") {
		t.Errorf("before 10.11: %v", err)
	}
	if got, err := ResolveProfiles([]ProfileInput{s}, []Profile{p}, ResolveOptions{Int64Values: true}); err != nil || got[0].MaxValues["s"][0] != 1<<40 {
		t.Errorf("10.11+: %v %v", got, err)
	}
}

func TestCheckProfileShape(t *testing.T) {
	p := prof(map[string][3][]int64{"x": {{1, 3}, {2, 3}, {4, 3}}}, map[string][3][]int64{"s": {{1, 1}, {2, 2}, {6, 6}}})
	if err := CheckProfileShape(0, p, "x", ir.NewTensor(ir.Float32, []int64{4, 3}), false); err != nil {
		t.Error(err)
	}
	err := CheckProfileShape(0, p, "x", ir.NewTensor(ir.Float32, []int64{5, 3}), false)
	if err == nil || err.Error() != `input "x": dim 0 is 5, outside optimization profile 0's range [1, 4]` {
		t.Errorf("batch 5: %v", err)
	}
	err = CheckProfileShape(0, p, "s", ir.FromSlice(ir.Int64, []int64{2}, []int64{3, 7}), true)
	if err == nil || err.Error() != `input "s": shape-tensor value 1 is 7, outside optimization profile 0's range [1, 6]` {
		t.Errorf("value 7: %v", err)
	}
	if err := CheckProfileShape(0, p, "other", ir.NewTensor(ir.Float32, []int64{9}), false); err != nil {
		t.Errorf("an input the profile does not name: %v", err)
	}
	// A malformed profile (lists of different lengths, as a damaged plan
	// could hold) is read within bounds, never past them.
	bad := Profile{Min: map[string][]int64{"x": {1, 3}}, Max: map[string][]int64{"x": {4}},
		MinValues: map[string][]int64{"s": {1, 1}}, MaxValues: map[string][]int64{"s": {6}}}
	if err := CheckProfileShape(0, bad, "x", ir.NewTensor(ir.Float32, []int64{2, 9}), false); err != nil {
		t.Errorf("short max: %v", err)
	}
	if err := CheckProfileShape(0, bad, "s", ir.FromSlice(ir.Int64, []int64{2}, []int64{2, 99}), true); err != nil {
		t.Errorf("short max values: %v", err)
	}
}
