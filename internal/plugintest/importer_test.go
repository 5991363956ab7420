package plugintest

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/trtc-dev/trtc/pkg/cli"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/tensorio"
	onnxpb "github.com/trtc-dev/trtc/proto/onnx"
)

// pluginModel writes y = Op(Relu(x)) with Op of domain com.vendor and
// type ScaledSwishPlugin, with the given attributes, over x float32 [N, 4].
func pluginModel(t *testing.T, path string, attrs []*onnxpb.AttributeProto) {
	t.Helper()
	vi := func(name string) *onnxpb.ValueInfoProto {
		return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{
			TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(1), Shape: &onnxpb.TensorShapeProto{
				Dim: []*onnxpb.TensorShapeProto_Dimension{{Value: &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: "N"}},
					{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: 4}}}}}}}}
	}
	m := &onnxpb.ModelProto{IrVersion: proto.Int64(8), Graph: &onnxpb.GraphProto{
		Name: proto.String("g"),
		Node: []*onnxpb.NodeProto{
			{Name: proto.String("relu"), OpType: proto.String("Relu"), Input: []string{"x"}, Output: []string{"r"}},
			{Name: proto.String("swish"), OpType: proto.String("ScaledSwishPlugin"), Domain: proto.String("com.vendor"),
				Input: []string{"r"}, Output: []string{"y"}, Attribute: attrs},
		},
		Input:  []*onnxpb.ValueInfoProto{vi("x")},
		Output: []*onnxpb.ValueInfoProto{vi("y")},
	}, OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(17)},
		{Domain: proto.String("com.vendor"), Version: proto.Int64(1)}}}
	data, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func strAttr(name, v string) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_STRING.Enum(), S: []byte(v)}
}

func floatAttr(name string, v float32) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_FLOAT.Enum(), F: proto.Float32(v)}
}

// A custom-domain ONNX node that neither trtc nor any Go plugin defines
// converts to a TensorRT plugin layer because a loaded Go plugin declares a
// creator of its op type (onnx-tensorrt's fallback plugin importer: version
// from plugin_version, namespace from plugin_namespace, the other
// attributes as fields): the engine holds the PLUGIN_V3 layer, the
// reference backend runs it through the creator's CPU op, and under
// --fallback-ops the node runs that op's kernel; both give
// x·sigmoid(1.5·x) of relu(x). Without the plugin the compile exits 4
// naming the op, its domain and the creator looked for; an attribute the
// creator does not declare is refused naming it.
func TestFallbackPluginImporter(t *testing.T) {
	skipShort(t)
	so := plugin(t, "./testdata/plugins/trtcreator")
	tmp := t.TempDir()
	src := filepath.Join(tmp, "model.onnx")
	pluginModel(t, src, []*onnxpb.AttributeProto{floatAttr("alpha", 1.5), strAttr("plugin_version", "1"), strAttr("plugin_namespace", "acme")})
	x := ir.FromSlice(ir.Float32, []int64{3, 4}, []float32{-2, -1, -0.5, 0, 0.25, 0.5, 1, 2, 3, -3, 4, 0.1})
	xPath := filepath.Join(tmp, "x.npy")
	if err := tensorio.WriteNPY(xPath, x); err != nil {
		t.Fatal(err)
	}
	want := make([]float64, 12)
	for i := range want {
		v := math.Max(float64(ir.View[float32](x)[i]), 0)
		want[i] = v / (1 + math.Exp(-1.5*v))
	}
	check := func(name, dir string) {
		t.Helper()
		y := readNPY(t, filepath.Join(dir, "y.npy"))
		if y.DType != ir.Float32 || len(y.Shape) != 2 || y.Shape[0] != 3 || y.Shape[1] != 4 {
			t.Fatalf("%s: y is %v", name, y)
		}
		for i, w := range want {
			if math.Abs(y.Float(i)-w) > 1e-6 {
				t.Fatalf("%s: y[%d] = %v, want %v", name, i, y.Float(i), w)
			}
		}
	}

	bundle, rep := filepath.Join(tmp, "engine.trtb"), filepath.Join(tmp, "engine.json")
	mustRun(t, "compile", src, "-o", bundle, "--report", rep, "--min-block-size", "1", "--plugin", so)
	kind, n := opSegment(t, report(t, rep), "acme_cpu.ScaledSwishPlugin")
	if kind != "engine" || n.Converter == nil || n.Converter.Origin != so || n.Converter.Name != "trt-plugin-importer:acme/ScaledSwishPlugin/1" {
		t.Fatalf("the node is in a %s segment, converted by %+v; want an engine and the importer's converter from %s", kind, n.Converter, so)
	}
	wantLayer := `params: cpu_op="acme_cpu.ScaledSwishPlugin" creator="ScaledSwishPlugin" fields=[{"data":[1.5],"length":1,"name":"alpha","type":"kFLOAT32"}] namespace="acme" version="1"`
	if text := mustRun(t, "inspect", bundle, "--layers"); strings.Count(text, "[Op: PLUGIN_V3]") != 1 || !strings.Contains(text, wantLayer) {
		t.Errorf("inspect --layers: want one PLUGIN_V3 layer with %s:\n%s", wantLayer, text)
	}
	out := filepath.Join(tmp, "out")
	mustRun(t, "run", bundle, "--plugin", so, "--input", xPath, "--output-dir", out)
	check("engine", out)

	fb, fbRep := filepath.Join(tmp, "fallback.trtb"), filepath.Join(tmp, "fallback.json")
	mustRun(t, "compile", src, "-o", fb, "--report", fbRep, "--min-block-size", "1", "--plugin", so, "--fallback-ops", "acme_cpu.ScaledSwishPlugin")
	if kind, _ := opSegment(t, report(t, fbRep), "acme_cpu.ScaledSwishPlugin"); kind != "fallback" {
		t.Fatalf("--fallback-ops: the node is in a %s segment", kind)
	}
	outFB := filepath.Join(tmp, "out_fb")
	mustRun(t, "run", fb, "--plugin", so, "--input", xPath, "--output-dir", outFB)
	check("fallback", outFB)

	// No creator: exit 4 naming the op, the domain and the creator.
	code, _, errs := run(t, nil, "compile", src, "-o", filepath.Join(tmp, "none.trtb"))
	if code != cli.ExitUnsupported || !strings.Contains(errs, "com.vendor.ScaledSwishPlugin: swish (domain com.vendor, opset 1") ||
		!strings.Contains(errs, `no TensorRT plugin creator ScaledSwishPlugin version 1 (namespace "acme") is declared`) {
		t.Errorf("compile without the plugin: exit %d: %s", code, errs)
	}
	// Another version or namespace is another creator.
	other := filepath.Join(tmp, "v2.onnx")
	pluginModel(t, other, []*onnxpb.AttributeProto{floatAttr("alpha", 1.5), strAttr("plugin_version", "2"), strAttr("plugin_namespace", "acme")})
	if code, _, errs := run(t, nil, "compile", other, "-o", filepath.Join(tmp, "v2.trtb"), "--plugin", so); code != cli.ExitUnsupported ||
		!strings.Contains(errs, `creator ScaledSwishPlugin version 2 (namespace "acme")`) {
		t.Errorf("compile of version 2: exit %d: %s", code, errs)
	}
	// An attribute that is not a declared field.
	extra := filepath.Join(tmp, "extra.onnx")
	pluginModel(t, extra, []*onnxpb.AttributeProto{floatAttr("alpha", 1.5), floatAttr("beta", 2), strAttr("plugin_namespace", "acme")})
	if code, _, errs := run(t, nil, "compile", extra, "-o", filepath.Join(tmp, "extra.trtb"), "--plugin", so); code != cli.ExitInput ||
		!strings.Contains(errs, `node swish (com.vendor.ScaledSwishPlugin): attribute "beta" is not a field of TensorRT plugin creator ScaledSwishPlugin version 1 (namespace "acme")`) {
		t.Errorf("compile with an undeclared attribute: exit %d: %s", code, errs)
	}
	for _, f := range []string{"none.trtb", "v2.trtb", "extra.trtb"} {
		if _, err := os.Stat(filepath.Join(tmp, f)); err == nil {
			t.Errorf("%s was written", f)
		}
	}
}
