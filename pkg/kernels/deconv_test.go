package kernels

import (
	"math"
	"math/rand"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// naiveDeconv is the transposed convolution by its definition: every input
// element times every tap of its group's filters is added at
// in*stride - padBegin + tap*dilation.
func naiveDeconv(x, w, bias *ir.Tensor, p ConvParams) *ir.Tensor {
	nsp := len(x.Shape) - 2
	if err := p.fillSigned(nsp); err != nil {
		panic(err)
	}
	N, C, Kg := x.Shape[0], x.Shape[1], w.Shape[1]
	Cg, K := C/p.Group, Kg*p.Group
	os := []int64{N, K}
	for i := 0; i < nsp; i++ {
		os = append(os, ConvTransposeOutSize(x.Shape[2+i], w.Shape[2+i], p.Strides[i], p.Dilations[i], p.PadsBegin[i], p.PadsEnd[i]))
	}
	out := ir.NewTensor(ir.Float64, os)
	ost, wst := Strides(os), Strides(w.Shape)
	sp := int64(ir.Numel(os[2:]))
	if bias != nil {
		for i := 0; i < int(out.Numel()); i++ {
			out.SetFloat(i, bias.Float(int(int64(i)/sp%K)))
		}
	}
	xst := Strides(x.Shape)
	ks := ir.Numel(w.Shape[2:])
	for xi := int64(0); xi < x.Numel(); xi++ {
		n, c := xi/xst[0], xi/xst[1]%C
		gi := c / Cg
		for kg := int64(0); kg < Kg; kg++ {
			for kk := int64(0); kk < ks; kk++ {
				off, ok, rem := n*ost[0]+(gi*Kg+kg)*ost[1], true, kk
				for d := nsp - 1; d >= 0; d-- {
					kd := rem % w.Shape[2+d]
					rem /= w.Shape[2+d]
					id := xi / xst[2+d] % x.Shape[2+d]
					od := id*p.Strides[d] - p.PadsBegin[d] + kd*p.Dilations[d]
					if od < 0 || od >= os[2+d] {
						ok = false
					}
					off += od * ost[2+d]
				}
				if ok {
					out.SetFloat(int(off), out.Float(int(off))+x.Float(int(xi))*w.Float(int(c*wst[0]+kg*wst[1]+kk)))
				}
			}
		}
	}
	return out
}

func TestConvTransposeAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	cases := []struct {
		x, w []int64
		p    ConvParams
		bias bool
	}{
		{[]int64{1, 1, 3, 3}, []int64{1, 2, 3, 3}, ConvParams{}, false},
		{[]int64{2, 3, 4, 5}, []int64{3, 4, 3, 2}, ConvParams{Strides: []int64{2, 3}, PadsBegin: []int64{1, 0}, PadsEnd: []int64{0, 1}}, true},
		{[]int64{1, 4, 5, 4}, []int64{4, 3, 3, 3}, ConvParams{Group: 2, Dilations: []int64{2, 1}, Strides: []int64{1, 2}}, true},
		{[]int64{1, 2, 3, 3}, []int64{2, 1, 3, 3}, ConvParams{Strides: []int64{3, 2}, PadsBegin: []int64{0, -1}, PadsEnd: []int64{-1, 1}}, true},                                            // output_padding / output_shape folded in
		{[]int64{2, 3, 6}, []int64{3, 2, 4}, ConvParams{Strides: []int64{2}, PadsBegin: []int64{1}, PadsEnd: []int64{2}}, true},                                                             // 1-D
		{[]int64{1, 2, 3, 2, 3}, []int64{2, 2, 2, 3, 2}, ConvParams{Strides: []int64{2, 1, 2}, PadsBegin: []int64{1, 0, 0}, PadsEnd: []int64{0, 1, -1}, Dilations: []int64{1, 2, 1}}, true}, // 3-D
		{[]int64{1, 40, 4, 4}, []int64{40, 9, 2, 2}, ConvParams{Strides: []int64{2, 2}}, false},
	}
	for ci, c := range cases {
		for _, dt := range []ir.DType{ir.Float32, ir.Float64} {
			x, w := randTensor(rng, dt, c.x...), randTensor(rng, dt, c.w...)
			var b *ir.Tensor
			if c.bias {
				b = randTensor(rng, dt, c.w[1]*max(c.p.Group, 1))
			}
			got, err := ConvTranspose(x, w, b, c.p)
			if err != nil {
				t.Fatalf("case %d: %v", ci, err)
			}
			want := naiveDeconv(x, w, b, c.p)
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
	if _, err := ConvTranspose(randTensor(rng, ir.Float32, 1, 3, 4, 4), randTensor(rng, ir.Float32, 2, 2, 3, 3), nil, ConvParams{}); err == nil {
		t.Fatal("weights with the wrong channel count were accepted")
	}
}

func BenchmarkConvTranspose2D(b *testing.B) {
	// A U-Net decoder upsampling: 64 -> 32 channels, 28x28 -> 56x56, 2x2 stride 2.
	rng := rand.New(rand.NewSource(1))
	x := randTensor(rng, ir.Float32, 1, 64, 28, 28)
	w := randTensor(rng, ir.Float32, 64, 32, 2, 2)
	p := ConvParams{Strides: []int64{2, 2}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ConvTranspose(x, w, nil, p); err != nil {
			b.Fatal(err)
		}
	}
}
