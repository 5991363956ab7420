package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// sub builds a subgraph: declared inputs (name: dtype and shape), outputs,
// constants and nodes.
type sub struct {
	ins    map[string]*ir.Value
	order  []string
	outs   []string
	consts map[string]*ir.Tensor
	nodes  []*ir.Node
}

func (s sub) graph(name string) ir.Attr {
	g := ir.NewGraph(name, "onnx")
	g.Opsets[""] = 20
	g.Inputs, g.Outputs, g.Nodes = s.order, s.outs, s.nodes
	for _, k := range s.order {
		v := *s.ins[k]
		v.Name = k
		g.Values[k] = &v
	}
	for k, c := range s.consts {
		g.Values[k] = &ir.Value{Name: k, DType: c.DType, Shape: ir.S(c.Shape...), Const: c}
	}
	return ir.Attr{Kind: ir.AttrGraph, G: g}
}

func node(op string, ins []string, outs []string, attrs map[string]ir.Attr) *ir.Node {
	return &ir.Node{Name: outs[0] + "_node", Op: "onnx." + op, Inputs: ins, Outputs: outs, Attrs: attrs}
}

func outer(names ...string) ir.Attr { return ir.Attr{Kind: ir.AttrStrings, Strings: names} }

func boolScalar(v bool) *ir.Tensor {
	b := uint8(0)
	if v {
		b = 1
	}
	return ir.FromSlice(ir.Bool, []int64{}, []uint8{b})
}

func f32s(shape []int64, v ...float32) *ir.Tensor { return ir.FromSlice(ir.Float32, shape, v) }

// If: both branches read x from outside; then returns x+x and x itself,
// else x*k (a branch constant) and relu(x).
func TestIfConditional(t *testing.T) {
	then := sub{outs: []string{"a", "in1"}, nodes: []*ir.Node{node("Add", []string{"in1", "in1"}, []string{"a"}, nil)}}
	els := sub{outs: []string{"b", "r"}, consts: map[string]*ir.Tensor{"k": f32s([]int64{1}, -1.5)},
		nodes: []*ir.Node{node("Mul", []string{"in1", "k"}, []string{"b"}, nil), node("Relu", []string{"in1"}, []string{"r"}, nil)}}
	attrs := map[string]ir.Attr{"then_branch": then.graph("then"), "else_branch": els.graph("else"), ir.OuterInputsAttr: outer("in1")}
	for _, c := range []bool{true, false} {
		for _, x := range []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 3)},
			{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(3)}, RunShape: []int64{4, 3}}} {
			r := convtest.Run(t, convtest.Case{Op: "onnx.If", Attrs: attrs, NumOutputs: 2,
				Inputs: []convtest.Input{{DType: ir.Bool, Shape: ir.S(), Data: boolScalar(c)}, x}})
			if r.Converter == nil || r.Converter.Target != "onnx.If" {
				t.Fatalf("converted by %v", r.Converter)
			}
		}
	}
	// Branch outputs of different static shapes fall back.
	els2 := sub{outs: []string{"c", "r"}, nodes: []*ir.Node{
		node("Concat", []string{"in1", "in1"}, []string{"c"}, map[string]ir.Attr{"axis": iattr(0)}), node("Relu", []string{"in1"}, []string{"r"}, nil)}}
	attrs2 := map[string]ir.Attr{"then_branch": then.graph("then"), "else_branch": els2.graph("else"), ir.OuterInputsAttr: outer("in1")}
	if _, err := convtest.Build(convtest.Case{Op: "onnx.If", Attrs: attrs2, NumOutputs: 2,
		Inputs: []convtest.Input{{DType: ir.Bool, Shape: ir.S(), Data: boolScalar(true)}, {DType: ir.Float32, Shape: ir.S(2, 3)}}}); err == nil {
		t.Error("If with branch outputs [2 3] and [4 3] converted")
	}
}

// Loop: y += float(iteration) * w (w read from outside), a scan output
// y*y per iteration; M a constant or a run-time input (a shape tensor);
// and a while loop whose body stops it once sum(y) passes a limit.
func TestLoop(t *testing.T) {
	body := sub{
		ins:   map[string]*ir.Value{"i": {DType: ir.Int64, Shape: ir.S()}, "c": {DType: ir.Bool, Shape: ir.S()}, "y": {DType: ir.Float32, Shape: ir.S(3)}},
		order: []string{"i", "c", "y"}, outs: []string{"c2", "y2", "sq"},
		nodes: []*ir.Node{
			node("Identity", []string{"c"}, []string{"c2"}, nil),
			node("Cast", []string{"i"}, []string{"fi"}, map[string]ir.Attr{"to": iattr(int64(ir.Float32))}),
			node("Mul", []string{"fi", "in3"}, []string{"d"}, nil),
			node("Add", []string{"y", "d"}, []string{"y2"}, nil),
			node("Mul", []string{"y2", "y2"}, []string{"sq"}, nil),
		}}
	attrs := map[string]ir.Attr{"body": body.graph("body"), ir.OuterInputsAttr: outer("in3")}
	for _, constM := range []bool{true, false} {
		r := convtest.Run(t, convtest.Case{Op: "onnx.Loop", Attrs: attrs, NumOutputs: 2, Inputs: []convtest.Input{
			{DType: ir.Int64, Shape: ir.S(), Data: ir.FromSlice(ir.Int64, []int64{}, []int64{5}), Const: constM},
			{DType: ir.Bool, Shape: ir.S(), Data: boolScalar(true), Const: true},
			{DType: ir.Float32, Shape: ir.S(3)}, {DType: ir.Float32, Shape: ir.S(3)}}})
		if !constM && (len(r.ShapeInputs) != 1 || r.ShapeInputs[0] != "in0") {
			t.Errorf("run-time M: shape inputs %v, want [in0]", r.ShapeInputs)
		}
	}
	while := sub{
		ins:   body.ins,
		order: body.order, outs: []string{"go", "y2"},
		nodes: []*ir.Node{
			node("Add", []string{"y", "in3"}, []string{"y2"}, nil),
			node("ReduceSum", []string{"y2"}, []string{"s"}, map[string]ir.Attr{"keepdims": iattr(0)}),
			node("Less", []string{"s", "in4"}, []string{"go"}, nil),
		}}
	wattrs := map[string]ir.Attr{"body": while.graph("while"), ir.OuterInputsAttr: outer("in3", "in4")}
	for _, start := range []bool{true, false} {
		for _, limit := range []float32{4, 40} {
			convtest.Run(t, convtest.Case{Op: "onnx.Loop", Attrs: wattrs, Inputs: []convtest.Input{
				{DType: ir.Int64, Shape: ir.S(), Data: ir.FromSlice(ir.Int64, []int64{}, []int64{6}), Const: true},
				{DType: ir.Bool, Shape: ir.S(), Data: boolScalar(start)},
				{DType: ir.Float32, Shape: ir.S(3), Lo: 0, Hi: 1}, {DType: ir.Float32, Shape: ir.S(3), Lo: 0.5, Hi: 1},
				{DType: ir.Float32, Shape: ir.S(), Data: ir.FromSlice(ir.Float32, []int64{}, []float32{limit})}}})
		}
	}
	// A while loop with scan outputs has a data-dependent output length.
	wscan := while
	wscan.outs = []string{"go", "y2", "s"}
	if _, err := convtest.Build(convtest.Case{Op: "onnx.Loop", NumOutputs: 2,
		Attrs: map[string]ir.Attr{"body": wscan.graph("while"), ir.OuterInputsAttr: outer("in3", "in4")}, Inputs: []convtest.Input{
			{DType: ir.Int64, Shape: ir.S(), Data: ir.FromSlice(ir.Int64, []int64{}, []int64{6}), Const: true},
			{DType: ir.Bool, Shape: ir.S(), Data: boolScalar(true)},
			{DType: ir.Float32, Shape: ir.S(3)}, {DType: ir.Float32, Shape: ir.S(3)}, {DType: ir.Float32, Shape: ir.S()}}}); err == nil {
		t.Error("a while Loop with scan outputs converted")
	}
}

// Scan: a running sum over x (axis 0, forward or reverse) and z (axis 1),
// scan outputs along axis 0 or 1, forward or reverse; dynamic length.
func TestScan(t *testing.T) {
	body := sub{
		ins:   map[string]*ir.Value{"s": {DType: ir.Float32, Shape: ir.S(3)}, "x": {DType: ir.Float32, Shape: ir.S(3)}, "z": {DType: ir.Float32, Shape: ir.S(3)}},
		order: []string{"s", "x", "z"}, outs: []string{"s2", "p", "q"},
		nodes: []*ir.Node{
			node("Add", []string{"s", "x"}, []string{"s1"}, nil),
			node("Mul", []string{"s1", "z"}, []string{"s2"}, nil),
			node("Tanh", []string{"s2"}, []string{"p"}, nil),
			node("Sub", []string{"s2", "x"}, []string{"q"}, nil),
		}}
	for _, dyn := range []bool{false, true} {
		for _, a := range []map[string]ir.Attr{
			{},
			{"scan_input_directions": iattrs(1, 0), "scan_output_axes": iattrs(1, -2), "scan_output_directions": iattrs(1, 0)},
			{"scan_input_directions": iattrs(0, 1), "scan_output_directions": iattrs(0, 1)},
		} {
			attrs := map[string]ir.Attr{"body": body.graph("body"), "num_scan_inputs": iattr(2), "scan_input_axes": iattrs(0, 1)}
			for k, v := range a {
				attrs[k] = v
			}
			x := convtest.Input{DType: ir.Float32, Shape: ir.S(5, 3)}
			z := convtest.Input{DType: ir.Float32, Shape: ir.S(3, 5), Lo: 0.5, Hi: 1}
			if dyn {
				x = convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.Sym("T"), ir.D(3)}, RunShape: []int64{5, 3}}
				z = convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.D(3), ir.Sym("T")}, RunShape: []int64{3, 5}, Lo: 0.5, Hi: 1}
			}
			convtest.Run(t, convtest.Case{Op: "onnx.Scan", Attrs: attrs, NumOutputs: 3, Opset: 11,
				Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(3)}, x, z}})
		}
	}
}

// A loop inside a branch would nest TensorRT regions, which trtc does not
// build: the If falls back with that reason.
func TestNestedRegionRejected(t *testing.T) {
	body := sub{
		ins:   map[string]*ir.Value{"i": {DType: ir.Int64, Shape: ir.S()}, "c": {DType: ir.Bool, Shape: ir.S()}, "y": {DType: ir.Float32, Shape: ir.S(3)}},
		order: []string{"i", "c", "y"}, outs: []string{"c", "y2"},
		nodes: []*ir.Node{node("Relu", []string{"y"}, []string{"y2"}, nil)}}
	then := sub{outs: []string{"l"}, consts: map[string]*ir.Tensor{"m": ir.FromSlice(ir.Int64, []int64{}, []int64{2})},
		nodes: []*ir.Node{node("Loop", []string{"m", "", "in1"}, []string{"l"}, map[string]ir.Attr{"body": body.graph("body")})}}
	els := sub{outs: []string{"r"}, nodes: []*ir.Node{node("Relu", []string{"in1"}, []string{"r"}, nil)}}
	_, err := convtest.Build(convtest.Case{Op: "onnx.If", Attrs: map[string]ir.Attr{"then_branch": then.graph("then"), "else_branch": els.graph("else"),
		ir.OuterInputsAttr: outer("in1")}, Inputs: []convtest.Input{{DType: ir.Bool, Shape: ir.S(), Data: boolScalar(true)}, {DType: ir.Float32, Shape: ir.S(3)}}})
	if err == nil || !strings.Contains(err.Error(), "inside another") {
		t.Errorf("If holding a Loop: %v, want the nesting reason", err)
	}
}
