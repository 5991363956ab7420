package ops

import (
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func infer1(t *testing.T, op string, attrs map[string]ir.Attr, in ...*ir.Value) (*ir.Value, error) {
	t.Helper()
	o, ok := Lookup(op)
	if !ok {
		t.Fatalf("%s is not registered", op)
	}
	n := &ir.Node{Name: "n", Op: op, Attrs: attrs, Outputs: []string{"y"}}
	outs, err := o.Infer(n, in)
	if err != nil {
		return nil, err
	}
	return outs[0], nil
}

func TestInferFamily(t *testing.T) {
	nsym := ir.Shape{ir.Sym("N"), ir.D(3)}
	f32 := &ir.Value{DType: ir.Float32, Shape: nsym}
	i32 := &ir.Value{DType: ir.Int32, Shape: ir.S(2)}
	if v, err := infer1(t, "onnx.IsNaN", nil, f32); err != nil || v.DType != ir.Bool || !v.Shape.Equal(nsym) {
		t.Errorf("IsNaN: %v %v", v, err)
	}
	if _, err := infer1(t, "onnx.Sqrt", nil, i32); err == nil {
		t.Error("Sqrt of int32 should not infer")
	}
	if v, err := infer1(t, "onnx.Abs", nil, i32); err != nil || v.DType != ir.Int32 {
		t.Errorf("Abs int32: %v %v", v, err)
	}
	if _, err := infer1(t, "onnx.Not", nil, f32); err == nil {
		t.Error("Not of float should not infer")
	}
	// Cast between ints keeps ShapeData; to float drops it.
	shape := &ir.Value{DType: ir.Int64, Shape: ir.S(2), ShapeData: ir.Shape{ir.Sym("N"), ir.D(3)}}
	to := func(dt ir.DType) map[string]ir.Attr {
		return map[string]ir.Attr{"to": {Kind: ir.AttrInt, I: int64(dt)}}
	}
	if v, _ := infer1(t, "onnx.Cast", to(ir.Int32), shape); v == nil || v.DType != ir.Int32 || !v.ShapeData.Equal(shape.ShapeData) {
		t.Errorf("Cast int64->int32 lost ShapeData: %+v", v)
	}
	if v, _ := infer1(t, "onnx.Cast", to(ir.Float32), shape); v == nil || v.ShapeData != nil {
		t.Errorf("Cast to float kept ShapeData: %+v", v)
	}
	if _, err := infer1(t, "onnx.Cast", nil, shape); err == nil {
		t.Error("Cast without to should not infer")
	}
	// Where broadcasts all three.
	c := &ir.Value{DType: ir.Bool, Shape: ir.Shape{ir.Sym("N"), ir.D(1)}}
	s := &ir.Value{DType: ir.Float32, Shape: ir.S(4)}
	if v, err := infer1(t, "onnx.Where", nil, c, s, s); err != nil || !v.Shape.Equal(ir.Shape{ir.Sym("N"), ir.D(4)}) {
		t.Errorf("Where: %v %v", v, err)
	}
	// Clip bounds must be scalars of x's dtype.
	if _, err := infer1(t, "onnx.Clip", nil, f32, &ir.Value{DType: ir.Float32, Shape: ir.S(2)}); err == nil {
		t.Error("Clip with a [2] bound should not infer")
	}
	if _, err := infer1(t, "onnx.Clip", nil, f32, nil, &ir.Value{DType: ir.Int32, Shape: ir.S()}); err == nil {
		t.Error("Clip with an int32 bound on float32 should not infer")
	}
	if _, err := infer1(t, "onnx.Gelu", map[string]ir.Attr{"approximate": {Kind: ir.AttrString, S: "x"}}, f32); err == nil {
		t.Error("Gelu approximate=x should not infer")
	}
	if _, err := infer1(t, "onnx.Mean", nil, i32, i32); err == nil {
		t.Error("Mean of int32 should not infer")
	}
}
