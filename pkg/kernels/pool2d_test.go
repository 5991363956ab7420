package kernels

import (
	"math"
	"math/rand"
	"testing"
)

// TestPool2DF32MatchesGeneric checks the float32 2-D pooling path against the
// generic N-D loop on random geometries (padding, dilation, odd sizes, NaNs),
// max and average with and without counting the padding, bit for bit.
func TestPool2DF32MatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for it := 0; it < 300; it++ {
		ih, iw := int64(1+rng.Intn(19)), int64(1+rng.Intn(19))
		kh, kw := int64(1+rng.Intn(4)), int64(1+rng.Intn(4))
		p := PoolParams{Max: rng.Intn(2) == 0, Kernel: []int64{kh, kw},
			Strides: []int64{int64(1 + rng.Intn(3)), int64(1 + rng.Intn(3))}, Dilations: []int64{int64(1 + rng.Intn(2)), 1},
			PadsBegin: []int64{int64(rng.Intn(int(kh))), int64(rng.Intn(int(kw)))}, PadsEnd: []int64{int64(rng.Intn(int(kh))), int64(rng.Intn(int(kw)))},
			CountIncludePad: rng.Intn(2) == 0}
		p.Out = []int64{
			PoolOutSize(ih, kh, p.Strides[0], p.Dilations[0], p.PadsBegin[0], p.PadsEnd[0], rng.Intn(2) == 0),
			PoolOutSize(iw, kw, p.Strides[1], p.Dilations[1], p.PadsBegin[1], p.PadsEnd[1], false)}
		if p.Out[0] < 1 || p.Out[1] < 1 {
			continue
		}
		planes := 1 + rng.Intn(5)
		x := randF32(rng, planes*int(ih*iw))
		for i := range x {
			if rng.Intn(40) == 0 {
				x[i] = float32(math.NaN())
			}
		}
		g := newPoolGeom([]int64{1, int64(planes), ih, iw}, p, false)
		got, want := make([]float32, planes*g.outSize), make([]float32, planes*g.outSize)
		pool2DF32(x, got, g, p)
		poolT(x, want, nil, g, p, float32(math.Inf(-1)))
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
				t.Fatalf("case %d %+v: out[%d] = %g, generic %g", it, p, i, got[i], want[i])
			}
		}
	}
}
