package ops_test

import (
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// The chain torch.onnx.export writes for x.view(x.shape[0], -1) keeps the
// dynamic batch: Shape -> Gather -> Unsqueeze -> Concat -> Reshape.
func TestShapeDataChainKeepsBatch(t *testing.T) {
	g := ir.NewGraph("t", "onnx")
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3), ir.D(4)}}
	g.Inputs = []string{"x"}
	c := func(name string, v ...int64) {
		t := ir.FromSlice(ir.Int64, []int64{int64(len(v))}, v)
		if name == "zero" {
			t = ir.FromSlice(ir.Int64, nil, v)
		}
		g.Values[name] = &ir.Value{Name: name, DType: ir.Int64, Shape: ir.S(t.Shape...), Const: t}
	}
	c("zero", 0)
	c("ax0", 0)
	c("minus1", -1)
	g.Nodes = []*ir.Node{
		{Name: "shape", Op: "onnx.Shape", Inputs: []string{"x"}, Outputs: []string{"s"}},
		{Name: "gather", Op: "onnx.Gather", Inputs: []string{"s", "zero"}, Outputs: []string{"b"}},
		{Name: "unsq", Op: "onnx.Unsqueeze", Inputs: []string{"b", "ax0"}, Outputs: []string{"b1"}},
		{Name: "cat", Op: "onnx.Concat", Inputs: []string{"b1", "minus1"}, Outputs: []string{"dims"}, Attrs: map[string]ir.Attr{"axis": {Kind: ir.AttrInt}}},
		{Name: "reshape", Op: "onnx.Reshape", Inputs: []string{"x", "dims"}, Outputs: []string{"y"}},
	}
	if _, err := ops.Propagate(g, true); err != nil {
		t.Fatal(err)
	}
	if sd := g.Values["b"].ShapeData; !sd.Equal(ir.Shape{ir.Sym("N")}) {
		t.Fatalf("gather ShapeData %v, want [N]", sd)
	}
	if got := g.Values["y"].Shape; !got.Equal(ir.Shape{ir.Sym("N"), ir.D(12)}) {
		t.Fatalf("reshape inferred %v, want [Nx12]", got)
	}
}

func TestShapeOfStaticFolds(t *testing.T) {
	g := ir.NewGraph("t", "onnx")
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2, 5)}
	g.Inputs = []string{"x"}
	g.Nodes = []*ir.Node{{Name: "shape", Op: "onnx.Shape", Inputs: []string{"x"}, Outputs: []string{"s"}, Attrs: map[string]ir.Attr{"start": {Kind: ir.AttrInt, I: -1}}}}
	n, err := ops.Propagate(g, true)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || len(g.Nodes) != 0 {
		t.Fatalf("Shape of a static input was not folded (%d folded)", n)
	}
	if v := g.Values["s"].Const.Ints(); len(v) != 1 || v[0] != 5 {
		t.Fatalf("folded to %v, want [5]", v)
	}
}

func TestReshapeShapeSymbolic(t *testing.T) {
	in := ir.Shape{ir.Sym("B"), ir.Sym("S"), ir.D(8)}
	for _, c := range []struct {
		dims, want ir.Shape
	}{
		{ir.Shape{ir.Sym("B"), ir.Sym("S"), ir.D(2), ir.D(4)}, ir.Shape{ir.Sym("B"), ir.Sym("S"), ir.D(2), ir.D(4)}},
		{ir.Shape{ir.D(0), ir.D(0), ir.D(2), ir.Sym("")}, ir.Shape{ir.Sym("B"), ir.Sym("S"), ir.D(2), ir.D(4)}},
		{ir.Shape{ir.D(0), ir.Sym("")}, ir.Shape{ir.Sym("B"), ir.Sym("")}},
		{ir.Shape{ir.Sym(""), ir.Sym("")}, ir.Shape{ir.Sym(""), ir.Sym("")}}, // two unknowns stay unknown
	} {
		got, err := ops.ReshapeShape(in, c.dims, false)
		if err != nil || !got.Equal(c.want) || got.String() != c.want.String() {
			t.Errorf("ReshapeShape(%v, %v) = %v, %v; want %v", in, c.dims, got, err, c.want)
		}
	}
	if _, err := ops.ReshapeShape(ir.S(2, 3), ir.S(4, 2), false); err == nil {
		t.Error("6 elements reshaped to 8")
	}
}
