package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/trtc-dev/trtc/internal/testenv"
	"github.com/trtc-dev/trtc/pkg/cli"
	"github.com/trtc-dev/trtc/pkg/compiler"
	onnxpb "github.com/trtc-dev/trtc/proto/onnx"
)

// trtc runs the command line in-process.
func trtc(t testing.TB, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

// mustTrtc runs trtc and fails the test on a non-zero exit.
func mustTrtc(t testing.TB, args ...string) string {
	t.Helper()
	code, out, errs := trtc(t, args...)
	if code != 0 {
		t.Fatalf("trtc %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// modelDir is testdata/models/NAME.
func modelDir(name string) string {
	return filepath.Join(testenv.RepoRoot(), "testdata", "models", name)
}

func readReport(t testing.TB, path string) *compiler.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r compiler.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("report %s: %v", path, err)
	}
	return &r
}

// Builders for small ONNX models made in the tests.

func valueInfo(name string, elem onnxpb.TensorProto_DataType, dims ...int64) *onnxpb.ValueInfoProto {
	shape := &onnxpb.TensorShapeProto{}
	for _, d := range dims {
		shape.Dim = append(shape.Dim, &onnxpb.TensorShapeProto_Dimension{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: d}})
	}
	return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{
		Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(int32(elem)), Shape: shape}}}}
}

func node(name, op string, in, out []string) *onnxpb.NodeProto {
	return &onnxpb.NodeProto{Name: proto.String(name), OpType: proto.String(op), Input: in, Output: out}
}

// writeModel writes a model with one float input x[2,3] and output y.
func writeModel(t testing.TB, dir, file string, nodes []*onnxpb.NodeProto, inits ...*onnxpb.TensorProto) string {
	t.Helper()
	f32 := onnxpb.TensorProto_FLOAT
	m := &onnxpb.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(17)}},
		Graph: &onnxpb.GraphProto{Name: proto.String("t"), Node: nodes, Initializer: inits,
			Input: []*onnxpb.ValueInfoProto{valueInfo("x", f32, 2, 3)}, Output: []*onnxpb.ValueInfoProto{valueInfo("y", f32, 2, 3)}},
	}
	data, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, file)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// noFile fails if path exists.
func noFile(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		t.Errorf("%s was left behind", path)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+"*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}
