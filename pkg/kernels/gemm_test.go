package kernels

import (
	"math"
	"math/rand"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func randF32(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = rng.Float32()*2 - 1
	}
	return x
}

// naiveGemm is the triple loop the blocked kernel must match.
func naiveGemm(ta, tb bool, m, n, k int, a []float32, lda int, b []float32, ldb int) []float64 {
	c := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if ta {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if tb {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			c[i*n+j] = s
		}
	}
	return c
}

func TestSgemmAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	sizes := [][3]int{{1, 1, 1}, {3, 5, 7}, {4, 4, 4}, {5, 9, 3}, {17, 13, 259}, {65, 33, 300}, {70, 1030, 9}, {128, 64, 520}, {2, 3, 0}}
	for _, s := range sizes {
		m, n, k := s[0], s[1], s[2]
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				a := randF32(rng, m*k)
				b := randF32(rng, k*n)
				lda, ldb := k, n
				if ta {
					lda = m
				}
				if tb {
					ldb = k
				}
				c := make([]float32, m*n)
				for i := range c {
					c[i] = 99 // must be overwritten
				}
				Sgemm(ta, tb, m, n, k, a, lda, b, ldb, c, n)
				want := naiveGemm(ta, tb, m, n, k, a, lda, b, ldb)
				for i := range c {
					if math.Abs(float64(c[i])-want[i]) > 1e-4*float64(k+1) {
						t.Fatalf("m=%d n=%d k=%d ta=%v tb=%v: c[%d]=%g want %g", m, n, k, ta, tb, i, c[i], want[i])
					}
				}
			}
		}
	}
}

func TestSgemmStridedC(t *testing.T) {
	// C is a sub-block of a wider matrix: columns outside must stay intact.
	rng := rand.New(rand.NewSource(2))
	m, n, k, ldc := 9, 6, 11, 10
	a, b := randF32(rng, m*k), randF32(rng, k*n)
	c := make([]float32, m*ldc)
	for i := range c {
		c[i] = -7
	}
	Sgemm(false, false, m, n, k, a, k, b, n, c, ldc)
	want := naiveGemm(false, false, m, n, k, a, k, b, n)
	for i := 0; i < m; i++ {
		for j := 0; j < ldc; j++ {
			got := c[i*ldc+j]
			if j >= n {
				if got != -7 {
					t.Fatalf("c[%d][%d] outside the block was written: %g", i, j, got)
				}
				continue
			}
			if math.Abs(float64(got)-want[i*n+j]) > 1e-4 {
				t.Fatalf("c[%d][%d]=%g want %g", i, j, got, want[i*n+j])
			}
		}
	}
}

func TestMatMulBatchBroadcast(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, dt := range []ir.DType{ir.Float32, ir.Float64, ir.Int64, ir.Float16} {
		a := ir.NewTensor(dt, []int64{3, 1, 2, 5})
		b := ir.NewTensor(dt, []int64{4, 5, 3})
		for i := 0; i < int(a.Numel()); i++ {
			a.SetFloat(i, float64(rng.Intn(7)-3))
		}
		for i := 0; i < int(b.Numel()); i++ {
			b.SetFloat(i, float64(rng.Intn(7)-3))
		}
		c, err := MatMul(a, false, b, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := ir.S(c.Shape...); !got.Equal(ir.S(3, 4, 2, 3)) {
			t.Fatalf("%v: shape %v", dt, got)
		}
		for x := 0; x < 3; x++ {
			for y := 0; y < 4; y++ {
				for i := 0; i < 2; i++ {
					for j := 0; j < 3; j++ {
						var s float64
						for p := 0; p < 5; p++ {
							s += a.Float(x*10+i*5+p) * b.Float(y*15+p*3+j)
						}
						if got := c.Float(((x*4+y)*2+i)*3 + j); got != s {
							t.Fatalf("%v: c[%d,%d,%d,%d]=%g want %g", dt, x, y, i, j, got, s)
						}
					}
				}
			}
		}
	}
	if _, err := MatMul(ir.NewTensor(ir.Float32, []int64{2, 3}), false, ir.NewTensor(ir.Float32, []int64{4, 2}), false); err == nil {
		t.Fatal("mismatched K accepted")
	}
}

func benchGemm(b *testing.B, n int) {
	rng := rand.New(rand.NewSource(1))
	a, bb, c := randF32(rng, n*n), randF32(rng, n*n), make([]float32, n*n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Sgemm(false, false, n, n, n, a, n, bb, n, c, n)
	}
	b.ReportMetric(2*float64(n)*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkGemm256(b *testing.B) { benchGemm(b, 256) }
func BenchmarkGemm512(b *testing.B) { benchGemm(b, 512) }
