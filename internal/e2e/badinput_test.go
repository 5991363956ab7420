package e2e

import (
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

// addModel writes y = x + x.
func addModel(t *testing.T, dir string) string {
	return writeModel(t, dir, "add.onnx", []*onnxpb.NodeProto{node("add", "Add", []string{"x", "x"}, []string{"y"})})
}

func writeNPY(t *testing.T, path string, tensor *ir.Tensor) string {
	t.Helper()
	if err := tensorio.WriteNPY(path, tensor); err != nil {
		t.Fatal(err)
	}
	return path
}

// Every bad model gives the documented exit code, a message naming the
// problem, and no bundle.
func TestBadModels(t *testing.T) {
	tmp := t.TempDir()
	good, err := os.ReadFile(filepath.Join(modelDir("cnn_resnet"), "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	f32 := onnxpb.TensorProto_FLOAT
	outside := &onnxpb.TensorProto{Name: proto.String("w"), DataType: proto.Int32(int32(f32)), Dims: []int64{2, 3},
		DataLocation: onnxpb.TensorProto_EXTERNAL.Enum(),
		ExternalData: []*onnxpb.StringStringEntryProto{{Key: proto.String("location"), Value: proto.String("../secret.bin")}}}
	if err := os.MkdirAll(filepath.Join(tmp, "ext"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("secret.bin", make([]byte, 24))
	cases := []struct {
		name, model string
		code        int
		want        []string
	}{
		{"missing file", filepath.Join(tmp, "nope.onnx"), cli.ExitInput, []string{"nope.onnx", "no such file"}},
		{"truncated model", write("truncated.onnx", good[:len(good)/2]), cli.ExitInput, []string{"truncated.onnx"}},
		{"not onnx", write("notes.onnx", []byte("this is not a model\n")), cli.ExitInput, []string{"notes.onnx"}},
		{"empty file", write("empty.onnx", nil), cli.ExitInput, []string{"empty.onnx"}},
		{"unknown op", writeModel(t, tmp, "unknown.onnx", []*onnxpb.NodeProto{node("mystery", "FrobnicateNd", []string{"x"}, []string{"y"})}),
			cli.ExitUnsupported, []string{"onnx.FrobnicateNd", "mystery", "neither a converter nor a CPU kernel"}},
		{"cycle", writeModel(t, tmp, "cycle.onnx", []*onnxpb.NodeProto{
			node("a", "Add", []string{"x", "c"}, []string{"a"}),
			node("b", "Add", []string{"a", "x"}, []string{"c"}),
			node("out", "Add", []string{"c", "x"}, []string{"y"})}), cli.ExitInput, []string{"cycle", "a", "b"}},
		{"external data outside the model folder", writeModel(t, filepath.Join(tmp, "ext"), "model.onnx",
			[]*onnxpb.NodeProto{node("add", "Add", []string{"x", "w"}, []string{"y"})}, outside),
			cli.ExitInput, []string{"../secret.bin", "w"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bundle := filepath.Join(tmp, strings.ReplaceAll(c.name, " ", "_")+".trtb")
			code, _, stderr := trtc(t, "compile", c.model, "-o", bundle)
			if code != c.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, c.code, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("message lacks %q: %s", w, stderr)
				}
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
				t.Errorf("panic: %s", stderr)
			}
			noFile(t, bundle)
		})
	}
}

// Bad inputs and bad bundles at run time.
func TestBadRunInputs(t *testing.T) {
	tmp := t.TempDir()
	model := addModel(t, tmp)
	bundle := filepath.Join(tmp, "add.trtb")
	mustTrtc(t, "compile", model, "-o", bundle, "--min-block-size", "1")
	good := writeNPY(t, filepath.Join(tmp, "x.npy"), ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, 2, 3, 4, 5, 6}))
	mustTrtc(t, "run", bundle, "--input", good, "--output-dir", filepath.Join(tmp, "ok"))
	wrongDType := writeNPY(t, filepath.Join(tmp, "i64.npy"), ir.FromSlice(ir.Int64, []int64{2, 3}, []int64{1, 2, 3, 4, 5, 6}))
	wrongShape := writeNPY(t, filepath.Join(tmp, "shape.npy"), ir.FromSlice(ir.Float32, []int64{3, 2}, []float32{1, 2, 3, 4, 5, 6}))
	data, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(tmp, "truncated.trtb")
	os.WriteFile(truncated, data[:len(data)-10], 0o644)
	corrupt := append([]byte(nil), data...)
	corrupt[100] ^= 0xff
	corrupted := filepath.Join(tmp, "corrupted.trtb")
	os.WriteFile(corrupted, corrupt, 0o644)

	cases := []struct {
		name   string
		args   []string
		code   int
		want   []string
		outDir string
	}{
		{"wrong dtype", []string{"run", bundle, "--input", wrongDType}, cli.ExitInput, []string{`"x"`, "int64", "float32"}, ""},
		{"wrong shape", []string{"run", bundle, "--input", wrongShape}, cli.ExitInput, []string{`"x"`, "[3x2]", "[2x3]"}, ""},
		{"unknown input name", []string{"run", bundle, "--input", "nosuch=" + good}, cli.ExitInput, []string{"nosuch", "not an input", "x"}, ""},
		{"missing input file", []string{"run", bundle, "--input", filepath.Join(tmp, "absent.npy")}, cli.ExitInput, []string{"absent.npy"}, ""},
		{"truncated bundle", []string{"run", truncated, "--input", good}, cli.ExitInput, []string{"truncated.trtb"}, ""},
		{"corrupted bundle", []string{"run", corrupted, "--input", good}, cli.ExitInput, []string{"corrupted.trtb"}, ""},
		{"missing bundle", []string{"run", filepath.Join(tmp, "none.trtb"), "--input", good}, cli.ExitInput, []string{"none.trtb"}, ""},
		{"no input", []string{"run", bundle}, cli.ExitUsage, []string{"--input"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(tmp, "out_"+strings.ReplaceAll(c.name, " ", "_"))
			code, _, stderr := trtc(t, append(c.args, "--output-dir", out)...)
			if code != c.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, c.code, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("message lacks %q: %s", w, stderr)
				}
			}
			noFile(t, filepath.Join(out, "y.npy"))
		})
	}
}

// --require-full-compilation lists every node that would fall back.
func TestRequireFullCompilation(t *testing.T) {
	tmp := t.TempDir()
	model := writeModel(t, tmp, "m.onnx", []*onnxpb.NodeProto{
		node("first", "Add", []string{"x", "x"}, []string{"a"}),
		node("second", "Mul", []string{"a", "x"}, []string{"y"})})
	bundle := filepath.Join(tmp, "m.trtb")
	code, _, stderr := trtc(t, "compile", model, "-o", bundle, "--require-full-compilation", "--fallback-ops", "Add,Mul")
	if code != cli.ExitFallback || !strings.Contains(stderr, "first (onnx.Add)") || !strings.Contains(stderr, "second (onnx.Mul)") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	noFile(t, bundle)
}

// Inputs may be serialized ONNX TensorProto files, bound by name.
func TestTensorProtoInput(t *testing.T) {
	tmp := t.TempDir()
	model := addModel(t, tmp)
	bundle := filepath.Join(tmp, "add.trtb")
	mustTrtc(t, "compile", model, "-o", bundle, "--min-block-size", "1")
	tp := &onnxpb.TensorProto{Name: proto.String("x"), DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)),
		Dims: []int64{2, 3}, FloatData: []float32{1, 2, 3, 4, 5, 6}}
	data, err := proto.Marshal(tp)
	if err != nil {
		t.Fatal(err)
	}
	pb := filepath.Join(tmp, "x.pb")
	if err := os.WriteFile(pb, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out")
	mustTrtc(t, "run", bundle, "--input", "x="+pb, "--output-dir", out)
	y, err := tensorio.ReadNPY(filepath.Join(out, "y.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if got := y.Floats(); len(got) != 6 || got[0] != 2 || got[5] != 12 {
		t.Fatalf("y = %v, want x+x", got)
	}
}
