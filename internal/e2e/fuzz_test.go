package e2e

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

// fuzzSeedModels are small valid models whose dims and attributes the
// graph fuzzer mutates: the ops whose output sizes come from attributes or
// constant inputs (the memory bombs' ops), and ones with index attributes.
func fuzzSeedModels() []*onnxpb.ModelProto {
	f32 := onnxpb.TensorProto_FLOAT
	x4 := []*onnxpb.ValueInfoProto{valueInfo("x", f32, 1, 1, 4, 4)}
	x2 := []*onnxpb.ValueInfoProto{valueInfo("x", f32, 2, 3)}
	y := []*onnxpb.ValueInfoProto{dynOut("y", f32)}
	f := func(name string, v float32) *onnxpb.AttributeProto {
		return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_FLOAT.Enum(), F: proto.Float32(v)}
	}
	m := func(in, out []*onnxpb.ValueInfoProto, nodes []*onnxpb.NodeProto, inits ...*onnxpb.TensorProto) *onnxpb.ModelProto {
		return &onnxpb.ModelProto{IrVersion: proto.Int64(8),
			OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(17)}},
			Graph:       &onnxpb.GraphProto{Name: proto.String("fuzz"), Node: nodes, Initializer: inits, Input: in, Output: out}}
	}
	n := func(op string, in []string, out string, attrs ...*onnxpb.AttributeProto) *onnxpb.NodeProto {
		return withAttrs(node(strings.ToLower(op), op, in, []string{out}), attrs...)
	}
	return []*onnxpb.ModelProto{
		m(x4, y, []*onnxpb.NodeProto{n("Conv", []string{"x", "w", "b"}, "c", attrInts("pads", 1, 1, 1, 1), attrInts("strides", 1, 1), attrInts("dilations", 1, 1), attrInt("group", 1)),
			n("Relu", []string{"c"}, "y")}, f32Init("w", []int64{2, 1, 3, 3}, make([]float32, 18)...), f32Init("b", []int64{2}, 1, 2)),
		m(x4, y, []*onnxpb.NodeProto{n("ConvTranspose", []string{"x", "w"}, "y", attrInts("strides", 2, 2), attrInts("output_padding", 1, 1), attrInts("pads", 0, 0, 0, 0))},
			f32Init("w", []int64{1, 1, 2, 2}, 1, 2, 3, 4)),
		m(x4, y, []*onnxpb.NodeProto{n("Resize", []string{"x", "", "s"}, "y", attrString("mode", "linear"))}, f32Init("s", []int64{4}, 1, 1, 2, 2)),
		m(x4, y, []*onnxpb.NodeProto{n("Resize", []string{"x", "", "", "sz"}, "y", attrString("mode", "nearest"))}, i64Init("sz", 1, 1, 8, 6)),
		m(x2, y, []*onnxpb.NodeProto{n("Reshape", []string{"x", "s"}, "r"), n("Expand", []string{"r", "e"}, "y")}, i64Init("s", 3, 1, 2), i64Init("e", 2, 3, 4, 2)),
		m(x2, []*onnxpb.ValueInfoProto{dynOut("y", f32), dynOut("z", f32)}, []*onnxpb.NodeProto{n("ConstantOfShape", []string{"s"}, "y", &onnxpb.AttributeProto{Name: proto.String("value"), Type: onnxpb.AttributeProto_TENSOR.Enum(), T: f32Init("v", []int64{1}, 3)}),
			n("Identity", []string{"x"}, "z")}, i64Init("s", 2, 5)),
		m(x2, y, []*onnxpb.NodeProto{n("Tile", []string{"x", "r"}, "y")}, i64Init("r", 2, 2)),
		m(x2, []*onnxpb.ValueInfoProto{dynOut("y", onnxpb.TensorProto_INT64), dynOut("z", f32)}, []*onnxpb.NodeProto{n("Range", []string{"a", "b", "d"}, "y"), n("Identity", []string{"x"}, "z")},
			i64Scalar("a", 0), i64Scalar("b", 10), i64Scalar("d", 3)),
		m(x2, []*onnxpb.ValueInfoProto{dynOut("y", f32), dynOut("z", f32)}, []*onnxpb.NodeProto{withAttrs(node("split", "Split", []string{"x", "sp"}, []string{"y", "z"}), attrInt("axis", 1))}, i64Init("sp", 1, 2)),
		m(x2, y, []*onnxpb.NodeProto{n("Pad", []string{"x", "p"}, "y", attrString("mode", "reflect"))}, i64Init("p", 0, 1, 0, 1)),
		m(x2, y, []*onnxpb.NodeProto{n("Slice", []string{"x", "st", "en", "ax", "sp"}, "y")}, i64Init("st", 0, 2), i64Init("en", 2, -1), i64Init("ax", 0, 1), i64Init("sp", 1, -1)),
		m(x2, y, []*onnxpb.NodeProto{n("Cast", []string{"x"}, "i", attrInt("to", 7)), n("OneHot", []string{"i", "d", "v"}, "y", attrInt("axis", -1))}, i64Scalar("d", 8), f32Init("v", []int64{2}, 0, 1)),
		m(x4, y, []*onnxpb.NodeProto{n("MaxPool", []string{"x"}, "y", attrInts("kernel_shape", 2, 2), attrInts("strides", 2, 2), attrInts("pads", 0, 0, 1, 1))}),
		m(x2, y, []*onnxpb.NodeProto{n("Transpose", []string{"x"}, "t", attrInts("perm", 1, 0)), n("ReduceSum", []string{"t", "ax"}, "y", attrInt("keepdims", 1))}, i64Init("ax", 1)),
		m(x2, y, []*onnxpb.NodeProto{n("Gather", []string{"x", "ix"}, "g", attrInt("axis", 1)), n("Softmax", []string{"g"}, "y", attrInt("axis", -1))}, i64Init("ix", 2, 0, 1)),
		m(x2, y, []*onnxpb.NodeProto{n("LeakyRelu", []string{"x"}, "l", f("alpha", 0.1)), n("Flatten", []string{"l"}, "y", attrInt("axis", 1))}),
		// QDQ: activations per tensor, int8 weights per axis (a kept
		// dequantize layer feeding MatMul).
		m(x2, y, []*onnxpb.NodeProto{n("QuantizeLinear", []string{"x", "s", "z"}, "q", attrInt("axis", 1)), n("DequantizeLinear", []string{"q", "s", "z"}, "d"),
			n("DequantizeLinear", []string{"w", "ws", "wz"}, "wf", attrInt("axis", 1)), n("MatMul", []string{"d", "wf"}, "y")},
			f32Init("s", nil, 0.05), int8Init("z", nil, 0), int8Init("w", []int64{3, 4}, 1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12),
			f32Init("ws", []int64{4}, 0.1, 0.2, 0.3, 0.4), int8Init("wz", []int64{4}, 0, 0, 0, 0)),
	}
}

func int8Init(name string, dims []int64, v ...int32) *onnxpb.TensorProto {
	return &onnxpb.TensorProto{Name: proto.String(name), DataType: proto.Int32(int32(onnxpb.TensorProto_INT8)), Dims: dims, Int32Data: v}
}

// intSlots and floatSlots are the values of a model the fuzzer may change:
// graph input dims, initializer dims and data, node attributes.
func intSlots(m *onnxpb.ModelProto) []*int64 {
	var s []*int64
	g := m.Graph
	for _, in := range g.Input {
		for _, d := range in.GetType().GetTensorType().GetShape().GetDim() {
			if v, ok := d.Value.(*onnxpb.TensorShapeProto_Dimension_DimValue); ok {
				s = append(s, &v.DimValue)
			}
		}
	}
	for _, t := range g.Initializer {
		for i := range t.Dims {
			s = append(s, &t.Dims[i])
		}
		for i := range t.Int64Data {
			s = append(s, &t.Int64Data[i])
		}
	}
	for _, n := range g.Node {
		for _, a := range n.Attribute {
			if a.I != nil {
				s = append(s, a.I)
			}
			for i := range a.Ints {
				s = append(s, &a.Ints[i])
			}
		}
	}
	return s
}

func floatSlots(m *onnxpb.ModelProto) []*float32 {
	var s []*float32
	for _, t := range m.Graph.Initializer {
		for i := range t.FloatData {
			s = append(s, &t.FloatData[i])
		}
	}
	for _, n := range m.Graph.Node {
		for _, a := range n.Attribute {
			if a.F != nil {
				s = append(s, a.F)
			}
			if a.T != nil {
				for i := range a.T.FloatData {
					s = append(s, &a.T.FloatData[i])
				}
			}
		}
	}
	return s
}

var (
	fuzzInts   = []int64{0, 1, 2, 3, -1, -2, 7, 64, 1 << 16, 1<<31 - 1, 1 << 31, 1 << 32, 1 << 40, 1 << 57, 1<<57 + 1, 1 << 62, math.MaxInt64, math.MinInt64, 0x5555555555555556}
	fuzzFloats = []float32{0, -1, 0.5, 2, 1e30, -1e30, 1e-30, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e5, 3}
)

// mutateModel applies mutations, 3 bytes each: a slot kind and index, and a
// value: one of the interesting values, or a small integer.
func mutateModel(m *onnxpb.ModelProto, muts []byte) {
	ints, floats := intSlots(m), floatSlots(m)
	for i := 0; i+3 <= len(muts); i += 3 {
		sel, val := muts[i+1], muts[i+2]
		if muts[i]&1 == 0 && len(ints) > 0 {
			p := ints[int(sel)%len(ints)]
			if int(val) < len(fuzzInts) {
				*p = fuzzInts[val]
			} else {
				*p = int64(int8(val))
			}
		} else if len(floats) > 0 {
			p := floats[int(sel)%len(floats)]
			if int(val) < len(fuzzFloats) {
				*p = fuzzFloats[val]
			} else {
				*p = float32(int8(val)) / 4
			}
		}
	}
}

// FuzzGraph mutates the dims and attributes of valid models and runs
// compile and run through the command line (in-process) under a 256 MiB
// memory budget: every outcome must be a success or a documented error,
// never an internal error (a recovered panic, exit 1), a crash or an
// allocation past the budget (a fatal out-of-memory).
//
//	go test ./internal/e2e -run '^$' -fuzz FuzzGraph -fuzztime 60s
func FuzzGraph(f *testing.F) {
	seeds := fuzzSeedModels()
	for i := range seeds {
		f.Add(uint8(i), []byte{})
		f.Add(uint8(i), []byte{0, 0, 10, 0, 1, 12, 1, 0, 9})
		f.Add(uint8(i), []byte{0, 2, 14, 1, 1, 4})
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, which uint8, muts []byte) {
		if len(muts) > 30 {
			return
		}
		m := proto.Clone(fuzzSeedModels()[int(which)%len(seeds)]).(*onnxpb.ModelProto)
		mutateModel(m, muts)
		data, err := proto.Marshal(m)
		if err != nil {
			return
		}
		model := filepath.Join(dir, "m.onnx")
		bundle := filepath.Join(dir, "m.trtb")
		os.Remove(bundle)
		if err := os.WriteFile(model, data, 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := trtc(t, "compile", model, "-o", bundle, "--min-block-size", "1", "--max-memory", "256MiB")
		if code == cli.ExitInternal || code == cli.ExitUsage {
			t.Fatalf("compile: exit %d: %s", code, stderr)
		}
		if code != 0 {
			return
		}
		// Run on zeros of the (possibly mutated) input shape, when small.
		shape := []int64{}
		for _, d := range m.Graph.Input[0].GetType().GetTensorType().GetShape().GetDim() {
			shape = append(shape, d.GetDimValue())
		}
		n, err := ir.ByteSize("", ir.Float32, shape)
		if err != nil || n > 1<<20 {
			return
		}
		x := filepath.Join(dir, "x.npy")
		if err := tensorio.WriteNPY(x, ir.NewTensor(ir.Float32, shape)); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out")
		code, _, stderr = trtc(t, "run", bundle, "--input", "x="+x, "--output-dir", out, "--max-memory", "256MiB")
		if code == cli.ExitInternal || code == cli.ExitUsage || code == cli.ExitInput && !strings.Contains(stderr, "input") {
			t.Fatalf("run of a bundle compile accepted: exit %d: %s", code, stderr)
		}
	})
}
