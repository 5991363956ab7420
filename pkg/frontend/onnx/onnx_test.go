package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/trtc-dev/trtc/pkg/ir"
	onnxpb "github.com/trtc-dev/trtc/proto/onnx"
)

func ptr[T any](v T) *T { return &v }

func tensorType(dt int32, dims ...any) *onnxpb.TypeProto {
	shape := &onnxpb.TensorShapeProto{}
	for _, d := range dims {
		dim := &onnxpb.TensorShapeProto_Dimension{}
		switch x := d.(type) {
		case int:
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: int64(x)}
		case string:
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: x}
		}
		shape.Dim = append(shape.Dim, dim)
	}
	return &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{ElemType: ptr(dt), Shape: shape}}}
}

func vi(name string, tp *onnxpb.TypeProto) *onnxpb.ValueInfoProto {
	return &onnxpb.ValueInfoProto{Name: ptr(name), Type: tp}
}

func node(op string, in, out []string, attrs ...*onnxpb.AttributeProto) *onnxpb.NodeProto {
	return &onnxpb.NodeProto{OpType: ptr(op), Input: in, Output: out, Attribute: attrs}
}

func model(g *onnxpb.GraphProto) *onnxpb.ModelProto {
	return &onnxpb.ModelProto{
		IrVersion:   ptr(int64(8)),
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: ptr(""), Version: ptr(int64(17))}},
		Graph:       g,
	}
}

func marshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parse(t *testing.T, m *onnxpb.ModelProto) *ir.Graph {
	t.Helper()
	g, err := Parse(marshal(t, m), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

func TestInitializerEncodings(t *testing.T) {
	dt := func(d ir.DType) *int32 { return ptr(int32(d)) }
	f16 := ir.FloatToHalf(1.5)
	bf16 := ir.FloatToBF16(-2.25)
	raw := func(vals ...any) []byte {
		var b []byte
		for _, v := range vals {
			b, _ = binary.Append(b, binary.LittleEndian, v)
		}
		return b
	}
	cases := []struct {
		name string
		tp   *onnxpb.TensorProto
		want []float64
	}{
		{"float_data", &onnxpb.TensorProto{DataType: dt(ir.Float32), Dims: []int64{2}, FloatData: []float32{1.5, -2}}, []float64{1.5, -2}},
		{"raw float32", &onnxpb.TensorProto{DataType: dt(ir.Float32), Dims: []int64{2}, RawData: raw(float32(1.5), float32(-2))}, []float64{1.5, -2}},
		{"double_data", &onnxpb.TensorProto{DataType: dt(ir.Float64), Dims: []int64{1}, DoubleData: []float64{math.Pi}}, []float64{math.Pi}},
		{"raw float64", &onnxpb.TensorProto{DataType: dt(ir.Float64), Dims: []int64{1}, RawData: raw(math.Pi)}, []float64{math.Pi}},
		{"int32_data float16", &onnxpb.TensorProto{DataType: dt(ir.Float16), Dims: []int64{1}, Int32Data: []int32{int32(f16)}}, []float64{1.5}},
		{"raw float16", &onnxpb.TensorProto{DataType: dt(ir.Float16), Dims: []int64{1}, RawData: raw(f16)}, []float64{1.5}},
		{"int32_data bfloat16", &onnxpb.TensorProto{DataType: dt(ir.BFloat16), Dims: []int64{1}, Int32Data: []int32{int32(bf16)}}, []float64{-2.25}},
		{"raw bfloat16", &onnxpb.TensorProto{DataType: dt(ir.BFloat16), Dims: []int64{1}, RawData: raw(bf16)}, []float64{-2.25}},
		{"int32_data int8", &onnxpb.TensorProto{DataType: dt(ir.Int8), Dims: []int64{3}, Int32Data: []int32{-128, 0, 127}}, []float64{-128, 0, 127}},
		{"raw int8", &onnxpb.TensorProto{DataType: dt(ir.Int8), Dims: []int64{2}, RawData: []byte{0xff, 7}}, []float64{-1, 7}},
		{"int32_data uint8", &onnxpb.TensorProto{DataType: dt(ir.Uint8), Dims: []int64{2}, Int32Data: []int32{255, 1}}, []float64{255, 1}},
		{"int32_data int16", &onnxpb.TensorProto{DataType: dt(ir.Int16), Dims: []int64{2}, Int32Data: []int32{-32768, 5}}, []float64{-32768, 5}},
		{"raw int16", &onnxpb.TensorProto{DataType: dt(ir.Int16), Dims: []int64{1}, RawData: raw(int16(-3))}, []float64{-3}},
		{"int32_data uint16", &onnxpb.TensorProto{DataType: dt(ir.Uint16), Dims: []int64{1}, Int32Data: []int32{65535}}, []float64{65535}},
		{"int32_data int32", &onnxpb.TensorProto{DataType: dt(ir.Int32), Dims: []int64{2}, Int32Data: []int32{math.MinInt32, 9}}, []float64{math.MinInt32, 9}},
		{"raw int32", &onnxpb.TensorProto{DataType: dt(ir.Int32), Dims: []int64{1}, RawData: raw(int32(-9))}, []float64{-9}},
		{"int64_data", &onnxpb.TensorProto{DataType: dt(ir.Int64), Dims: []int64{2}, Int64Data: []int64{-1 << 40, 3}}, []float64{-1 << 40, 3}},
		{"raw int64", &onnxpb.TensorProto{DataType: dt(ir.Int64), Dims: []int64{1}, RawData: raw(int64(1 << 40))}, []float64{1 << 40}},
		{"uint64_data uint32", &onnxpb.TensorProto{DataType: dt(ir.Uint32), Dims: []int64{1}, Uint64Data: []uint64{math.MaxUint32}}, []float64{math.MaxUint32}},
		{"raw uint32", &onnxpb.TensorProto{DataType: dt(ir.Uint32), Dims: []int64{1}, RawData: raw(uint32(7))}, []float64{7}},
		{"uint64_data uint64", &onnxpb.TensorProto{DataType: dt(ir.Uint64), Dims: []int64{1}, Uint64Data: []uint64{1 << 60}}, []float64{1 << 60}},
		{"raw uint64", &onnxpb.TensorProto{DataType: dt(ir.Uint64), Dims: []int64{1}, RawData: raw(uint64(1 << 60))}, []float64{1 << 60}},
		{"int32_data bool", &onnxpb.TensorProto{DataType: dt(ir.Bool), Dims: []int64{3}, Int32Data: []int32{0, 1, 5}}, []float64{0, 1, 1}},
		{"raw bool", &onnxpb.TensorProto{DataType: dt(ir.Bool), Dims: []int64{2}, RawData: []byte{1, 0}}, []float64{1, 0}},
		{"scalar", &onnxpb.TensorProto{DataType: dt(ir.Float32), FloatData: []float32{4}}, []float64{4}},
		{"empty", &onnxpb.TensorProto{DataType: dt(ir.Float32), Dims: []int64{0, 3}}, []float64{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.tp.Name = ptr("w")
			// Through a model, so the wire encoding is exercised too.
			m := model(&onnxpb.GraphProto{
				Initializer: []*onnxpb.TensorProto{c.tp},
				Output:      []*onnxpb.ValueInfoProto{vi("w", tensorType(c.tp.GetDataType()))},
			})
			g := parse(t, m)
			v := g.Values["w"]
			if v == nil || v.Const == nil {
				t.Fatalf("no constant w in %v", g.Values)
			}
			if v.DType != ir.DType(c.tp.GetDataType()) || !v.Shape.Equal(ir.S(c.tp.Dims...)) {
				t.Errorf("value %v %v, want %v %v", v.DType, v.Shape, ir.DType(c.tp.GetDataType()), c.tp.Dims)
			}
			got := v.Const.Floats()
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("element %d = %v, want %v", i, got[i], c.want[i])
				}
			}
			if len(g.Inputs) != 0 || len(g.Outputs) != 1 {
				t.Errorf("inputs %v outputs %v", g.Inputs, g.Outputs)
			}
		})
	}
}

func TestTensorErrors(t *testing.T) {
	dt := func(d int32) *int32 { return &d }
	cases := []struct {
		name string
		tp   *onnxpb.TensorProto
		want string
	}{
		{"string", &onnxpb.TensorProto{DataType: dt(8), Dims: []int64{1}, StringData: [][]byte{[]byte("a")}}, "string tensors are not supported"},
		{"complex64", &onnxpb.TensorProto{DataType: dt(14), Dims: []int64{1}, RawData: make([]byte, 8)}, "COMPLEX64 is not supported"},
		{"int4 short", &onnxpb.TensorProto{DataType: dt(22), Dims: []int64{3}, RawData: []byte{1}}, "raw_data has 1 bytes, int4[3] needs 2"},
		{"int4 int32_data", &onnxpb.TensorProto{DataType: dt(22), Dims: []int64{3}, Int32Data: []int32{1}}, "int32_data has 1 entries, int4[3] needs 2"},
		{"undefined", &onnxpb.TensorProto{Dims: []int64{1}}, "UNDEFINED"},
		{"short raw", &onnxpb.TensorProto{DataType: dt(1), Dims: []int64{2}, RawData: []byte{1, 2, 3}}, "raw_data has 3 bytes"},
		{"wrong field", &onnxpb.TensorProto{DataType: dt(7), Dims: []int64{1}, FloatData: []float32{1}}, "has float_data, but ONNX stores int64 elements in int64_data"},
		{"count", &onnxpb.TensorProto{DataType: dt(1), Dims: []int64{3}, FloatData: []float32{1}}, "float_data has 1 elements, shape [3] needs 3"},
		{"no data", &onnxpb.TensorProto{DataType: dt(1), Dims: []int64{3}}, "has no data"},
		{"negative dim", &onnxpb.TensorProto{DataType: dt(1), Dims: []int64{-1}}, "negative dim"},
		{"huge", &onnxpb.TensorProto{DataType: dt(1), Dims: []int64{1 << 40, 1 << 40}}, "too large"},
		{"segment", &onnxpb.TensorProto{DataType: dt(1), Segment: &onnxpb.TensorProto_Segment{}}, "segmented"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.tp.Name = ptr("bad_" + c.name)
			_, err := ParseTensor(c.tp, "")
			wantErr(t, err, c.want, `tensor "bad_`+c.name+`"`)
			// As an initializer, the error names the graph too.
			m := model(&onnxpb.GraphProto{Name: ptr("g"), Initializer: []*onnxpb.TensorProto{c.tp}})
			_, err = Parse(marshal(t, m), "")
			wantErr(t, err, c.want, `graph "g"`)
		})
	}
}

func externalTensor(name, location string, kv ...string) *onnxpb.TensorProto {
	tp := &onnxpb.TensorProto{
		Name: ptr(name), DataType: ptr(int32(ir.Float32)), Dims: []int64{2},
		DataLocation: onnxpb.TensorProto_EXTERNAL.Enum(),
		ExternalData: []*onnxpb.StringStringEntryProto{{Key: ptr("location"), Value: ptr(location)}},
	}
	for i := 0; i+1 < len(kv); i += 2 {
		tp.ExternalData = append(tp.ExternalData, &onnxpb.StringStringEntryProto{Key: ptr(kv[i]), Value: ptr(kv[i+1])})
	}
	return tp
}

func TestExternalData(t *testing.T) {
	root := t.TempDir()
	modelDir := filepath.Join(root, "model")
	if err := os.MkdirAll(filepath.Join(modelDir, "weights"), 0o755); err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 0, 16)
	for _, f := range []float32{9, 1.5, -2, 7} {
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(f))
	}
	write := func(path string, b []byte) {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(modelDir, "weights", "w.bin"), data)
	write(filepath.Join(root, "secret.bin"), data)
	if err := os.Symlink(filepath.Join(root, "secret.bin"), filepath.Join(modelDir, "escape.bin")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("weights", "w.bin"), filepath.Join(modelDir, "inside.bin")); err != nil {
		t.Fatal(err)
	}

	load := func(tp *onnxpb.TensorProto) (*ir.Graph, error) {
		m := model(&onnxpb.GraphProto{Initializer: []*onnxpb.TensorProto{tp}, Output: []*onnxpb.ValueInfoProto{vi(tp.GetName(), tensorType(1, 2))}})
		path := filepath.Join(modelDir, "model.onnx")
		write(path, marshal(t, m))
		return Load(path)
	}

	for _, ok := range []struct {
		name string
		tp   *onnxpb.TensorProto
	}{
		{"offset and length", externalTensor("w", "weights/w.bin", "offset", "4", "length", "8")},
		{"dot segments", externalTensor("w", "./weights/../weights/w.bin", "offset", "4", "length", "8")},
		{"symlink inside", externalTensor("w", "inside.bin", "offset", "4", "length", "8")},
	} {
		t.Run(ok.name, func(t *testing.T) {
			g, err := load(ok.tp)
			if err != nil {
				t.Fatal(err)
			}
			if got := g.Values["w"].Const.Floats(); got[0] != 1.5 || got[1] != -2 {
				t.Errorf("got %v", got)
			}
		})
	}
	t.Run("whole file", func(t *testing.T) {
		tp := externalTensor("w", "weights/w.bin")
		tp.Dims = []int64{4}
		m := model(&onnxpb.GraphProto{Initializer: []*onnxpb.TensorProto{tp}, Output: []*onnxpb.ValueInfoProto{vi("w", tensorType(1, 4))}})
		g, err := Parse(marshal(t, m), modelDir)
		if err != nil {
			t.Fatal(err)
		}
		if got := g.Values["w"].Const.Floats(); got[3] != 7 {
			t.Errorf("got %v", got)
		}
	})

	for _, bad := range []struct {
		name string
		tp   *onnxpb.TensorProto
		want []string
	}{
		{"absolute", externalTensor("w", filepath.Join(modelDir, "weights", "w.bin")), []string{`tensor "w"`, "absolute path"}},
		{"dotdot", externalTensor("w", "../secret.bin"), []string{`tensor "w"`, "leaves the model's folder"}},
		{"dotdot inside", externalTensor("w", "weights/../../secret.bin"), []string{"leaves the model's folder"}},
		{"symlink escape", externalTensor("w", "escape.bin", "length", "8"), []string{`tensor "w"`, "outside the model's folder"}},
		{"missing", externalTensor("w", "nope.bin"), []string{`tensor "w"`, `"nope.bin"`, "does not exist"}},
		{"short", externalTensor("w", "weights/w.bin", "offset", "12", "length", "8"), []string{`tensor "w"`, `"weights/w.bin"`, "too short"}},
		{"wrong length", externalTensor("w", "weights/w.bin", "length", "4"), []string{"length 4, tensor needs 8"}},
		{"bad offset", externalTensor("w", "weights/w.bin", "offset", "x"), []string{`offset "x"`}},
		{"no location", externalTensor("w", ""), []string{"no location"}},
		{"folder", externalTensor("w", "weights"), []string{"not a regular file"}},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, err := load(bad.tp)
			wantErr(t, err, append(bad.want, "model.onnx")...)
		})
	}
	t.Run("no dir", func(t *testing.T) {
		_, err := ParseTensor(externalTensor("w", "weights/w.bin"), "")
		wantErr(t, err, "no model folder")
	})
}

func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := marshal(t, model(&onnxpb.GraphProto{
		Name:        ptr("g"),
		Node:        []*onnxpb.NodeProto{node("Relu", []string{"x"}, []string{"y"})},
		Input:       []*onnxpb.ValueInfoProto{vi("x", tensorType(1, 2))},
		Output:      []*onnxpb.ValueInfoProto{vi("y", tensorType(1, 2))},
		Initializer: []*onnxpb.TensorProto{{Name: ptr("unused"), DataType: ptr(int32(1)), Dims: []int64{64}, FloatData: make([]float32, 64)}},
	}))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(i*7919 + i/3)
	}
	files := map[string][]byte{
		"truncated.onnx": good[:len(good)/2],
		"json.onnx":      []byte(`{"graph": {"node": []}, "ir_version": 8}`),
		"random.onnx":    random,
		"empty.onnx":     nil,
		"text.onnx":      []byte("hello, this is not a model\n"),
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		wantErr(t, err, path)
		if err != nil && !strings.Contains(err.Error(), "ONNX model") {
			t.Errorf("%s: error does not say it is not an ONNX model: %v", name, err)
		}
	}
	_, err := Load(filepath.Join(dir, "missing.onnx"))
	wantErr(t, err, "missing.onnx", "no such file")

	// The good model still loads, so the errors above are about the data.
	path := filepath.Join(dir, "good.onnx")
	os.WriteFile(path, good, 0o644)
	if _, err := Load(path); err != nil {
		t.Fatal(err)
	}
}

func TestGraphStructure(t *testing.T) {
	m := model(&onnxpb.GraphProto{
		Name: ptr("main"),
		Node: []*onnxpb.NodeProto{
			// Out of order on purpose: Parse sorts.
			{OpType: ptr("FastGelu"), Domain: ptr("com.microsoft"), Input: []string{"s"}, Output: []string{"y"}},
			{OpType: ptr("Add"), Domain: ptr("ai.onnx"), Input: []string{"x", "w"}, Output: []string{"s"}, Name: ptr("dup")},
			{OpType: ptr("Constant"), Output: []string{"c"}, Attribute: []*onnxpb.AttributeProto{{Name: ptr("value_ints"), Type: onnxpb.AttributeProto_INTS.Enum(), Ints: []int64{1, 2}}}},
			{OpType: ptr("Reshape"), Input: []string{"y", "c", ""}, Output: []string{"z"}, Name: ptr("dup")},
		},
		Input: []*onnxpb.ValueInfoProto{
			vi("x", tensorType(1, "batch", 2, nil)),
			vi("w", tensorType(1, 2)), // also an initializer: a constant
		},
		Initializer: []*onnxpb.TensorProto{{Name: ptr("w"), DataType: ptr(int32(1)), Dims: []int64{2}, FloatData: []float32{1, 2}}},
		ValueInfo:   []*onnxpb.ValueInfoProto{vi("s", tensorType(1, "batch", 2, 3)), vi("ghost", tensorType(1))},
		Output:      []*onnxpb.ValueInfoProto{vi("z", tensorType(1, 1, "n")), vi("c", tensorType(7, 2))},
	})
	m.OpsetImport = append(m.OpsetImport, &onnxpb.OperatorSetIdProto{Domain: ptr("com.microsoft"), Version: ptr(int64(1))},
		&onnxpb.OperatorSetIdProto{Domain: ptr("ai.onnx"), Version: ptr(int64(18))})
	g := parse(t, m)

	var ops, names []string
	for _, n := range g.Nodes {
		ops = append(ops, n.Op)
		names = append(names, n.Name)
	}
	if strings.Join(ops, " ") != "onnx.Add com.microsoft.FastGelu onnx.Reshape" {
		t.Errorf("ops in order %v", ops)
	}
	if names[0] == names[2] || names[1] == "" {
		t.Errorf("node names not unique: %v", names)
	}
	if g.Opsets[""] != 18 || g.Opsets["com.microsoft"] != 1 || len(g.Opsets) != 2 {
		t.Errorf("opsets %v", g.Opsets)
	}
	if strings.Join(g.Inputs, ",") != "x" || strings.Join(g.Outputs, ",") != "z,c" {
		t.Errorf("inputs %v outputs %v", g.Inputs, g.Outputs)
	}
	if x := g.Values["x"]; x.DType != ir.Float32 || !x.Shape.Equal(ir.Shape{ir.Sym("batch"), ir.D(2), ir.Sym("")}) || x.Shape[2].Sym != "" || x.Shape[2].Static() {
		t.Errorf("x = %+v", x)
	}
	if g.Values["w"].Const == nil || g.Values["c"].Const == nil || g.Values["c"].Const.Ints()[1] != 2 {
		t.Errorf("constants w %+v c %+v", g.Values["w"], g.Values["c"])
	}
	if g.Values["ghost"] != nil {
		t.Error("value_info of a name nothing defines was added")
	}
	if s := g.Values["s"]; s == nil || !s.Shape.Equal(ir.Shape{ir.Sym("batch"), ir.D(2), ir.D(3)}) {
		t.Errorf("s = %+v", s)
	}
	if z := g.Values["z"]; z == nil || !z.Shape.Equal(ir.Shape{ir.D(1), ir.Sym("n")}) {
		t.Errorf("z = %+v", z)
	}
	if g.Nodes[2].Inputs[2] != "" || len(g.Nodes[2].Inputs) != 3 {
		t.Errorf("absent optional input lost: %q", g.Nodes[2].Inputs)
	}
}

func TestConstantNodes(t *testing.T) {
	mk := func(attr *onnxpb.AttributeProto) *onnxpb.ModelProto {
		return model(&onnxpb.GraphProto{
			Node:   []*onnxpb.NodeProto{node("Constant", nil, []string{"c"}, attr)},
			Output: []*onnxpb.ValueInfoProto{vi("c", tensorType(1))},
		})
	}
	for _, c := range []struct {
		attr  *onnxpb.AttributeProto
		dt    ir.DType
		shape []int64
		vals  []float64
	}{
		{&onnxpb.AttributeProto{Name: ptr("value"), Type: onnxpb.AttributeProto_TENSOR.Enum(), T: &onnxpb.TensorProto{DataType: ptr(int32(6)), Dims: []int64{1, 2}, Int32Data: []int32{3, 4}}}, ir.Int32, []int64{1, 2}, []float64{3, 4}},
		{&onnxpb.AttributeProto{Name: ptr("value_float"), Type: onnxpb.AttributeProto_FLOAT.Enum(), F: ptr(float32(2.5))}, ir.Float32, []int64{}, []float64{2.5}},
		{&onnxpb.AttributeProto{Name: ptr("value_floats"), Type: onnxpb.AttributeProto_FLOATS.Enum(), Floats: []float32{1, 2, 3}}, ir.Float32, []int64{3}, []float64{1, 2, 3}},
		{&onnxpb.AttributeProto{Name: ptr("value_int"), Type: onnxpb.AttributeProto_INT.Enum(), I: ptr(int64(-7))}, ir.Int64, []int64{}, []float64{-7}},
		{&onnxpb.AttributeProto{Name: ptr("value_ints"), Type: onnxpb.AttributeProto_INTS.Enum(), Ints: []int64{5}}, ir.Int64, []int64{1}, []float64{5}},
	} {
		t.Run(c.attr.GetName(), func(t *testing.T) {
			g := parse(t, mk(c.attr))
			if len(g.Nodes) != 0 {
				t.Errorf("Constant node kept: %v", g.Nodes)
			}
			v := g.Values["c"]
			if v.Const == nil || v.DType != c.dt || !v.Shape.Equal(ir.S(c.shape...)) {
				t.Fatalf("c = %+v", v)
			}
			for i, f := range v.Const.Floats() {
				if f != c.vals[i] {
					t.Errorf("element %d = %v want %v", i, f, c.vals[i])
				}
			}
		})
	}
	for _, bad := range []struct {
		attr *onnxpb.AttributeProto
		want string
	}{
		{&onnxpb.AttributeProto{Name: ptr("value_string"), Type: onnxpb.AttributeProto_STRING.Enum(), S: []byte("hi")}, "string constants are not supported"},
		{&onnxpb.AttributeProto{Name: ptr("value_strings"), Type: onnxpb.AttributeProto_STRINGS.Enum(), Strings: [][]byte{[]byte("hi")}}, "string constants are not supported"},
		{&onnxpb.AttributeProto{Name: ptr("sparse_value"), Type: onnxpb.AttributeProto_SPARSE_TENSOR.Enum(), SparseTensor: &onnxpb.SparseTensorProto{}}, "sparse tensor attributes are not supported"},
	} {
		_, err := Parse(marshal(t, mk(bad.attr)), "")
		wantErr(t, err, bad.want, "Constant")
	}
}

func TestAttributes(t *testing.T) {
	body := &onnxpb.GraphProto{
		Name:   ptr("body"),
		Node:   []*onnxpb.NodeProto{node("Add", []string{"x", "outer"}, []string{"r"})},
		Input:  []*onnxpb.ValueInfoProto{{Name: ptr("x")}}, // untyped: allowed in subgraphs
		Output: []*onnxpb.ValueInfoProto{vi("r", tensorType(1, 2))},
	}
	ft := func(v float32) *onnxpb.TensorProto {
		return &onnxpb.TensorProto{DataType: ptr(int32(1)), FloatData: []float32{v}}
	}
	a := func(name string, typ onnxpb.AttributeProto_AttributeType, set func(*onnxpb.AttributeProto)) *onnxpb.AttributeProto {
		ap := &onnxpb.AttributeProto{Name: ptr(name), Type: typ.Enum()}
		set(ap)
		return ap
	}
	n := node("Custom", []string{"outer"}, []string{"y"},
		a("f", onnxpb.AttributeProto_FLOAT, func(p *onnxpb.AttributeProto) { p.F = ptr(float32(0.5)) }),
		a("i", onnxpb.AttributeProto_INT, func(p *onnxpb.AttributeProto) { p.I = ptr(int64(3)) }),
		a("s", onnxpb.AttributeProto_STRING, func(p *onnxpb.AttributeProto) { p.S = []byte("tanh") }),
		a("t", onnxpb.AttributeProto_TENSOR, func(p *onnxpb.AttributeProto) { p.T = ft(2) }),
		a("g", onnxpb.AttributeProto_GRAPH, func(p *onnxpb.AttributeProto) { p.G = body }),
		a("fs", onnxpb.AttributeProto_FLOATS, func(p *onnxpb.AttributeProto) { p.Floats = []float32{1, 2} }),
		a("is", onnxpb.AttributeProto_INTS, func(p *onnxpb.AttributeProto) { p.Ints = []int64{4, 5} }),
		a("empty_is", onnxpb.AttributeProto_INTS, func(p *onnxpb.AttributeProto) {}),
		a("ss", onnxpb.AttributeProto_STRINGS, func(p *onnxpb.AttributeProto) { p.Strings = [][]byte{[]byte("a"), []byte("b")} }),
		a("ts", onnxpb.AttributeProto_TENSORS, func(p *onnxpb.AttributeProto) { p.Tensors = []*onnxpb.TensorProto{ft(1), ft(3)} }),
		a("gs", onnxpb.AttributeProto_GRAPHS, func(p *onnxpb.AttributeProto) { p.Graphs = []*onnxpb.GraphProto{body, body} }),
		// IR version 1 style: no type, the field in use decides.
		&onnxpb.AttributeProto{Name: ptr("untyped"), I: ptr(int64(9))},
	)
	n.Domain = ptr("my.domain")
	m := model(&onnxpb.GraphProto{
		Node:   []*onnxpb.NodeProto{n},
		Input:  []*onnxpb.ValueInfoProto{vi("outer", tensorType(1, 2))},
		Output: []*onnxpb.ValueInfoProto{vi("y", tensorType(1, 2))},
	})
	g := parse(t, m)
	got := g.Nodes[0]
	if got.Op != "my.domain.Custom" {
		t.Errorf("op %q", got.Op)
	}
	at := got.Attrs
	if at["f"].Kind != ir.AttrFloat || at["f"].F != 0.5 || at["i"].I != 3 || at["s"].S != "tanh" || at["untyped"].Kind != ir.AttrInt || at["untyped"].I != 9 {
		t.Errorf("scalars: %+v %+v %+v %+v", at["f"], at["i"], at["s"], at["untyped"])
	}
	if at["t"].Kind != ir.AttrTensor || at["t"].T.Float(0) != 2 {
		t.Errorf("t: %+v", at["t"])
	}
	if at["g"].Kind != ir.AttrGraph || at["g"].G.Name != "body" || len(at["g"].G.Nodes) != 1 || at["g"].G.Nodes[0].Op != "onnx.Add" {
		t.Errorf("g: %+v", at["g"])
	}
	if sg := at["g"].G; sg.Values["outer"] != nil || strings.Join(sg.Inputs, ",") != "x" || sg.Values["x"].DType != ir.Undefined {
		t.Errorf("subgraph values: %v inputs %v", sg.Values, sg.Inputs)
	}
	if len(at["fs"].Floats) != 2 || at["is"].Ints[1] != 5 || at["empty_is"].Kind != ir.AttrInts || at["empty_is"].Ints == nil {
		t.Errorf("lists: %+v %+v %+v", at["fs"], at["is"], at["empty_is"])
	}
	if strings.Join(at["ss"].Strings, ",") != "a,b" || len(at["ts"].Tensors) != 2 || at["ts"].Tensors[1].Float(0) != 3 || len(at["gs"].Graphs) != 2 {
		t.Errorf("lists: %+v %+v %+v", at["ss"], at["ts"], at["gs"])
	}

	// A subgraph reading a name that no enclosing graph defines.
	body.Node[0].Input[1] = "nowhere"
	_, err := Parse(marshal(t, m), "")
	wantErr(t, err, `"nowhere"`, "enclosing")
}

func TestGraphErrors(t *testing.T) {
	cyc := model(&onnxpb.GraphProto{
		Node: []*onnxpb.NodeProto{
			node("Relu", []string{"b"}, []string{"a"}),
			node("Relu", []string{"a"}, []string{"b"}),
		},
		Output: []*onnxpb.ValueInfoProto{vi("b", tensorType(1))},
	})
	_, err := Parse(marshal(t, cyc), "")
	wantErr(t, err, "cycle")

	undef := model(&onnxpb.GraphProto{
		Node:   []*onnxpb.NodeProto{node("Relu", []string{"x"}, []string{"y"})},
		Output: []*onnxpb.ValueInfoProto{vi("y", tensorType(1))},
	})
	_, err = Parse(marshal(t, undef), "")
	wantErr(t, err, `"x"`)

	noOut := model(&onnxpb.GraphProto{Output: []*onnxpb.ValueInfoProto{vi("y", tensorType(1))}})
	_, err = Parse(marshal(t, noOut), "")
	wantErr(t, err, `output "y" is not produced`)

	seq := model(&onnxpb.GraphProto{
		Input: []*onnxpb.ValueInfoProto{vi("s", &onnxpb.TypeProto{Value: &onnxpb.TypeProto_SequenceType{SequenceType: &onnxpb.TypeProto_Sequence{ElemType: tensorType(1)}}})},
	})
	_, err = Parse(marshal(t, seq), "")
	wantErr(t, err, `input "s" is a sequence(tensor(float))`)

	sparse := model(&onnxpb.GraphProto{SparseInitializer: []*onnxpb.SparseTensorProto{{Values: &onnxpb.TensorProto{Name: ptr("sp")}}}})
	_, err = Parse(marshal(t, sparse), "")
	wantErr(t, err, `sparse initializer "sp"`)

	twice := model(&onnxpb.GraphProto{
		Node:   []*onnxpb.NodeProto{node("Relu", []string{"x"}, []string{"x"})},
		Input:  []*onnxpb.ValueInfoProto{vi("x", tensorType(1))},
		Output: []*onnxpb.ValueInfoProto{vi("x", tensorType(1))},
	})
	_, err = Parse(marshal(t, twice), "")
	wantErr(t, err, `writes "x"`)
}

func TestTensorFiles(t *testing.T) {
	dir := t.TempDir()
	tp := &onnxpb.TensorProto{Name: ptr("input_0"), DataType: ptr(int32(1)), Dims: []int64{2}, FloatData: []float32{1, 2}}
	path := filepath.Join(dir, "input_0.pb")
	os.WriteFile(path, marshal(t, tp), 0o644)
	tensor, name, err := ReadTensorFile(path)
	if err != nil || name != "input_0" || tensor.Float(1) != 2 {
		t.Fatalf("%v %q %v", tensor, name, err)
	}

	seq := &onnxpb.SequenceProto{Name: ptr("seq"), ElemType: ptr(int32(1)), TensorValues: []*onnxpb.TensorProto{tp, tp}}
	os.WriteFile(path, marshal(t, seq), 0o644)
	_, _, err = ReadTensorFile(path)
	wantErr(t, err, path, "SequenceProto", "not a TensorProto")

	opt := &onnxpb.OptionalProto{Name: ptr("opt"), ElemType: ptr(int32(0))}
	os.WriteFile(path, marshal(t, opt), 0o644)
	_, _, err = ReadTensorFile(path)
	wantErr(t, err, path, "OptionalProto")

	os.WriteFile(path, []byte("not a tensor at all"), 0o644)
	_, _, err = ReadTensorFile(path)
	wantErr(t, err, path)

	_, _, err = ReadTensorFile(filepath.Join(dir, "missing.pb"))
	wantErr(t, err, "missing.pb")
}

// Low-bit tensors: 4- and 2-bit types arrive packed (first element in the
// low bits) in raw_data or one byte per int32_data entry, float8 one code
// per byte or entry; in memory each element takes one byte.
func TestLowBitTensors(t *testing.T) {
	dt := func(d int32) *int32 { return &d }
	for _, c := range []struct {
		name string
		tp   *onnxpb.TensorProto
		want []float64
	}{
		{"int4 raw", &onnxpb.TensorProto{DataType: dt(22), Dims: []int64{3}, RawData: []byte{0x87, 0x0F}}, []float64{7, -8, -1}},
		{"uint4 int32_data", &onnxpb.TensorProto{DataType: dt(21), Dims: []int64{3}, Int32Data: []int32{0x87, 0x0F}}, []float64{7, 8, 15}},
		{"int2 raw", &onnxpb.TensorProto{DataType: dt(26), Dims: []int64{5}, RawData: []byte{0b00111001, 0b10}}, []float64{1, -2, -1, 0, -2}},
		{"float4 raw", &onnxpb.TensorProto{DataType: dt(23), Dims: []int64{2}, RawData: []byte{0xE7}}, []float64{6, -4}},
		{"e4m3fn raw", &onnxpb.TensorProto{DataType: dt(17), Dims: []int64{2}, RawData: []byte{0x7E, 0x30}}, []float64{448, 0.5}},
		{"e5m2 int32_data", &onnxpb.TensorProto{DataType: dt(19), Dims: []int64{1}, Int32Data: []int32{0x7B}}, []float64{57344}},
	} {
		tensor, err := ParseTensor(c.tp, "")
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := tensor.Floats(); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
