package e2e

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/trtc-dev/trtc/pkg/cli"
	"github.com/trtc-dev/trtc/pkg/ir"
	onnxpb "github.com/trtc-dev/trtc/proto/onnx"
)

// Builders for models with any inputs, outputs and attributes.

func attrInt(name string, v int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(v)}
}

func attrInts(name string, v ...int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INTS.Enum(), Ints: v}
}

func attrString(name, v string) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_STRING.Enum(), S: []byte(v)}
}

func withAttrs(n *onnxpb.NodeProto, attrs ...*onnxpb.AttributeProto) *onnxpb.NodeProto {
	n.Attribute = append(n.Attribute, attrs...)
	return n
}

func i64Init(name string, v ...int64) *onnxpb.TensorProto {
	return &onnxpb.TensorProto{Name: proto.String(name), DataType: proto.Int32(int32(onnxpb.TensorProto_INT64)), Dims: []int64{int64(len(v))}, Int64Data: v}
}

func i64Scalar(name string, v int64) *onnxpb.TensorProto {
	return &onnxpb.TensorProto{Name: proto.String(name), DataType: proto.Int32(int32(onnxpb.TensorProto_INT64)), Int64Data: []int64{v}}
}

func f32Init(name string, dims []int64, v ...float32) *onnxpb.TensorProto {
	return &onnxpb.TensorProto{Name: proto.String(name), DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), Dims: dims, FloatData: v}
}

// graphModel writes a model with the given inputs and outputs (opset 17, or
// opset when given).
func graphModel(t testing.TB, path string, in, out []*onnxpb.ValueInfoProto, nodes []*onnxpb.NodeProto, inits ...*onnxpb.TensorProto) string {
	t.Helper()
	m := &onnxpb.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(17)}},
		Graph:       &onnxpb.GraphProto{Name: proto.String("t"), Node: nodes, Initializer: inits, Input: in, Output: out},
	}
	data, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, data)
	return path
}

// dynOut is an output with unknown shape.
func dynOut(name string, elem onnxpb.TensorProto_DataType) *onnxpb.ValueInfoProto {
	return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{
		Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(int32(elem))}}}}
}

// The memory bombs: models whose tensors are far larger than memory, or
// whose sizes overflow int64. Under a 2 GiB address-space cap each compile
// and run ends with a clear error and its documented exit code (3 for a
// malformed size, 11 for a tensor over the memory budget), never a crash,
// hang or out-of-memory death, and well under the cap.
func TestMemoryBombsUnderAddressSpaceCap(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const capBytes = 2 << 30
	tmp := t.TempDir()
	f32, i64 := onnxpb.TensorProto_FLOAT, onnxpb.TensorProto_INT64
	x := []*onnxpb.ValueInfoProto{valueInfo("x", f32, 2, 3)}
	x4 := []*onnxpb.ValueInfoProto{valueInfo("x", f32, 1, 1, 2, 3)}
	y := []*onnxpb.ValueInfoProto{dynOut("y", f32)}
	xNPY := writeNPY(t, filepath.Join(tmp, "x.npy"), ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, 2, 3, 4, 5, 6}))
	x4NPY := writeNPY(t, filepath.Join(tmp, "x4.npy"), ir.FromSlice(ir.Float32, []int64{1, 1, 2, 3}, []float32{1, 2, 3, 4, 5, 6}))
	addY := func(nodes ...*onnxpb.NodeProto) []*onnxpb.NodeProto { return nodes }
	cos := func(name string, dims ...int64) string {
		return graphModel(t, filepath.Join(tmp, name+".onnx"), x, []*onnxpb.ValueInfoProto{dynOut("y", f32), dynOut("z", f32)},
			addY(node("fill", "ConstantOfShape", []string{"s"}, []string{"y"}), node("id", "Identity", []string{"x"}, []string{"z"})), i64Init("s", dims...))
	}
	type bomb struct {
		name           string
		model, input   string
		compileCode    int
		runCode        int
		compileWant    []string
		runWant        []string
		runInputs      []string // NAME=FILE for run, default x
		skipRunOnBuild bool
	}
	huge := int64(0x5555555555555556)
	bombs := []bomb{
		{name: "ConstantOfShape 3 x 0x5555555555555556", model: cos("cos_wrap", 3, huge), compileCode: cli.ExitInput,
			compileWant: []string{"fill", "overflows"}},
		{name: "ConstantOfShape INT64_MAX", model: cos("cos_max", math.MaxInt64), compileCode: cli.ExitInput,
			compileWant: []string{"fill", "overflows"}},
		{name: "ConstantOfShape 1e12", model: cos("cos_1e12", 1e12, 1), runCode: cli.ExitMemory,
			runWant: []string{"fill", `"y"`, "[1000000000000x1]", "4000000000000 bytes", "memory budget"}},
		{name: "Expand to 3 x 0x5555555555555556", model: graphModel(t, filepath.Join(tmp, "expand_wrap.onnx"), x, y,
			addY(node("grow", "Expand", []string{"x", "s"}, []string{"y"})), i64Init("s", 3, huge, 2, 3)), compileCode: cli.ExitInput,
			compileWant: []string{"grow", "overflows"}},
		{name: "Expand 2^40", model: graphModel(t, filepath.Join(tmp, "expand_big.onnx"), x, y,
			addY(node("grow", "Expand", []string{"x", "s"}, []string{"y"})), i64Init("s", 1<<40, 2, 3)), runCode: cli.ExitMemory,
			runWant: []string{"grow", `"y"`, "memory budget"}},
		{name: "Range 0..2^31", model: graphModel(t, filepath.Join(tmp, "range.onnx"), x, []*onnxpb.ValueInfoProto{dynOut("y", i64), dynOut("z", f32)},
			addY(node("r", "Range", []string{"a", "b", "d"}, []string{"y"}), node("id", "Identity", []string{"x"}, []string{"z"})),
			i64Scalar("a", 0), i64Scalar("b", 1<<31), i64Scalar("d", 1)), runCode: cli.ExitMemory,
			runWant: []string{`"r"`, "[2147483648]", "memory budget"}},
		{name: "Tile 2^20 x 2^20", model: graphModel(t, filepath.Join(tmp, "tile.onnx"), x, y,
			addY(node("tile", "Tile", []string{"x", "r"}, []string{"y"})), i64Init("r", 1<<20, 1<<20)), runCode: cli.ExitMemory,
			runWant: []string{"tile", "memory budget"}},
		{name: "OneHot depth 2^40", model: graphModel(t, filepath.Join(tmp, "onehot.onnx"), x, y,
			addY(node("oh", "OneHot", []string{"x", "depth", "vals"}, []string{"y"})), i64Scalar("depth", 1<<40), f32Init("vals", []int64{2}, 0, 1)),
			runCode: cli.ExitMemory, runWant: []string{"oh", "memory budget"}},
		{name: "Resize scale 1e5", model: graphModel(t, filepath.Join(tmp, "resize.onnx"), x4, y,
			addY(node("up", "Resize", []string{"x", "", "sc"}, []string{"y"})), f32Init("sc", []int64{4}, 1, 1, 1e5, 1e5)),
			input: x4NPY, runCode: cli.ExitMemory, runWant: []string{"up", "memory budget"}},
		{name: "Conv pads 2^30", model: graphModel(t, filepath.Join(tmp, "conv.onnx"), x4, y,
			addY(withAttrs(node("conv", "Conv", []string{"x", "w"}, []string{"y"}), attrInts("pads", 0, 0, 1<<30, 1<<30))), f32Init("w", []int64{1, 1, 1, 1}, 1)),
			input: x4NPY, runCode: cli.ExitMemory, runWant: []string{"conv", "memory budget"}},
		{name: "ConvTranspose output_shape 2^30", model: graphModel(t, filepath.Join(tmp, "convt.onnx"), x4, y,
			addY(withAttrs(node("deconv", "ConvTranspose", []string{"x", "w"}, []string{"y"}), attrInts("output_shape", 1<<30, 1<<30))), f32Init("w", []int64{1, 1, 1, 1}, 1)),
			input: x4NPY, runCode: cli.ExitMemory, runWant: []string{"deconv", "memory budget"}},
	}
	// Tile of a constant: folding must not evaluate it at compile time.
	bombs = append(bombs, bomb{name: "Tile of a constant, 2^20 x 2^20", model: graphModel(t, filepath.Join(tmp, "tile_const.onnx"), x,
		[]*onnxpb.ValueInfoProto{dynOut("y", f32), dynOut("z", f32)},
		addY(node("tile", "Tile", []string{"c", "r"}, []string{"y"}), node("id", "Identity", []string{"x"}, []string{"z"})),
		f32Init("c", []int64{2, 3}, 1, 2, 3, 4, 5, 6), i64Init("r", 1<<20, 1<<20)), runCode: cli.ExitMemory, runWant: []string{"tile", "memory budget"}})
	// An 8 GiB sparse external data file for a weight of that size: refused
	// against the budget before a byte is read.
	sparseDir := filepath.Join(tmp, "sparse")
	os.MkdirAll(sparseDir, 0o755)
	sf, err := os.Create(filepath.Join(sparseDir, "w.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sf.Truncate(8 << 30); err != nil {
		t.Skipf("cannot make a sparse 8 GiB file: %v", err)
	}
	sf.Close()
	bigW := &onnxpb.TensorProto{Name: proto.String("w"), DataType: proto.Int32(int32(f32)), Dims: []int64{1 << 31},
		DataLocation: onnxpb.TensorProto_EXTERNAL.Enum(),
		ExternalData: []*onnxpb.StringStringEntryProto{{Key: proto.String("location"), Value: proto.String("w.bin")}}}
	bombs = append(bombs, bomb{name: "8 GiB sparse external data", model: graphModel(t, filepath.Join(sparseDir, "m.onnx"), x,
		[]*onnxpb.ValueInfoProto{dynOut("y", f32), dynOut("z", f32)},
		addY(node("id", "Identity", []string{"w"}, []string{"y"}), node("id2", "Identity", []string{"x"}, []string{"z"})), bigW),
		compileCode: cli.ExitMemory, compileWant: []string{`"w"`, "8589934592 bytes", "memory budget"}})
	// Sizes known only at run time: the shape is an input.
	rt := graphModel(t, filepath.Join(tmp, "runtime_cos.onnx"), []*onnxpb.ValueInfoProto{valueInfo("s", i64, 2)}, y,
		addY(node("fill", "ConstantOfShape", []string{"s"}, []string{"y"})))
	wrap := writeNPY(t, filepath.Join(tmp, "s_wrap.npy"), ir.FromSlice(ir.Int64, []int64{2}, []int64{1 << 32, 1 << 32}))
	big := writeNPY(t, filepath.Join(tmp, "s_big.npy"), ir.FromSlice(ir.Int64, []int64{2}, []int64{1 << 20, 1 << 20}))
	bombs = append(bombs,
		bomb{name: "run-time ConstantOfShape 2^32 x 2^32", model: rt, input: wrap, runCode: cli.ExitRun, runWant: []string{"fill", "overflows"}},
		bomb{name: "run-time ConstantOfShape 2^20 x 2^20", model: rt, input: big, runCode: cli.ExitMemory, runWant: []string{"fill", "[1048576x1048576]", "memory budget"}})
	rs := graphModel(t, filepath.Join(tmp, "runtime_reshape.onnx"), []*onnxpb.ValueInfoProto{valueInfo("x", f32, 0), valueInfo("s", i64, 3)}, y,
		addY(withAttrs(node("view", "Reshape", []string{"x", "s"}, []string{"y"}), attrInt("allowzero", 1))))
	empty := writeNPY(t, filepath.Join(tmp, "empty.npy"), ir.FromSlice(ir.Float32, []int64{0}, []float32{}))
	rs3 := writeNPY(t, filepath.Join(tmp, "s3.npy"), ir.FromSlice(ir.Int64, []int64{3}, []int64{1 << 32, 1 << 32, 0}))
	rsBad := writeNPY(t, filepath.Join(tmp, "s3bad.npy"), ir.FromSlice(ir.Int64, []int64{3}, []int64{1 << 32, 1 << 32, 1}))
	bombs = append(bombs,
		bomb{name: "run-time Reshape to 2^32 x 2^32 x 1", model: rs, runInputs: []string{"x=" + empty, "s=" + rsBad}, runCode: cli.ExitRun, runWant: []string{"view"}},
		bomb{name: "run-time Reshape to 2^32 x 2^32 x 0", model: rs, runInputs: []string{"x=" + empty, "s=" + rs3}, runCode: 0})

	for i, b := range bombs {
		t.Run(b.name, func(t *testing.T) {
			bundle := filepath.Join(tmp, fmt.Sprintf("b%d.trtb", i))
			r := runBinary(t, capBytes, 60*time.Second, "compile", b.model, "-o", bundle, "--min-block-size", "1")
			noPanic(t, r)
			checkPeak(t, r, capBytes)
			if r.code != b.compileCode {
				t.Fatalf("compile: exit %d, want %d; stderr: %s", r.code, b.compileCode, r.stderr)
			}
			for _, w := range b.compileWant {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("compile message lacks %q: %s", w, r.stderr)
				}
			}
			if b.compileCode != 0 {
				noFile(t, bundle)
				return
			}
			out := filepath.Join(tmp, fmt.Sprintf("out%d", i))
			args := []string{"run", bundle, "--output-dir", out}
			in := b.runInputs
			if in == nil {
				input := b.input
				if input == "" {
					input = xNPY
				}
				in = []string{input}
			}
			for _, s := range in {
				args = append(args, "--input", s)
			}
			r = runBinary(t, capBytes, 60*time.Second, args...)
			noPanic(t, r)
			checkPeak(t, r, capBytes)
			if r.code != b.runCode {
				t.Fatalf("run: exit %d, want %d; stderr: %s", r.code, b.runCode, r.stderr)
			}
			for _, w := range b.runWant {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("run message lacks %q: %s", w, r.stderr)
				}
			}
			if b.runCode != 0 {
				noFile(t, filepath.Join(out, "y.npy"))
			}
		})
	}
}

// checkPeak fails when the process's peak resident memory came near the cap.
func checkPeak(t testing.TB, r result, capBytes int64) {
	t.Helper()
	if r.maxRSS > capBytes/4 {
		t.Errorf("peak resident memory %d MiB, want well under the %d MiB cap", r.maxRSS>>20, capBytes>>20)
	}
	t.Logf("exit %d, peak RSS %d MiB, %v", r.code, r.maxRSS>>20, r.elapsed.Round(time.Millisecond))
}
