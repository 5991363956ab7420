package kernels

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// sgemmKernel is one register micro-kernel of the float32 GEMM with its
// blocking. C is computed in mc x nc blocks over kc-deep slices of K; a block
// of op(A) is packed into panels of mr rows and a block of op(B) into panels
// of nr columns, each panel k-major, so the micro-kernel reads both with unit
// stride. micro computes one full mr x nr tile of C (row stride ldc),
// overwriting it or, with accum, adding to it; B is read as kc rows of nr
// floats ldb apart (ldb = nr for a packed panel; a small row-major op(B) is
// read in place). dot and axpy are the vector loops of matrix-vector
// products (m or n of 1), which a tile would mostly waste.
type sgemmKernel struct {
	name       string
	mr, nr     int
	kc, mc, nc int
	micro      func(kc int, a, b, c []float32, ldc, ldb int, accum bool)
	dot        func(x, y []float32) float32
	axpy       func(alpha float32, x, y []float32)
	// narrow, if set, is a kernel with the same mr and kc (so the same
	// packed A) and a narrower tile, for products with few columns.
	narrow *sgemmKernel
}

// directBMax is the most elements of a non-transposed B that the micro-kernel
// reads in place instead of packing: small enough to stay in cache, where
// packing would cost as much as the product.
const directBMax = 1 << 16

// gemmParallelFlops is the m*n*k from which a GEMM is split over threads:
// about 250 µs of one core's work. At 1<<22 (about 60 µs) the small
// convolutions of the testdata CNNs were split, and waking a helper for
// each cost more than it gained: BenchmarkRun/cnn_resnet/engine took
// 2.36 ms with two threads against 2.05 ms with one (2026-11-30, quiet
// machine); at 1<<24 the two are equal (2.15 and 2.10 ms). These are runs
// of 2,000 iterations on a VM whose run-to-run spread is about 15%.
const gemmParallelFlops = 1 << 24

// goKernel is the portable micro-kernel, used where no SIMD kernel is
// available (other architectures, the purego build tag, old CPUs).
var goKernel = &sgemmKernel{name: "go", mr: 4, nr: 4, kc: 256, mc: 64, nc: 1024, micro: micro4x4, dot: dotGo, axpy: axpyGo}

// dotGo is sum x[i]*y[i] (len(y) >= len(x)).
func dotGo(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpyGo is y[i] += alpha*x[i] (len(y) >= len(x)).
func axpyGo(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// sgemmKernels lists the kernels this CPU can run, goKernel first;
// activeKernel is the one Sgemm uses (the last, the widest).
var (
	sgemmKernels = []*sgemmKernel{goKernel}
	activeKernel = goKernel
)

// GemmKernel names the float32 GEMM micro-kernel in use ("go", "avx2",
// "avx512").
func GemmKernel() string { return activeKernel.name }

// Sgemm computes C = op(A) * op(B) for row-major float32 matrices, where op
// transposes when the flag is set. op(A) is m x k, op(B) is k x n, C is
// m x n; lda, ldb, ldc are the row strides of A, B, C as stored. C is
// overwritten. Large products are split over Threads() threads.
func Sgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	sgemmWith(activeKernel, Threads(), transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
}

func sgemmWith(kr *sgemmKernel, threads int, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	sgemmCore(kr, threads, transA, transB, m, n, k, a, lda, nil, b, ldb, c, ldc)
}

// sgemmCore is Sgemm with op(A) either given (a, lda) or, with pre, packed.
func sgemmCore(kr *sgemmKernel, threads int, transA, transB bool, m, n, k int, a []float32, lda int, pre *PackedA, b []float32, ldb int, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		for i := 0; i < m; i++ {
			clear(c[i*ldc : i*ldc+n])
		}
		return
	}
	if m == 1 || n == 1 {
		gemv(kr, transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	if int64(m)*int64(n)*int64(k) < gemmParallelFlops {
		threads = 1
	}
	if kr.narrow != nil && n <= kr.narrow.nr {
		kr = kr.narrow
	}
	mr, nr := kr.mr, kr.nr
	direct := !transB && int64(k)*int64(n) <= directBMax
	kcMax := min(k, kr.kc)
	ncMax := min(roundUp(n, nr), kr.nc)
	// Rows of C per block: kr.mc, or fewer so that every thread gets work.
	mc := min(kr.mc, roundUp(m, mr))
	if threads > 1 {
		mc = min(mc, max(mr, roundUp((m+threads-1)/threads, mr)))
	}
	mBlocks := (m + mc - 1) / mc
	var pb []float32
	if !direct {
		pbp := getF32(ncMax * kcMax)
		defer putF32(pbp)
		pb = *pbp
	}
	for jc := 0; jc < n; jc += kr.nc {
		nc := min(kr.nc, n-jc)
		// Column chunks of the block, so that a short M still spreads over
		// the threads; each chunk is a whole number of nr panels.
		nPanels := (nc + nr - 1) / nr
		nChunks := 1
		if mBlocks < threads {
			nChunks = min(nPanels, (threads+mBlocks-1)/mBlocks)
		}
		chunkPanels := (nPanels + nChunks - 1) / nChunks
		nChunks = (nPanels + chunkPanels - 1) / chunkPanels
		for pc := 0; pc < k; pc += kr.kc {
			kc := min(kr.kc, k-pc)
			accum := pc > 0
			bblk, bstride := pb, 0
			if direct {
				bblk, bstride = b[pc*ldb+jc:], ldb
			} else if threads <= 1 {
				for jp := 0; jp < nPanels; jp++ {
					packB(transB, b, ldb, pc, jc+jp*nr, kc, min(nr, nc-jp*nr), nr, pb[jp*nr*kc:(jp+1)*nr*kc])
				}
			} else {
				pb, jc, pc, kc, nc := pb, jc, pc, kc, nc // copies: only these escape to the helpers
				parallelFor(nPanels, threads, func(jp int) {
					packB(transB, b, ldb, pc, jc+jp*nr, kc, min(nr, nc-jp*nr), nr, pb[jp*nr*kc:(jp+1)*nr*kc])
				})
			}
			blk := gemmBlock{kr: kr, transA: transA, m: m, mc: mc, nc: nc, kc: kc, pc: pc, jc: jc, nChunks: nChunks, chunkPanels: chunkPanels,
				a: a, lda: lda, pre: pre, bblk: bblk, bstride: bstride, c: c, ldc: ldc, accum: accum}
			// The closure is made only where tasks go to helpers: a
			// one-thread product allocates nothing.
			if tasks := mBlocks * nChunks; threads <= 1 || tasks == 1 {
				for t := 0; t < tasks; t++ {
					blk.run(t)
				}
			} else {
				par := blk // only this copy escapes to the helpers
				parallelFor(tasks, threads, par.run)
			}
		}
	}
}

// gemmBlock is one (pc, jc) block of sgemmCore, split into tasks of mc rows
// and a chunk of column panels.
type gemmBlock struct {
	kr                                          *sgemmKernel
	transA                                      bool
	m, mc, nc, kc, pc, jc, nChunks, chunkPanels int
	a                                           []float32
	lda                                         int
	pre                                         *PackedA
	bblk                                        []float32
	bstride                                     int
	c                                           []float32
	ldc                                         int
	accum                                       bool
}

func (g *gemmBlock) run(t int) {
	kr, mr, nr, kc := g.kr, g.kr.mr, g.kr.nr, g.kc
	ic := (t / g.nChunks) * g.mc
	mcc := min(g.mc, g.m-ic)
	j0 := (t % g.nChunks) * g.chunkPanels * nr
	j1 := min(g.nc, j0+g.chunkPanels*nr)
	mp := roundUp(mcc, mr)
	pap := getF32(mp*kc + nr*kc + mr*nr)
	pa := *pap
	ablk := pa[:mp*kc]
	if g.pre != nil {
		off := roundUp(g.m, mr)*g.pc + ic*kc
		ablk = g.pre.data[off : off+mp*kc]
	} else {
		packA(g.transA, g.a, g.lda, ic, g.pc, mcc, kc, mr, pa)
	}
	macroKernel(kr, mcc, j0, j1, kc, ablk, g.bblk, g.bstride, pa[mp*kc:mp*kc+nr*kc], pa[mp*kc+nr*kc:], g.c[ic*g.ldc+g.jc:], g.ldc, g.accum)
	putF32(pap)
}

// gemv is a product with m == 1 or n == 1: dot products or axpys along
// whichever operand runs contiguously, gathering a strided vector first.
func gemv(kr *sgemmKernel, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	// vec returns elements [0, cnt) of a vector at stride st, contiguous.
	// (It is called once per product; the scratch goes back to the pool.)
	var tmp *[]float32
	vec := func(x []float32, st, cnt int) []float32 {
		if st == 1 {
			return x[:cnt]
		}
		tmp = getF32(cnt)
		t := (*tmp)[:cnt]
		for i := range t {
			t[i] = x[i*st]
		}
		return t
	}
	defer func() {
		if tmp != nil {
			putF32(tmp)
		}
	}()
	if m == 1 {
		// c[j] = sum_p a[p] * op(B)[p][j]; op(A) row: stride 1, or lda when transposed.
		ast := 1
		if transA {
			ast = lda
		}
		crow := c[:n]
		if !transB { // rows of B are contiguous: axpy each into c
			clear(crow)
			for p := 0; p < k; p++ {
				if av := a[p*ast]; av != 0 {
					kr.axpy(av, b[p*ldb:p*ldb+n], crow)
				}
			}
			return
		}
		av := vec(a, ast, k)
		for j := 0; j < n; j++ {
			crow[j] = kr.dot(av, b[j*ldb:j*ldb+k])
		}
		return
	}
	// n == 1: c[i] = sum_p op(A)[i][p] * op(B)[p]; op(B) column: stride ldb, or 1 when transposed.
	bst := ldb
	if transB {
		bst = 1
	}
	if !transA {
		bv := vec(b, bst, k)
		for i := 0; i < m; i++ {
			c[i*ldc] = kr.dot(a[i*lda:i*lda+k], bv)
		}
		return
	}
	// op(A) = A^T: column i of A^T... rows of A are contiguous along i.
	accp := getF32(m)
	acc := *accp
	clear(acc)
	for p := 0; p < k; p++ {
		if bv := b[p*bst]; bv != 0 {
			kr.axpy(bv, a[p*lda:p*lda+m], acc)
		}
	}
	for i, v := range acc {
		c[i*ldc] = v
	}
	putF32(accp)
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// packA copies rows [ic, ic+mc) x cols [pc, pc+kc) of op(A) into panels of
// mr rows, k-major; rows past mc are zero.
func packA(trans bool, a []float32, lda, ic, pc, mc, kc, mr int, dst []float32) {
	for ip := 0; ip < mc; ip += mr {
		panel := dst[ip*kc : ip*kc+mr*kc]
		rows := min(mr, mc-ip)
		if !trans {
			for r := 0; r < mr; r++ {
				if r >= rows {
					for p := 0; p < kc; p++ {
						panel[p*mr+r] = 0
					}
					continue
				}
				src := a[(ic+ip+r)*lda+pc : (ic+ip+r)*lda+pc+kc]
				for p, v := range src {
					panel[p*mr+r] = v
				}
			}
			continue
		}
		// op(A)[i][p] = A[p][i]: each k step is a contiguous run of A.
		for p := 0; p < kc; p++ {
			d := panel[p*mr : p*mr+mr]
			row := a[(pc+p)*lda+ic+ip:]
			copy(d[:rows], row[:rows])
			clear(d[rows:])
		}
	}
}

// packB copies rows [pc, pc+kc) x cols [j, j+cols) of op(B) into one panel
// of nr columns, k-major; columns past cols are zero.
func packB(trans bool, b []float32, ldb, pc, j, kc, cols, nr int, panel []float32) {
	if !trans {
		for p := 0; p < kc; p++ {
			d := panel[p*nr : p*nr+nr]
			row := b[(pc+p)*ldb+j:]
			copy(d[:cols], row[:cols])
			clear(d[cols:])
		}
		return
	}
	// op(B)[p][j] = B[j][p]
	for c := 0; c < nr; c++ {
		if c >= cols {
			for p := 0; p < kc; p++ {
				panel[p*nr+c] = 0
			}
			continue
		}
		src := b[(j+c)*ldb+pc : (j+c)*ldb+pc+kc]
		for p, v := range src {
			panel[p*nr+c] = v
		}
	}
}

// macroKernel multiplies a packed mc x kc block of A by columns [j0, j1) of
// a kc x nc block of B into C (overwriting, or adding when accum). With
// ldb = 0, pb is the block packed in panels of nr columns; otherwise it is
// op(B) itself (row stride ldb) from the block's first element, read in
// place, and edge (kc*nr floats) takes a packed copy of a last partial panel;
// tile (mr*nr floats) holds the products of partial register blocks.
func macroKernel(kr *sgemmKernel, mc, j0, j1, kc int, pa, pb []float32, ldb int, edge, tile []float32, c []float32, ldc int, accum bool) {
	mr, nr := kr.mr, kr.nr
	tile = tile[:mr*nr]
	for jp := j0; jp < j1; jp += nr {
		cols := min(nr, j1-jp)
		var bp []float32
		bs := nr
		switch {
		case ldb == 0:
			bp = pb[jp*kc : jp*kc+nr*kc]
		case cols == nr:
			bp, bs = pb[jp:], ldb
		default:
			packB(false, pb, ldb, 0, jp, kc, cols, nr, edge)
			bp = edge
		}
		for ip := 0; ip < mc; ip += mr {
			ap := pa[ip*kc : ip*kc+mr*kc]
			rows := min(mr, mc-ip)
			if rows == mr && cols == nr {
				kr.micro(kc, ap, bp, c[ip*ldc+jp:], ldc, bs, accum)
				continue
			}
			kr.micro(kc, ap, bp, tile, nr, bs, false)
			for r := 0; r < rows; r++ {
				dst := c[(ip+r)*ldc+jp : (ip+r)*ldc+jp+cols]
				src := tile[r*nr : r*nr+cols]
				if !accum {
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

// micro4x4 is the portable register block: 16 accumulators over kc steps of
// one 4-row panel of A and one 4-column panel of B.
func micro4x4(kc int, a, b []float32, c []float32, ldc, ldb int, accum bool) {
	first := !accum
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	a = a[:kc*4]
	b = b[:(kc-1)*ldb+4]
	for p, q := 0, 0; p < len(a); p, q = p+4, q+ldb {
		aa := a[p : p+4 : p+4]
		bb := b[q : q+4 : q+4]
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
