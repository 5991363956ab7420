//go:build amd64 && !purego

package kernels

import (
	"testing"

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
