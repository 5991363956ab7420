package lower

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Tests build small ATen graphs by hand, lower them, infer shapes, and run
// them node by node with the CPU kernels; expected values are computed by
// hand from PyTorch's definitions.

type gb struct{ g *ir.Graph }

func newG() *gb { return &gb{ir.NewGraph("t", "aten")} }

func (b *gb) input(name string, dt ir.DType, shape ir.Shape) *gb {
	b.g.Values[name] = &ir.Value{Name: name, DType: dt, Shape: shape}
	b.g.Inputs = append(b.g.Inputs, name)
	return b
}

func (b *gb) konst(name string, t *ir.Tensor) *gb {
	b.g.Values[name] = &ir.Value{Name: name, DType: t.DType, Shape: ir.S(t.Shape...), Const: t}
	return b
}

// node adds a node; metadata for its outputs (as the frontend gives from
// tensor_values) comes from meta, when set.
func (b *gb) node(name, op string, in []string, out string, attrs map[string]ir.Attr, meta *ir.Value) *gb {
	if attrs == nil {
		attrs = map[string]ir.Attr{}
	}
	b.g.Nodes = append(b.g.Nodes, &ir.Node{Name: name, Op: op, Inputs: in, Outputs: []string{out}, Attrs: attrs})
	if meta != nil {
		m := *meta
		m.Name = out
		b.g.Values[out] = &m
	}
	return b
}

func f32v(dims ...int64) *ir.Value { return &ir.Value{DType: ir.Float32, Shape: ir.S(dims...)} }

func seq(dims ...int64) *ir.Tensor {
	t := ir.NewTensor(ir.Float32, dims)
	for i := 0; i < int(t.Numel()); i++ {
		t.SetFloat(i, float64(i))
	}
	return t
}

// run lowers, infers and executes the graph, returning output 0.
func run(t *testing.T, g *ir.Graph, inputs map[string]*ir.Tensor) *ir.Tensor {
	t.Helper()
	if _, err := Run(g); err != nil {
		t.Fatalf("lower: %v", err)
	}
	for _, name := range g.Inputs {
		if x := inputs[name]; x != nil {
			g.Values[name].Shape = ir.S(x.Shape...)
		}
	}
	if _, err := ops.Propagate(g, false); err != nil {
		t.Fatalf("propagate: %v", err)
	}
	vals := map[string]*ir.Tensor{}
	for k, v := range inputs {
		vals[k] = v
	}
	for k, v := range g.Values {
		if v.Const != nil {
			vals[k] = v.Const
		}
	}
	for _, n := range g.Nodes {
		in := make([]*ir.Tensor, len(n.Inputs))
		for i, s := range n.Inputs {
			if s != "" {
				in[i] = vals[s]
				if in[i] == nil {
					t.Fatalf("%s reads %q, which has no value", n, s)
				}
			}
		}
		outs, err := ops.Execute(n, in)
		if err != nil {
			t.Fatalf("%v", err)
		}
		for i, o := range n.Outputs {
			if o != "" {
				vals[o] = outs[i]
			}
		}
	}
	return vals[g.Outputs[0]]
}

func wantFloats(t *testing.T, got *ir.Tensor, shape []int64, want []float64) {
	t.Helper()
	if got == nil {
		t.Fatal("no output")
	}
	if !ir.S(got.Shape...).Equal(ir.S(shape...)) {
		t.Fatalf("shape %v, want %v", got.Shape, shape)
	}
	for i, w := range want {
		if g := got.Float(i); g != w {
			t.Fatalf("element %d is %v, want %v (all: %v)", i, g, w, got.Floats())
		}
	}
}

func A(kv ...any) map[string]ir.Attr {
	m := map[string]ir.Attr{}
	for i := 0; i < len(kv); i += 2 {
		switch v := kv[i+1].(type) {
		case int:
			m[kv[i].(string)] = attrInt(int64(v))
		case float64:
			m[kv[i].(string)] = attrFloat(v)
		case []int64:
			m[kv[i].(string)] = attrInts(v...)
		case string:
			m[kv[i].(string)] = attrStr(v)
		case []string:
			m[kv[i].(string)] = ir.Attr{Kind: ir.AttrStrings, Strings: v}
		}
	}
	return m
}

// x.relu_(); y = x + 1: y reads relu_'s result, and relu_ became relu
// with its origin recorded.
func TestFunctionalizeInPlace(t *testing.T) {
	b := newG().input("x", ir.Float32, ir.S(4)).
		node("relu_", "aten.relu_.default", []string{"x"}, "relu_", nil, f32v(4)).
		node("add", "aten.add.Tensor", []string{"x", ""}, "y", A("other", 1.0), f32v(4))
	b.g.Outputs = []string{"y"}
	x := ir.FromSlice(ir.Float32, []int64{4}, []float32{-2, -1, 0, 3})
	got := run(t, b.g, map[string]*ir.Tensor{"x": x})
	wantFloats(t, got, []int64{4}, []float64{1, 1, 1, 4})
	relu := b.g.Nodes[0]
	if relu.Op != "aten.relu.default" {
		t.Fatalf("relu_ lowered to %s", relu.Op)
	}
	if name, op := relu.Origin(); name != "relu_" || op != "aten.relu_.default" {
		t.Errorf("origin %s (%s), want relu_ (aten.relu_.default)", name, op)
	}
}

// The swin pattern: z = new_zeros([4, 3]); z[1:3].fill_(c); y = z.view(12):
// the write goes through the slice into z, and the later view sees it.
func TestFunctionalizeWriteThroughSlice(t *testing.T) {
	b := newG().input("x", ir.Float32, ir.S(2)).
		konst("c", ir.Scalar(ir.Float32, 7)).
		node("nz", "aten.new_zeros.default", []string{"x"}, "z", A("size", []int64{4, 3}), f32v(4, 3)).
		node("sl", "aten.slice.Tensor", []string{"z"}, "s", A("dim", 0, "start", 1, "end", 3, "step", 1), f32v(2, 3)).
		node("fill_", "aten.fill_.Tensor", []string{"s", "c"}, "f", nil, f32v(2, 3)).
		node("view", "aten.view.default", []string{"z"}, "y", A("size", []int64{12}), f32v(12))
	b.g.Outputs = []string{"y"}
	got := run(t, b.g, map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{2})})
	wantFloats(t, got, []int64{12}, []float64{0, 0, 0, 7, 7, 7, 7, 7, 7, 0, 0, 0})
}

// A write through a transpose and a select rebuilds the base.
func TestFunctionalizeWriteThroughTransposeSelect(t *testing.T) {
	b := newG().input("x", ir.Float32, ir.S(2, 3)).
		node("t", "aten.transpose.int", []string{"x"}, "xt", A("dim0", 0, "dim1", 1), f32v(3, 2)).
		node("sel", "aten.select.int", []string{"xt"}, "row", A("dim", 0, "index", 1), f32v(2)).
		node("mul_", "aten.mul_.Tensor", []string{"row", ""}, "m", A("other", 10.0), f32v(2)).
		node("clone", "aten.clone.default", []string{"x"}, "y", nil, f32v(2, 3))
	b.g.Outputs = []string{"y"}
	got := run(t, b.g, map[string]*ir.Tensor{"x": seq(2, 3)})
	// Column 1 of x (elements 1 and 4) times 10.
	wantFloats(t, got, []int64{2, 3}, []float64{0, 10, 2, 3, 40, 5})
}

func TestFunctionalizeExpandedViewRefused(t *testing.T) {
	b := newG().input("x", ir.Float32, ir.S(1, 3)).
		node("e", "aten.expand.default", []string{"x"}, "xe", A("size", []int64{2, 3}), f32v(2, 3)).
		node("add_", "aten.add_.Tensor", []string{"xe", ""}, "a", A("other", 1.0), f32v(2, 3)).
		node("clone", "aten.clone.default", []string{"x"}, "y", nil, f32v(1, 3))
	b.g.Outputs = []string{"y"}
	_, err := Run(b.g)
	var le *Error
	if !errors.As(err, &le) || !le.Unsupported || !strings.Contains(err.Error(), "expand") {
		t.Fatalf("got %v, want an unsupported-lowering error naming the expand", err)
	}
}

func TestDecompositions(t *testing.T) {
	cases := []struct {
		name  string
		op    string
		in    *ir.Tensor
		attrs map[string]ir.Attr
		meta  *ir.Value
		shape []int64
		want  []float64
	}{
		{"roll", "aten.roll.default", seq(6), A("shifts", []int64{2}, "dims", []int64{0}), f32v(6), []int64{6}, []float64{4, 5, 0, 1, 2, 3}},
		{"roll_flat", "aten.roll.default", seq(2, 2), A("shifts", []int64{-1}, "dims", []int64{}), f32v(2, 2), []int64{2, 2}, []float64{1, 2, 3, 0}},
		{"flip", "aten.flip.default", seq(2, 3), A("dims", []int64{1}), f32v(2, 3), []int64{2, 3}, []float64{2, 1, 0, 5, 4, 3}},
		{"flip_both", "aten.flip.default", seq(2, 2), A("dims", []int64{0, -1}), f32v(2, 2), []int64{2, 2}, []float64{3, 2, 1, 0}},
		{"triu", "aten.triu.default", seq(3, 3), A("diagonal", 1), f32v(3, 3), []int64{3, 3}, []float64{0, 1, 2, 0, 0, 5, 0, 0, 0}},
		{"tril", "aten.tril.default", seq(2, 3), A("diagonal", 0), f32v(2, 3), []int64{2, 3}, []float64{0, 0, 0, 3, 4, 0}},
		{"unflatten", "aten.unflatten.int", seq(2, 6), A("dim", 1, "sizes", []int64{3, -1}), f32v(2, 3, 2), []int64{2, 3, 2}, []float64{0, 1, 2, 3, 4, 5}},
		// as_strided as the transpose of a [2, 3] (stride [1, 3] of size [3, 2]).
		{"as_strided", "aten.as_strided.default", seq(2, 3), A("size", []int64{3, 2}, "stride", []int64{1, 3}), f32v(3, 2), []int64{3, 2}, []float64{0, 3, 1, 4, 2, 5}},
		// convnext's: [1,1,1,4] seen as [1,4,1,1].
		{"as_strided_unit", "aten.as_strided.default", seq(1, 1, 1, 4), A("size", []int64{1, 4, 1, 1}, "stride", []int64{4, 1, 4, 4}), f32v(1, 4, 1, 1), []int64{1, 4, 1, 1}, []float64{0, 1, 2, 3}},
		{"pad_reflect", "aten.pad.default", seq(1, 3), A("pad", []int64{2, 1}, "mode", "reflect"), f32v(1, 6), []int64{1, 6}, []float64{2, 1, 0, 1, 2, 1}},
		{"pad_replicate", "aten.pad.default", seq(1, 2), A("pad", []int64{1, 2}, "mode", "replicate"), f32v(1, 5), []int64{1, 5}, []float64{0, 0, 1, 1, 1}},
		{"fmod", "aten.fmod.Scalar", ir.FromSlice(ir.Float32, []int64{4}, []float32{-7, -1, 5, 7}), A("other", 3.0), f32v(4), []int64{4}, []float64{-1, -1, 2, 1}},
		{"remainder", "aten.remainder.Scalar", ir.FromSlice(ir.Float32, []int64{4}, []float32{-7, -1, 5, 7}), A("other", 3.0), f32v(4), []int64{4}, []float64{2, 2, 2, 1}},
		{"avg_pool1d", "aten.avg_pool1d.default", seq(1, 1, 6), A("kernel_size", []int64{2}), f32v(1, 1, 3), []int64{1, 1, 3}, []float64{0.5, 2.5, 4.5}},
		{"max_pool1d", "aten.max_pool1d.default", seq(1, 1, 5), A("kernel_size", []int64{3}, "stride", []int64{2}), f32v(1, 1, 2), []int64{1, 1, 2}, []float64{2, 4}},
		{"upsample_nearest1d", "aten.upsample_nearest1d.vec", seq(1, 1, 3), map[string]ir.Attr{"scale_factors": {Kind: ir.AttrFloats, Floats: []float32{2}}}, f32v(1, 1, 6), []int64{1, 1, 6}, []float64{0, 0, 1, 1, 2, 2}},
		{"upsample_bilinear_ac", "aten.upsample_bilinear2d.vec", seq(1, 1, 1, 2), A("output_size", []int64{1, 3}, "align_corners", 1), f32v(1, 1, 1, 3), []int64{1, 1, 1, 3}, []float64{0, 0.5, 1}},
		// align_corners=False, x2: PyTorch gives 0, 0.25, 0.75, 1.
		{"upsample_bilinear", "aten.upsample_bilinear2d.vec", seq(1, 1, 1, 2), map[string]ir.Attr{"scale_factors": {Kind: ir.AttrFloats, Floats: []float32{1, 2}}}, f32v(1, 1, 1, 4), []int64{1, 1, 1, 4}, []float64{0, 0.25, 0.75, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newG().input("x", ir.Float32, ir.S(c.in.Shape...)).node(c.name, c.op, []string{"x"}, "y", c.attrs, c.meta)
			b.g.Outputs = []string{"y"}
			got := run(t, b.g, map[string]*ir.Tensor{"x": c.in})
			wantFloats(t, got, c.shape, c.want)
			for _, n := range b.g.Nodes {
				if name, op := n.Origin(); name != c.name || op != c.op {
					t.Errorf("node %s (%s) records origin %s (%s)", n.Name, n.Op, name, op)
				}
			}
		})
	}
}

// chunk of 5 into 3: sizes 2, 2, 1 (torch.chunk's ceil rule).
func TestChunk(t *testing.T) {
	b := newG().input("x", ir.Float32, ir.S(5))
	b.g.Nodes = append(b.g.Nodes, &ir.Node{Name: "chunk", Op: "aten.chunk.default", Inputs: []string{"x"}, Outputs: []string{"a", "b", "c"},
		Attrs: A("chunks", 3, "dim", 0)})
	b.g.Outputs = []string{"c"}
	got := run(t, b.g, map[string]*ir.Tensor{"x": seq(5)})
	wantFloats(t, got, []int64{1}, []float64{4})
}

func TestAsStridedRefusesWindows(t *testing.T) {
	b := newG().input("x", ir.Float32, ir.S(6)).
		node("as", "aten.as_strided.default", []string{"x"}, "y", A("size", []int64{2, 3}, "stride", []int64{1, 1}), f32v(2, 3))
	b.g.Outputs = []string{"y"}
	_, err := Run(b.g)
	if err == nil || !strings.Contains(err.Error(), "not") || !strings.Contains(err.Error(), "as_strided") {
		t.Fatalf("got %v, want a refusal naming the as_strided node", err)
	}
}

// group_norm against a hand computation: two groups of two channels.
func TestGroupNorm(t *testing.T) {
	x := ir.FromSlice(ir.Float32, []int64{1, 4, 1}, []float32{1, 3, 10, 14})
	w := ir.FromSlice(ir.Float32, []int64{4}, []float32{1, 2, 1, 1})
	bias := ir.FromSlice(ir.Float32, []int64{4}, []float32{0, 0, 0, 5})
	b := newG().input("x", ir.Float32, ir.S(1, 4, 1)).konst("w", w).konst("b", bias).
		node("gn", "aten.group_norm.default", []string{"x", "w", "b"}, "y", A("num_groups", 2, "eps", 0.0), f32v(1, 4, 1))
	b.g.Outputs = []string{"y"}
	got := run(t, b.g, map[string]*ir.Tensor{"x": x})
	// group 0: mean 2, var 1 -> -1, 1 (x w = -1, 2); group 1: mean 12, var 4 -> -1, 1 (+ bias 0, 5).
	wantFloats(t, got, []int64{1, 4, 1}, []float64{-1, 2, -1, 6})
}

// Symbolic integers: n = x.size(0) * 2; y = full([n], 1.5) + arange(n).
func TestSymIntsAsShapeComputations(t *testing.T) {
	b := newG().input("x", ir.Float32, ir.Shape{ir.Sym("s0"), ir.D(4)})
	b.konst("two", ir.Scalar(ir.Int64, 2))
	b.g.Nodes = append(b.g.Nodes,
		&ir.Node{Name: "sz", Op: "aten.sym_size.int", Inputs: []string{"x"}, Outputs: []string{"s"}, Attrs: A("dim", 0)},
		&ir.Node{Name: "mul", Op: "_operator.mul", Inputs: []string{"s", "two"}, Outputs: []string{"n"}, Attrs: A()},
		&ir.Node{Name: "full", Op: "aten.full.default", Outputs: []string{"f"}, Attrs: A("size", []int64{-1}, "_symref_size", []string{"n"}, "fill_value", 1.5)},
		&ir.Node{Name: "ar", Op: "aten.arange.default", Outputs: []string{"r"}, Attrs: A("_symref_end", []string{"n"}, "_int_end", 1)},
		&ir.Node{Name: "cast", Op: "aten._to_copy.default", Inputs: []string{"r"}, Outputs: []string{"rf"}, Attrs: A("dtype", int(ir.Float32))},
		&ir.Node{Name: "add", Op: "aten.add.Tensor", Inputs: []string{"f", "rf"}, Outputs: []string{"y"}, Attrs: A()},
	)
	b.g.Values["s"] = &ir.Value{Name: "s", DType: ir.Int64, Shape: ir.Shape{}}
	b.g.Values["n"] = &ir.Value{Name: "n", DType: ir.Int64, Shape: ir.Shape{}}
	b.g.Outputs = []string{"y"}
	got := run(t, b.g, map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{3, 4})})
	wantFloats(t, got, []int64{6}, []float64{1.5, 2.5, 3.5, 4.5, 5.5, 6.5})
	for _, n := range b.g.Nodes {
		if isSymNode(n) || hasSymRefs(n) {
			t.Errorf("%s survived the lowering", n)
		}
	}
}

// floordiv and mod follow Python (floored) on negative operands.
func TestSymFloorDivMod(t *testing.T) {
	for _, c := range []struct {
		op   string
		a, b int64
		want float64
	}{{"_operator.floordiv", -7, 2, -4}, {"_operator.floordiv", 7, 2, 3}, {"_operator.mod", -7, 3, 2}, {"_operator.mod", 7, -3, -2}} {
		b := newG().input("x", ir.Float32, ir.S(1)).konst("a", ir.Scalar(ir.Int64, float64(c.a))).konst("b", ir.Scalar(ir.Int64, float64(c.b)))
		b.g.Nodes = append(b.g.Nodes, &ir.Node{Name: "op", Op: c.op, Inputs: []string{"a", "b"}, Outputs: []string{"y"}, Attrs: A()})
		b.g.Values["y"] = &ir.Value{Name: "y", DType: ir.Int64, Shape: ir.Shape{}}
		b.g.Outputs = []string{"y"}
		got := run(t, b.g, map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{1})})
		if got.Float(0) != c.want {
			t.Errorf("%s(%d, %d) = %v, want %v", c.op, c.a, c.b, got.Float(0), c.want)
		}
	}
}

func TestSymArgOfUnsupportedOpRefused(t *testing.T) {
	b := newG().input("x", ir.Float32, ir.Shape{ir.Sym("s0")})
	b.g.Nodes = append(b.g.Nodes,
		&ir.Node{Name: "sz", Op: "aten.sym_size.int", Inputs: []string{"x"}, Outputs: []string{"s"}, Attrs: A("dim", 0)},
		&ir.Node{Name: "cs", Op: "aten.cumsum.default", Inputs: []string{"x"}, Outputs: []string{"y"}, Attrs: A("dim", -1, "_symref_dim", []string{"s"})},
	)
	b.g.Values["s"] = &ir.Value{Name: "s", DType: ir.Int64, Shape: ir.Shape{}}
	b.g.Outputs = []string{"y"}
	_, err := Run(b.g)
	var le *Error
	if !errors.As(err, &le) || !le.Unsupported || !strings.Contains(err.Error(), "dim") || !strings.Contains(err.Error(), "cumsum") {
		t.Fatalf("got %v, want an unsupported error naming cumsum and its dim argument", err)
	}
}

func TestOtherFormatsUntouched(t *testing.T) {
	g := ir.NewGraph("t", "onnx")
	g.Nodes = []*ir.Node{{Name: "r", Op: "aten.relu_.default", Inputs: []string{"x"}, Outputs: []string{"y"}}}
	if _, err := Run(g); err != nil || g.Nodes[0].Op != "aten.relu_.default" {
		t.Fatalf("an ONNX graph was changed: %v, %s", err, g.Nodes[0].Op)
	}
}

// Unrolled recurrent layers against the CPU kernels (pkg/ops/aten_rnn.go),
// two separate derivations of torch.nn's equations.
func TestRNNUnrollMatchesKernel(t *testing.T) {
	rnd := func(seed int, dims ...int64) *ir.Tensor {
		x := ir.NewTensor(ir.Float32, dims)
		s := uint32(seed*2654435761 + 1)
		for i := 0; i < int(x.Numel()); i++ {
			s = s*1664525 + 1013904223
			x.SetFloat(i, float64(int32(s>>8)%1000)/1000)
		}
		return x
	}
	for _, c := range []struct {
		op           string
		bi, bf, bias bool
		layers       int
	}{
		{"aten.lstm.input", false, true, true, 2},
		{"aten.lstm.input", true, false, false, 1},
		{"aten.gru.input", true, true, true, 2},
		{"aten.rnn_tanh.input", false, false, true, 1},
		{"aten.rnn_relu.input", true, true, true, 1},
	} {
		name := fmt.Sprintf("%s_bi%v_bf%v_bias%v", c.op, c.bi, c.bf, c.bias)
		t.Run(name, func(t *testing.T) {
			const T, B, F, H = 4, 2, 3, 5
			dirs := int64(1)
			if c.bi {
				dirs = 2
			}
			g := int64(map[string]int{"aten.lstm.input": 4, "aten.gru.input": 3}[c.op])
			if g == 0 {
				g = 1
			}
			xs := []int64{T, B, F}
			if c.bf {
				xs = []int64{B, T, F}
			}
			b := newG().input("x", ir.Float32, ir.S(xs...))
			vals := map[string]*ir.Tensor{"x": rnd(1, xs...)}
			inputs := []string{"x"}
			nhx := 1
			if c.op == "aten.lstm.input" {
				nhx = 2
			}
			for i := 0; i < nhx; i++ {
				name := fmt.Sprintf("h%d", i)
				b.konst(name, rnd(10+i, int64(c.layers)*dirs, B, H))
				inputs = append(inputs, name)
			}
			np := 0
			for l := 0; l < c.layers; l++ {
				in := int64(F)
				if l > 0 {
					in = dirs * H
				}
				for d := int64(0); d < dirs; d++ {
					shapes := [][]int64{{g * H, in}, {g * H, H}}
					if c.bias {
						shapes = append(shapes, []int64{g * H}, []int64{g * H})
					}
					for _, s := range shapes {
						name := fmt.Sprintf("p%d", np)
						np++
						b.konst(name, rnd(100+np, s...))
						inputs = append(inputs, name)
					}
				}
			}
			outs := []string{"y", "hn"}
			if c.op == "aten.lstm.input" {
				outs = append(outs, "cn")
			}
			attrs := A("num_layers", c.layers, "has_biases", map[bool]int{true: 1}[c.bias], "bidirectional", map[bool]int{true: 1}[c.bi],
				"batch_first", map[bool]int{true: 1}[c.bf], "_list_params", np)
			node := &ir.Node{Name: "rnn", Op: c.op, Inputs: inputs, Outputs: outs, Attrs: attrs}
			b.g.Nodes = []*ir.Node{node}
			in := make([]*ir.Tensor, len(inputs))
			for i, s := range inputs {
				if v := vals[s]; v != nil {
					in[i] = v
				} else {
					in[i] = b.g.Values[s].Const
				}
			}
			want, err := ops.Execute(node, in)
			if err != nil {
				t.Fatal(err)
			}
			for k, o := range outs {
				b2 := &gb{ir.NewGraph("t", "aten")}
				for name, v := range b.g.Values {
					c := *v
					b2.g.Values[name] = &c
				}
				b2.g.Inputs = []string{"x"}
				b2.g.Nodes = []*ir.Node{cloneNode(node)}
				b2.g.Outputs = []string{o}
				got := run(t, b2.g, map[string]*ir.Tensor{"x": vals["x"]})
				if !ir.S(got.Shape...).Equal(ir.S(want[k].Shape...)) {
					t.Fatalf("%s: shape %v, kernel %v", o, got.Shape, want[k].Shape)
				}
				for i := 0; i < int(got.Numel()); i++ {
					// Relative: values reach ~150, where one float32 ulp is
					// 1.5e-5, and the GEMM's FMA kernels round differently
					// from the unrolled graph's separate multiply and add.
					if d := math.Abs(got.Float(i) - want[k].Float(i)); d > 1e-5*max(1, math.Abs(want[k].Float(i))) {
						t.Fatalf("%s element %d: unrolled %v, kernel %v", o, i, got.Float(i), want[k].Float(i))
					}
				}
				if len(b2.g.Nodes) < 10 {
					t.Errorf("%s: %d nodes; the layer was not unrolled", o, len(b2.g.Nodes))
				}
			}
		})
	}
}

// A graph output updated in place after it was produced returns its final
// value.
func TestFunctionalizeOutputUpdatedLater(t *testing.T) {
	b := newG().input("x", ir.Float32, ir.S(2)).
		node("add", "aten.add.Tensor", []string{"x", ""}, "y", A("other", 1.0), f32v(2)).
		node("add_", "aten.add_.Tensor", []string{"y", ""}, "a", A("other", 10.0), f32v(2))
	b.g.Outputs = []string{"y"}
	got := run(t, b.g, map[string]*ir.Tensor{"x": ir.FromSlice(ir.Float32, []int64{2}, []float32{1, 2})})
	wantFloats(t, got, []int64{2}, []float64{12, 13})
}

// split by symbolic sizes: x [s0], h = s0 // 3; split(x, h) into three
// pieces, the last split again with sizes [1, h - 1].
func TestSymSplitSizes(t *testing.T) {
	b := newG().input("x", ir.Float32, ir.Shape{ir.Sym("s0")})
	b.konst("three", ir.Scalar(ir.Int64, 3)).konst("one", ir.Scalar(ir.Int64, 1))
	b.g.Nodes = append(b.g.Nodes,
		&ir.Node{Name: "sz", Op: "aten.sym_size.int", Inputs: []string{"x"}, Outputs: []string{"s"}, Attrs: A("dim", 0)},
		&ir.Node{Name: "third", Op: "_operator.floordiv", Inputs: []string{"s", "three"}, Outputs: []string{"h"}, Attrs: A()},
		&ir.Node{Name: "hm1", Op: "_operator.sub", Inputs: []string{"h", "one"}, Outputs: []string{"g"}, Attrs: A()},
		&ir.Node{Name: "split", Op: "aten.split.Tensor", Inputs: []string{"x"}, Outputs: []string{"p0", "p1", "p2"}, Attrs: A("_symref_split_size", []string{"h"}, "dim", 0)},
		&ir.Node{Name: "sws", Op: "aten.split_with_sizes.default", Inputs: []string{"p2"}, Outputs: []string{"q0", "q1"}, Attrs: A("split_sizes", []int64{1, -1}, "_symref_split_sizes", []string{"", "g"}, "dim", 0)},
		&ir.Node{Name: "cat", Op: "aten.cat.default", Inputs: []string{"q1", "p1", "q0"}, Outputs: []string{"y"}, Attrs: A("dim", 0, "_list_tensors", 3)},
	)
	for _, v := range []string{"s", "h", "g"} {
		b.g.Values[v] = &ir.Value{Name: v, DType: ir.Int64, Shape: ir.Shape{}}
	}
	for _, v := range []string{"p0", "p1", "p2"} { // as tensor_values gives them
		b.g.Values[v] = &ir.Value{Name: v, DType: ir.Float32, Shape: ir.Shape{ir.Sym("s0//3")}}
	}
	b.g.Outputs = []string{"y"}
	got := run(t, b.g, map[string]*ir.Tensor{"x": seq(9)})
	wantFloats(t, got, []int64{6}, []float64{7, 8, 3, 4, 5, 6})
}

// Malformed nodes (no inputs, no attributes, inputs without metadata) of
// every decomposed op, in-place op and symbolic op give errors, never
// panics.
func TestMalformedNodesDoNotPanic(t *testing.T) {
	var opsList []string
	for k := range decompositions {
		opsList = append(opsList, k)
	}
	opsList = append(opsList, "aten.relu_.default", "aten.add.out", "aten.sym_size.int", "_operator.mul",
		"_operator.floordiv", "torch.sym_ite", "aten.sym_numel.default", "aten.sym_stride.int")
	for _, op := range opsList {
		for variant, inputs := range [][]string{nil, {"x"}, {"x", "x", "x", "x", "x"}, {"", "m"}} {
			g := ir.NewGraph("t", "aten")
			g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(2, 3)}
			g.Inputs = []string{"x"}
			n := &ir.Node{Name: "n", Op: op, Inputs: inputs, Outputs: []string{"y", "y2"}, Attrs: map[string]ir.Attr{}}
			if variant == 3 {
				n.Attrs["_symref_size"] = ir.Attr{Kind: ir.AttrStrings, Strings: []string{"m"}}
				n.Attrs["dim"] = attrInt(7)
			}
			g.Nodes = []*ir.Node{n}
			g.Outputs = []string{"y"}
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("%s with inputs %q: panic %v", op, inputs, p)
					}
				}()
				Run(g)
			}()
		}
	}
}

// A symbolic argument of an op that does not take one is refused by name,
// not decomposed with a placeholder value.
func TestSymArgNotDecomposedWithPlaceholder(t *testing.T) {
	b := newG().input("x", ir.Float32, ir.Shape{ir.Sym("s0"), ir.D(4)})
	b.g.Nodes = append(b.g.Nodes,
		&ir.Node{Name: "sz", Op: "aten.sym_size.int", Inputs: []string{"x"}, Outputs: []string{"s"}, Attrs: A("dim", 0)},
		// roll of the flattened input (no dims) by a symbolic shift.
		&ir.Node{Name: "roll", Op: "aten.roll.default", Inputs: []string{"x"}, Outputs: []string{"y"}, Attrs: A("shifts", []int64{-1}, "_symref_shifts", []string{"s"})},
	)
	b.g.Values["s"] = &ir.Value{Name: "s", DType: ir.Int64, Shape: ir.Shape{}}
	b.g.Values["y"] = &ir.Value{Name: "y", DType: ir.Float32, Shape: ir.Shape{ir.Sym("s0"), ir.D(4)}}
	b.g.Outputs = []string{"y"}
	_, err := Run(b.g)
	if err == nil || !strings.Contains(err.Error(), "symbolic shift") || !strings.Contains(err.Error(), "roll") {
		t.Fatalf("got %v, want a refusal naming roll's symbolic shifts", err)
	}
}

// sym_max, comparisons, sym_ite, truediv, sym_int, neg, sym_not, sym_min
// and mul chained into a size: with s0 = 5 the size is 3.
func TestSymOpsChain(t *testing.T) {
	b := newG().input("x", ir.Float32, ir.Shape{ir.Sym("s0")})
	b.konst("seven", ir.Scalar(ir.Int64, 7)).konst("six", ir.Scalar(ir.Int64, 6)).konst("two", ir.Scalar(ir.Int64, 2))
	sym := func(name, op string, in ...string) *ir.Node {
		b.g.Values[name] = &ir.Value{Name: name, DType: ir.Int64, Shape: ir.Shape{}}
		return &ir.Node{Name: name, Op: op, Inputs: in, Outputs: []string{name}, Attrs: A()}
	}
	b.g.Nodes = append(b.g.Nodes,
		&ir.Node{Name: "s", Op: "aten.sym_size.int", Inputs: []string{"x"}, Outputs: []string{"s"}, Attrs: A("dim", 0)},
		sym("a", "torch.sym_max", "s", "seven"),   // 7
		sym("c", "_operator.lt", "s", "six"),      // true
		sym("d", "torch.sym_ite", "c", "s", "a"),  // 5
		sym("q", "_operator.truediv", "s", "two"), // 2.5
		sym("e", "torch.sym_int", "q"),            // 2
		sym("f", "_operator.neg", "e"),            // -2
		sym("nc", "torch.sym_not", "c"),           // false
		sym("m", "torch.sym_min", "d", "seven"),   // 5
		sym("g", "_operator.add", "m", "f"),       // 3
		&ir.Node{Name: "full", Op: "aten.full.default", Outputs: []string{"y"}, Attrs: A("size", []int64{-1}, "_symref_size", []string{"g"}, "fill_value", 2.0)},
	)
	b.g.Values["c"].DType, b.g.Values["nc"].DType, b.g.Values["q"].DType = ir.Bool, ir.Bool, ir.Float32
	b.g.Outputs = []string{"y"}
	got := run(t, b.g, map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{5})})
	wantFloats(t, got, []int64{3}, []float64{2, 2, 2})
}

// Symbolic slice bounds, narrow length, select index, expand and new_zeros
// sizes: x [s0, 2] with s0 = 6, h = s0 // 2.
func TestSymSliceNarrowSelectExpand(t *testing.T) {
	b := newG().input("x", ir.Float32, ir.Shape{ir.Sym("s0"), ir.D(2)})
	b.konst("two", ir.Scalar(ir.Int64, 2)).konst("one", ir.Scalar(ir.Int64, 1))
	dyn := func(name string, shape ir.Shape) {
		b.g.Values[name] = &ir.Value{Name: name, DType: ir.Float32, Shape: shape}
	}
	for _, v := range []string{"s", "h", "hm1"} {
		b.g.Values[v] = &ir.Value{Name: v, DType: ir.Int64, Shape: ir.Shape{}}
	}
	dyn("sl", ir.Shape{ir.Sym("h"), ir.D(2)})
	dyn("nw", ir.Shape{ir.Sym("h"), ir.D(2)})
	dyn("sel", ir.Shape{ir.D(2)})
	dyn("ex", ir.Shape{ir.Sym("h"), ir.D(2)})
	dyn("nz", ir.Shape{ir.Sym("h"), ir.D(2)})
	b.g.Nodes = append(b.g.Nodes,
		&ir.Node{Name: "sz", Op: "aten.sym_size.int", Inputs: []string{"x"}, Outputs: []string{"s"}, Attrs: A("dim", 0)},
		&ir.Node{Name: "half", Op: "_operator.floordiv", Inputs: []string{"s", "two"}, Outputs: []string{"h"}, Attrs: A()},
		&ir.Node{Name: "hm1", Op: "_operator.sub", Inputs: []string{"h", "one"}, Outputs: []string{"hm1"}, Attrs: A()},
		// x[h:2h] (rows 3..5), x.narrow(0, 1, h) (rows 1..3), x[h - 1] (row 2)
		&ir.Node{Name: "slice", Op: "aten.slice.Tensor", Inputs: []string{"x"}, Outputs: []string{"sl"}, Attrs: A("dim", 0, "_symref_start", []string{"h"}, "_symref_end", []string{"s"}, "step", 1)},
		&ir.Node{Name: "narrow", Op: "aten.narrow.default", Inputs: []string{"x"}, Outputs: []string{"nw"}, Attrs: A("dim", 0, "start", 1, "_symref_length", []string{"h"})},
		&ir.Node{Name: "select", Op: "aten.select.int", Inputs: []string{"x"}, Outputs: []string{"sel"}, Attrs: A("dim", 0, "_symref_index", []string{"hm1"})},
		&ir.Node{Name: "expand", Op: "aten.expand.default", Inputs: []string{"sel"}, Outputs: []string{"ex"}, Attrs: A("size", []int64{-1, 2}, "_symref_size", []string{"h", ""})},
		&ir.Node{Name: "nz", Op: "aten.new_zeros.default", Inputs: []string{"x"}, Outputs: []string{"nz"}, Attrs: A("size", []int64{-1, 2}, "_symref_size", []string{"h", ""})},
		&ir.Node{Name: "a1", Op: "aten.add.Tensor", Inputs: []string{"sl", "nw"}, Outputs: []string{"a"}, Attrs: A()},
		&ir.Node{Name: "a2", Op: "aten.add.Tensor", Inputs: []string{"a", "ex"}, Outputs: []string{"b"}, Attrs: A()},
		&ir.Node{Name: "a3", Op: "aten.add.Tensor", Inputs: []string{"b", "nz"}, Outputs: []string{"y"}, Attrs: A()},
	)
	b.g.Outputs = []string{"y"}
	got := run(t, b.g, map[string]*ir.Tensor{"x": seq(6, 2)})
	// rows 3,4,5 + rows 1,2,3 + row 2 (4, 5) each:
	// [6+2+4, 7+3+5], [8+4+4, 9+5+5], [10+6+4, 11+7+5]
	wantFloats(t, got, []int64{3, 2}, []float64{12, 15, 16, 19, 20, 23})
}

// SymInt arguments of roll, unflatten, tile/repeat, constant_pad_nd and
// pad (x is [s0, 2] with s0 = 4 at run time, h = s0 // 2 = 2), each lowered
// to shape computations and checked against PyTorch's definition.
func TestSymRollUnflattenTilePad(t *testing.T) {
	for _, c := range []struct {
		name  string
		node  *ir.Node
		shape ir.Shape
		want  []int64
		vals  []float64
	}{
		{"roll", &ir.Node{Op: "aten.roll.default", Attrs: A("shifts", []int64{-1}, "_symref_shifts", []string{"h"}, "dims", []int64{0})},
			ir.Shape{ir.Sym("s0"), ir.D(2)}, []int64{4, 2}, []float64{4, 5, 6, 7, 0, 1, 2, 3}},
		{"roll static shift, dynamic dim", &ir.Node{Op: "aten.roll.default", Attrs: A("shifts", []int64{-5}, "dims", []int64{0})},
			ir.Shape{ir.Sym("s0"), ir.D(2)}, []int64{4, 2}, []float64{2, 3, 4, 5, 6, 7, 0, 1}}, // -5 mod 4 = 3: out[i] = x[i+1]
		{"unflatten", &ir.Node{Op: "aten.unflatten.int", Attrs: A("dim", 0, "sizes", []int64{-1, -1}, "_symref_sizes", []string{"h", ""})},
			ir.Shape{ir.Sym("h"), ir.D(2), ir.D(2)}, []int64{2, 2, 2}, []float64{0, 1, 2, 3, 4, 5, 6, 7}},
		{"tile", &ir.Node{Op: "aten.tile.default", Attrs: A("dims", []int64{-1}, "_symref_dims", []string{"h"})},
			ir.Shape{ir.Sym("s0"), ir.Sym("w")}, []int64{4, 4}, []float64{0, 1, 0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7, 6, 7}},
		{"repeat", &ir.Node{Op: "aten.repeat.default", Attrs: A("repeats", []int64{-1, 1, 1}, "_symref_repeats", []string{"h", "", ""})},
			ir.Shape{ir.Sym("h"), ir.Sym("s0"), ir.D(2)}, []int64{2, 4, 2}, []float64{0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7}},
		{"constant_pad_nd", &ir.Node{Op: "aten.constant_pad_nd.default", Attrs: A("pad", []int64{0, -1}, "_symref_pad", []string{"", "h"}, "value", 9.0)},
			ir.Shape{ir.Sym("s0"), ir.Sym("w")}, []int64{4, 4}, []float64{0, 1, 9, 9, 2, 3, 9, 9, 4, 5, 9, 9, 6, 7, 9, 9}},
		{"pad replicate", &ir.Node{Op: "aten.pad.default", Attrs: A("pad", []int64{1, 0, 0, -1}, "_symref_pad", []string{"", "", "", "h"}, "mode", "replicate")},
			ir.Shape{ir.Sym("r"), ir.D(3)}, []int64{6, 3}, []float64{0, 0, 1, 2, 2, 3, 4, 4, 5, 6, 6, 7, 6, 6, 7, 6, 6, 7}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newG().input("x", ir.Float32, ir.Shape{ir.Sym("s0"), ir.D(2)})
			b.konst("two", ir.Scalar(ir.Int64, 2))
			for _, v := range []string{"s", "h"} {
				b.g.Values[v] = &ir.Value{Name: v, DType: ir.Int64, Shape: ir.Shape{}}
			}
			b.g.Values["y"] = &ir.Value{Name: "y", DType: ir.Float32, Shape: c.shape}
			c.node.Name, c.node.Inputs, c.node.Outputs = "op", []string{"x"}, []string{"y"}
			b.g.Nodes = append(b.g.Nodes,
				&ir.Node{Name: "sz", Op: "aten.sym_size.int", Inputs: []string{"x"}, Outputs: []string{"s"}, Attrs: A("dim", 0)},
				&ir.Node{Name: "half", Op: "_operator.floordiv", Inputs: []string{"s", "two"}, Outputs: []string{"h"}, Attrs: A()},
				c.node)
			b.g.Outputs = []string{"y"}
			got := run(t, b.g, map[string]*ir.Tensor{"x": seq(4, 2)})
			wantFloats(t, got, c.want, c.vals)
			for _, n := range b.g.Nodes {
				if strings.HasPrefix(n.Op, "aten.") {
					t.Errorf("node %s kept its ATen op %s", n.Name, n.Op)
				}
			}
		})
	}
}
