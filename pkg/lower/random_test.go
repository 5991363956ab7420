package lower

import (
	"testing"

	"github.com/trtc-dev/trtc/internal/stattest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func samples(t *ir.Tensor) []float64 {
	v := make([]float64, t.Numel())
	for i := range v {
		v[i] = t.Float(i)
	}
	return v
}

// The random ops the zoo's ops_random does not export: bernoulli.Tensor,
// normal with tensor mean/std, randint.default, rand over a symbolic size,
// native_dropout's mask; each lowered, run with the kernels and judged by
// distribution.
func TestRandomLoweringsByDistribution(t *testing.T) {
	const n = 4000
	p := ir.NewTensor(ir.Float32, []int64{n})
	ps := make([]float64, n)
	for i := range ps {
		ps[i] = float64(i%5) / 4
		p.SetFloat(i, ps[i])
	}
	mean := ir.NewTensor(ir.Float32, []int64{n})
	for i := 0; i < n; i++ {
		mean.SetFloat(i, 3)
	}
	for _, c := range []struct {
		name  string
		op    string
		ins   []string
		attrs map[string]ir.Attr
		check func(y *ir.Tensor) error
	}{
		{"bernoulli.Tensor", "aten.bernoulli.Tensor", []string{"ones", "p"}, nil,
			func(y *ir.Tensor) error { return stattest.Bernoulli(samples(y), ps) }},
		{"normal.Tensor_float", "aten.normal.Tensor_float", []string{"mean"}, A("std", 2.0),
			func(y *ir.Tensor) error { return stattest.Normal(samples(y), 3, 2) }},
		{"normal.float_Tensor", "aten.normal.float_Tensor", []string{"std"}, A("mean", -1.0),
			func(y *ir.Tensor) error { return stattest.Normal(samples(y), -1, 0.5) }},
		{"normal.Tensor_Tensor", "aten.normal.Tensor_Tensor", []string{"mean", "std"}, nil,
			func(y *ir.Tensor) error { return stattest.Normal(samples(y), 3, 0.5) }},
		{"randint.default", "aten.randint.default", nil, A("high", 6, "size", []int64{n}),
			func(y *ir.Tensor) error {
				if y.DType != ir.Int64 {
					t.Errorf("randint dtype %v, want int64", y.DType)
				}
				return stattest.Randint(samples(y), 0, 6)
			}},
		{"rand over a symbolic size", "aten.rand.default", nil, A("size", []int64{-1, 2}, "_symref_size", []string{"s", ""}),
			func(y *ir.Tensor) error {
				if len(y.Shape) != 2 || y.Shape[0] != n || y.Shape[1] != 2 {
					t.Errorf("shape %v, want [%d 2]", y.Shape, n)
				}
				return stattest.Uniform(samples(y), 0, 1)
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newG().input("x", ir.Float32, ir.Shape{ir.Sym("s0")})
			ones := ir.NewTensor(ir.Float32, []int64{n})
			std := ir.NewTensor(ir.Float32, []int64{n})
			for i := 0; i < n; i++ {
				ones.SetFloat(i, 1)
				std.SetFloat(i, 0.5)
			}
			b.konst("ones", ones).konst("p", p).konst("mean", mean).konst("std", std)
			b.g.Values["s"] = &ir.Value{Name: "s", DType: ir.Int64, Shape: ir.Shape{}}
			b.g.Nodes = append(b.g.Nodes,
				&ir.Node{Name: "sz", Op: "aten.sym_size.int", Inputs: []string{"x"}, Outputs: []string{"s"}, Attrs: A("dim", 0)},
				&ir.Node{Name: "op", Op: c.op, Inputs: c.ins, Outputs: []string{"y"}, Attrs: c.attrs})
			if c.attrs == nil {
				b.g.Nodes[1].Attrs = map[string]ir.Attr{}
			}
			b.g.Outputs = []string{"y"}
			y := run(t, b.g, map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float32, []int64{n})})
			if err := c.check(y); err != nil {
				t.Error(err)
			}
		})
	}
}

// native_dropout in training mode: y is 0 or x/(1-p) with zeros at rate
// p, and the mask output is true at rate 1-p.
func TestNativeDropoutTrainMask(t *testing.T) {
	const n = 4000
	x := ir.NewTensor(ir.Float32, []int64{n})
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = 1 + float64(i%7)
		x.SetFloat(i, xs[i])
	}
	for _, out := range []string{"y", "m"} {
		b := newG().input("x", ir.Float32, ir.S(n))
		b.g.Nodes = append(b.g.Nodes, &ir.Node{Name: "d", Op: "aten.native_dropout.default", Inputs: []string{"x"}, Outputs: []string{"y", "m"},
			Attrs: A("p", 0.25, "train", 1)})
		b.g.Outputs = []string{out}
		got := run(t, b.g, map[string]*ir.Tensor{"x": x})
		var err error
		if out == "y" {
			err = stattest.Dropout(samples(got), xs, 0.25)
		} else {
			if got.DType != ir.Bool {
				t.Errorf("mask dtype %v, want bool", got.DType)
			}
			err = stattest.Bernoulli(samples(got), []float64{0.75})
		}
		if err != nil {
			t.Errorf("%s: %v", out, err)
		}
	}
}
