package graphio

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/internal/testenv"
	"github.com/trtc-dev/trtc/pkg/frontend/onnx"
	"github.com/trtc-dev/trtc/pkg/ir"
	graphpb "github.com/trtc-dev/trtc/proto/graph"
)

// normalize makes nil and empty slices and maps alike where the format does
// not tell them apart (see doc.go), so reflect.DeepEqual compares the rest.
func normalize(g *ir.Graph) {
	g.Inputs = nonNil(g.Inputs)
	g.Outputs = nonNil(g.Outputs)
	g.Nodes = nonNil(g.Nodes)
	for _, v := range g.Values {
		if len(v.Min) == 0 {
			v.Min = nil
		}
		if len(v.Max) == 0 {
			v.Max = nil
		}
	}
	for _, n := range g.Nodes {
		n.Inputs = nonNil(n.Inputs)
		n.Outputs = nonNil(n.Outputs)
		if n.Attrs == nil {
			n.Attrs = map[string]ir.Attr{}
		}
		for k, a := range n.Attrs {
			if a.Kind != ir.AttrFloats && len(a.Floats) == 0 {
				a.Floats = nil
			}
			if a.Kind != ir.AttrInts && len(a.Ints) == 0 {
				a.Ints = nil
			}
			if a.Kind != ir.AttrStrings && len(a.Strings) == 0 {
				a.Strings = nil
			}
			if a.Kind != ir.AttrTensors && len(a.Tensors) == 0 {
				a.Tensors = nil
			}
			if a.Kind != ir.AttrGraphs && len(a.Graphs) == 0 {
				a.Graphs = nil
			}
			if a.G != nil {
				normalize(a.G)
			}
			for _, sg := range a.Graphs {
				normalize(sg)
			}
			n.Attrs[k] = a
		}
	}
}

func roundTrip(t *testing.T, g *ir.Graph, enc *EncodeOptions, dec *DecodeOptions) *ir.Graph {
	t.Helper()
	b, err := Marshal(g, enc)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := Marshal(g, enc)
	if err != nil || !bytes.Equal(b, b2) && enc == nil {
		t.Fatalf("encoding is not deterministic (%v)", err)
	}
	back, err := Unmarshal(b, dec)
	if err != nil {
		t.Fatal(err)
	}
	normalize(g)
	normalize(back)
	if !reflect.DeepEqual(g, back) {
		t.Fatalf("round trip changed the graph:\n%s", diff(g, back))
	}
	return back
}

func diff(a, b *ir.Graph) string {
	var sb strings.Builder
	if !reflect.DeepEqual(a.Values, b.Values) {
		for k, v := range a.Values {
			if !reflect.DeepEqual(v, b.Values[k]) {
				fmt.Fprintf(&sb, "value %q: %+v vs %+v\n", k, v, b.Values[k])
			}
		}
	}
	for i := range a.Nodes {
		if i < len(b.Nodes) && !reflect.DeepEqual(a.Nodes[i], b.Nodes[i]) {
			fmt.Fprintf(&sb, "node %d: %+v vs %+v\n", i, a.Nodes[i], b.Nodes[i])
		}
	}
	fmt.Fprintf(&sb, "inputs %q/%q outputs %q/%q opsets %v/%v", a.Inputs, b.Inputs, a.Outputs, b.Outputs, a.Opsets, b.Opsets)
	return sb.String()
}

// handmade has every field and attribute kind the format carries.
func handmade() *ir.Graph {
	sub := ir.NewGraph("body", "onnx")
	sub.Values["i"] = &ir.Value{Name: "i", DType: ir.Int64, Shape: ir.Shape{}}
	sub.Inputs = []string{"i"}
	sub.Outputs = []string{"o"}
	sub.Nodes = []*ir.Node{{Name: "id", Op: "onnx.Identity", Inputs: []string{"i"}, Outputs: []string{"o"}, Attrs: map[string]ir.Attr{}}}

	g := ir.NewGraph("main", "aten")
	g.Opsets[""] = 17
	g.Opsets["com.microsoft"] = 1
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float16, Shape: ir.Shape{ir.Sym("s0"), ir.D(3), ir.Sym("")},
		Min: map[string]int64{"s0": 1}, Max: map[string]int64{"s0": 64}}
	g.Values["unknown_rank"] = &ir.Value{Name: "unknown_rank", DType: ir.Float32}
	g.Values["w"] = &ir.Value{Name: "w", DType: ir.BFloat16, Shape: ir.S(2, 2), Const: ir.FromSlice(ir.BFloat16, []int64{2, 2}, []uint16{1, 2, 3, 4})}
	g.Values["scalar"] = &ir.Value{Name: "scalar", DType: ir.Int64, Shape: ir.Shape{}, Const: ir.FromSlice(ir.Int64, nil, []int64{7})}
	g.Values["empty"] = &ir.Value{Name: "empty", DType: ir.Float32, Shape: ir.S(0, 4), Const: ir.NewTensor(ir.Float32, []int64{0, 4})}
	g.Values["shp"] = &ir.Value{Name: "shp", DType: ir.Int64, Shape: ir.S(2), ShapeData: ir.Shape{ir.Sym("s0"), ir.D(3)}}
	g.Values["y"] = &ir.Value{Name: "y", DType: ir.Bool, Shape: ir.Shape{ir.Sym("s0")}}
	g.Inputs = []string{"x", "unknown_rank"}
	g.Outputs = []string{"y"}
	g.Nodes = []*ir.Node{{
		Name: "n0", Op: "aten.gelu.default", Inputs: []string{"x", "", "w"}, Outputs: []string{"shp", ""},
		Attrs: map[string]ir.Attr{
			"f":     {Kind: ir.AttrFloat, F: -0.25},
			"i":     {Kind: ir.AttrInt, I: -1 << 40},
			"s":     {Kind: ir.AttrString, S: "tanh\xff"},
			"t":     {Kind: ir.AttrTensor, T: ir.FromSlice(ir.Uint8, []int64{3}, []uint8{1, 2, 3})},
			"g":     {Kind: ir.AttrGraph, G: sub},
			"fs":    {Kind: ir.AttrFloats, Floats: []float32{1, 2}},
			"is":    {Kind: ir.AttrInts, Ints: []int64{}},
			"ss":    {Kind: ir.AttrStrings, Strings: []string{"a", ""}},
			"ts":    {Kind: ir.AttrTensors, Tensors: []*ir.Tensor{ir.Scalar(ir.Float64, 2.5), ir.NewTensor(ir.Uint64, []int64{0})}},
			"gs":    {Kind: ir.AttrGraphs, Graphs: []*ir.Graph{sub, ir.NewGraph("", "onnx")}},
			"undef": {},
		},
	}, {Name: "n1", Op: "onnx.Not", Inputs: []string{"shp"}, Outputs: []string{"y"}}}
	return g
}

func TestRoundTripHandmade(t *testing.T) {
	back := roundTrip(t, handmade(), nil, nil)
	if back.Values["unknown_rank"].Shape != nil || back.Values["scalar"].Shape == nil {
		t.Error("nil shape and scalar shape were not kept apart")
	}
}

func TestRoundTripBlobs(t *testing.T) {
	var blob []byte
	stored := 0
	enc := &EncodeOptions{StoreTensor: func(tt *ir.Tensor) (BlobRef, bool, error) {
		if len(tt.Data) < 2 {
			return BlobRef{}, false, nil // small ones stay inline
		}
		for len(blob)%8 != 0 {
			blob = append(blob, 0)
		}
		ref := BlobRef{Index: 3, Offset: uint64(len(blob)), Length: uint64(len(tt.Data))}
		blob = append(blob, tt.Data...)
		stored++
		return ref, true, nil
	}}
	dec := &DecodeOptions{LoadBlob: func(ref BlobRef) ([]byte, error) {
		if ref.Index != 3 || ref.Offset+ref.Length > uint64(len(blob)) {
			return nil, fmt.Errorf("bad ref %+v", ref)
		}
		return blob[ref.Offset : ref.Offset+ref.Length], nil
	}}
	g := handmade()
	p, err := Encode(g, enc)
	if err != nil {
		t.Fatal(err)
	}
	if stored == 0 {
		t.Fatal("StoreTensor stored nothing")
	}
	for _, v := range p.Values {
		if v.Name == "w" && v.Const.GetBlob() == nil {
			t.Error("w was not stored as a blob")
		}
	}
	roundTrip(t, g, enc, dec)

	// Without a loader, the error says what is missing.
	b, _ := Marshal(handmade(), enc)
	_, err = Unmarshal(b, nil)
	if err == nil || !strings.Contains(err.Error(), "no blob loader") {
		t.Errorf("err = %v", err)
	}
}

func TestRoundTripNodeTests(t *testing.T) {
	root := testenv.NodeTestsDir(t)
	models, _ := filepath.Glob(filepath.Join(root, "*", "model.onnx"))
	n := 0
	for _, path := range models {
		g, err := onnx.Load(path)
		if err != nil {
			continue // refusals are the onnx package's tests' business
		}
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) { roundTrip(t, g, nil, nil) })
		n++
	}
	t.Logf("%d node-test models round-trip", n)
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "g.pb")
	g := handmade()
	if err := WriteFile(path, g); err != nil {
		t.Fatal(err)
	}
	back, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	normalize(g)
	normalize(back)
	if !reflect.DeepEqual(g, back) {
		t.Fatal(diff(g, back))
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	data, _ := os.ReadFile(path)
	os.WriteFile(path, data[:len(data)/2], 0o644)
	if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("truncated file: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.pb")); err == nil {
		t.Error("missing file read")
	}
}

func TestDecodeErrors(t *testing.T) {
	base := func() *graphpb.Graph {
		p, err := Encode(handmade(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	find := func(p *graphpb.Graph, name string) *graphpb.Value {
		for _, v := range p.Values {
			if v.Name == name {
				return v
			}
		}
		t.Fatalf("no value %q", name)
		return nil
	}
	cases := []struct {
		name   string
		break_ func(p *graphpb.Graph)
		want   string
	}{
		{"short data", func(p *graphpb.Graph) { find(p, "w").Const.Data = &graphpb.Tensor_Raw{Raw: []byte{1}} }, `value "w": tensor bfloat16[2 2] needs 8 bytes, has 1`},
		{"bad dtype", func(p *graphpb.Graph) { find(p, "w").Const.Dtype = graphpb.DType_DTYPE_STRING }, "unsupported dtype string"},
		{"negative dim", func(p *graphpb.Graph) { find(p, "w").Const.Dims[0] = -2 }, "negative dim"},
		{"shape mismatch", func(p *graphpb.Graph) { find(p, "w").Shape.Dims[0].Size = 5 }, "constant is bfloat16[2x2]"},
		{"bad dim", func(p *graphpb.Graph) { find(p, "x").Shape.Dims[0].Size = -7 }, "neither static nor dynamic"},
		{"duplicate value", func(p *graphpb.Graph) { p.Values = append(p.Values, p.Values[0]) }, "defined twice"},
		{"const input", func(p *graphpb.Graph) { p.Inputs = append(p.Inputs, "w") }, `input "w" is a constant`},
		{"no op", func(p *graphpb.Graph) { p.Nodes[0].Op = "" }, "has no op"},
		{"tensor attr without tensor", func(p *graphpb.Graph) {
			for _, a := range p.Nodes[0].Attrs {
				if a.Name == "t" {
					a.T = nil
				}
			}
		}, `attribute "t": tensor attribute has no tensor`},
		{"nested", func(p *graphpb.Graph) {
			for _, a := range p.Nodes[0].Attrs {
				if a.Name == "g" {
					a.G.Values[0].Dtype = 99
					a.G.Values[0].Const = &graphpb.Tensor{Dtype: 99}
				}
			}
		}, `graph "body": value "i"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := base()
			c.break_(p)
			_, err := Decode(p, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
	if _, err := Unmarshal([]byte("\xff\xff\xff"), nil); err == nil || !strings.Contains(err.Error(), "not a trtc graph") {
		t.Errorf("garbage: %v", err)
	}
}
