package cmdtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	onnxpb "github.com/trtc-dev/trtc/proto/onnx"
)

// cumsumModel writes y = CumSum(x, 0) + CumSum(x, 0) over x int32 [3].
func cumsumModel(t *testing.T, path string) {
	t.Helper()
	vi := func(name string) *onnxpb.ValueInfoProto {
		return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{
			TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(6), Shape: &onnxpb.TensorShapeProto{
				Dim: []*onnxpb.TensorShapeProto_Dimension{{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: 3}}}}}}}}
	}
	m := &onnxpb.ModelProto{IrVersion: proto.Int64(8), Graph: &onnxpb.GraphProto{
		Name: proto.String("g"),
		Node: []*onnxpb.NodeProto{
			{Name: proto.String("cumsum"), OpType: proto.String("CumSum"), Input: []string{"x", "axis"}, Output: []string{"c"}},
			{Name: proto.String("add"), OpType: proto.String("Add"), Input: []string{"c", "c"}, Output: []string{"y"}},
		},
		Initializer: []*onnxpb.TensorProto{{Name: proto.String("axis"), DataType: proto.Int32(7), Int64Data: []int64{0}}},
		Input:       []*onnxpb.ValueInfoProto{vi("x")},
		Output:      []*onnxpb.ValueInfoProto{vi("y")},
	}, OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(17)}}}
	data, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// --trt-version through the built binary: an Int32 CumSum stays in the
// engine for the default target (11.1) and for 10.8, and falls back for
// 10.0, which has no Cumulative layer; the report and the bundle record the
// target; a release trtc does not build for is exit 2.
func TestTRTVersionFlag(t *testing.T) {
	tmp := t.TempDir()
	src := filepath.Join(tmp, "cumsum.onnx")
	cumsumModel(t, src)
	for _, c := range []struct {
		flag, want string
		converted  int
	}{{"", "11.1", 2}, {"10.8", "10.8", 2}, {"10.0", "10.0", 1}} {
		bundle, rep := filepath.Join(tmp, "b"+c.want+".trtb"), filepath.Join(tmp, "r"+c.want+".json")
		args := []string{"compile", src, "-o", bundle, "--report", rep, "--min-block-size", "1", "--no-cache"}
		if c.flag != "" {
			args = append(args, "--trt-version", c.flag)
		}
		if r := trtc(t, tmp, baseEnv(t), args...); r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		var got struct {
			Version   string `json:"tensorrt_version"`
			Converted int    `json:"converted_nodes"`
		}
		data, _ := os.ReadFile(rep)
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatal(err)
		}
		if got.Version != c.want || got.Converted != c.converted {
			t.Errorf("--trt-version %q: report says TensorRT %q, %d converted; want %s, %d", c.flag, got.Version, got.Converted, c.want, c.converted)
		}
		if r := trtc(t, tmp, baseEnv(t), "inspect", bundle); !strings.Contains(r.stdout, "target:  TensorRT "+c.want) {
			t.Errorf("inspect of the %s bundle:\n%s", c.want, r.stdout)
		}
	}
	r := trtc(t, tmp, baseEnv(t), "compile", src, "-o", filepath.Join(tmp, "old.trtb"), "--trt-version", "8.6")
	if r.code != 2 || !strings.Contains(r.stderr, "TensorRT 8.6 is not supported: trtc builds for 10.0 to 11.1") || exists(filepath.Join(tmp, "old.trtb")) {
		t.Errorf("--trt-version 8.6: exit %d: %s", r.code, r.stderr)
	}
}
