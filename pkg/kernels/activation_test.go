package kernels

import (
	"math"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestGelu(t *testing.T) {
	x := f32(-3, -1, 0, 0.5, 1, 2, 10)
	// erf form: 0.5*x*(1+erf(x/sqrt2)), values from the closed form in float64.
	wantErf := []float64{-0.00404969, -0.15865525, 0, 0.34573123, 0.84134475, 1.95449974, 10}
	got, err := Activation(ActGeluErf, x, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	checkFloats(t, "gelu erf", got, wantErf, 1e-6)
	// tanh form differs from the erf form by < 1e-3 here.
	wantTanh := []float64{-0.00363739, -0.15880801, 0, 0.34571401, 0.84119199, 1.95459769, 10}
	got, _ = Activation(ActGeluTanh, x, 0, 0)
	checkFloats(t, "gelu tanh", got, wantTanh, 1e-6)
	// Half precision: computed in float32, rounded once.
	h, _ := Cast(x, ir.Float16)
	got, _ = Activation(ActGeluErf, h, 0, 0)
	if got.DType != ir.Float16 {
		t.Fatalf("gelu of f16 gave %v", got.DType)
	}
	checkFloats(t, "gelu f16", got, wantErf, 2e-3)
}

func TestActivationFormulas(t *testing.T) {
	xs := []float64{-2, -0.5, 0, 0.75, 3}
	x := f32(-2, -0.5, 0, 0.75, 3)
	const a, b = 0.3, 1.7
	cases := []struct {
		op ActOp
		f  func(float64) float64
	}{
		{ActRelu, func(v float64) float64 { return math.Max(0, v) }},
		{ActSigmoid, func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }},
		{ActTanh, math.Tanh},
		{ActLeakyRelu, func(v float64) float64 { return map[bool]float64{true: v, false: a * v}[v >= 0] }},
		{ActElu, func(v float64) float64 { return map[bool]float64{true: v, false: a * (math.Exp(v) - 1)}[v >= 0] }},
		{ActSelu, func(v float64) float64 { return b * map[bool]float64{true: v, false: a * (math.Exp(v) - 1)}[v > 0] }},
		{ActSoftsign, func(v float64) float64 { return v / (1 + math.Abs(v)) }},
		{ActSoftplus, func(v float64) float64 { return a * math.Log(math.Exp(b*v)+1) }},
		{ActClip, func(v float64) float64 { return math.Max(a, math.Min(b, v)) }},
		{ActHardSigmoid, func(v float64) float64 { return math.Max(0, math.Min(1, a*v+b)) }},
		{ActScaledTanh, func(v float64) float64 { return a * math.Tanh(b*v) }},
		{ActThresholdedRelu, func(v float64) float64 { return map[bool]float64{true: v, false: 0}[v > a] }},
		{ActHardSwish, func(v float64) float64 { return v * math.Max(0, math.Min(1, v/6+0.5)) }},
		{ActCelu, func(v float64) float64 { return math.Max(0, v) + math.Min(0, a*(math.Exp(v/a)-1)) }},
		{ActMish, func(v float64) float64 { return v * math.Tanh(math.Log(1+math.Exp(v))) }},
		{ActShrink, func(v float64) float64 {
			switch {
			case v < -b:
				return v + a
			case v > b:
				return v - a
			}
			return 0
		}},
	}
	for _, c := range cases {
		for _, dt := range []ir.DType{ir.Float32, ir.Float64} {
			xt, _ := Cast(x, dt)
			got, err := Activation(c.op, xt, a, b)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]float64, len(xs))
			for i, v := range xs {
				want[i] = c.f(v)
			}
			checkFloats(t, "activation", got, want, 1e-6)
		}
	}
	if _, err := Activation(ActRelu, ir.FromSlice(ir.Int32, []int64{1}, []int32{1}), 0, 0); err == nil {
		t.Error("activation of int32 should fail")
	}
}

func TestSoftplusLargeInput(t *testing.T) {
	got, _ := Activation(ActSoftplus, f32(100, -100, 1000), 1, 1)
	checkFloats(t, "softplus", got, []float64{100, 3.720076e-44, 1000}, 1e-6)
}

func TestClipNaNAndBounds(t *testing.T) {
	nan := float32(math.NaN())
	got, _ := Clip(f32(nan, -5, 0.5, 5), -1, 1, true, true)
	checkFloats(t, "clip", got, []float64{math.NaN(), -1, 0.5, 1}, 0)
	// min > max: every value becomes max (ONNX).
	got, _ = Clip(f32(-5, 0, 5), 2, 1, true, true)
	checkFloats(t, "clip min>max", got, []float64{1, 1, 1}, 0)
	// Open sides.
	got, _ = Clip(f32(-5, 5), 0, 0, true, false)
	checkFloats(t, "clip lo only", got, []float64{0, 5}, 0)
	i8 := ir.FromSlice(ir.Int8, []int64{3}, []int8{-128, 0, 127})
	r, _ := Clip(i8, -10, 10, true, true)
	if got := ir.View[int8](r); got[0] != -10 || got[1] != 0 || got[2] != 10 {
		t.Errorf("int8 clip = %v", got)
	}
	// The activation form keeps NaN too.
	got, _ = Activation(ActClip, f32(nan, 3), 0, 1)
	checkFloats(t, "act clip", got, []float64{math.NaN(), 1}, 0)
	// TensorRT's CLIP is max(alpha, min(beta, x)): alpha > beta gives alpha.
	got, _ = Activation(ActClip, f32(-5, 0, 5), 2, 1)
	checkFloats(t, "act clip alpha>beta", got, []float64{2, 2, 2}, 0)
}

func TestPRelu(t *testing.T) {
	x := ir.FromSlice(ir.Float32, []int64{2, 2}, []float32{-1, 2, -3, 4})
	s := ir.FromSlice(ir.Float32, []int64{2}, []float32{0.1, 0.5})
	got, err := PRelu(x, s)
	if err != nil {
		t.Fatal(err)
	}
	checkFloats(t, "prelu", got, []float64{-0.1, 2, -0.3, 4}, 1e-7)
	xi := ir.FromSlice(ir.Int32, []int64{2}, []int32{-4, 4})
	si := ir.FromSlice(ir.Int32, []int64{1}, []int32{3})
	r, _ := PRelu(xi, si)
	if g := ir.View[int32](r); g[0] != -12 || g[1] != 4 {
		t.Errorf("int prelu = %v", g)
	}
}

func TestClipIntBoundsBeyondRange(t *testing.T) {
	x := ir.FromSlice(ir.Int64, []int64{3}, []int64{math.MinInt64, -5, math.MaxInt64})
	// max = INT64_MAX as a float64 is 2^63: no clipping on that side.
	r, _ := Clip(x, 0, float64(math.MaxInt64), true, true)
	if g := ir.View[int64](r); g[0] != 0 || g[1] != 0 || g[2] != math.MaxInt64 {
		t.Errorf("int64 clip = %v", g)
	}
	u := ir.FromSlice(ir.Uint8, []int64{2}, []uint8{3, 200})
	r, _ = Clip(u, -1e9, 1e9, true, true)
	if g := ir.View[uint8](r); g[0] != 3 || g[1] != 200 {
		t.Errorf("uint8 clip = %v", g)
	}
}
