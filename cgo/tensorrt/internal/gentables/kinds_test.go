package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/network/kinddef"
)

// withKind returns a copy of the declarations with one more kind.
func withKind(k kinddef.Kind) []kinddef.Kind {
	return append(slices.Clone(kinddef.Kinds), k)
}

// The generator refuses a kind the implementations lack, as ssa/_gen
// refuses an op without a backend case.
func TestKindsRefuseMissingImplementations(t *testing.T) {
	trt := filepath.Join(root, trtNetwork)
	widget := kinddef.Kind{Name: "Widget", LayerType: "WIDGET", Since: kinddef.Version{Major: 10},
		Methods: []string{"AddWidget"}, Shim: []string{"trtc_add_widget"},
		Inputs: []kinddef.Input{{Name: "input", DTypes: []string{"Float32"}, DTypeSource: kinddef.Source{File: kinddef.NvInfer, Quote: "q"}}}}
	err := checkKinds(root, withKind(widget), trt)
	for _, want := range []string{
		"Widget: no reference implementation",
		"Widget: method AddWidget is not in network.Network",
		"Widget: cgo/tensorrt's Network has no method AddWidget",
		"Widget: shim function trtc_add_widget is not declared in cgo/tensorrt/shim.h",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("a kind without implementations: got %v, want %q", err, want)
		}
	}

	// A kind dropped from the declaration while the reference backend
	// still registers it.
	var fewer []kinddef.Kind
	for _, k := range kinddef.Kinds {
		if k.Name != "TopK" {
			fewer = append(fewer, k)
		}
	}
	if err := checkKinds(root, fewer, trt); err == nil || !strings.Contains(err.Error(), "TopK: registered by the reference backend but not declared") {
		t.Errorf("undeclared registered kind: got %v", err)
	}

	// The shim call missing from the cgo backend's method.
	src, err := os.ReadFile(trt)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(src), "C.trtc_add_scatter(", "C.trtc_add_select(", 1)
	p := filepath.Join(t.TempDir(), "network.go")
	os.WriteFile(p, []byte(s), 0o644)
	if err := checkKinds(root, kinddef.Kinds, p); err == nil || !strings.Contains(err.Error(), "Scatter: shim function trtc_add_scatter is not called by AddScatter") {
		t.Errorf("shim call removed: got %v", err)
	}

	// Rules without sources, unknown dtypes, duplicates.
	bad := kinddef.Kinds[0]
	bad.Rules = append(slices.Clone(bad.Rules), kinddef.Rule{Check: "x", Text: "t"}, kinddef.Rule{Check: "x", Text: "t", Source: kinddef.Source{File: "f", Quote: "q"}})
	bad.Inputs = append(slices.Clone(bad.Inputs), kinddef.Input{Name: "extra", DTypes: []string{"Float64"}, MinRank: 1})
	ks := slices.Clone(kinddef.Kinds)
	ks[0] = bad
	err = checkKinds(root, ks, trt)
	for _, want := range []string{"lacks its check name, text or source", "declared twice", `unknown dtype "Float64"`, "extra's dtypes have no source", "rank bounds without a source"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad declaration: got %v, want %q", err, want)
		}
	}
}

// The generated constants follow the declaration one by one.
func TestKindsGenerated(t *testing.T) {
	if len(network.Kinds) != len(kinddef.Kinds) {
		t.Fatalf("network.Kinds has %d kinds, the declaration %d", len(network.Kinds), len(kinddef.Kinds))
	}
	for i, k := range kinddef.Kinds {
		g := network.Kinds[i]
		if string(g) != k.Name || g.LayerType() != k.LayerType || g.Since() != (network.Version{Major: k.Since.Major, Minor: k.Since.Minor}) {
			t.Errorf("kind %d: generated %s/%s/%v, declared %s/%s/%v", i, g, g.LayerType(), g.Since(), k.Name, k.LayerType, k.Since)
		}
	}
	if network.KindInput.LayerType() != "" {
		t.Error("Input is no TensorRT layer")
	}
}

// TestQuotesInHeaders checks every quoted rule against TensorRT's headers
// when TENSORRT_INCLUDE names a folder with them (NVIDIA/TensorRT's
// include/, fetched, never committed; see docs/tensorrt.md). A quote may
// join several passages with " ... ".
func TestQuotesInHeaders(t *testing.T) {
	dir := os.Getenv("TENSORRT_INCLUDE")
	if dir == "" {
		t.Skip("TENSORRT_INCLUDE is not set: the rule quotes were not checked against headers")
	}
	space := regexp.MustCompile(`\s+`)
	comment := regexp.MustCompile(`\n\s*//!?`)
	text := map[string]string{}
	for _, f := range []string{kinddef.NvInfer, kinddef.NvInferBase, kinddef.NvInferRT} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		text[f] = space.ReplaceAllString(comment.ReplaceAllString(string(b), " "), " ")
	}
	check := func(kind string, s kinddef.Source) {
		for _, part := range strings.Split(s.Quote, "...") {
			for _, p := range strings.Split(part, ";") {
				p = strings.TrimSpace(space.ReplaceAllString(p, " "))
				if p != "" && !strings.Contains(text[s.File], p) {
					t.Errorf("%s: %s does not say %q", kind, s.File, p)
				}
			}
		}
	}
	hv := headerVersion(t, dir)
	// Sources of kinds, inputs and rules newer than the headers are not
	// in them.
	newer := func(v kinddef.Version) bool {
		return v.Major > hv.Major || (v.Major == hv.Major && v.Minor > hv.Minor)
	}
	checked := 0
	for _, k := range kinddef.Kinds {
		if newer(k.Since) {
			continue
		}
		check(k.Name, kinddef.Source{File: kinddef.NvInfer, Quote: "I" + k.Name + "Layer"})
		for _, in := range k.Inputs {
			if !newer(in.Since) {
				check(k.Name, in.DTypeSource)
				check(k.Name, in.RankSource)
			}
			if in.Int64Source.Quote != "" && !newer(in.Int64Since) {
				check(k.Name, in.Int64Source)
			}
		}
		for _, o := range k.Outputs {
			check(k.Name, o.DTypeSource)
		}
		for _, r := range k.Rules {
			if !newer(r.Since) {
				check(k.Name, r.Source)
				checked++
			}
		}
	}
	t.Logf("TensorRT %d.%d headers: the quotes of %d parameter rules and of every input rule checked", hv.Major, hv.Minor, checked)
}

// headerVersion reads NV_TENSORRT_MAJOR/MINOR (or TRT_*_ENTERPRISE, which
// they are defined as from 10.11 on) from NvInferVersion.h.
func headerVersion(t *testing.T, dir string) kinddef.Version {
	b, err := os.ReadFile(filepath.Join(dir, "NvInferVersion.h"))
	if err != nil {
		t.Fatal(err)
	}
	num := func(names ...string) int {
		for _, n := range names {
			if m := regexp.MustCompile(`#define ` + n + ` (\d+)`).FindSubmatch(b); m != nil {
				v, _ := strconv.Atoi(string(m[1]))
				return v
			}
		}
		t.Fatalf("NvInferVersion.h has none of %v", names)
		return 0
	}
	return kinddef.Version{Major: num("NV_TENSORRT_MAJOR", "TRT_MAJOR_ENTERPRISE"), Minor: num("NV_TENSORRT_MINOR", "TRT_MINOR_ENTERPRISE")}
}
