package ir

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestBroadcast(t *testing.T) {
	cases := []struct {
		a, b Shape
		want string
		err  bool
	}{
		{S(2, 3, 4), S(4), "[2x3x4]", false},
		{S(2, 1, 4), S(3, 1), "[2x3x4]", false},
		{S(), S(5), "[5]", false},
		{Shape{Sym("N"), D(3)}, S(1, 3), "[Nx3]", false},
		{Shape{Sym("N"), D(1)}, S(5, 4), "[5x4]", false},
		{Shape{Sym("N")}, Shape{Sym("M")}, "[?]", false},
		{S(2, 3), S(4, 3), "", true},
	}
	for _, c := range cases {
		got, err := Broadcast(c.a, c.b)
		if c.err {
			if err == nil {
				t.Errorf("%v with %v: want an error, got %v", c.a, c.b, got)
			}
			continue
		}
		if err != nil || got.String() != c.want {
			t.Errorf("%v with %v = %v, %v; want %s", c.a, c.b, got, err, c.want)
		}
	}
}

func TestParseShape(t *testing.T) {
	s, err := ParseShape("Nx3x224x224")
	if err != nil || s.String() != "[Nx3x224x224]" || s[0].Static() || !s[1].Static() {
		t.Fatalf("got %v %v", s, err)
	}
	if _, err := ParseShape("1xx2"); err == nil {
		t.Fatal("empty dim accepted")
	}
	if _, err := ParseShape("1x-2"); err == nil {
		t.Fatal("negative dim accepted")
	}
}

func TestTopoSortDetectsCycle(t *testing.T) {
	g := NewGraph("c", "onnx")
	g.Inputs = []string{"x"}
	g.Values["x"] = &Value{Name: "x", DType: Float32}
	g.Nodes = []*Node{
		{Name: "a", Op: "onnx.Add", Inputs: []string{"x", "c"}, Outputs: []string{"a"}},
		{Name: "b", Op: "onnx.Relu", Inputs: []string{"a"}, Outputs: []string{"b"}},
		{Name: "c", Op: "onnx.Relu", Inputs: []string{"b"}, Outputs: []string{"c"}},
	}
	err := g.TopoSort()
	var ce *CycleError
	if !errors.As(err, &ce) || len(ce.Nodes) != 3 || !strings.Contains(err.Error(), "a, b, c") {
		t.Fatalf("want a cycle error through a, b, c; got %v", err)
	}
}

func TestTopoSortOrdersAndChecks(t *testing.T) {
	g := NewGraph("o", "onnx")
	g.Inputs = []string{"x"}
	g.Values["x"] = &Value{Name: "x", DType: Float32}
	g.Nodes = []*Node{
		{Name: "second", Op: "onnx.Relu", Inputs: []string{"first"}, Outputs: []string{"second"}},
		{Name: "first", Op: "onnx.Relu", Inputs: []string{"x"}, Outputs: []string{"first"}},
	}
	if err := g.TopoSort(); err != nil || g.Nodes[0].Name != "first" {
		t.Fatalf("order %v, err %v", g.Nodes[0].Name, err)
	}
	g.Nodes = append(g.Nodes, &Node{Name: "bad", Op: "onnx.Relu", Inputs: []string{"nowhere"}, Outputs: []string{"z"}})
	if err := g.TopoSort(); err == nil || !strings.Contains(err.Error(), `"nowhere"`) {
		t.Fatalf("undefined input not reported: %v", err)
	}
}

func TestHalfRoundTrip(t *testing.T) {
	for _, f := range []float32{0, 1, -2.5, 65504, 6.1035156e-05, 5.9604645e-08, float32(math.Inf(1))} {
		if got := HalfToFloat(FloatToHalf(f)); got != f {
			t.Errorf("half(%g) = %g", f, got)
		}
	}
	if h := FloatToHalf(1e6); HalfToFloat(h) != float32(math.Inf(1)) {
		t.Errorf("overflow gives %g", HalfToFloat(h))
	}
	// 1 + 2^-11 is halfway between 1 and the next half: ties to even (1).
	if got := HalfToFloat(FloatToHalf(1 + 1.0/2048)); got != 1 {
		t.Errorf("tie rounds to %g", got)
	}
	if !math.IsNaN(float64(HalfToFloat(FloatToHalf(float32(math.NaN()))))) {
		t.Error("NaN lost")
	}
	if got := BF16ToFloat(FloatToBF16(3.140625)); got != 3.140625 {
		t.Errorf("bf16 %g", got)
	}
}

func TestTensorViewsAndAlignment(t *testing.T) {
	tt := FromSlice(Int64, []int64{3}, []int64{1, -2, 3})
	if tt.Int(1) != -2 || tt.Float(2) != 3 {
		t.Fatal("typed access")
	}
	raw := make([]byte, 17)
	w, err := WrapBytes(Float32, []int64{4}, raw[1:17])
	if err != nil || len(View[float32](w)) != 4 {
		t.Fatalf("unaligned wrap: %v", err)
	}
	if _, err := WrapBytes(Float32, []int64{4}, raw[:15]); err == nil {
		t.Fatal("short data accepted")
	}
}
