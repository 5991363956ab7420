package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// TestSgemmKernelsAgree runs every micro-kernel this CPU has (the portable
// one and, on amd64, AVX2 and AVX-512) on random shapes whose sizes are not
// multiples of the tile or vector widths, with every transpose, a strided C,
// one and two threads, and checks each against the portable kernel.
func TestSgemmKernelsAgree(t *testing.T) {
	if len(sgemmKernels) == 1 {
		t.Logf("only the portable kernel is available here (%s)", sgemmKernels[0].name)
	}
	rng := rand.New(rand.NewSource(7))
	shapes := [][3]int{{1, 1, 1}, {6, 16, 1}, {7, 17, 3}, {5, 31, 2}, {13, 33, 257}, {97, 65, 300}, {12, 100, 513}, {200, 7, 40}, {1, 300, 64}, {64, 1, 64}}
	for i := 0; i < 12; i++ {
		shapes = append(shapes, [3]int{1 + rng.Intn(150), 1 + rng.Intn(150), 1 + rng.Intn(600)})
	}
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				a, b := randF32(rng, m*k), randF32(rng, k*n)
				lda, ldb := k, n
				if ta {
					lda = m
				}
				if tb {
					ldb = k
				}
				ldc := n + 3
				want := make([]float32, m*ldc)
				sgemmWith(goKernel, 1, ta, tb, m, n, k, a, lda, b, ldb, want, ldc)
				for _, kr := range sgemmKernels {
					for _, th := range []int{1, 2} {
						c := make([]float32, m*ldc)
						for i := range c {
							c[i] = 42 // outside the block it must survive; inside be overwritten
						}
						sgemmWith(kr, th, ta, tb, m, n, k, a, lda, b, ldb, c, ldc)
						for i := 0; i < m; i++ {
							for j := 0; j < ldc; j++ {
								got := c[i*ldc+j]
								if j >= n {
									if got != 42 {
										t.Fatalf("%s m=%d n=%d k=%d: c[%d][%d] past n written", kr.name, m, n, k, i, j)
									}
									continue
								}
								w := want[i*ldc+j]
								if math.Abs(float64(got-w)) > 1e-5*float64(k)+1e-6 {
									t.Fatalf("%s threads=%d m=%d n=%d k=%d ta=%v tb=%v: c[%d][%d]=%g, portable kernel %g", kr.name, th, m, n, k, ta, tb, i, j, got, w)
								}
							}
						}
					}
				}
			}
		}
	}
}

// BenchmarkSgemm measures every kernel on square products, one thread and
// Threads(); compare with BenchmarkFMAPeak (the register-only bound).
func BenchmarkSgemm(b *testing.B) {
	for _, kr := range sgemmKernels {
		for _, n := range []int{128, 512, 1024} {
			for _, th := range []int{1, Threads()} {
				b.Run(fmt.Sprintf("%s/%d/threads=%d", kr.name, n, th), func(b *testing.B) {
					rng := rand.New(rand.NewSource(1))
					a, bb, c := randF32(rng, n*n), randF32(rng, n*n), make([]float32, n*n)
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						sgemmWith(kr, th, false, false, n, n, n, a, n, bb, n, c, n)
					}
					b.ReportMetric(2*float64(n)*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// TestVectorLoopsAgree checks each kernel's dot and axpy against the
// portable loops on lengths around the vector widths (tails of 1..31).
func TestVectorLoopsAgree(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for _, kr := range sgemmKernels {
		for n := 0; n < 140; n++ {
			x, y := randF32(rng, n), randF32(rng, n+3)
			if got, want := kr.dot(x, y), dotGo(x, y); math.Abs(float64(got-want)) > 1e-5*float64(n+1) {
				t.Fatalf("%s dot n=%d: %g, portable %g", kr.name, n, got, want)
			}
			y1, y2 := append([]float32(nil), y...), append([]float32(nil), y...)
			kr.axpy(0.75, x, y1)
			axpyGo(0.75, x, y2)
			for i := range y1 {
				if math.Abs(float64(y1[i]-y2[i])) > 1e-6 {
					t.Fatalf("%s axpy n=%d: y[%d]=%g, portable %g", kr.name, n, i, y1[i], y2[i])
				}
			}
		}
	}
}
