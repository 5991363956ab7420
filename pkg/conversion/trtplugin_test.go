package conversion

import (
	"reflect"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Node attributes become plugin fields by the declared types: float(s) as
// kFLOAT32, int(s) as kINT32 (checked to fit) or kINT64, string as kCHAR;
// a kind that does not match the declared type is refused naming both.
func TestPluginFields(t *testing.T) {
	c := TRTPluginCreator{Name: "P", Version: "1", CPUOp: "onnx.Relu", Fields: []TRTPluginField{
		{"f", network.PluginFieldFloat32}, {"fs", network.PluginFieldFloat32}, {"i32", network.PluginFieldInt32},
		{"i64s", network.PluginFieldInt64}, {"mode", network.PluginFieldChar}, {"unset", network.PluginFieldInt32}}}
	n := &Node{Node: &ir.Node{Name: "n", Attrs: map[string]ir.Attr{
		"f": {Kind: ir.AttrFloat, F: 0.5}, "fs": {Kind: ir.AttrFloats, Floats: []float32{1, 2}},
		"i32": {Kind: ir.AttrInt, I: -7}, "i64s": {Kind: ir.AttrInts, Ints: []int64{1 << 40, 3}},
		"mode": {Kind: ir.AttrString, S: "fast"}}}}
	got, err := pluginFields(n, c)
	if err != nil {
		t.Fatal(err)
	}
	want := []network.PluginField{
		{Name: "f", Type: network.PluginFieldFloat32, Float32s: []float32{0.5}},
		{Name: "fs", Type: network.PluginFieldFloat32, Float32s: []float32{1, 2}},
		{Name: "i32", Type: network.PluginFieldInt32, Int32s: []int32{-7}},
		{Name: "i64s", Type: network.PluginFieldInt64, Int64s: []int64{1 << 40, 3}},
		{Name: "mode", Type: network.PluginFieldChar, Chars: "fast"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fields\n got %+v\nwant %+v", got, want)
	}
	for attr, msg := range map[string]ir.Attr{
		`"i32": 4294967296 does not fit field i32's kINT32`: {Kind: ir.AttrInt, I: 1 << 32},
		`attribute "i32" is string; field i32`:              {Kind: ir.AttrString, S: "x"},
	} {
		n.Attrs["i32"] = msg
		if _, err := pluginFields(n, c); err == nil || !strings.Contains(err.Error(), attr) {
			t.Errorf("i32 = %+v: %v, want %q", msg, err, attr)
		}
	}
}

// The importer rewrites only custom-domain nodes whose op is undefined and
// whose creator (name = op type, version = plugin_version or "1",
// namespace = plugin_namespace or "") is found.
func TestImportTRTPlugins(t *testing.T) {
	c := TRTPluginCreator{Name: "Swish", Version: "2", Namespace: "ns", CPUOp: "onnx.Relu",
		Fields: []TRTPluginField{{"alpha", network.PluginFieldFloat32}}}
	find := func(name, version, ns string) (TRTPluginCreator, bool) {
		return c, name == c.Name && version == c.Version && ns == c.Namespace
	}
	g := ir.NewGraph("g", "onnx")
	mk := func(name, op string, attrs map[string]ir.Attr) *ir.Node {
		n := &ir.Node{Name: name, Op: op, Attrs: attrs}
		g.Nodes = append(g.Nodes, n)
		return n
	}
	hit := mk("a", "com.x.Swish", map[string]ir.Attr{"alpha": {Kind: ir.AttrFloat, F: 2},
		PluginVersionAttr: {Kind: ir.AttrInt, I: 2}, PluginNamespaceAttr: {Kind: ir.AttrString, S: "ns"}})
	v1 := mk("b", "com.x.Swish", map[string]ir.Attr{PluginNamespaceAttr: {Kind: ir.AttrString, S: "ns"}})
	std := mk("c", "onnx.Swish", map[string]ir.Attr{PluginVersionAttr: {Kind: ir.AttrString, S: "2"}, PluginNamespaceAttr: {Kind: ir.AttrString, S: "ns"}})
	n, err := ImportTRTPlugins(g, find)
	if err != nil || n != 1 {
		t.Fatalf("imported %d, %v", n, err)
	}
	if hit.Op != "onnx.Relu" || hit.AttrString(AttrPluginFrom, "") != "com.x.Swish" || hit.AttrString(attrPluginCreator, "") != "Swish" ||
		hit.Attrs[PluginVersionAttr].Kind != 0 || hit.AttrFloat("alpha", 0) != 2 {
		t.Errorf("rewritten node: %s %v", hit.Op, hit.Attrs)
	}
	if v1.Op != "com.x.Swish" || std.Op != "onnx.Swish" {
		t.Errorf("nodes without a creator changed: %s, %s", v1.Op, std.Op)
	}
	// The converter takes the marked node only.
	conv := pluginLayerConverter(c)
	if err := conv.Validator(&Node{Node: hit}); err != nil {
		t.Errorf("importer converter refuses its node: %v", err)
	}
	if err := conv.Validator(&Node{Node: &ir.Node{Name: "r", Op: "onnx.Relu", Attrs: map[string]ir.Attr{}}}); err == nil {
		t.Error("importer converter takes a plain Relu")
	}
	// An attribute that is not a field.
	mk("d", "com.x.Swish", map[string]ir.Attr{"beta": {Kind: ir.AttrFloat, F: 1}, PluginVersionAttr: {Kind: ir.AttrString, S: "2"},
		PluginNamespaceAttr: {Kind: ir.AttrString, S: "ns"}})
	if _, err := ImportTRTPlugins(g, find); err == nil || !strings.Contains(err.Error(), `attribute "beta" is not a field of TensorRT plugin creator Swish version 2 (namespace "ns") (fields: [alpha])`) {
		t.Errorf("undeclared attribute: %v", err)
	}
}

// A declaration needs a name, a version, a CPU op this plugin or trtc
// defines, and distinct fields of the types trtc passes.
func TestDeclareTRTPlugin(t *testing.T) {
	r := PluginRegistrar(NewRegistry(), "/p.so")
	ok := TRTPluginCreator{Name: "P", Version: "1", CPUOp: "onnx.Relu"}
	if err := r.DeclareTRTPlugin(ok); err != nil {
		t.Fatal(err)
	}
	for want, c := range map[string]TRTPluginCreator{
		"declared twice":                   ok,
		"without a name or version":        {Name: "P", CPUOp: "onnx.Relu"},
		"CPUOp is required":                {Name: "Q", Version: "1"},
		"neither built in nor defined":     {Name: "Q", Version: "1", CPUOp: "acme.Nope"},
		"trtc passes kFLOAT32":             {Name: "Q", Version: "1", CPUOp: "onnx.Relu", Fields: []TRTPluginField{{"h", 0}}},
		`field name "a" is empty or twice`: {Name: "Q", Version: "1", CPUOp: "onnx.Relu", Fields: []TRTPluginField{{"a", 1}, {"a", 1}}},
	} {
		want = strings.Replace(want, "empty or twice", "empty or declared twice", 1)
		if err := r.DeclareTRTPlugin(c); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v, want %q", c, err, want)
		}
	}
}
