package onnx_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/internal/stattest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func sample(t *ir.Tensor) []float64 {
	v := make([]float64, t.Numel())
	for i := range v {
		v[i] = t.Float(i)
	}
	return v
}

// The random fills: engine and kernel both draw from the node's
// distribution (compared by distribution, never by value), with the
// kernel's shape and dtype; a seeded node stays on the kernel.
func TestRandomFill(t *testing.T) {
	fa := func(v float64) ir.Attr { return ir.Attr{Kind: ir.AttrFloat, F: float32(v)} }
	shape := ir.Attr{Kind: ir.AttrInts, Ints: []int64{50, 80}}
	like := convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(80)}, RunShape: []int64{60, 80}}
	for _, c := range []struct {
		op    string
		attrs map[string]ir.Attr
		in    []convtest.Input
		check func([]float64) error
	}{
		{"onnx.RandomUniform", map[string]ir.Attr{"shape": shape, "low": fa(-2), "high": fa(3)}, nil,
			func(v []float64) error { return stattest.Uniform(v, -2, 3) }},
		{"onnx.RandomNormal", map[string]ir.Attr{"shape": shape, "mean": fa(1.5), "scale": fa(0.5)}, nil,
			func(v []float64) error { return stattest.Normal(v, 1.5, 0.5) }},
		{"onnx.RandomUniformLike", nil, []convtest.Input{like},
			func(v []float64) error { return stattest.Uniform(v, 0, 1) }},
		{"onnx.RandomNormalLike", map[string]ir.Attr{"mean": fa(-1), "scale": fa(2), "dtype": {Kind: ir.AttrInt, I: int64(ir.Float16)}},
			[]convtest.Input{like}, func(v []float64) error { return stattest.Normal(v, -1, 2) }},
	} {
		r, err := convtest.Build(convtest.Case{Op: c.op, Attrs: c.attrs, Inputs: c.in})
		if err != nil {
			t.Fatalf("%s: %v", c.op, err)
		}
		e, f := r.Engine[0], r.Fallback[0]
		if e.DType != f.DType || len(e.Shape) != len(f.Shape) || e.Numel() != f.Numel() {
			t.Errorf("%s: engine %v%v, kernel %v%v", c.op, e.DType, e.Shape, f.DType, f.Shape)
		}
		if err := c.check(sample(e)); err != nil {
			t.Errorf("%s engine: %v", c.op, err)
		}
		if err := c.check(sample(f)); err != nil {
			t.Errorf("%s kernel: %v", c.op, err)
		}
	}
	// Bernoulli: u < p with a probability per element, dynamic batch.
	probs := ir.NewTensor(ir.Float32, []int64{80, 100})
	ps := make([]float64, probs.Numel())
	for i := range ps {
		ps[i] = float64(i%21) / 20
		probs.SetFloat(i, ps[i])
	}
	pin := convtest.Input{Shape: ir.Shape{ir.Sym("N"), ir.D(100)}, Data: probs}
	for _, dt := range []ir.DType{ir.Float32, ir.Int64, ir.Bool} {
		r, err := convtest.Build(convtest.Case{Op: "onnx.Bernoulli", Attrs: map[string]ir.Attr{"dtype": {Kind: ir.AttrInt, I: int64(dt)}}, Inputs: []convtest.Input{pin}})
		if err != nil {
			t.Fatalf("Bernoulli %v: %v", dt, err)
		}
		for name, y := range map[string]*ir.Tensor{"engine": r.Engine[0], "kernel": r.Fallback[0]} {
			if y.DType != dt || y.Numel() != probs.Numel() {
				t.Errorf("Bernoulli %s gave %v%v, want %v%v", name, y.DType, y.Shape, dt, probs.Shape)
				continue
			}
			if err := stattest.Bernoulli(sample(y), ps); err != nil {
				t.Errorf("Bernoulli %v %s: %v", dt, name, err)
			}
		}
	}
	if _, err := convtest.Build(convtest.Case{Op: "onnx.Bernoulli", Attrs: map[string]ir.Attr{"seed": fa(2)}, Inputs: []convtest.Input{pin}}); err == nil {
		t.Error("a seeded Bernoulli was converted")
	}
	if _, err := convtest.Build(convtest.Case{Op: "onnx.RandomNormal", Attrs: map[string]ir.Attr{"shape": shape, "seed": fa(1)}}); err == nil {
		t.Error("a seeded RandomNormal was converted")
	}
	if _, err := convtest.Build(convtest.Case{Op: "onnx.RandomUniform", Attrs: map[string]ir.Attr{"shape": shape, "dtype": {Kind: ir.AttrInt, I: int64(ir.Float64)}}}); err == nil {
		t.Error("a float64 RandomUniform was converted")
	}
}
