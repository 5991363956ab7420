package compiler

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/partition"
)

// EngineKey is stable for an unchanged compile and changes with each thing
// the engine depends on.
func TestEngineKey(t *testing.T) {
	build := func(mutate func(g *ir.Graph, o *Options)) string {
		t.Helper()
		g := ir.NewGraph("t", "onnx")
		g.Opsets[""] = 17
		g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2, 3)}
		w := ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, 2, 3, 4, 5, 6})
		g.Values["w"] = &ir.Value{Name: "w", DType: ir.Float32, Shape: ir.S(2, 3), Const: w}
		g.Inputs, g.Outputs = []string{"x"}, []string{"y"}
		g.Nodes = []*ir.Node{
			{Name: "add", Op: "onnx.Add", Inputs: []string{"x", "w"}, Outputs: []string{"h"}, Attrs: map[string]ir.Attr{}},
			{Name: "relu", Op: "onnx.Relu", Inputs: []string{"h"}, Outputs: []string{"y"}, Attrs: map[string]ir.Attr{}},
		}
		s := &conversion.Settings{MinBlockSize: 1, Backend: "reference"}
		o := Options{Settings: s, Registry: converters.Builtin()}
		if mutate != nil {
			mutate(g, &o)
		}
		if _, err := Prepare(g, "t.onnx", o.Settings); err != nil {
			t.Fatal(err)
		}
		p, err := partition.Run(g, o.Registry, o.Settings)
		if err != nil || len(p.Segments) != 1 || p.Segments[0].Kind != partition.Engine {
			t.Fatalf("partition: %v %+v", err, p)
		}
		be, _ := backend.Get("reference")
		key, err := EngineKey(g, p.Segments[0], be, o)
		if err != nil {
			t.Fatal(err)
		}
		return key
	}
	lib := filepath.Join(t.TempDir(), "libp.so")
	if err := os.WriteFile(lib, []byte("\x7fELF"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := build(nil)
	if again := build(nil); again != base || len(base) != 64 {
		t.Fatalf("unchanged compile: %s then %s", base, again)
	}
	if k := build(func(_ *ir.Graph, o *Options) { o.Build.TimingCache = "tc.bin" }); k != base {
		t.Error("the timing cache's path changed the key")
	}
	for name, mutate := range map[string]func(g *ir.Graph, o *Options){
		"a weight":         func(g *ir.Graph, _ *Options) { g.Values["w"].Const.SetFloat(4, 7) },
		"an op":            func(g *ir.Graph, _ *Options) { g.Nodes[1].Op = "onnx.Sigmoid" },
		"a node name":      func(g *ir.Graph, _ *Options) { g.Nodes[0].Name = "add2" },
		"an attribute":     func(g *ir.Graph, _ *Options) { g.Nodes[1].Attrs["alpha"] = ir.Attr{Kind: ir.AttrFloat, F: 0.1} },
		"the input shape":  func(g *ir.Graph, _ *Options) { g.Values["x"].Shape = ir.Shape{ir.Sym("N"), ir.D(3)} },
		"a shape override": func(_ *ir.Graph, o *Options) { o.Settings.InputShapes = map[string]ir.Shape{"x": ir.S(2, 3)} },
		"a profile": func(_ *ir.Graph, o *Options) {
			o.Build.Profiles = []backend.Profile{{Min: map[string][]int64{"x": {1, 3}}}}
		},
		"the workspace":             func(_ *ir.Graph, o *Options) { o.Build.WorkspaceBytes = 1 << 30 },
		"the opt level":             func(_ *ir.Graph, o *Options) { o.Build.OptimizationLevel, o.Build.OptimizationLevelSet = 5, true },
		"hw compatibility":          func(_ *ir.Graph, o *Options) { o.Build.HardwareCompatibility = "ampere+" },
		"version compatible":        func(_ *ir.Graph, o *Options) { o.Build.VersionCompatible = true },
		"the GPU":                   func(_ *ir.Graph, o *Options) { o.ComputeCapability = "9.0" },
		"a TensorRT plugin library": func(_ *ir.Graph, o *Options) { o.TRTPluginLibs = []string{lib} },
	} {
		if k := build(mutate); k == base {
			t.Errorf("changing %s left the key unchanged", name)
		}
	}
}

// Settings that only decide the partition do not change an engine whose
// segment is the same.
func TestEngineKeyIgnoresPartitionSettings(t *testing.T) {
	g := ir.NewGraph("t", "onnx")
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2)}
	g.Inputs, g.Outputs = []string{"x"}, []string{"y"}
	g.Nodes = []*ir.Node{{Name: "r", Op: "onnx.Relu", Inputs: []string{"x"}, Outputs: []string{"y"}, Attrs: map[string]ir.Attr{}}}
	seg := &partition.Segment{Kind: partition.Engine, Nodes: g.Nodes, Inputs: []string{"x"}, Outputs: []string{"y"},
		Converters: []*conversion.Converter{{Name: "onnx.Relu", Origin: conversion.OriginBuiltin}}}
	be, _ := backend.Get("reference")
	a, err := EngineKey(g, seg, be, Options{Settings: &conversion.Settings{MinBlockSize: 5, Backend: "reference"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := EngineKey(g, seg, be, Options{Settings: &conversion.Settings{MinBlockSize: 1, FallbackOps: []string{"Add"}, RequireFullCompilation: true, Backend: "reference"}})
	c, _ := EngineKey(g, seg, be, Options{Settings: &conversion.Settings{MinBlockSize: 5, Backend: "tensorrt"}})
	if a != b || a == c {
		t.Errorf("partition settings: %s vs %s; backend: %s", a, b, c)
	}
}
