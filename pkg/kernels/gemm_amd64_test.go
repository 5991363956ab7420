//go:build amd64 && !purego

package kernels

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"
	"time"

	"golang.org/x/sys/cpu"
)

// BenchmarkFMAPeak is the peak of one core's FMA units: twelve independent
// register-only FMA chains, no loads. SGEMM's efficiency is quoted against it.
func BenchmarkFMAPeak(b *testing.B) {
	const iters = 1 << 20
	run := func(b *testing.B, f func(int), flopsPerIter int) {
		for i := 0; i < b.N; i++ {
			f(iters)
		}
		b.ReportMetric(float64(flopsPerIter)*iters*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		b.Run("avx2", func(b *testing.B) { run(b, fmaPeakAVX2, 12*8*2) })
	}
	if cpu.X86.HasAVX512F {
		b.Run("avx512", func(b *testing.B) { run(b, fmaPeakAVX512, 12*16*2) })
	}
}

// BenchmarkSgemmVsPeak measures one-thread SGEMM against the FMA peak of the
// same vector width interleaved, pair by pair (a peak loop of about the same
// duration, then the product), and reports the medians and the median of
// the per-pair ratios, so that a machine shared with other work is measured
// in the same conditions on both sides. Run with -benchtime 1x.
func BenchmarkSgemmVsPeak(b *testing.B) {
	type variant struct {
		name  string
		peak  func(int)
		flops int // per peak iteration
	}
	var vs []variant
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		vs = append(vs, variant{"avx2", fmaPeakAVX2, 12 * 8 * 2})
	}
	if cpu.X86.HasAVX512F {
		vs = append(vs, variant{"avx512", fmaPeakAVX512, 12 * 16 * 2})
	}
	for _, v := range vs {
		var kr *sgemmKernel
		for _, k := range sgemmKernels {
			if k.name == v.name {
				kr = k
			}
		}
		for _, n := range []int{512, 1024} {
			b.Run(fmt.Sprintf("%s/%d", v.name, n), func(b *testing.B) {
				rng := rand.New(rand.NewSource(1))
				a, bb, c := randF32(rng, n*n), randF32(rng, n*n), make([]float32, n*n)
				flops := 2 * float64(n) * float64(n) * float64(n)
				iters := int(flops) / v.flops / 2 // about half the product's time at 50%
				var gemm, peak, ratio []float64
				for i := 0; i < b.N*21; i++ {
					t0 := time.Now()
					v.peak(iters)
					p := float64(iters*v.flops) / time.Since(t0).Seconds() / 1e9
					t0 = time.Now()
					sgemmWith(kr, 1, false, false, n, n, n, a, n, bb, n, c, n)
					g := flops / time.Since(t0).Seconds() / 1e9
					gemm, peak, ratio = append(gemm, g), append(peak, p), append(ratio, g/p)
				}
				b.ReportMetric(medianF(gemm), "GFLOP/s")
				b.ReportMetric(medianF(peak), "peak-GFLOP/s")
				b.ReportMetric(100*medianF(ratio), "%peak")
			})
		}
	}
}

func medianF(x []float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
