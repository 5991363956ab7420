package ops

import (
	"errors"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// testDef is an elementwise op y = 2x with one optional float attribute.
func testDef(key string) Def {
	return Def{
		Key:     key,
		Inputs:  []Port{{Name: "x", DTypes: []ir.DType{ir.Float32}}, {Name: "bias", Optional: true}},
		Outputs: []Port{{Name: "y", DTypes: []ir.DType{ir.Float32}, Rank: RankOfInput(0)}},
		Attrs:   []AttrSpec{{Name: "alpha", Kind: ir.AttrFloat}},
		Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
			return []*ir.Value{{DType: in[0].DType, Shape: in[0].Shape.Clone()}}, nil
		},
		Kernel: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
			y := ir.NewTensor(in[0].DType, in[0].Shape)
			for i := range int(in[0].Numel()) {
				y.SetFloat(i, 2*in[0].Float(i))
			}
			return []*ir.Tensor{y}, nil
		},
	}
}

func value(dt ir.DType, shape ir.Shape) *ir.Value { return &ir.Value{DType: dt, Shape: shape} }

func TestPluginOpSchema(t *testing.T) {
	if err := RegisterPlugin(testDef("test.plugin.Double"), "/p/a.so"); err != nil {
		t.Fatal(err)
	}
	op, _ := Lookup("test.plugin.Double")
	if !op.IsPlugin() || op.Origin != "/p/a.so" || !op.NoFold {
		t.Fatalf("op %+v: want a plugin op from /p/a.so, not folded by default", op)
	}
	node := func(attrs map[string]ir.Attr) *ir.Node {
		return &ir.Node{Name: "d", Op: "test.plugin.Double", Inputs: []string{"x"}, Outputs: []string{"y"}, Attrs: attrs}
	}
	sym := ir.Shape{ir.Sym("N"), ir.D(4)}
	outs, err := op.Infer(node(nil), []*ir.Value{value(ir.Float32, sym)})
	if err != nil || !outs[0].Shape.Equal(sym) || outs[0].Shape[0].Sym != "N" {
		t.Fatalf("symbolic inference: %v %v", outs, err)
	}
	for _, c := range []struct {
		name string
		n    *ir.Node
		in   []*ir.Value
		want string
	}{
		{"wrong dtype", node(nil), []*ir.Value{value(ir.Int32, sym)}, "input 0 (x) is int32"},
		{"too many inputs", node(nil), []*ir.Value{value(ir.Float32, sym), value(ir.Float32, sym), value(ir.Float32, sym)}, "takes 1 to 2 inputs, the node has 3"},
		{"missing input", node(nil), []*ir.Value{nil}, "input 0 (x) is required"},
		{"unknown attribute", node(map[string]ir.Attr{"beta": {Kind: ir.AttrFloat}}), []*ir.Value{value(ir.Float32, sym)}, `attribute "beta" is not an attribute`},
		{"attribute kind", node(map[string]ir.Attr{"alpha": {Kind: ir.AttrInt}}), []*ir.Value{value(ir.Float32, sym)}, `attribute "alpha" is int; op test.plugin.Double declares it float`},
	} {
		_, err := op.Infer(c.n, c.in)
		var pe *PluginOpError
		if err == nil || !strings.Contains(err.Error(), c.want) || errors.As(err, &pe) {
			t.Errorf("%s: %v, want a model error containing %q", c.name, err, c.want)
		}
	}
	// Frontend annotations are not checked.
	if _, err := op.Infer(node(map[string]ir.Attr{"alpha": {Kind: ir.AttrFloat}, "_int_alpha": {Kind: ir.AttrInt}}), []*ir.Value{value(ir.Float32, sym)}); err != nil {
		t.Errorf("annotation: %v", err)
	}
	// The kernel runs with its outputs checked against inference.
	x := ir.FromSlice(ir.Float32, []int64{2}, []float32{1, -3})
	y, err := Execute(node(nil), []*ir.Tensor{x})
	if err != nil || ir.View[float32](y[0])[1] != -6 {
		t.Fatalf("kernel: %v %v", y, err)
	}

	// Duplicates: another origin is an error naming both; the same origin
	// (a plugin loaded twice in one process) is a no-op; a built-in key is
	// refused.
	if err := RegisterPlugin(testDef("test.plugin.Double"), "/p/a.so"); err != nil {
		t.Errorf("same origin again: %v", err)
	}
	if err := RegisterPlugin(testDef("test.plugin.Double"), "/p/b.so"); err == nil || !strings.Contains(err.Error(), "defined twice: by /p/a.so and by /p/b.so") {
		t.Errorf("other origin: %v", err)
	}
	if err := RegisterPlugin(testDef("onnx.Relu"), "/p/b.so"); err == nil || !strings.Contains(err.Error(), "by trtc (built in) and by /p/b.so") {
		t.Errorf("built-in key: %v", err)
	}
}

func TestPluginOpMisbehaviour(t *testing.T) {
	sym := ir.Shape{ir.Sym("N"), ir.D(4)}
	for _, c := range []struct {
		name   string
		mutate func(d *Def)
		kernel bool
		want   string
	}{
		{"inference panics", func(d *Def) {
			d.Infer = func(*ir.Node, []*ir.Value) ([]*ir.Value, error) { panic("boom") }
		}, false, "shape inference panicked: boom"},
		{"inference wrong rank", func(d *Def) {
			d.Infer = func(_ *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
				return []*ir.Value{{DType: ir.Float32, Shape: append(in[0].Shape.Clone(), ir.D(1))}}, nil
			}
		}, false, "output 0 (y) has rank 3; the op declares the rank of input 0, which is 2"},
		{"inference wrong count", func(d *Def) {
			d.Infer = func(*ir.Node, []*ir.Value) ([]*ir.Value, error) { return nil, nil }
		}, false, "returned 0 outputs, the op declares 1"},
		{"inference undeclared dtype", func(d *Def) {
			d.Infer = func(_ *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
				return []*ir.Value{{DType: ir.Int64, Shape: in[0].Shape.Clone()}}, nil
			}
		}, false, "output 0 (y) is int64; the op declares [float32]"},
		{"kernel wrong dtype", func(d *Def) {
			d.Kernel = func(_ *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
				return []*ir.Tensor{ir.NewTensor(ir.Int32, in[0].Shape)}, nil
			}
		}, true, "kernel returned output 0 as int32, its shape inference says float32"},
		{"kernel wrong shape", func(d *Def) {
			d.Kernel = func(_ *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
				return []*ir.Tensor{ir.NewTensor(ir.Float32, []int64{1})}, nil
			}
		}, true, "kernel returned output 0 with shape [1], its shape inference says [2]"},
		{"kernel short data", func(d *Def) {
			d.Kernel = func(_ *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
				return []*ir.Tensor{{DType: ir.Float32, Shape: []int64{2}, Data: make([]byte, 4)}}, nil
			}
		}, true, "with 4 data bytes for shape [2]"},
		{"kernel panics", func(d *Def) {
			d.Kernel = func(*ir.Node, []*ir.Tensor) ([]*ir.Tensor, error) { panic("kaboom") }
		}, true, "kernel panicked: kaboom"},
	} {
		t.Run(c.name, func(t *testing.T) {
			key := "test.misbehave." + strings.ReplaceAll(c.name, " ", "_")
			d := testDef(key)
			c.mutate(&d)
			if err := RegisterPlugin(d, "/p/bad.so"); err != nil {
				t.Fatal(err)
			}
			op, _ := Lookup(key)
			n := &ir.Node{Name: "bad", Op: key, Inputs: []string{"x"}, Outputs: []string{"y"}}
			var err error
			if c.kernel {
				_, err = Execute(n, []*ir.Tensor{ir.FromSlice(ir.Float32, []int64{2}, []float32{1, 2})})
			} else {
				_, err = op.Infer(n, []*ir.Value{value(ir.Float32, sym)})
			}
			var pe *PluginOpError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "/p/bad.so") || !strings.Contains(err.Error(), `node "bad"`) {
				t.Fatalf("%v, want a PluginOpError naming the node and plugin with %q", err, c.want)
			}
		})
	}
}

func TestCheckDef(t *testing.T) {
	for _, c := range []struct {
		mutate func(d *Def)
		want   string
	}{
		{func(d *Def) { d.Key = "" }, "without a Key"},
		{func(d *Def) { d.Kernel = nil }, "Infer and Kernel are required"},
		{func(d *Def) { d.Outputs = nil }, "no outputs declared"},
		{func(d *Def) { d.Inputs = []Port{{Name: "a", Optional: true}, {Name: "b"}} }, "input 1 (b) is required but follows an optional input"},
		{func(d *Def) { d.Outputs[0].Rank = RankOfInput(5) }, "refers to input 5, which is not declared"},
		{func(d *Def) { d.Attrs = append(d.Attrs, AttrSpec{Name: "alpha"}) }, `attribute name "alpha" is empty or repeated`},
	} {
		d := testDef("test.check.Def")
		c.mutate(&d)
		if err := CheckDef(d); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v, want %q", err, c.want)
		}
	}
}

// Constant folding runs a plugin op's kernel only when the definition opts
// in; a misbehaving kernel met while folding is the plugin's error, not a
// silent skip.
func TestPluginOpFolding(t *testing.T) {
	for _, c := range []struct {
		key        string
		fold, bad  bool
		wantFolded int
		wantErr    string
	}{
		{"test.fold.Off", false, false, 0, ""},
		{"test.fold.On", true, false, 1, ""},
		{"test.fold.Bad", true, true, 0, "kernel returned output 0 with shape [1]"},
	} {
		d := testDef(c.key)
		d.Fold = c.fold
		if c.bad {
			d.Kernel = func(*ir.Node, []*ir.Tensor) ([]*ir.Tensor, error) {
				return []*ir.Tensor{ir.NewTensor(ir.Float32, []int64{1})}, nil
			}
		}
		if err := RegisterPlugin(d, "/p/fold.so"); err != nil {
			t.Fatal(err)
		}
		g := ir.NewGraph("g", "onnx")
		g.Values["c"] = &ir.Value{Name: "c", DType: ir.Float32, Shape: ir.S(2), Const: ir.FromSlice(ir.Float32, []int64{2}, []float32{1, 2})}
		g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2)}
		g.Inputs, g.Outputs = []string{"x"}, []string{"z"}
		g.Nodes = []*ir.Node{
			{Name: "p", Op: c.key, Inputs: []string{"c"}, Outputs: []string{"y"}},
			{Name: "add", Op: "onnx.Add", Inputs: []string{"x", "y"}, Outputs: []string{"z"}},
		}
		folded, err := Propagate(g, true)
		if c.wantErr != "" {
			var pe *PluginOpError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: %v, want a PluginOpError with %q", c.key, err, c.wantErr)
			}
			continue
		}
		if err != nil || folded != c.wantFolded {
			t.Fatalf("%s: folded %d (%v), want %d", c.key, folded, err, c.wantFolded)
		}
		if c.fold {
			if y := g.Values["y"].Const; y == nil || ir.View[float32](y)[1] != 4 {
				t.Errorf("%s: folded value %v, want [2 4]", c.key, y)
			}
		}
	}
}
