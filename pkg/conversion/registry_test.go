package conversion

import (
	"errors"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func noop(*Context, *Node) error { return nil }

func names(cs []*Converter) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return strings.Join(out, " ")
}

// HIGH converters go in front (the latest first), STANDARD ones at the end.
func TestCandidateOrder(t *testing.T) {
	r := NewRegistry()
	for _, c := range []Converter{
		{Name: "s1", Priority: Standard}, {Name: "h1", Priority: High},
		{Name: "s2", Priority: Standard}, {Name: "h2", Priority: High},
	} {
		c.Target, c.Convert = "onnx.Gelu", noop
		if err := r.Register(c, ""); err != nil {
			t.Fatal(err)
		}
	}
	if got := names(r.Candidates("onnx.Gelu")); got != "h2 h1 s1 s2" {
		t.Fatalf("order %q", got)
	}
}

func node(op string, attrs map[string]ir.Attr, shape ir.Shape) *Node {
	v := &ir.Value{Name: "x", DType: ir.Float32, Shape: shape}
	return &Node{Node: &ir.Node{Name: "n", Op: op, Inputs: []string{"x"}, Outputs: []string{"y"}, Attrs: attrs},
		In: []*ir.Value{v}, Out: []*ir.Value{{Name: "y", DType: ir.Float32, Shape: shape}}, Opset: 20}
}

// The first candidate left after dynamic-shape, opset and validator checks
// wins; every skip is recorded with its reason.
func TestDecide(t *testing.T) {
	r := NewRegistry()
	tanhOnly := func(n *Node) error {
		if n.AttrString("approximate", "none") != "tanh" {
			return errors.New("only tanh")
		}
		return nil
	}
	must := func(c Converter, origin string) {
		c.Target, c.Convert = "onnx.Gelu", noop
		if err := r.Register(c, origin); err != nil {
			t.Fatal(err)
		}
	}
	must(Converter{Name: "builtin", Priority: Standard, DynamicShapes: true}, "")
	must(Converter{Name: "old", Priority: High, DynamicShapes: true, OpsetMax: 19}, "a.so")
	must(Converter{Name: "static", Priority: High}, "b.so")
	must(Converter{Name: "tanh", Priority: High, DynamicShapes: true, Validator: tanhOnly}, "c.so")

	tanh := map[string]ir.Attr{"approximate": {Kind: ir.AttrString, S: "tanh"}}
	if d := r.Decide(node("onnx.Gelu", tanh, ir.S(2)), nil); d.Converter.Name != "tanh" || len(d.Rejected) != 0 {
		t.Fatalf("tanh node: %+v", d)
	}
	d := r.Decide(node("onnx.Gelu", nil, ir.S(2)), nil)
	if d.Converter.Name != "static" || len(d.Rejected) != 1 || d.Rejected[0].Reason != "only tanh" || d.Rejected[0].Origin != "c.so" {
		t.Fatalf("erf node, static shape: %+v", d)
	}
	d = r.Decide(node("onnx.Gelu", nil, ir.Shape{ir.Sym("N")}), nil)
	if d.Converter.Name != "builtin" || len(d.Rejected) != 3 {
		t.Fatalf("erf node, dynamic shape: %+v", d)
	}
	reasons := strings.Join(d.Reasons(), "\n")
	for _, want := range []string{"only tanh", "dynamic shapes", "opset 20, converter supports <=19"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("reasons lack %q:\n%s", want, reasons)
		}
	}
}

func TestForcedFallbackAndNoConverter(t *testing.T) {
	r := NewRegistry()
	r.MustRegister(Converter{Target: "onnx.ReduceMean", Convert: noop, DynamicShapes: true})
	s := &Settings{FallbackOps: []string{"Reduce*"}}
	if d := r.Decide(node("onnx.ReduceMean", nil, ir.S(2)), s); !d.Forced || d.Converter != nil {
		t.Fatalf("glob fallback: %+v", d)
	}
	d := r.Decide(node("onnx.Unknown", nil, ir.S(2)), nil)
	if d.Converter != nil || !strings.Contains(d.Reasons()[0], "no converter") {
		t.Fatalf("no converter: %+v %v", d, d.Reasons())
	}
}

func TestValidatorPanicIsARejection(t *testing.T) {
	r := NewRegistry()
	r.MustRegister(Converter{Target: "onnx.Relu", Convert: noop, DynamicShapes: true,
		Validator: func(*Node) error { panic("boom") }})
	d := r.Decide(node("onnx.Relu", nil, ir.S(2)), nil)
	if d.Converter != nil || !strings.Contains(d.Rejected[0].Reason, "panicked: boom") {
		t.Fatalf("%+v", d)
	}
}

func TestRegisterChecks(t *testing.T) {
	r := NewRegistry()
	for key, ok := range map[string]bool{
		"aten.gelu.default": true, "aten.gelu": false, "onnx.Gelu": true, "onnx.gelu": false,
		"com.microsoft.FastGelu": true, "": false, "onnx.": false, "Gelu": false,
	} {
		err := CheckTarget(key)
		if (err == nil) != ok {
			t.Errorf("CheckTarget(%q) = %v", key, err)
		}
	}
	if err := r.Register(Converter{Target: "onnx.Relu"}, ""); err == nil {
		t.Error("nil Convert accepted")
	}
	if err := r.Register(Converter{Target: "onnx.Relu", Convert: noop, OpsetMin: 5, OpsetMax: 3}, ""); err == nil {
		t.Error("empty opset range accepted")
	}
	r.MustRegister(Converter{Name: "dup", Target: "onnx.Relu", Convert: noop})
	if err := r.Register(Converter{Name: "dup", Target: "onnx.Relu", Convert: noop}, "x.so"); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate name: %v", err)
	}
	// Clone is independent.
	c := r.Clone()
	c.MustRegister(Converter{Name: "other", Target: "onnx.Relu", Convert: noop})
	if len(r.Candidates("onnx.Relu")) != 1 || len(c.Candidates("onnx.Relu")) != 2 {
		t.Error("clone shares state")
	}
}
