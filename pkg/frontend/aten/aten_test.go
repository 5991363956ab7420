package aten_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/trtc-dev/trtc/internal/testenv"
	"github.com/trtc-dev/trtc/pkg/frontend/aten"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func load(t *testing.T, dir, file string) *ir.Graph {
	t.Helper()
	g, err := aten.Load(filepath.Join(testenv.RepoRoot(), "testdata", "pt2", dir, file))
	if err != nil {
		t.Fatal(err)
	}
	if g.Format != "aten" {
		t.Fatalf("format %q", g.Format)
	}
	return g
}

func nodesOf(g *ir.Graph, op string) []*ir.Node {
	var out []*ir.Node
	for _, n := range g.Nodes {
		if n.Op == op {
			out = append(out, n)
		}
	}
	return out
}

func TestGeluApproximateIsAStringAttr(t *testing.T) {
	tanh := nodesOf(load(t, "gelu_tanh", "model.pt2"), "aten.gelu.default")
	if len(tanh) != 1 || tanh[0].AttrString("approximate", "none") != "tanh" || tanh[0].Attrs["approximate"].Kind != ir.AttrString {
		t.Fatalf("gelu_tanh: %+v", tanh)
	}
	erf := nodesOf(load(t, "gelu_erf", "model.pt2"), "aten.gelu.default")
	if len(erf) != 1 || erf[0].AttrString("approximate", "none") != "none" {
		t.Fatalf("gelu_erf: %+v", erf)
	}
}

func TestSignatureAndDynamicRange(t *testing.T) {
	g := load(t, "dyn_mlp", "model.pt2")
	if len(g.Inputs) != 1 || g.Inputs[0] != "x" || len(g.Outputs) != 1 || g.Outputs[0] != "output_0" {
		t.Fatalf("inputs %v outputs %v", g.Inputs, g.Outputs)
	}
	x := g.Values["x"]
	if x.Shape.String() != "[s77x16]" || x.Min["s77"] != 1 || x.Max["s77"] != 8 {
		t.Fatalf("x: %v min %v max %v", x.Shape, x.Min, x.Max)
	}
	consts := 0
	for _, v := range g.Values {
		if v.Const != nil {
			consts++
		}
	}
	if consts != 4 {
		t.Fatalf("%d constants, want the 4 parameters", consts)
	}
	lin := nodesOf(g, "aten.linear.default")
	if len(lin) != 2 || len(lin[0].Inputs) != 3 || lin[0].Inputs[1] != "p_fc1_weight" {
		t.Fatalf("linear nodes: %+v", lin)
	}
}

func TestMultiOutputsAndScalars(t *testing.T) {
	g := load(t, "gpt", "model_decomposed.pt2")
	for _, n := range g.Nodes {
		if n.Op == "_operator.getitem" || n.Op == "operator.getitem" {
			t.Fatal("a getitem node survived")
		}
	}
	split := nodesOf(g, "aten.split_with_sizes.default")
	if len(split) != 2 || len(split[0].Outputs) != 3 || split[0].Outputs[1] == "" {
		t.Fatalf("split: %+v", split[0])
	}
	// native_layer_norm's mean and rstd are unused: blanked.
	for _, n := range nodesOf(g, "aten.native_layer_norm.default") {
		if n.Outputs[1] != "" || n.Outputs[2] != "" {
			t.Fatalf("%s keeps unused outputs %v", n.Name, n.Outputs)
		}
	}
	st := nodesOf(g, "aten.scalar_tensor.default")
	if len(st) == 0 || !math.IsInf(float64(st[0].AttrFloat("s", 0)), -1) || ir.DType(st[0].AttrInt("dtype", 0)) != ir.Float32 {
		t.Fatalf("scalar_tensor: %+v", st)
	}
	eq := nodesOf(g, "aten.eq.Scalar")
	if len(eq) == 0 || eq[0].Attrs["other"].Kind != ir.AttrFloat || eq[0].AttrInt("_int_other", 0) != 1 {
		t.Fatalf("eq.Scalar other: %+v", eq[0].Attrs)
	}
	// div.Tensor with a Python float: input slot "" plus the attribute.
	div := nodesOf(load(t, "gpt", "model.pt2"), "aten.div.Tensor")
	if len(div) == 0 || len(div[0].Inputs) != 2 || div[0].Inputs[1] != "" || div[0].AttrFloat("other", 0) != 4 {
		t.Fatalf("div: %+v", div[0])
	}
	// Non-persistent buffers come from the constants table.
	if v := g.Values["b_blocks_0_attn_mask"]; v == nil || v.Const == nil {
		t.Fatal("the attention mask buffer is not a constant")
	}
}

func TestConvolutionOptionalBias(t *testing.T) {
	g := load(t, "cnn", "model_decomposed.pt2")
	c := nodesOf(g, "aten.convolution.default")
	if len(c) != 9 || len(c[0].Inputs) != 3 || c[0].Inputs[2] != "" || c[0].AttrInt("groups", 0) != 1 {
		t.Fatalf("convolution: %+v", c[0])
	}
	if got := c[0].AttrInts("stride", nil); len(got) != 2 || got[0] != 2 {
		t.Fatalf("stride %v", got)
	}
}

func TestNotAZip(t *testing.T) {
	if _, err := aten.Parse([]byte("hello")); err == nil {
		t.Fatal("accepted bytes that are not a zip")
	}
}
