package ops

import (
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestMatMulShapeSymbolic(t *testing.T) {
	for _, c := range []struct {
		a, b, want ir.Shape
	}{
		{ir.Shape{ir.Sym("N"), ir.D(3), ir.D(4)}, ir.S(4, 5), ir.Shape{ir.Sym("N"), ir.D(3), ir.D(5)}},
		{ir.S(4), ir.S(2, 4, 1), ir.S(2, 1)},
		{ir.S(1, 2, 4, 3), ir.S(3), ir.S(1, 2, 4)},
		{ir.S(3), ir.S(3), ir.S()},
	} {
		got, err := MatMulShape(c.a, c.b)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("MatMulShape(%v, %v) = %v, %v; want %v", c.a, c.b, got, err, c.want)
		}
	}
	if _, err := MatMulShape(ir.S(2, 3), ir.S(4, 2)); err == nil {
		t.Error("K mismatch accepted")
	}
}

func TestSoftmaxOpsetAttr(t *testing.T) {
	x := ir.FromSlice(ir.Float32, []int64{2, 2}, []float32{0, 0, 0, 0})
	n := &ir.Node{Op: "onnx.Softmax", Outputs: []string{"y"}, Attrs: map[string]ir.Attr{}}
	y, err := Execute(n, []*ir.Tensor{x})
	if err != nil || y[0].Float(0) != 0.5 {
		t.Fatalf("opset 13 form: %v %v", y, err)
	}
	// Before 13, axis defaults to 1 and coerces to 2-D: the same here, but
	// axis 0 on [2,2] normalizes all four values together.
	n.Attrs[OpsetAttr] = ir.Attr{Kind: ir.AttrInt, I: 11}
	n.Attrs["axis"] = ir.Attr{Kind: ir.AttrInt, I: 0}
	y, err = Execute(n, []*ir.Tensor{x})
	if err != nil || y[0].Float(0) != 0.25 {
		t.Fatalf("opset 11 axis 0: %v %v", y[0].Floats(), err)
	}
}

func TestReduceAxesForms(t *testing.T) {
	x := ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	axes := ir.FromSlice(ir.Int64, []int64{1}, []int64{-1})
	attr := &ir.Node{Op: "onnx.ReduceSum", Outputs: []string{"y"}, Attrs: map[string]ir.Attr{"axes": {Kind: ir.AttrInts, Ints: []int64{1}}, "keepdims": {Kind: ir.AttrInt, I: 0}}}
	input := &ir.Node{Op: "onnx.ReduceSum", Outputs: []string{"y"}, Attrs: map[string]ir.Attr{"keepdims": {Kind: ir.AttrInt, I: 0}}}
	noop := &ir.Node{Op: "onnx.ReduceSum", Outputs: []string{"y"}, Attrs: map[string]ir.Attr{"noop_with_empty_axes": {Kind: ir.AttrInt, I: 1}}}
	all := &ir.Node{Op: "onnx.ReduceSum", Outputs: []string{"y"}, Attrs: map[string]ir.Attr{}}
	for _, c := range []struct {
		n    *ir.Node
		in   []*ir.Tensor
		want []float64
	}{
		{attr, []*ir.Tensor{x}, []float64{6, 15}},
		{input, []*ir.Tensor{x, axes}, []float64{6, 15}},
		{noop, []*ir.Tensor{x, nil}, []float64{1, 2, 3, 4, 5, 6}},
		{all, []*ir.Tensor{x}, []float64{21}},
	} {
		y, err := Execute(c.n, c.in)
		if err != nil {
			t.Fatal(err)
		}
		got := y[0].Floats()
		if len(got) != len(c.want) {
			t.Fatalf("%v: got %v want %v", c.n.Attrs, got, c.want)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Fatalf("%v: got %v want %v", c.n.Attrs, got, c.want)
			}
		}
	}
	// A non-constant axes input leaves the dims unknown but the rank known.
	v, err := inferReduce(input, []*ir.Value{{DType: ir.Float32, Shape: ir.S(2, 3)}, {DType: ir.Int64, Shape: ir.S(1)}})
	if err != nil || len(v[0].Shape) != 1 || v[0].Shape[0].Static() {
		t.Fatalf("dynamic axes: %v %v", v, err)
	}
}

func TestBatchNormTrainingMode(t *testing.T) {
	x := ir.FromSlice(ir.Float32, []int64{2, 1}, []float32{1, 3})
	one := ir.FromSlice(ir.Float32, []int64{1}, []float32{1})
	zero := ir.FromSlice(ir.Float32, []int64{1}, []float32{0})
	n := &ir.Node{Op: "onnx.BatchNormalization", Outputs: []string{"y", "m", "v"}, Attrs: map[string]ir.Attr{
		"training_mode": {Kind: ir.AttrInt, I: 1}, "epsilon": {Kind: ir.AttrFloat, F: 0}, "momentum": {Kind: ir.AttrFloat, F: 0.5}}}
	out, err := Execute(n, []*ir.Tensor{x, one, zero, zero, one})
	if err != nil {
		t.Fatal(err)
	}
	// Batch mean 2, variance 1: y = [-1, 1]; running mean 0.5*0+0.5*2.
	if out[0].Float(0) != -1 || out[0].Float(1) != 1 || out[1].Float(0) != 1 || out[2].Float(0) != 1 {
		t.Fatalf("y %v mean %v var %v", out[0].Floats(), out[1].Floats(), out[2].Floats())
	}
}
