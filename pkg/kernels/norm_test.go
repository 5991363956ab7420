package kernels

import (
	"math"
	"math/rand"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestLayerNormAndNormalize(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	x := randTensor(rng, ir.Float32, 2, 3, 4)
	scale := randTensor(rng, ir.Float32, 3, 4)
	bias := randTensor(rng, ir.Float32, 4) // broadcasts over the normalized dims
	y, mean, inv, err := LayerNorm(x, 1, scale, bias, 1e-5)
	if err != nil {
		t.Fatal(err)
	}
	if !ir.S(mean.Shape...).Equal(ir.S(2, 1, 1)) {
		t.Fatalf("mean shape %v", mean.Shape)
	}
	// Normalize over the same axes with rank-3 scale and bias must agree.
	z, err := Normalize(x, []int{1, 2}, scale.Reshaped([]int64{1, 3, 4}), bias.Reshaped([]int64{1, 1, 4}), 1e-5)
	if err != nil {
		t.Fatal(err)
	}
	xs := x.Floats()
	for b := 0; b < 2; b++ {
		var m, v float64
		for i := 0; i < 12; i++ {
			m += xs[b*12+i]
		}
		m /= 12
		for i := 0; i < 12; i++ {
			v += (xs[b*12+i] - m) * (xs[b*12+i] - m)
		}
		v /= 12
		if math.Abs(mean.Float(b)-m) > 1e-6 || math.Abs(inv.Float(b)-1/math.Sqrt(v+1e-5)) > 1e-4 {
			t.Fatalf("batch %d stats %g %g, want %g %g", b, mean.Float(b), inv.Float(b), m, 1/math.Sqrt(v+1e-5))
		}
		for i := 0; i < 12; i++ {
			want := (xs[b*12+i]-m)/math.Sqrt(v+1e-5)*scale.Float(i) + bias.Float(i%4)
			if math.Abs(y.Float(b*12+i)-want) > 1e-5 || math.Abs(z.Float(b*12+i)-want) > 1e-5 {
				t.Fatalf("[%d,%d]: layer norm %g, normalize %g, want %g", b, i, y.Float(b*12+i), z.Float(b*12+i), want)
			}
		}
	}
	// Instance-norm axes (not a suffix once the channel dim stays).
	in, _ := Normalize(x, []int{0, 2}, ir.FromSlice(ir.Float32, []int64{1, 1, 1}, []float32{1}), ir.FromSlice(ir.Float32, []int64{1, 1, 1}, []float32{0}), 0)
	for c := 0; c < 3; c++ {
		var s float64
		for b := 0; b < 2; b++ {
			for k := 0; k < 4; k++ {
				s += in.Float(b*12 + c*4 + k)
			}
		}
		if math.Abs(s) > 1e-4 {
			t.Fatalf("channel %d normalized over axes 0,2 has mean %g", c, s/8)
		}
	}
}

func TestBatchNorm(t *testing.T) {
	x := ir.FromSlice(ir.Float32, []int64{1, 2, 2}, []float32{1, 2, 3, 4})
	s := ir.FromSlice(ir.Float32, []int64{2}, []float32{2, 1})
	b := ir.FromSlice(ir.Float32, []int64{2}, []float32{0, 1})
	m := ir.FromSlice(ir.Float32, []int64{2}, []float32{1, 3})
	v := ir.FromSlice(ir.Float32, []int64{2}, []float32{4, 1})
	y, err := BatchNorm(x, s, b, m, v, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0, 1, 1, 2}
	for i, w := range want {
		if math.Abs(y.Float(i)-w) > 1e-6 {
			t.Fatalf("y[%d]=%g want %g", i, y.Float(i), w)
		}
	}
	if _, err := BatchNorm(x, s, b, m, ir.FromSlice(ir.Float32, []int64{3}, []float32{1, 1, 1}), 0); err == nil {
		t.Fatal("var with 3 elements for 2 channels accepted")
	}
}
