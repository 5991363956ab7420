package kernels

import (
	"math"
	"math/rand"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func randT(rng *rand.Rand, dims ...int64) *ir.Tensor {
	t := ir.NewTensor(ir.Float32, dims)
	for i := range int(t.Numel()) {
		t.SetFloat(i, rng.Float64()*2-1)
	}
	return t
}

// naiveAttention is the textbook formula in float64 on 4-D tensors, with
// the bias given per (b, h, i, j) by hidden.
func naiveAttention(q, k, v *ir.Tensor, scale float64, hidden func(b, h, i, j int) bool) []float64 {
	B, Hq, Sq, D := int(q.Shape[0]), int(q.Shape[1]), int(q.Shape[2]), int(q.Shape[3])
	Hkv, T, Dv := int(k.Shape[1]), int(k.Shape[2]), int(v.Shape[3])
	y := make([]float64, B*Hq*Sq*Dv)
	for b := range B {
		for h := range Hq {
			kh := h / (Hq / Hkv)
			for i := range Sq {
				w := make([]float64, T)
				mx, any := math.Inf(-1), false
				for j := range T {
					if hidden(b, h, i, j) {
						w[j] = math.Inf(-1)
						continue
					}
					any = true
					for d := range D {
						w[j] += q.Float(((b*Hq+h)*Sq+i)*D+d) * k.Float(((b*Hkv+kh)*T+j)*D+d) * scale
					}
					mx = math.Max(mx, w[j])
				}
				if !any {
					continue
				}
				sum := 0.0
				for j := range w {
					w[j] = math.Exp(w[j] - mx)
					sum += w[j]
				}
				for j := range T {
					for d := range Dv {
						y[((b*Hq+h)*Sq+i)*Dv+d] += w[j] / sum * v.Float(((b*Hkv+kh)*T+j)*Dv+d)
					}
				}
			}
		}
	}
	return y
}

func TestAttentionMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	q, k, v := randT(rng, 2, 4, 3, 8), randT(rng, 2, 2, 5, 8), randT(rng, 2, 2, 5, 6)
	mask := ir.NewTensor(ir.Bool, []int64{3, 5}) // query 0 sees nothing, others keys != 1
	for i := 1; i < 3; i++ {
		for j := 0; j < 5; j++ {
			if j != 1 {
				mask.SetFloat(i*5+j, 1)
			}
		}
	}
	nonpad := ir.FromSlice(ir.Int64, []int64{2}, []int64{5, 3})
	out, err := Attention(AttentionInputs{Q: q, K: k, V: v, Mask: mask, NonpadKVSeqLen: nonpad}, AttentionParams{IsCausal: true})
	if err != nil {
		t.Fatal(err)
	}
	want := naiveAttention(q, k, v, 1/math.Sqrt(8), func(b, h, i, j int) bool {
		offset := int(nonpad.Int(b)) - 3
		return i == 0 || j == 1 || j > i+offset || j >= int(nonpad.Int(b))
	})
	for i, w := range want {
		if got := out.Y.Float(i); math.Abs(got-w) > 1e-5 || got != got {
			t.Fatalf("Y[%d] = %v, want %v", i, got, w)
		}
	}
	if got := out.Y.Shape; got[0] != 2 || got[1] != 4 || got[2] != 3 || got[3] != 6 {
		t.Fatalf("Y shape %v", got)
	}

	// 3-D with a cache: the same numbers through [B, S, heads*size].
	pk, pv := randT(rng, 1, 1, 2, 4), randT(rng, 1, 1, 2, 4)
	q3, k3, v3 := randT(rng, 1, 2, 8), randT(rng, 1, 3, 4), randT(rng, 1, 3, 4)
	out, err = Attention(AttentionInputs{Q: q3, K: k3, V: v3, PastKey: pk, PastValue: pv}, AttentionParams{QNumHeads: 2, KVNumHeads: 1, Scale: 0.5, HasScale: true})
	if err != nil {
		t.Fatal(err)
	}
	q4, _ := splitHeads(q3, 2, "Q")
	kAll, _ := Concat([]*ir.Tensor{pk, k3.Reshaped([]int64{1, 1, 3, 4})}, 2)
	vAll, _ := Concat([]*ir.Tensor{pv, v3.Reshaped([]int64{1, 1, 3, 4})}, 2)
	want = naiveAttention(q4, kAll, vAll, 0.5, func(b, h, i, j int) bool { return false })
	for s := range 2 {
		for h := range 2 {
			for d := range 4 {
				got, w := out.Y.Float(s*8+h*4+d), want[(h*2+s)*4+d]
				if math.Abs(got-w) > 1e-5 {
					t.Fatalf("3-D Y[0,%d,%d] = %v, want %v", s, h*4+d, got, w)
				}
			}
		}
	}
	if out.PresentKey.Shape[2] != 5 || out.PresentKey.Float(8) != kAll.Float(8) {
		t.Fatalf("present_key %v is not past ++ K", out.PresentKey)
	}
	if _, err := Attention(AttentionInputs{Q: randT(rng, 1, 3, 2, 4), K: randT(rng, 1, 2, 2, 4), V: randT(rng, 1, 2, 2, 4)}, AttentionParams{}); err == nil {
		t.Fatal("3 query heads over 2 key/value heads: want an error")
	}
}
