//go:build tensorrt && fakenvinfer

package tensorrt

import (
	"slices"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// A plugin layer through the shim into the fake's plugin registry: the
// shim asks getCreator for the converter's creator name, version and
// namespace, createPlugin gets the layer name, kBUILD and every field (name,
// PluginFieldType, length, data), and addPluginV3 the inputs; the recorded
// layer equals the reference backend's description of the same layer (its
// CPU op, trtc's own, aside). A creator the registry lacks is refused
// naming it.
func TestFakePluginLayer(t *testing.T) {
	fakeEvents()
	fields := []network.PluginFieldInfo{{Name: "alpha", Type: network.PluginFieldFloat32}, {Name: "count", Type: network.PluginFieldInt32},
		{Name: "big", Type: network.PluginFieldInt64}, {Name: "mode", Type: network.PluginFieldChar}}
	fakeRegisterCreator("LeakyPlugin", "2", "acme", fields)
	n := newTee()
	n.BeginNode("test", "plugin")
	x := n.AddInput("x", ir.Float32, ir.Shape{ir.Sym("N"), {Size: 4}})
	spec := network.PluginV3{Creator: "LeakyPlugin", Version: "2", Namespace: "acme", CPUOp: "onnx.LeakyRelu",
		Fields: []network.PluginField{
			{Name: "alpha", Type: network.PluginFieldFloat32, Float32s: []float32{0.25}},
			{Name: "count", Type: network.PluginFieldInt32, Int32s: []int32{3, -4}},
			{Name: "big", Type: network.PluginFieldInt64, Int64s: []int64{1 << 40}},
			{Name: "mode", Type: network.PluginFieldChar, Chars: "fast \"q\""},
		}}
	y := n.AddPluginV3([]network.Tensor{x}, spec)
	n.MarkOutput(y, "y")
	rec := n.compareRecord(t)
	var plugin *network.LayerInfo
	for i := range rec {
		if rec[i].Type == "PLUGIN_V3" {
			plugin = &rec[i]
		}
	}
	if plugin == nil {
		t.Fatalf("no PLUGIN_V3 layer recorded: %+v", rec)
	}
	if plugin.Params["creator"] != "LeakyPlugin" || plugin.Params["version"] != "2" || plugin.Params["namespace"] != "acme" {
		t.Errorf("recorded creator %v", plugin.Params)
	}
	events := fakeEvents()
	noUnexpected(t, events)
	wantCreate := `createPlugin LeakyPlugin 2 acme name=` + plugin.Name + ` phase=BUILD fields=[{"name":"alpha","type":"kFLOAT32","length":1,"data":[0.25]},{"name":"count","type":"kINT32","length":2,"data":[3,-4]},{"name":"big","type":"kINT64","length":1,"data":[1099511627776]},{"name":"mode","type":"kCHAR","length":8,"data":"fast \"q\""}]`
	if !slices.Contains(events, "getCreator LeakyPlugin 2 acme") || !slices.Contains(events, wantCreate) {
		t.Errorf("events %q\nwant getCreator LeakyPlugin 2 acme and %s", events, wantCreate)
	}

	// Another version is another creator, which the registry lacks.
	m := NewNetwork()
	m.BeginNode("test", "missing")
	in := m.AddInput("x", ir.Float32, ir.S(2, 4))
	other := spec
	other.Version = "3"
	m.AddPluginV3([]network.Tensor{in}, other)
	if err := m.Err(); err == nil || !strings.Contains(err.Error(), `TensorRT plugin LeakyPlugin version 3 (namespace "acme"): no such creator is registered`) {
		t.Errorf("a creator the registry lacks: %v", err)
	}
	noUnexpected(t, fakeEvents())
}

// The creators of TensorRT's registry as the backend lists them
// (getAllCreators, getFieldNames), and plugin libraries loaded through
// loadLibrary, a failure naming the file.
func TestFakePluginRegistry(t *testing.T) {
	fakeEvents()
	fields := []network.PluginFieldInfo{{Name: "alpha", Type: network.PluginFieldFloat32}, {Name: "mode", Type: network.PluginFieldChar}}
	fakeRegisterCreator("ListedPlugin", "1", "", fields)
	got, err := Backend{}.PluginCreators()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(got, func(c network.PluginCreatorInfo) bool { return c.Name == "ListedPlugin" })
	if i < 0 || got[i].Version != "1" || got[i].Namespace != "" || got[i].Kind != "PLUGIN CREATOR_V3ONE" || !slices.Equal(got[i].Fields, fields) {
		t.Errorf("PluginCreators: %+v", got)
	}
	if err := (Backend{}).LoadPluginLibraries([]string{"/opt/acme/libacme_plugins.so"}); err != nil {
		t.Errorf("loadLibrary: %v", err)
	}
	err = Backend{}.LoadPluginLibraries([]string{"/opt/missing/libnone.so"})
	if err == nil || !strings.Contains(err.Error(), "--trt-plugin-lib /opt/missing/libnone.so") || !strings.Contains(err.Error(), "loadLibrary failed") {
		t.Errorf("a library that does not load: %v", err)
	}
	events := fakeEvents()
	noUnexpected(t, events)
	if !slices.Contains(events, "loadLibrary /opt/acme/libacme_plugins.so") || !slices.Contains(events, "getAllCreators") {
		t.Errorf("events %q", events)
	}
}
