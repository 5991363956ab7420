package ops

import (
	"math"
	"testing"

	"github.com/trtc-dev/trtc/internal/stattest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func runRandom(t *testing.T, op string, attrs map[string]ir.Attr, in ...*ir.Tensor) *ir.Tensor {
	t.Helper()
	n := &ir.Node{Name: "r", Op: op, Outputs: []string{"y"}, Attrs: attrs}
	for i := range in {
		n.Inputs = append(n.Inputs, string(rune('a'+i)))
	}
	out, err := Execute(n, in)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	return out[0]
}

func floats(t *ir.Tensor) []float64 {
	v := make([]float64, t.Numel())
	for i := range v {
		v[i] = t.Float(i)
	}
	return v
}

// The random ops draw from their distributions (judged by range, mean and
// variance against the sample size), seeded draws repeat and unseeded ones
// do not.
func TestRandomOpsDistributions(t *testing.T) {
	fa := func(v float64) ir.Attr { return ir.Attr{Kind: ir.AttrFloat, F: float32(v)} }
	shape := ir.Attr{Kind: ir.AttrInts, Ints: []int64{64, 128}}
	u := runRandom(t, "onnx.RandomUniform", map[string]ir.Attr{"shape": shape, "low": fa(-2), "high": fa(3)})
	if u.DType != ir.Float32 || len(u.Shape) != 2 || u.Shape[1] != 128 {
		t.Fatalf("RandomUniform gave %v%v", u.DType, u.Shape)
	}
	if err := stattest.Uniform(floats(u), -2, 3); err != nil {
		t.Error("RandomUniform:", err)
	}
	g := runRandom(t, "onnx.RandomNormal", map[string]ir.Attr{"shape": shape, "mean": fa(1.5), "scale": fa(0.5),
		"dtype": {Kind: ir.AttrInt, I: int64(ir.Float64)}})
	if g.DType != ir.Float64 {
		t.Errorf("RandomNormal dtype %v, want float64", g.DType)
	}
	if err := stattest.Normal(floats(g), 1.5, 0.5); err != nil {
		t.Error("RandomNormal:", err)
	}
	like := ir.NewTensor(ir.Float16, []int64{100, 50})
	ul := runRandom(t, "onnx.RandomUniformLike", map[string]ir.Attr{"high": fa(10)}, like)
	if ul.DType != ir.Float16 {
		t.Errorf("RandomUniformLike dtype %v, want the input's float16", ul.DType)
	}
	if err := stattest.Uniform(floats(ul), 0, 10); err != nil {
		t.Error("RandomUniformLike:", err)
	}
	nl := runRandom(t, "onnx.RandomNormalLike", map[string]ir.Attr{"dtype": {Kind: ir.AttrInt, I: int64(ir.Float32)}}, like)
	if err := stattest.Normal(floats(nl), 0, 1); err != nil {
		t.Error("RandomNormalLike:", err)
	}
	// Bernoulli with a probability per element.
	p := ir.NewTensor(ir.Float32, []int64{8000})
	ps := make([]float64, 8000)
	for i := range ps {
		ps[i] = float64(i%11) / 10
		if ps[i] > 1 {
			ps[i] = 0.5
		}
		p.SetFloat(i, ps[i])
	}
	b := runRandom(t, "onnx.Bernoulli", nil, p)
	if err := stattest.Bernoulli(floats(b), ps); err != nil {
		t.Error("Bernoulli:", err)
	}
	bb := runRandom(t, "onnx.Bernoulli", map[string]ir.Attr{"dtype": {Kind: ir.AttrInt, I: int64(ir.Bool)}}, p)
	if bb.DType != ir.Bool {
		t.Errorf("Bernoulli dtype %v, want bool", bb.DType)
	}
	// Multinomial: each class's count among the draws is Bernoulli with
	// its softmax probability.
	probs := []float64{0.2, 0.3, 0.5}
	lg := ir.NewTensor(ir.Float32, []int64{2, 3})
	for i := 0; i < 6; i++ {
		lg.SetFloat(i, math.Log(probs[i%3])+float64(i/3)) // row 1 shifted: same softmax
	}
	m := runRandom(t, "onnx.Multinomial", map[string]ir.Attr{"sample_size": {Kind: ir.AttrInt, I: 5000}}, lg)
	if m.DType != ir.Int32 || m.Shape[0] != 2 || m.Shape[1] != 5000 {
		t.Fatalf("Multinomial gave %v%v", m.DType, m.Shape)
	}
	for c, pc := range probs {
		ind := make([]float64, m.Numel())
		for i := range ind {
			if m.Int(i) == int64(c) {
				ind[i] = 1
			}
		}
		if err := stattest.Bernoulli(ind, []float64{pc}); err != nil {
			t.Errorf("Multinomial class %d: %v", c, err)
		}
	}
	// A seed repeats the draw; no seed gives fresh values.
	seeded := map[string]ir.Attr{"shape": shape, "seed": fa(3)}
	a1 := runRandom(t, "onnx.RandomNormal", seeded)
	a2 := runRandom(t, "onnx.RandomNormal", seeded)
	if string(a1.Data) != string(a2.Data) {
		t.Error("a seeded RandomNormal drew different values on two runs")
	}
	f1 := runRandom(t, "onnx.RandomNormal", map[string]ir.Attr{"shape": shape})
	f2 := runRandom(t, "onnx.RandomNormal", map[string]ir.Attr{"shape": shape})
	if string(f1.Data) == string(f2.Data) {
		t.Error("an unseeded RandomNormal drew the same values twice")
	}
}

func TestRandomOpsRefuseBadAttributes(t *testing.T) {
	for name, n := range map[string]*ir.Node{
		"no shape":       {Op: "onnx.RandomUniform"},
		"negative dim":   {Op: "onnx.RandomNormal", Attrs: map[string]ir.Attr{"shape": {Kind: ir.AttrInts, Ints: []int64{2, -1}}}},
		"int dtype":      {Op: "onnx.RandomUniform", Attrs: map[string]ir.Attr{"shape": {Kind: ir.AttrInts, Ints: []int64{2}}, "dtype": {Kind: ir.AttrInt, I: int64(ir.Int64)}}},
		"huge":           {Op: "onnx.RandomUniform", Attrs: map[string]ir.Attr{"shape": {Kind: ir.AttrInts, Ints: []int64{1 << 40, 1 << 40}}}},
		"multinomial f":  {Op: "onnx.Multinomial", Inputs: []string{"x"}, Attrs: map[string]ir.Attr{"dtype": {Kind: ir.AttrInt, I: int64(ir.Float32)}}},
		"multinomial -1": {Op: "onnx.Multinomial", Inputs: []string{"x"}, Attrs: map[string]ir.Attr{"sample_size": {Kind: ir.AttrInt, I: -1}}},
	} {
		n.Name, n.Outputs = "r", []string{"y"}
		in := []*ir.Value{}
		if len(n.Inputs) > 0 {
			in = append(in, &ir.Value{DType: ir.Float32, Shape: ir.S(2, 3)})
		}
		op, _ := Lookup(n.Op)
		if _, err := op.Infer(n, in); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	p := ir.FromSlice(ir.Float32, []int64{2}, []float32{0.5, 1.5})
	n := &ir.Node{Name: "b", Op: "onnx.Bernoulli", Inputs: []string{"p"}, Outputs: []string{"y"}}
	if _, err := Execute(n, []*ir.Tensor{p}); err == nil {
		t.Error("Bernoulli took a probability of 1.5")
	}
}
