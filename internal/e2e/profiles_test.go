package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/tensorio"
	onnxpb "github.com/trtc-dev/trtc/proto/onnx"
)

// compileDynMLP compiles dyn_mlp (x[batch,16]) on the reference backend
// with one profile of batch 1..4, every node in the engine.
func compileDynMLP(t *testing.T, extra ...string) (bundle, stderr string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "mlp.trtb")
	args := append([]string{"compile", filepath.Join(modelDir("dyn_mlp"), "model.onnx"), "-o", out, "--min-block-size", "1",
		"--min-shapes", "x:1x16", "--opt-shapes", "x:2x16", "--max-shapes", "x:4x16"}, extra...)
	code, stdout, errs := trtc(t, args...)
	if code != 0 {
		t.Fatalf("compile: exit %d\n%s%s", code, stdout, errs)
	}
	return out, errs
}

// The reference backend honours profiles: a batch of 5 against a max of 4
// is refused before anything runs, naming input, dim and range, with exit
// 3 (inputs that do not match the model); batch 2 runs and matches ONNX
// Runtime.
func TestRunRefusesShapeOutsideProfile(t *testing.T) {
	b, _ := compileDynMLP(t)
	dir := modelDir("dyn_mlp")
	outDir := t.TempDir()
	code, stdout, errs := trtc(t, "run", b, "--input", "x="+filepath.Join(dir, "x_b5.npy"), "--output-dir", outDir)
	if code != 3 {
		t.Fatalf("batch 5: exit %d, want 3\n%s%s", code, stdout, errs)
	}
	if want := `input "x": dim 0 is 5, outside optimization profile 0's range [1, 4]`; !strings.Contains(errs, want) {
		t.Errorf("batch 5: stderr %q does not say %q", errs, want)
	}
	if _, err := os.Stat(filepath.Join(outDir, "y.npy")); err == nil {
		t.Error("batch 5 wrote an output")
	}
	mustTrtc(t, "run", b, "--input", "x="+filepath.Join(dir, "x_b2.npy"), "--output-dir", outDir, "--expect", filepath.Join(dir, "expected_b2"))
}

// TensorRT-only settings given to the reference backend are a warning that
// says they have no effect there; profiles are not among them.
func TestReferenceWarnsOfTensorRTSettings(t *testing.T) {
	_, errs := compileDynMLP(t, "--workspace", "1GiB", "--timing-cache", filepath.Join(t.TempDir(), "tc"),
		"--version-compatible", "--builder-optimization-level", "4", "--hardware-compatibility", "ampere+")
	for _, f := range []string{"--workspace", "--timing-cache", "--version-compatible", "--builder-optimization-level", "--hardware-compatibility"} {
		if !strings.Contains(errs, f+" has no effect on the reference backend") {
			t.Errorf("no warning for %s in %q", f, errs)
		}
	}
	if strings.Contains(errs, "--min-shapes has no effect") {
		t.Errorf("profiles reported as ignored: %q", errs)
	}
	_, errs = compileDynMLP(t)
	if strings.Contains(errs, "has no effect") {
		t.Errorf("warning without a TensorRT setting: %q", errs)
	}
}

// inspect shows each engine's profiles.
func TestInspectShowsProfiles(t *testing.T) {
	b, _ := compileDynMLP(t)
	out := mustTrtc(t, "inspect", b)
	if !strings.Contains(out, "profile 0:") || !strings.Contains(out, "x dims min 1x16 opt 2x16 max 4x16") {
		t.Errorf("inspect does not show the profile:\n%s", out)
	}
}

// writeReshapeModel writes y = Reshape(Relu(x), s): x float[2,3], s an
// int64[2] graph input, so s is a shape-tensor input of the engine.
func writeReshapeModel(t *testing.T, dir string) string {
	t.Helper()
	f32, i64 := onnxpb.TensorProto_FLOAT, onnxpb.TensorProto_INT64
	out := valueInfo("y", f32)
	out.Type.GetTensorType().Shape = nil
	m := &onnxpb.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(17)}},
		Graph: &onnxpb.GraphProto{Name: proto.String("t"),
			Node:  []*onnxpb.NodeProto{node("relu", "Relu", []string{"x"}, []string{"r"}), node("reshape", "Reshape", []string{"r", "s"}, []string{"y"})},
			Input: []*onnxpb.ValueInfoProto{valueInfo("x", f32, 2, 3), valueInfo("s", i64, 2)}, Output: []*onnxpb.ValueInfoProto{out}},
	}
	data, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "reshape.onnx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A graph input used as reshape dims is a shape tensor: without profile
// values the Reshape falls back with TensorRT's rule as the reason; with
// values (trtexec's syntax) it stays in the engine, the bundle marks it,
// and run refuses values outside the profile with exit 3.
func TestShapeTensorInputEndToEnd(t *testing.T) {
	dir := t.TempDir()
	model := writeReshapeModel(t, dir)
	rep := filepath.Join(dir, "report.json")
	mustTrtc(t, "compile", model, "-o", filepath.Join(dir, "plain.trtb"), "--min-block-size", "1", "--report", rep)
	r := readReport(t, rep)
	raw, _ := json.Marshal(r)
	if r.ConvertedNodes != 1 || !strings.Contains(string(raw), "setShapeValues") {
		t.Errorf("without values: %d converted, report %s", r.ConvertedNodes, raw)
	}

	b := filepath.Join(dir, "m.trtb")
	mustTrtc(t, "compile", model, "-o", b, "--min-block-size", "1", "--report", rep,
		"--min-shapes", "s:1x1", "--opt-shapes", "s:3x2", "--max-shapes", "s:6x6")
	if r := readReport(t, rep); r.ConvertedNodes != 2 {
		t.Errorf("with values: %d of 2 nodes converted", r.ConvertedNodes)
	}
	out := mustTrtc(t, "inspect", b)
	for _, want := range []string{"INPUT  s (shape tensor, bound from host memory)", "s values min [1 1] opt [3 2] max [6 6]"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect lacks %q:\n%s", want, out)
		}
	}
	x, s := filepath.Join(dir, "x.npy"), filepath.Join(dir, "s.npy")
	if err := tensorio.WriteNPY(x, ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, -2, 3, -4, 5, -6})); err != nil {
		t.Fatal(err)
	}
	if err := tensorio.WriteNPY(s, ir.FromSlice(ir.Int64, []int64{2}, []int64{3, 2})); err != nil {
		t.Fatal(err)
	}
	outDir := filepath.Join(dir, "out")
	mustTrtc(t, "run", b, "--input", "x="+x, "--input", "s="+s, "--output-dir", outDir)
	y, err := tensorio.ReadNPY(filepath.Join(outDir, "y.npy"))
	if err != nil || !ir.S(y.Shape...).Equal(ir.S(3, 2)) {
		t.Fatalf("y: %v %v", y, err)
	}
	if err := tensorio.WriteNPY(s, ir.FromSlice(ir.Int64, []int64{2}, []int64{1, 7})); err != nil {
		t.Fatal(err)
	}
	code, _, errs := trtc(t, "run", b, "--input", "x="+x, "--input", "s="+s, "--output-dir", outDir)
	if code != 3 || !strings.Contains(errs, `input "s": shape-tensor value 1 is 7, outside optimization profile 0's range [1, 6]`) {
		t.Errorf("value outside the profile: exit %d, %s", code, errs)
	}
}

// writeFlattenModel writes y = Reshape(Relu(x), Concat(Unsqueeze(Gather(
// Shape(x), 0)), [-1])) with x float[N,2,3]: the reshape dims are shape
// arithmetic on the dynamic batch, computed while Relu runs elsewhere.
func writeFlattenModel(t *testing.T, dir string) string {
	t.Helper()
	f32, i64 := onnxpb.TensorProto_FLOAT, onnxpb.TensorProto_INT64
	x := valueInfo("x", f32, 0, 2, 3)
	x.Type.GetTensorType().Shape.Dim[0].Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: "N"}
	y := valueInfo("y", f32)
	y.Type.GetTensorType().Shape = nil
	c := func(name string, dims []int64, v ...int64) *onnxpb.TensorProto {
		return &onnxpb.TensorProto{Name: proto.String(name), DataType: proto.Int32(int32(i64)), Dims: dims, Int64Data: v}
	}
	m := &onnxpb.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(17)}},
		Graph: &onnxpb.GraphProto{Name: proto.String("t"),
			Node: []*onnxpb.NodeProto{
				node("shape", "Shape", []string{"x"}, []string{"s"}),
				node("batch", "Gather", []string{"s", "zero"}, []string{"n"}),
				node("unsq", "Unsqueeze", []string{"n", "zero1"}, []string{"n1"}),
				{Name: proto.String("cat"), OpType: proto.String("Concat"), Input: []string{"n1", "minus1"}, Output: []string{"dims"},
					Attribute: []*onnxpb.AttributeProto{{Name: proto.String("axis"), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(0)}}},
				node("relu", "Relu", []string{"x"}, []string{"r"}),
				node("neg", "Neg", []string{"r"}, []string{"m"}),
				node("reshape", "Reshape", []string{"m", "dims"}, []string{"y"}),
			},
			Initializer: []*onnxpb.TensorProto{c("zero", nil, 0), c("zero1", []int64{1}, 0), c("minus1", []int64{1}, -1)},
			Input:       []*onnxpb.ValueInfoProto{x}, Output: []*onnxpb.ValueInfoProto{y}},
	}
	data, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "flatten.onnx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// With Relu forced to fallback, the shape arithmetic on x's batch joins the
// Reshape's engine instead of crossing into it as a shape-tensor input:
// the engine reads x (an execution tensor) and the relu output only, and
// the bundle runs within the profile and refuses a batch outside it.
func TestShapeArithmeticStaysInEngine(t *testing.T) {
	dir := t.TempDir()
	model := writeFlattenModel(t, dir)
	b, rep := filepath.Join(dir, "m.trtb"), filepath.Join(dir, "r.json")
	mustTrtc(t, "compile", model, "-o", b, "--min-block-size", "1", "--fallback-ops", "Relu", "--report", rep,
		"--min-shapes", "x:1x2x3", "--opt-shapes", "x:2x2x3", "--max-shapes", "x:4x2x3")
	r := readReport(t, rep)
	var engines []string
	for _, s := range r.Segments {
		if s.Kind != "engine" {
			continue
		}
		var nodes, ins []string
		for _, n := range s.Nodes {
			nodes = append(nodes, n.Name)
		}
		for _, in := range s.Inputs {
			ins = append(ins, in.Name)
		}
		engines = append(engines, strings.Join(nodes, ",")+" <- "+strings.Join(ins, ","))
	}
	if len(engines) != 1 || !strings.Contains(engines[0], "shape,batch,unsq,cat") || strings.Contains(engines[0], "<- dims") || strings.Contains(engines[0], ",dims") {
		t.Errorf("engine segments %q: want one engine holding the shape arithmetic", engines)
	}
	if out := mustTrtc(t, "inspect", b); strings.Contains(out, "shape tensor") {
		t.Errorf("a shape-tensor engine input remains:\n%s", out)
	}
	x := filepath.Join(dir, "x.npy")
	data := make([]float32, 3*6)
	for i := range data {
		data[i] = float32(i - 9)
	}
	if err := tensorio.WriteNPY(x, ir.FromSlice(ir.Float32, []int64{3, 2, 3}, data)); err != nil {
		t.Fatal(err)
	}
	outDir := filepath.Join(dir, "out")
	mustTrtc(t, "run", b, "--input", "x="+x, "--output-dir", outDir)
	y, err := tensorio.ReadNPY(filepath.Join(outDir, "y.npy"))
	if err != nil || !ir.S(y.Shape...).Equal(ir.S(3, 6)) || y.Float(17) != -8 || y.Float(0) != 0 {
		t.Fatalf("y: %v %v", y, err)
	}
	if err := tensorio.WriteNPY(x, ir.NewTensor(ir.Float32, []int64{5, 2, 3})); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := trtc(t, "run", b, "--input", "x="+x, "--output-dir", outDir); code != 3 || !strings.Contains(errs, "dim 0 is 5, outside optimization profile 0's range [1, 4]") {
		t.Errorf("batch 5: exit %d, %s", code, errs)
	}
}

// A profile entry for a name nothing reads (a typo) is a warning.
func TestProfileNameNobodyReads(t *testing.T) {
	_, errs := compileDynMLP(t)
	if strings.Contains(errs, "neither a model input") {
		t.Errorf("warning for a used name: %q", errs)
	}
	out := filepath.Join(t.TempDir(), "m.trtb")
	code, _, errs := trtc(t, "compile", filepath.Join(modelDir("dyn_mlp"), "model.onnx"), "-o", out, "--min-block-size", "1",
		"--min-shapes", "x:1x16,X:1x16", "--opt-shapes", "x:2x16,X:1x16", "--max-shapes", "x:4x16,X:1x16")
	if code != 0 || !strings.Contains(errs, `name "X", which is neither a model input nor an input of any engine`) {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}
