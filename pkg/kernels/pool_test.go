package kernels

import (
	"math"
	"math/rand"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestPoolOutSizeAndSamePads(t *testing.T) {
	for _, c := range []struct {
		in, k, s, d, pb, pe int64
		ceil                bool
		want                int64
	}{
		{32, 2, 2, 1, 0, 0, false, 16},
		{4, 3, 2, 1, 0, 0, true, 2},
		{2, 1, 2, 1, 0, 0, true, 1}, // the last window would start past the input
		{5, 3, 3, 1, 1, 1, true, 2},
		{32, 5, 3, 2, 0, 0, true, 9},
		{3, 5, 1, 1, 0, 0, false, 0},
	} {
		if got := PoolOutSize(c.in, c.k, c.s, c.d, c.pb, c.pe, c.ceil); got != c.want {
			t.Errorf("PoolOutSize%+v = %d, want %d", c, got, c.want)
		}
	}
	if b, e := SamePads(5, 3, 2, 1, false); b != 1 || e != 1 {
		t.Errorf("SAME_UPPER 5/3/2: %d %d", b, e)
	}
	if b, e := SamePads(32, 2, 1, 1, false); b != 0 || e != 1 {
		t.Errorf("SAME_UPPER 32/2/1: %d %d", b, e)
	}
	if b, e := SamePads(32, 2, 1, 1, true); b != 1 || e != 0 {
		t.Errorf("SAME_LOWER 32/2/1: %d %d", b, e)
	}
}

// naivePool2D pools one plane directly.
func naivePool2D(x []float64, h, w int, p PoolParams) []float64 {
	oh, ow := int(p.Out[0]), int(p.Out[1])
	out := make([]float64, oh*ow)
	for y := 0; y < oh; y++ {
		for xo := 0; xo < ow; xo++ {
			best, sum, n, padded := math.Inf(-1), 0.0, 0, 0
			for i := 0; i < int(p.Kernel[0]); i++ {
				for j := 0; j < int(p.Kernel[1]); j++ {
					iy := y*int(p.Strides[0]) - int(p.PadsBegin[0]) + i*int(p.Dilations[0])
					ix := xo*int(p.Strides[1]) - int(p.PadsBegin[1]) + j*int(p.Dilations[1])
					if iy >= -int(p.PadsBegin[0]) && iy < h+int(p.PadsEnd[0]) && ix >= -int(p.PadsBegin[1]) && ix < w+int(p.PadsEnd[1]) {
						padded++
					}
					if iy < 0 || iy >= h || ix < 0 || ix >= w {
						continue
					}
					v := x[iy*w+ix]
					best, sum, n = math.Max(best, v), sum+v, n+1
				}
			}
			switch {
			case p.Max:
				out[y*ow+xo] = best
			case p.CountIncludePad:
				out[y*ow+xo] = sum / float64(padded)
			case n > 0:
				out[y*ow+xo] = sum / float64(n)
			}
		}
	}
	return out
}

func TestPoolAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	for trial := 0; trial < 60; trial++ {
		h, w := int64(3+rng.Intn(6)), int64(3+rng.Intn(6))
		p := PoolParams{
			Max:             trial%2 == 0,
			Kernel:          []int64{int64(1 + rng.Intn(3)), int64(1 + rng.Intn(3))},
			Strides:         []int64{int64(1 + rng.Intn(3)), int64(1 + rng.Intn(3))},
			Dilations:       []int64{int64(1 + rng.Intn(2)), 1},
			PadsBegin:       []int64{int64(rng.Intn(2)), int64(rng.Intn(2))},
			PadsEnd:         []int64{int64(rng.Intn(2)), int64(rng.Intn(2))},
			CountIncludePad: rng.Intn(2) == 0,
		}
		ceil := rng.Intn(2) == 0
		p.Out = []int64{
			PoolOutSize(h, p.Kernel[0], p.Strides[0], p.Dilations[0], p.PadsBegin[0], p.PadsEnd[0], ceil),
			PoolOutSize(w, p.Kernel[1], p.Strides[1], p.Dilations[1], p.PadsBegin[1], p.PadsEnd[1], ceil),
		}
		if p.Out[0] < 1 || p.Out[1] < 1 {
			continue
		}
		x := randTensor(rng, ir.Float32, 2, 2, h, w)
		got, idx, err := Pool(x, p, p.Max, false)
		if err != nil {
			t.Fatal(err)
		}
		xs := x.Floats()
		for plane := 0; plane < 4; plane++ {
			want := naivePool2D(xs[plane*int(h*w):(plane+1)*int(h*w)], int(h), int(w), p)
			for i, wv := range want {
				o := plane*len(want) + i
				if math.Abs(got.Float(o)-wv) > 1e-5 {
					t.Fatalf("trial %d %+v: out[%d]=%g want %g", trial, p, o, got.Float(o), wv)
				}
				if p.Max && !math.IsInf(wv, -1) && xs[idx.Int(o)] != got.Float(o) {
					t.Fatalf("trial %d: index %d does not hold the max", trial, idx.Int(o))
				}
			}
		}
	}
}

func TestPoolIndicesColumnMajorAndInt(t *testing.T) {
	x := ir.FromSlice(ir.Uint8, []int64{1, 1, 2, 3}, []uint8{1, 9, 2, 7, 3, 4})
	p := PoolParams{Max: true, Kernel: []int64{2, 3}, Strides: []int64{1, 1}, Out: []int64{1, 1}}
	y, idx, err := Pool(x, p, true, true)
	if err != nil {
		t.Fatal(err)
	}
	// The max 9 is at (0, 1): row-major 1, column-major 0 + 1*2 = 2.
	if y.Int(0) != 9 || idx.Int(0) != 2 {
		t.Fatalf("max %d at %d, want 9 at 2", y.Int(0), idx.Int(0))
	}
	if _, _, err := Pool(x, PoolParams{Kernel: []int64{1, 1}, Out: []int64{2, 3}}, false, false); err == nil {
		t.Fatal("average pooling of uint8 accepted")
	}
}
