package cmdtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	onnxpb "github.com/trtc-dev/trtc/proto/onnx"
)

// model writes a one-node ONNX model importing the given opsets.
func opsetModel(t *testing.T, path, domain, op string, opsets map[string]int64) {
	t.Helper()
	vi := func(name string) *onnxpb.ValueInfoProto {
		return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{
			TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(1), Shape: &onnxpb.TensorShapeProto{
				Dim: []*onnxpb.TensorShapeProto_Dimension{{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: 2}}}}}}}}
	}
	m := &onnxpb.ModelProto{IrVersion: proto.Int64(8), Graph: &onnxpb.GraphProto{
		Name:   proto.String("g"),
		Node:   []*onnxpb.NodeProto{{Name: proto.String("n0"), OpType: proto.String(op), Domain: proto.String(domain), Input: []string{"x"}, Output: []string{"y"}}},
		Input:  []*onnxpb.ValueInfoProto{vi("x")},
		Output: []*onnxpb.ValueInfoProto{vi("y")},
	}}
	for d, v := range opsets {
		m.OpsetImport = append(m.OpsetImport, &onnxpb.OperatorSetIdProto{Domain: proto.String(d), Version: proto.Int64(v)})
	}
	data, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The built binary refuses a model whose opset is newer than trtc knows,
// or whose op's domain it lacks, with exit code 4 and a message naming the
// op, the domain and the opset.
func TestUnknownOpsetAndDomainExit4(t *testing.T) {
	tmp := t.TempDir()
	for _, c := range []struct {
		name, domain, op string
		opsets           map[string]int64
		want             string
	}{
		{"newer opset", "", "Relu", map[string]int64{"": 99},
			"onnx.Relu: n0 (domain ai.onnx, opset 99: newer than the opset"},
		{"unknown domain", "org.example.vision", "Warp", map[string]int64{"": 17, "org.example.vision": 2},
			"org.example.vision.Warp: n0 (domain org.example.vision, opset 2: trtc does not know this domain; and no TensorRT plugin creator Warp version 1 (namespace \"\") is declared"},
	} {
		path := filepath.Join(tmp, strings.ReplaceAll(c.name, " ", "_")+".onnx")
		opsetModel(t, path, c.domain, c.op, c.opsets)
		r := trtc(t, tmp, nil, "compile", path, "-o", filepath.Join(tmp, "out.trtb"))
		if r.code != 4 {
			t.Errorf("%s: want exit 4, got %d; stderr:\n%s", c.name, r.code, r.stderr)
			continue
		}
		if !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s: stderr lacks %q:\n%s", c.name, c.want, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(tmp, "out.trtb")); err == nil {
			t.Errorf("%s: a bundle was written", c.name)
		}
	}
}
