package kernels

import (
	"math"
	"math/rand"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// naiveConv is the direct N-D convolution the kernel must match.
func naiveConv(x, w, bias *ir.Tensor, p ConvParams) *ir.Tensor {
	nsp := len(x.Shape) - 2
	if err := p.fill(nsp); err != nil {
		panic(err)
	}
	N, C, K := x.Shape[0], x.Shape[1], w.Shape[0]
	Cg, Kg := C/p.Group, K/p.Group
	os := []int64{N, K}
	for i := 0; i < nsp; i++ {
		os = append(os, ConvOutSize(x.Shape[2+i], w.Shape[2+i], p.Strides[i], p.Dilations[i], p.PadsBegin[i], p.PadsEnd[i]))
	}
	out := ir.NewTensor(ir.Float64, os)
	xst, wst, ost := Strides(x.Shape), Strides(w.Shape), Strides(os)
	oidx := make([]int64, len(os))
	for oi := 0; oi < int(out.Numel()); oi++ {
		r := int64(oi)
		for d := range os {
			oidx[d] = r / ost[d]
			r %= ost[d]
		}
		n, k := oidx[0], oidx[1]
		gi := k / Kg
		var s float64
		if bias != nil {
			s = bias.Float(int(k))
		}
		ks := ir.Numel(w.Shape[2:])
		for c := int64(0); c < Cg; c++ {
			for kk := int64(0); kk < ks; kk++ {
				rem, xoff, ok := kk, n*xst[0]+(gi*Cg+c)*xst[1], true
				woff := k*wst[0] + c*wst[1] + kk
				for d := nsp - 1; d >= 0; d-- {
					kd := rem % w.Shape[2+d]
					rem /= w.Shape[2+d]
					ii := oidx[2+d]*p.Strides[d] - p.PadsBegin[d] + kd*p.Dilations[d]
					if ii < 0 || ii >= x.Shape[2+d] {
						ok = false
					}
					xoff += ii * xst[2+d]
				}
				if ok {
					s += x.Float(int(xoff)) * w.Float(int(woff))
				}
			}
		}
		out.SetFloat(oi, s)
	}
	return out
}

func randTensor(rng *rand.Rand, dt ir.DType, shape ...int64) *ir.Tensor {
	t := ir.NewTensor(dt, shape)
	for i := 0; i < int(t.Numel()); i++ {
		t.SetFloat(i, rng.Float64()*2-1)
	}
	return t
}

func TestConvAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	cases := []struct {
		x, w []int64
		p    ConvParams
		bias bool
	}{
		{[]int64{1, 1, 5, 5}, []int64{1, 1, 3, 3}, ConvParams{PadsBegin: []int64{1, 1}, PadsEnd: []int64{1, 1}}, false},
		{[]int64{2, 3, 7, 6}, []int64{5, 3, 3, 2}, ConvParams{Strides: []int64{2, 1}, PadsBegin: []int64{1, 0}, PadsEnd: []int64{0, 1}}, true},
		{[]int64{1, 4, 9, 9}, []int64{6, 2, 3, 3}, ConvParams{Group: 2, Dilations: []int64{2, 2}, PadsBegin: []int64{2, 1}, PadsEnd: []int64{1, 2}}, true},
		{[]int64{2, 6, 8, 7}, []int64{6, 1, 3, 3}, ConvParams{Group: 6, Strides: []int64{2, 2}, PadsBegin: []int64{1, 1}, PadsEnd: []int64{1, 1}}, true},    // depthwise
		{[]int64{1, 3, 6, 5}, []int64{3, 1, 5, 4}, ConvParams{Group: 3, Dilations: []int64{1, 2}, PadsBegin: []int64{3, 0}, PadsEnd: []int64{2, 4}}, false}, // depthwise, big pads
		{[]int64{2, 4, 5, 5}, []int64{7, 4, 1, 1}, ConvParams{}, true},                                                                                      // pointwise
		{[]int64{1, 4, 5, 5}, []int64{3, 4, 1, 1}, ConvParams{Strides: []int64{2, 2}}, false},
		{[]int64{2, 3, 11}, []int64{4, 3, 4}, ConvParams{Strides: []int64{3}, PadsBegin: []int64{2}, PadsEnd: []int64{1}}, true},                                                           // 1-D
		{[]int64{1, 2, 9}, []int64{2, 1, 3}, ConvParams{Group: 2, Dilations: []int64{3}}, false},                                                                                           // 1-D depthwise
		{[]int64{1, 2, 4, 5, 6}, []int64{3, 2, 2, 3, 2}, ConvParams{Strides: []int64{1, 2, 1}, PadsBegin: []int64{1, 0, 1}, PadsEnd: []int64{0, 1, 1}, Dilations: []int64{1, 1, 2}}, true}, // 3-D
		{[]int64{1, 40, 9, 9}, []int64{33, 40, 3, 3}, ConvParams{PadsBegin: []int64{1, 1}, PadsEnd: []int64{1, 1}}, true},                                                                  // K = 360 spans two kc blocks
	}
	for ci, c := range cases {
		for _, dt := range []ir.DType{ir.Float32, ir.Float64} {
			x, w := randTensor(rng, dt, c.x...), randTensor(rng, dt, c.w...)
			var b *ir.Tensor
			if c.bias {
				b = randTensor(rng, dt, c.w[0])
			}
			got, err := Conv(x, w, b, c.p)
			if err != nil {
				t.Fatalf("case %d: %v", ci, err)
			}
			want := naiveConv(x, w, b, c.p)
			if !ir.S(got.Shape...).Equal(ir.S(want.Shape...)) {
				t.Fatalf("case %d: shape %v want %v", ci, got.Shape, want.Shape)
			}
			for i := 0; i < int(want.Numel()); i++ {
				if math.Abs(got.Float(i)-want.Float(i)) > 1e-4 {
					t.Fatalf("case %d %v: out[%d]=%g want %g", ci, dt, i, got.Float(i), want.Float(i))
				}
			}
		}
	}
	if _, err := Conv(randTensor(rng, ir.Float32, 1, 3, 4, 4), randTensor(rng, ir.Float32, 2, 2, 3, 3), nil, ConvParams{}); err == nil {
		t.Fatal("weights with the wrong channel count were accepted")
	}
}

func BenchmarkConv2D(b *testing.B) {
	// A ResNet stage-1 conv: 64 -> 64 channels, 56x56, 3x3, pad 1.
	rng := rand.New(rand.NewSource(1))
	x := randTensor(rng, ir.Float32, 1, 64, 56, 56)
	w := randTensor(rng, ir.Float32, 64, 64, 3, 3)
	p := ConvParams{PadsBegin: []int64{1, 1}, PadsEnd: []int64{1, 1}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Conv(x, w, nil, p); err != nil {
			b.Fatal(err)
		}
	}
	flops := 2.0 * 64 * 64 * 9 * 56 * 56
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
