package compiler

import (
	"errors"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// registryBackend is the reference backend with a TensorRT plugin registry
// holding these creators (as the TensorRT backend lists its own).
type registryBackend struct {
	backend.Backend
	creators []network.PluginCreatorInfo
}

func (registryBackend) Name() string { return "registry-test" }
func (b registryBackend) PluginCreators() ([]network.PluginCreatorInfo, error) {
	return b.creators, nil
}

// leakyGraph is y = vendor.LeakyPlugin(x) with alpha and plugin_version.
func leakyGraph(version string) *ir.Graph {
	g := ir.NewGraph("leaky", "onnx")
	g.Opsets[""], g.Opsets["com.vendor"] = 17, 1
	g.Inputs, g.Outputs = []string{"x"}, []string{"y"}
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2, 3)}
	g.Nodes = []*ir.Node{{Name: "leaky", Op: "com.vendor.LeakyPlugin", Inputs: []string{"x"}, Outputs: []string{"y"},
		Attrs: map[string]ir.Attr{"alpha": {Kind: ir.AttrFloat, F: 0.5}, "plugin_version": {Kind: ir.AttrString, S: version}}}}
	return g
}

// With a backend that has TensorRT's plugin registry, the fallback plugin
// importer takes creators from that registry: a creator both in the
// registry and declared by a Go plugin imports (its CPU op infers the
// outputs) into a PLUGIN_V3 layer; one only in the registry is exit 4
// saying a Go declaration with a CPU op is missing; one in neither is exit
// 4 naming the registry; one declared but absent from the registry is not
// imported.
func TestImporterUsesTheBackendsRegistry(t *testing.T) {
	reg := converters.Builtin()
	pr := conversion.PluginRegistrar(reg, "/test/leaky.so")
	if err := pr.DeclareTRTPlugin(conversion.TRTPluginCreator{Name: "LeakyPlugin", Version: "1", CPUOp: "onnx.LeakyRelu",
		Fields: []conversion.TRTPluginField{{Name: "alpha", Type: network.PluginFieldFloat32}}}); err != nil {
		t.Fatal(err)
	}
	if err := conversion.CommitPlugin(pr, "/test/leaky.so"); err != nil {
		t.Fatal(err)
	}
	ref, err := backend.Get("reference")
	if err != nil {
		t.Fatal(err)
	}
	v3 := "PLUGIN CREATOR_V3ONE"
	backend.Register(registryBackend{ref, []network.PluginCreatorInfo{
		{Name: "LeakyPlugin", Version: "1", Kind: v3, Fields: []network.PluginFieldInfo{{Name: "alpha", Type: network.PluginFieldFloat32}}},
		{Name: "LeakyPlugin", Version: "2", Kind: v3},
	}})
	compile := func(g *ir.Graph, be string) (*Result, error) {
		s := &conversion.Settings{MinBlockSize: 1, Backend: be}
		folded, err := Prepare(g, "leaky.onnx", s)
		if err != nil {
			return nil, err
		}
		return Compile(g, "leaky.onnx", folded, Options{Settings: s, Registry: reg})
	}
	for _, be := range []string{"reference", "registry-test"} {
		res, err := compile(leakyGraph("1"), be)
		if err != nil {
			t.Fatalf("%s: %v", be, err)
		}
		if n := res.Graph.Nodes[0]; n.Op != "onnx.LeakyRelu" || !engineNodes(res)["leaky"] {
			t.Errorf("%s: node %s (%s) not imported into an engine", be, n.Name, n.Op)
		}
	}
	for _, c := range []struct{ version, be, want string }{
		{"2", "registry-test", `TensorRT plugin creator LeakyPlugin version 2 (namespace "") is in TensorRT's plugin registry, but no Go plugin declares it`},
		{"3", "registry-test", `TensorRT's plugin registry has no IPluginCreatorV3One LeakyPlugin version 3 (namespace "") (2 creators`},
		{"2", "reference", `no TensorRT plugin creator LeakyPlugin version 2 (namespace "") is declared`},
	} {
		_, err := compile(leakyGraph(c.version), c.be)
		var u *UnsupportedOpsError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), "com.vendor.LeakyPlugin: leaky") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("version %s on %s: %v\nwant an unsupported-op error with %q", c.version, c.be, err, c.want)
		}
	}
	// Declared but not in the registry: not imported.
	backend.Register(registryBackend{ref, nil})
	if _, err := compile(leakyGraph("1"), "registry-test"); err == nil || !strings.Contains(err.Error(), "TensorRT's plugin registry has no IPluginCreatorV3One LeakyPlugin version 1") {
		t.Errorf("a declared creator missing from the registry: %v", err)
	}
}
