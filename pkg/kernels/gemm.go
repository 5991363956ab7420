package kernels

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Blocking of the float32 GEMM: C is computed in mc x nc blocks over kc-deep
// slices of K. A block of op(A) is packed into panels of gemmMR rows and a
// block of op(B) into panels of gemmNR columns, each panel laid out k-major,
// so the micro-kernel reads both with unit stride.
const (
	gemmMR = 4
	gemmNR = 4
	gemmKC = 256
	gemmMC = 64
	gemmNC = 1024
	// gemmParallelFlops is the m*n*k above which blocks of M are spread over
	// goroutines.
	gemmParallelFlops = 1 << 18
)

// Sgemm computes C = op(A) * op(B) for row-major float32 matrices, where op
// transposes when the flag is set. op(A) is m x k, op(B) is k x n, C is
// m x n; lda, ldb, ldc are the row strides of A, B, C as stored. C is
// overwritten. Large products are split over GOMAXPROCS goroutines by blocks
// of rows of C.
func Sgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		for i := 0; i < m; i++ {
			clear(c[i*ldc : i*ldc+n])
		}
		return
	}
	workers := 1
	if int64(m)*int64(n)*int64(k) >= gemmParallelFlops && m > gemmMR {
		workers = min(runtime.GOMAXPROCS(0), (m+gemmMR-1)/gemmMR)
	}
	ncMax := min(n, gemmNC)
	kcMax := min(k, gemmKC)
	pb := make([]float32, roundUp(ncMax, gemmNR)*kcMax)
	// Rows of C per worker block: gemmMC, or smaller so every worker gets
	// a share of a short M.
	mc := gemmMC
	if workers > 1 {
		mc = min(gemmMC, roundUp((m+workers-1)/workers, gemmMR))
	}
	nblocks := (m + mc - 1) / mc
	workers = min(workers, nblocks)
	pas := make([][]float32, workers)
	for w := range pas {
		pas[w] = make([]float32, roundUp(mc, gemmMR)*kcMax)
	}
	for jc := 0; jc < n; jc += gemmNC {
		nc := min(gemmNC, n-jc)
		for pc := 0; pc < k; pc += gemmKC {
			kc := min(gemmKC, k-pc)
			packB(transB, b, ldb, pc, jc, kc, nc, pb)
			first := pc == 0
			if workers == 1 {
				for ic := 0; ic < m; ic += mc {
					mcc := min(mc, m-ic)
					packA(transA, a, lda, ic, pc, mcc, kc, pas[0])
					macroKernel(mcc, nc, kc, pas[0], pb, c[ic*ldc+jc:], ldc, first)
				}
				continue
			}
			var wg sync.WaitGroup
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					for blk := w; blk < nblocks; blk += workers {
						ic := blk * mc
						mcc := min(mc, m-ic)
						packA(transA, a, lda, ic, pc, mcc, kc, pas[w])
						macroKernel(mcc, nc, kc, pas[w], pb, c[ic*ldc+jc:], ldc, first)
					}
				}(w)
			}
			wg.Wait()
		}
	}
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// packA copies rows [ic, ic+mc) x cols [pc, pc+kc) of op(A) into panels of
// gemmMR rows, k-major; rows past mc are zero.
func packA(trans bool, a []float32, lda, ic, pc, mc, kc int, dst []float32) {
	for ip := 0; ip < mc; ip += gemmMR {
		panel := dst[ip*kc : ip*kc+gemmMR*kc]
		rows := min(gemmMR, mc-ip)
		if !trans {
			for r := 0; r < gemmMR; r++ {
				if r >= rows {
					for p := 0; p < kc; p++ {
						panel[p*gemmMR+r] = 0
					}
					continue
				}
				src := a[(ic+ip+r)*lda+pc : (ic+ip+r)*lda+pc+kc]
				for p, v := range src {
					panel[p*gemmMR+r] = v
				}
			}
			continue
		}
		// op(A)[i][p] = A[p][i]
		for p := 0; p < kc; p++ {
			row := a[(pc+p)*lda+ic+ip:]
			d := panel[p*gemmMR : p*gemmMR+gemmMR]
			for r := 0; r < gemmMR; r++ {
				if r < rows {
					d[r] = row[r]
				} else {
					d[r] = 0
				}
			}
		}
	}
}

// packB copies rows [pc, pc+kc) x cols [jc, jc+nc) of op(B) into panels of
// gemmNR columns, k-major; columns past nc are zero.
func packB(trans bool, b []float32, ldb, pc, jc, kc, nc int, dst []float32) {
	for jp := 0; jp < nc; jp += gemmNR {
		panel := dst[jp*kc : jp*kc+gemmNR*kc]
		cols := min(gemmNR, nc-jp)
		if !trans {
			for p := 0; p < kc; p++ {
				row := b[(pc+p)*ldb+jc+jp:]
				d := panel[p*gemmNR : p*gemmNR+gemmNR]
				if cols == gemmNR {
					d[0], d[1], d[2], d[3] = row[0], row[1], row[2], row[3]
					continue
				}
				for c := 0; c < gemmNR; c++ {
					if c < cols {
						d[c] = row[c]
					} else {
						d[c] = 0
					}
				}
			}
			continue
		}
		// op(B)[p][j] = B[j][p]
		for c := 0; c < gemmNR; c++ {
			if c >= cols {
				for p := 0; p < kc; p++ {
					panel[p*gemmNR+c] = 0
				}
				continue
			}
			src := b[(jc+jp+c)*ldb+pc : (jc+jp+c)*ldb+pc+kc]
			for p, v := range src {
				panel[p*gemmNR+c] = v
			}
		}
	}
}

// macroKernel multiplies a packed mc x kc block of A by a packed kc x nc
// block of B into C (overwriting when first, else accumulating).
func macroKernel(mc, nc, kc int, pa, pb []float32, c []float32, ldc int, first bool) {
	var tile [gemmMR * gemmNR]float32
	for jp := 0; jp < nc; jp += gemmNR {
		bp := pb[jp*kc : jp*kc+gemmNR*kc]
		cols := min(gemmNR, nc-jp)
		for ip := 0; ip < mc; ip += gemmMR {
			ap := pa[ip*kc : ip*kc+gemmMR*kc]
			rows := min(gemmMR, mc-ip)
			if rows == gemmMR && cols == gemmNR {
				micro4x4(kc, ap, bp, c[ip*ldc+jp:], ldc, first)
				continue
			}
			micro4x4(kc, ap, bp, tile[:], gemmNR, true)
			for r := 0; r < rows; r++ {
				dst := c[(ip+r)*ldc+jp : (ip+r)*ldc+jp+cols]
				src := tile[r*gemmNR : r*gemmNR+cols]
				if first {
					copy(dst, src)
				} else {
					for j := range dst {
						dst[j] += src[j]
					}
				}
			}
		}
	}
}

// micro4x4 is the register block: 16 accumulators over kc steps of one
// 4-row panel of A and one 4-column panel of B.
func micro4x4(kc int, a, b []float32, c []float32, ldc int, first bool) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	a = a[:kc*4]
	b = b[:kc*4]
	for p := 0; p < len(a); p += 4 {
		aa := a[p : p+4 : p+4]
		bb := b[p : p+4 : p+4]
		b0, b1, b2, b3 := bb[0], bb[1], bb[2], bb[3]
		a0 := aa[0]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		a1 := aa[1]
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a2 := aa[2]
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		a3 := aa[3]
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	r0 := c[0:4:4]
	r1 := c[ldc : ldc+4 : ldc+4]
	r2 := c[2*ldc : 2*ldc+4 : 2*ldc+4]
	r3 := c[3*ldc : 3*ldc+4 : 3*ldc+4]
	if first {
		r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
		r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
		r2[0], r2[1], r2[2], r2[3] = c20, c21, c22, c23
		r3[0], r3[1], r3[2], r3[3] = c30, c31, c32, c33
		return
	}
	r0[0] += c00
	r0[1] += c01
	r0[2] += c02
	r0[3] += c03
	r1[0] += c10
	r1[1] += c11
	r1[2] += c12
	r1[3] += c13
	r2[0] += c20
	r2[1] += c21
	r2[2] += c22
	r2[3] += c23
	r3[0] += c30
	r3[1] += c31
	r3[2] += c32
	r3[3] += c33
}

// gemmGeneric is C = op(A) * op(B) for other element types: an i-p-j loop
// whose inner loop runs along a row of B (or a packed row of op(B)).
func gemmGeneric[T number](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	var bt []T
	if transB { // materialize op(B) row-major so the inner loop is unit-stride
		bt = make([]T, k*n)
		for j := 0; j < n; j++ {
			for p := 0; p < k; p++ {
				bt[p*n+j] = b[j*ldb+p]
			}
		}
		b, ldb = bt, n
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		clear(row)
		for p := 0; p < k; p++ {
			var av T
			if transA {
				av = a[p*lda+i]
			} else {
				av = a[i*lda+p]
			}
			if av == 0 {
				continue
			}
			brow := b[p*ldb : p*ldb+n]
			for j, bv := range brow {
				row[j] += av * bv
			}
		}
	}
}

// MatMul multiplies the last two dims of a and b (each rank >= 2), with
// op(A) = A^T when transA (and likewise B), broadcasting the leading (batch)
// dims with numpy rules; ranks may differ. Float16 and BFloat16 are computed
// in float32 and rounded once.
func MatMul(a *ir.Tensor, transA bool, b *ir.Tensor, transB bool) (*ir.Tensor, error) {
	if a.DType != b.DType {
		return nil, fmt.Errorf("matmul inputs differ in dtype: %v and %v", a.DType, b.DType)
	}
	ra, rb := len(a.Shape), len(b.Shape)
	if ra < 2 || rb < 2 {
		return nil, fmt.Errorf("matmul needs rank >= 2, got %v and %v", ir.S(a.Shape...), ir.S(b.Shape...))
	}
	m, ka := a.Shape[ra-2], a.Shape[ra-1]
	if transA {
		m, ka = ka, m
	}
	kb, n := b.Shape[rb-2], b.Shape[rb-1]
	if transB {
		kb, n = n, kb
	}
	if ka != kb {
		return nil, fmt.Errorf("matmul inner dims differ: %v (K=%d) and %v (K=%d)", ir.S(a.Shape...), ka, ir.S(b.Shape...), kb)
	}
	batch, err := ir.BroadcastInts(a.Shape[:ra-2], b.Shape[:rb-2])
	if err != nil {
		return nil, fmt.Errorf("matmul batch dims: %w", err)
	}
	if a.DType == ir.Float16 || a.DType == ir.BFloat16 {
		r, err := MatMul(ToFloat32(a), transA, ToFloat32(b), transB)
		if err != nil {
			return nil, err
		}
		return FromFloat32(r, a.DType), nil
	}
	outShape := append(append([]int64{}, batch...), m, n)
	out := ir.NewTensor(a.DType, outShape)
	nb := int(ir.Numel(batch))
	// Offsets of each batch's matrix in a and b.
	offA := batchOffsets(a.Shape[:ra-2], batch, m*ka)
	offB := batchOffsets(b.Shape[:rb-2], batch, kb*n)
	M, N, K := int(m), int(n), int(ka)
	lda, ldb := int(a.Shape[ra-1]), int(b.Shape[rb-1])
	switch a.DType {
	case ir.Float32:
		matmulLoop(nb, offA, offB, M, N, K, ir.View[float32](a), ir.View[float32](b), ir.View[float32](out), transA, transB, lda, ldb, Sgemm)
	case ir.Float64:
		matmulLoop(nb, offA, offB, M, N, K, ir.View[float64](a), ir.View[float64](b), ir.View[float64](out), transA, transB, lda, ldb, gemmGeneric[float64])
	case ir.Int32:
		matmulLoop(nb, offA, offB, M, N, K, ir.View[int32](a), ir.View[int32](b), ir.View[int32](out), transA, transB, lda, ldb, gemmGeneric[int32])
	case ir.Int64:
		matmulLoop(nb, offA, offB, M, N, K, ir.View[int64](a), ir.View[int64](b), ir.View[int64](out), transA, transB, lda, ldb, gemmGeneric[int64])
	case ir.Uint32:
		matmulLoop(nb, offA, offB, M, N, K, ir.View[uint32](a), ir.View[uint32](b), ir.View[uint32](out), transA, transB, lda, ldb, gemmGeneric[uint32])
	case ir.Uint64:
		matmulLoop(nb, offA, offB, M, N, K, ir.View[uint64](a), ir.View[uint64](b), ir.View[uint64](out), transA, transB, lda, ldb, gemmGeneric[uint64])
	default:
		return nil, fmt.Errorf("matmul of %v is not supported", a.DType)
	}
	return out, nil
}

func matmulLoop[T number](nb int, offA, offB []int64, m, n, k int, a, b, c []T, ta, tb bool, lda, ldb int,
	gemm func(bool, bool, int, int, int, []T, int, []T, int, []T, int)) {
	for i := 0; i < nb; i++ {
		gemm(ta, tb, m, n, k, a[offA[i]:], lda, b[offB[i]:], ldb, c[i*m*n:], n)
	}
}

// batchOffsets gives, for each index of the broadcast batch shape, the
// element offset of the matching matrix of an operand with batch dims in.
func batchOffsets(in, batch []int64, matSize int64) []int64 {
	nb := ir.Numel(batch)
	offs := make([]int64, 0, nb)
	st := BroadcastStrides(in, batch)
	if len(batch) == 0 {
		return []int64{0}
	}
	ForEachRun(batch, [][]int64{st}, func(_ int64, base []int64, cnt int64, step []int64) {
		for i := int64(0); i < cnt; i++ {
			offs = append(offs, (base[0]+i*step[0])*matSize)
		}
	})
	return offs
}
