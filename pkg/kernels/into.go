package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// The Into kernels write a float32 result into an output tensor the caller
// allocated (the reference engine's arena), with the output's dtype and
// shape already set, and allocate nothing themselves. They compute exactly
// what the allocating kernels compute (the same float operations in the same
// order); the tests compare the two. Each reports ok false for what it does
// not cover (another dtype, an op without a fast path, a rank above
// maxIntoRank), and the caller then runs the allocating kernel.

// maxIntoRank is the highest rank the Into kernels index with stack arrays.
const maxIntoRank = 8

// BinaryInto is Binary for a and b of one dtype (float32, float64, int32
// or int64) and the ops Add, Sub, Mul, Div, Max, Min (and FloorDiv but for
// float32), out of that dtype, and the comparisons (out Bool); out has the
// broadcast shape.
func BinaryInto(op BinaryOp, a, b, out *ir.Tensor) (ok bool, err error) {
	switch {
	case op == OpAdd, op == OpSub, op == OpMul, op == OpDiv, op == OpMax, op == OpMin:
		if out.DType != a.DType {
			return false, nil
		}
	case op == OpFloorDiv && a.DType != ir.Float32: // the integer index arithmetic of exports
		if out.DType != a.DType {
			return false, nil
		}
	case op.IsCompare():
		if out.DType != ir.Bool {
			return false, nil
		}
	default:
		return false, nil
	}
	if a.DType != b.DType {
		return false, nil
	}
	switch a.DType {
	case ir.Float32, ir.Float64, ir.Int32, ir.Int64:
	default:
		return false, nil
	}
	rank := len(out.Shape)
	if rank > maxIntoRank || len(a.Shape) > rank || len(b.Shape) > rank {
		return false, nil
	}
	var w walk2
	if !broadcastStrides8(a.Shape, out.Shape, w.sa[:rank]) || !broadcastStrides8(b.Shape, out.Shape, w.sb[:rank]) {
		return false, fmt.Errorf("elementwise shapes %v and %v do not broadcast to %v", ir.S(a.Shape...), ir.S(b.Shape...), ir.S(out.Shape...))
	}
	copy(w.dims[:], out.Shape)
	w.r = coalesce2(w.dims[:rank], w.sa[:rank], w.sb[:rank])
	if out.Numel() == 0 {
		return true, nil
	}
	switch a.DType {
	case ir.Float32:
		x, y := ir.View[float32](a), ir.View[float32](b)
		if op.IsCompare() {
			o := ir.View[uint8](out)
			w.run(len(o), func(off, ai, bi, n, as, bs int64) { compareRun(op, o[off:off+n], x[ai:], y[bi:], as, bs) })
			return true, nil
		}
		o := ir.View[float32](out)
		if w.r == 0 {
			binaryRunF32(op, o, x, y, 1, 0, 0)
			return true, nil
		}
		n := w.dims[w.r-1]
		as, bs := w.sa[w.r-1], w.sb[w.r-1]
		var idx [maxIntoRank]int64
		var ai, bi int64
		for off := int64(0); off < int64(len(o)); off += n {
			binaryRunF32(op, o[off:off+n], x[ai:], y[bi:], n, as, bs)
			for d := w.r - 2; d >= 0; d-- {
				idx[d]++
				ai += w.sa[d]
				bi += w.sb[d]
				if idx[d] < w.dims[d] {
					break
				}
				ai -= w.sa[d] * w.dims[d]
				bi -= w.sb[d] * w.dims[d]
				idx[d] = 0
			}
		}
		return true, nil
	case ir.Float64:
		binaryIntoT(op, &w, ir.View[float64](a), ir.View[float64](b), out)
	case ir.Int32:
		binaryIntoT(op, &w, ir.View[int32](a), ir.View[int32](b), out)
	case ir.Int64:
		binaryIntoT(op, &w, ir.View[int64](a), ir.View[int64](b), out)
	}
	return true, nil
}

// walk2 is a coalesced walk of an output with two broadcast inputs.
type walk2 struct {
	r            int
	dims, sa, sb [maxIntoRank]int64
}

// run calls f for each run along the innermost coalesced dim, with the
// output offset, the inputs' offsets, the run length and the inputs' steps.
func (w *walk2) run(total int, f func(off, ai, bi, n, as, bs int64)) {
	if w.r == 0 {
		f(0, 0, 0, 1, 0, 0)
		return
	}
	n := w.dims[w.r-1]
	as, bs := w.sa[w.r-1], w.sb[w.r-1]
	var idx [maxIntoRank]int64
	var ai, bi int64
	for off := int64(0); off < int64(total); off += n {
		f(off, ai, bi, n, as, bs)
		for d := w.r - 2; d >= 0; d-- {
			idx[d]++
			ai += w.sa[d]
			bi += w.sb[d]
			if idx[d] < w.dims[d] {
				break
			}
			ai -= w.sa[d] * w.dims[d]
			bi -= w.sb[d] * w.dims[d]
			idx[d] = 0
		}
	}
}

// binaryIntoT is BinaryInto for the dtypes other than float32, with the
// element operations of binaryT.
func binaryIntoT[T number](op BinaryOp, w *walk2, x, y []T, out *ir.Tensor) {
	if op.IsCompare() {
		o := ir.View[uint8](out)
		w.run(len(o), func(off, ai, bi, n, as, bs int64) { compareRun(op, o[off:off+n], x[ai:], y[bi:], as, bs) })
		return
	}
	o := ir.View[T](out)
	w.run(len(o), func(off, ai, bi, n, as, bs int64) {
		dst := o[off : off+n]
		for i := range dst {
			p, q := x[ai+int64(i)*as], y[bi+int64(i)*bs]
			switch op {
			case OpAdd:
				dst[i] = p + q
			case OpSub:
				dst[i] = p - q
			case OpMul:
				dst[i] = p * q
			case OpDiv:
				dst[i] = div(p, q)
			case OpMax:
				dst[i] = maxNaN(p, q)
			case OpMin:
				dst[i] = minNaN(p, q)
			case OpFloorDiv:
				dst[i] = T(math.Floor(float64(p) / float64(q)))
			}
		}
	})
}

// compareRun writes the comparison of runs of x and y (steps as, bs) as
// bools.
func compareRun[T number](op BinaryOp, o []uint8, x, y []T, as, bs int64) {
	for i := range o {
		p, q := x[int64(i)*as], y[int64(i)*bs]
		var r bool
		switch op {
		case OpEqual:
			r = p == q
		case OpLess:
			r = p < q
		case OpGreater:
			r = p > q
		case OpLessEqual:
			r = p <= q
		case OpGreaterEqual:
			r = p >= q
		}
		o[i] = boolT[uint8](r)
	}
}

// broadcastStrides8 writes into st (len(out)) the element strides of an
// input of shape in viewed as out (right-aligned, broadcast dims 0); false
// when in does not broadcast to out.
func broadcastStrides8(in, out []int64, st []int64) bool {
	off := len(out) - len(in)
	for i := range st[:off] {
		st[i] = 0
	}
	acc := int64(1)
	for i := len(in) - 1; i >= 0; i-- {
		switch {
		case in[i] == out[off+i]:
			st[off+i] = acc
			if in[i] == 1 {
				st[off+i] = 0
			}
		case in[i] == 1:
			st[off+i] = 0
		default:
			return false
		}
		acc *= in[i]
	}
	return true
}

// coalesce2 merges adjacent dims along which both inputs step uniformly
// (each input's outer stride is its inner stride times the inner dim) and
// drops dims of size 1, in place; it returns the new rank.
func coalesce2(dims, sa, sb []int64) int {
	r := 0
	for d := range dims {
		if dims[d] == 1 {
			continue
		}
		if r > 0 && sa[r-1] == sa[d]*dims[d] && sb[r-1] == sb[d]*dims[d] {
			dims[r-1] *= dims[d]
			sa[r-1], sb[r-1] = sa[d], sb[d]
			continue
		}
		dims[r], sa[r], sb[r] = dims[d], sa[d], sb[d]
		r++
	}
	return r
}

// binaryRunF32 computes n outputs from x and y read at steps as and bs
// (each 0 or 1).
func binaryRunF32(op BinaryOp, o, x, y []float32, n, as, bs int64) {
	o = o[:n]
	switch {
	case as == 1 && bs == 1:
		x, y = x[:n], y[:n]
		switch op {
		case OpAdd:
			for i := range o {
				o[i] = x[i] + y[i]
			}
		case OpSub:
			for i := range o {
				o[i] = x[i] - y[i]
			}
		case OpMul:
			for i := range o {
				o[i] = x[i] * y[i]
			}
		case OpDiv:
			for i := range o {
				o[i] = x[i] / y[i]
			}
		case OpMax:
			for i := range o {
				o[i] = maxNaN(x[i], y[i])
			}
		case OpMin:
			for i := range o {
				o[i] = minNaN(x[i], y[i])
			}
		}
	case as == 1 && bs == 0:
		x, s := x[:n], y[0]
		switch op {
		case OpAdd:
			for i := range o {
				o[i] = x[i] + s
			}
		case OpSub:
			for i := range o {
				o[i] = x[i] - s
			}
		case OpMul:
			for i := range o {
				o[i] = x[i] * s
			}
		case OpDiv:
			for i := range o {
				o[i] = x[i] / s
			}
		case OpMax:
			for i := range o {
				o[i] = maxNaN(x[i], s)
			}
		case OpMin:
			for i := range o {
				o[i] = minNaN(x[i], s)
			}
		}
	case as == 0 && bs == 1:
		s, y := x[0], y[:n]
		switch op {
		case OpAdd:
			for i := range o {
				o[i] = s + y[i]
			}
		case OpSub:
			for i := range o {
				o[i] = s - y[i]
			}
		case OpMul:
			for i := range o {
				o[i] = s * y[i]
			}
		case OpDiv:
			for i := range o {
				o[i] = s / y[i]
			}
		case OpMax:
			for i := range o {
				o[i] = maxNaN(s, y[i])
			}
		case OpMin:
			for i := range o {
				o[i] = minNaN(s, y[i])
			}
		}
	default:
		var v float32
		s, t := x[0], y[0]
		switch op {
		case OpAdd:
			v = s + t
		case OpSub:
			v = s - t
		case OpMul:
			v = s * t
		case OpDiv:
			v = s / t
		case OpMax:
			v = maxNaN(s, t)
		case OpMin:
			v = minNaN(s, t)
		}
		for i := range o {
			o[i] = v
		}
	}
}

// ActivationInto is Activation for a float32 x into out (x's shape).
func ActivationInto(op ActOp, x, out *ir.Tensor, alpha, beta float64) bool {
	if op < 0 || op >= numActOps || x.DType != ir.Float32 || out.DType != ir.Float32 || len(x.Data) != len(out.Data) {
		return false
	}
	activation(op, ir.View[float32](out), ir.View[float32](x), alpha, beta)
	return true
}

// UnaryInto is Unary for a float32 x into out (x's shape), for the ops with
// a float result.
func UnaryInto(op UnaryOp, x, out *ir.Tensor) bool {
	if op < 0 || op >= numUnaryOps || op == UnaryNot || op == UnaryIsInf || op == UnaryIsNaN ||
		x.DType != ir.Float32 || out.DType != ir.Float32 || len(x.Data) != len(out.Data) {
		return false
	}
	unaryFloat(op, ir.View[float32](out), ir.View[float32](x))
	return true
}

// SoftmaxInto is Softmax for a float32 x of rank >= 1 into out (x's shape).
func SoftmaxInto(x *ir.Tensor, axis int, mode SoftmaxMode, flatten bool, out *ir.Tensor) bool {
	rank := len(x.Shape)
	if rank == 0 || axis < 0 || axis >= rank || x.DType != ir.Float32 || out.DType != ir.Float32 || len(x.Data) != len(out.Data) {
		return false
	}
	outer := int(ir.Numel(x.Shape[:axis]))
	n, inner := int(x.Shape[axis]), int(ir.Numel(x.Shape[axis+1:]))
	if flatten {
		n, inner = int(ir.Numel(x.Shape[axis:])), 1
	}
	softmaxT(ir.View[float32](x), ir.View[float32](out), outer, n, inner, mode)
	return true
}

// NormalizeLastInto is Normalize for a float32 x normalized over its last
// nAxes dims, with scale and bias (each nil, or float32 of x's rank whose
// leading dims are 1 and trailing nAxes dims are x's or 1), into out (x's
// shape). The result is what Normalize gives: the normalized value rounded
// to float32, times the scale rounded, plus the bias rounded.
func NormalizeLastInto(x *ir.Tensor, nAxes int, scale, bias *ir.Tensor, eps float32, out *ir.Tensor, stats []float64) bool {
	rank := len(x.Shape)
	if nAxes < 1 || nAxes > rank || rank > maxIntoRank || x.DType != ir.Float32 || out.DType != ir.Float32 || len(x.Data) != len(out.Data) {
		return false
	}
	norm := x.Shape[rank-nAxes:]
	rows, n := int(ir.Numel(x.Shape[:rank-nAxes])), int(ir.Numel(norm))
	if len(stats) < 2*rows {
		return false
	}
	var ss, bs [maxIntoRank]int64
	var sv, bv []float32
	for _, w := range []struct {
		t  *ir.Tensor
		st []int64
		v  *[]float32
	}{{scale, ss[:nAxes], &sv}, {bias, bs[:nAxes], &bv}} {
		if w.t == nil {
			continue
		}
		if w.t.DType != ir.Float32 || len(w.t.Shape) != rank || ir.Numel(w.t.Shape[:rank-nAxes]) != 1 ||
			!broadcastStrides8(w.t.Shape[rank-nAxes:], norm, w.st) {
			return false
		}
		*w.v = ir.View[float32](w.t)
	}
	xv, ov := ir.View[float32](x), ir.View[float32](out)
	m, inv := stats[:rows], stats[rows:2*rows]
	rowStats(xv, rows, n, float64(eps), m, inv)
	layerNormApply(xv, ov, rows, n, m, inv, nil, nil)
	if sv == nil && bv == nil {
		return true
	}
	// The scale and bias along the normalized dims, as Binary applies them.
	var idx [maxIntoRank]int64
	for j := 0; j < n; j++ {
		var so, bo int64
		for d := 0; d < nAxes; d++ {
			so += idx[d] * ss[d]
			bo += idx[d] * bs[d]
		}
		for r := 0; r < rows; r++ {
			v := ov[r*n+j]
			if sv != nil {
				v *= sv[so]
			}
			if bv != nil {
				v += bv[bo]
			}
			ov[r*n+j] = v
		}
		for d := nAxes - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < norm[d] {
				break
			}
			idx[d] = 0
		}
	}
	return true
}

// MatMulInto is MatMul for float32 a and b into out, whose shape is the
// broadcast batch dims followed by m and n.
func MatMulInto(a *ir.Tensor, transA bool, b *ir.Tensor, transB bool, out *ir.Tensor) (ok bool, err error) {
	if a.DType != ir.Float32 || b.DType != ir.Float32 || out.DType != ir.Float32 {
		return false, nil
	}
	ra, rb, ro := len(a.Shape), len(b.Shape), len(out.Shape)
	if ra < 2 || rb < 2 || ro < 2 || ro > maxIntoRank {
		return false, nil
	}
	m, ka := a.Shape[ra-2], a.Shape[ra-1]
	if transA {
		m, ka = ka, m
	}
	kb, n := b.Shape[rb-2], b.Shape[rb-1]
	if transB {
		kb, n = n, kb
	}
	if ka != kb || out.Shape[ro-2] != m || out.Shape[ro-1] != n {
		return false, fmt.Errorf("matmul of %v and %v does not give %v", ir.S(a.Shape...), ir.S(b.Shape...), ir.S(out.Shape...))
	}
	batch := out.Shape[:ro-2]
	nbr := len(batch)
	var sa, sb [maxIntoRank]int64
	if ra-2 > nbr || rb-2 > nbr || !broadcastStrides8(a.Shape[:ra-2], batch, sa[:nbr]) || !broadcastStrides8(b.Shape[:rb-2], batch, sb[:nbr]) {
		return false, fmt.Errorf("matmul batch dims of %v and %v do not broadcast to %v", ir.S(a.Shape...), ir.S(b.Shape...), ir.S(out.Shape...))
	}
	M, N, K := int(m), int(n), int(ka)
	lda, ldb := int(a.Shape[ra-1]), int(b.Shape[rb-1])
	av, bv, ov := ir.View[float32](a), ir.View[float32](b), ir.View[float32](out)
	nb := int(ir.Numel(batch))
	if nb == 0 || M == 0 || N == 0 {
		return true, nil
	}
	matA, matB := int64(M*K), int64(K*N)
	// Many small products (attention heads) run one per thread; a large
	// one splits itself over the threads.
	if th := Threads(); nb > 1 && th > 1 && int64(M)*int64(N)*int64(K) < gemmParallelFlops && int64(nb)*int64(M)*int64(N)*int64(K) >= gemmParallelFlops {
		batch, sa, sb := batch, sa, sb // copies: only these escape to the helpers
		parallelFor(nb, th, func(i int) {
			oa, ob := batchOffset(i, batch, sa[:nbr], sb[:nbr])
			sgemmWith(activeKernel, 1, transA, transB, M, N, K, av[oa*matA:], lda, bv[ob*matB:], ldb, ov[i*M*N:], N)
		})
		return true, nil
	}
	for i := 0; i < nb; i++ {
		oa, ob := batchOffset(i, batch, sa[:nbr], sb[:nbr])
		Sgemm(transA, transB, M, N, K, av[oa*matA:], lda, bv[ob*matB:], ldb, ov[i*M*N:], N)
	}
	return true, nil
}

// batchOffset is the matrix index in each operand of batch index i, whose
// batch strides (in matrices) are sa and sb.
func batchOffset(i int, batch, sa, sb []int64) (int64, int64) {
	var oa, ob int64
	for d := len(batch) - 1; d >= 0; d-- {
		q := int64(i) % batch[d]
		i = int(int64(i) / batch[d])
		oa += q * sa[d]
		ob += q * sb[d]
	}
	return oa, ob
}

// GatherInto copies the strided view of src that starts at element off and
// has dims and element strides st (rank <= maxIntoRank) into out,
// contiguously; out has the view's element count and src's dtype.
func GatherInto(src *ir.Tensor, off int64, dims, st []int64, out *ir.Tensor) bool {
	r := len(dims)
	if r > maxIntoRank || len(st) != r || src.DType != out.DType {
		return false
	}
	var d, s, z [maxIntoRank]int64
	copy(d[:], dims)
	copy(s[:], st)
	r = coalesce2(d[:r], s[:r], z[:r])
	switch src.DType.Size() {
	case 1:
		return gatherInto(ir.View[uint8](src), ir.View[uint8](out), off, d[:r], s[:r])
	case 2:
		return gatherInto(ir.View[uint16](src), ir.View[uint16](out), off, d[:r], s[:r])
	case 4:
		return gatherInto(ir.View[uint32](src), ir.View[uint32](out), off, d[:r], s[:r])
	case 8:
		return gatherInto(ir.View[uint64](src), ir.View[uint64](out), off, d[:r], s[:r])
	}
	return false
}

func gatherInto[T any](src, dst []T, off int64, dims, st []int64) bool {
	total := int64(1)
	for _, n := range dims {
		total *= n
	}
	if total != int64(len(dst)) {
		return false
	}
	if total == 0 {
		return true
	}
	r := len(dims)
	if r == 0 {
		dst[0] = src[off]
		return true
	}
	n, k := dims[r-1], st[r-1]
	var idx [maxIntoRank]int64
	pos := off
	for o := int64(0); o < total; o += n {
		d := dst[o : o+n]
		if k == 1 {
			copy(d, src[pos:pos+n])
		} else {
			for i := range d {
				d[i] = src[pos+int64(i)*k]
			}
		}
		for j := r - 2; j >= 0; j-- {
			idx[j]++
			pos += st[j]
			if idx[j] < dims[j] {
				break
			}
			pos -= st[j] * dims[j]
			idx[j] = 0
		}
	}
	return true
}

// ReduceInto is Reduce for a float32 x over the contiguous axes [lo, hi]
// (lo <= hi) into out (x's element count over those axes' product), except
// LogSumExp.
func ReduceInto(x *ir.Tensor, op ReduceOp, lo, hi int, out *ir.Tensor) bool {
	rank := len(x.Shape)
	if op == ReduceLogSumExp || x.DType != ir.Float32 || out.DType != ir.Float32 || lo < 0 || hi < lo || hi >= rank {
		return false
	}
	outer, R, inner := ir.Numel(x.Shape[:lo]), ir.Numel(x.Shape[lo:hi+1]), ir.Numel(x.Shape[hi+1:])
	if outer*inner != out.Numel() {
		return false
	}
	reduceFloat(ir.View[float32](x), ir.View[float32](out), int(outer), int(R), int(inner), op)
	return true
}

// PoolPlan is a float32 pooling over two spatial dims without indices with
// its geometry (every window's taps) computed once for one input shape.
type PoolPlan struct {
	xs  []int64
	p   PoolParams
	g   *poolGeom
	out []int64
}

// NewPoolPlan checks p against input shape xs [N, C, H, W] and computes the
// geometry; nil when not covered (another rank).
func NewPoolPlan(xs []int64, p PoolParams) (*PoolPlan, error) {
	if len(xs) != 4 {
		return nil, nil
	}
	cp := ConvParams{Strides: p.Strides, Dilations: p.Dilations, PadsBegin: p.PadsBegin, PadsEnd: p.PadsEnd}
	if err := cp.fill(2); err != nil {
		return nil, err
	}
	if len(p.Kernel) != 2 || len(p.Out) != 2 {
		return nil, fmt.Errorf("pooling kernel %v / output %v do not have 2 spatial dims", p.Kernel, p.Out)
	}
	p.Strides, p.Dilations, p.PadsBegin, p.PadsEnd = cp.Strides, cp.Dilations, cp.PadsBegin, cp.PadsEnd
	xs = append([]int64{}, xs...)
	return &PoolPlan{xs: xs, p: p, g: newPoolGeom(xs, p, false), out: []int64{xs[0], xs[1], p.Out[0], p.Out[1]}}, nil
}

// Matches reports whether the plan was made for input shape xs.
func (pp *PoolPlan) Matches(xs []int64) bool {
	if len(xs) != len(pp.xs) {
		return false
	}
	for i := range xs {
		if xs[i] != pp.xs[i] {
			return false
		}
	}
	return true
}

// OutShape is the output shape (the plan's own slice: do not modify).
func (pp *PoolPlan) OutShape() []int64 { return pp.out }

// Run pools a float32 x of the plan's input shape into out (the output
// shape), as Pool does.
func (pp *PoolPlan) Run(x, out *ir.Tensor) bool {
	if x.DType != ir.Float32 || out.DType != ir.Float32 || !pp.Matches(x.Shape) || out.Numel() != ir.Numel(pp.out) {
		return false
	}
	if out.Numel() == 0 || x.Numel() == 0 {
		clear(out.Data)
		return true
	}
	pool2DF32(ir.View[float32](x), ir.View[float32](out), pp.g, pp.p)
	return true
}

// WhereInto is Where into out, which has the broadcast shape of cond (Bool),
// then and els (one dtype, out's).
func WhereInto(cond, then, els, out *ir.Tensor) (ok bool, err error) {
	rank := len(out.Shape)
	if cond.DType != ir.Bool || then.DType != els.DType || out.DType != then.DType || rank > maxIntoRank ||
		len(cond.Shape) > rank || len(then.Shape) > rank || len(els.Shape) > rank {
		return false, nil
	}
	var dims, sc, sa, sb [maxIntoRank]int64
	if !broadcastStrides8(cond.Shape, out.Shape, sc[:rank]) || !broadcastStrides8(then.Shape, out.Shape, sa[:rank]) ||
		!broadcastStrides8(els.Shape, out.Shape, sb[:rank]) {
		return false, fmt.Errorf("where shapes %v, %v and %v do not broadcast to %v", ir.S(cond.Shape...), ir.S(then.Shape...), ir.S(els.Shape...), ir.S(out.Shape...))
	}
	copy(dims[:], out.Shape)
	// Coalesce the dims along which all three step uniformly.
	r := 0
	for d := 0; d < rank; d++ {
		if dims[d] == 1 {
			continue
		}
		if r > 0 && sc[r-1] == sc[d]*dims[d] && sa[r-1] == sa[d]*dims[d] && sb[r-1] == sb[d]*dims[d] {
			dims[r-1] *= dims[d]
			sc[r-1], sa[r-1], sb[r-1] = sc[d], sa[d], sb[d]
			continue
		}
		dims[r], sc[r], sa[r], sb[r] = dims[d], sc[d], sa[d], sb[d]
		r++
	}
	if out.Numel() == 0 {
		return true, nil
	}
	c := ir.View[uint8](cond)
	switch then.DType.Size() {
	case 1:
		whereInto(c, ir.View[uint8](then), ir.View[uint8](els), ir.View[uint8](out), r, &dims, &sc, &sa, &sb)
	case 2:
		whereInto(c, ir.View[uint16](then), ir.View[uint16](els), ir.View[uint16](out), r, &dims, &sc, &sa, &sb)
	case 4:
		whereInto(c, ir.View[uint32](then), ir.View[uint32](els), ir.View[uint32](out), r, &dims, &sc, &sa, &sb)
	case 8:
		whereInto(c, ir.View[uint64](then), ir.View[uint64](els), ir.View[uint64](out), r, &dims, &sc, &sa, &sb)
	default:
		return false, nil
	}
	return true, nil
}

func whereInto[T any](c []uint8, a, b, o []T, r int, dims, sc, sa, sb *[maxIntoRank]int64) {
	if r == 0 {
		if c[0] != 0 {
			o[0] = a[0]
		} else {
			o[0] = b[0]
		}
		return
	}
	n := dims[r-1]
	cs, as, bs := sc[r-1], sa[r-1], sb[r-1]
	var idx [maxIntoRank]int64
	var ci, ai, bi int64
	for off := int64(0); off < int64(len(o)); off += n {
		dst := o[off : off+n]
		for i := range dst {
			k := int64(i)
			if c[ci+k*cs] != 0 {
				dst[i] = a[ai+k*as]
			} else {
				dst[i] = b[bi+k*bs]
			}
		}
		for d := r - 2; d >= 0; d-- {
			idx[d]++
			ci, ai, bi = ci+sc[d], ai+sa[d], bi+sb[d]
			if idx[d] < dims[d] {
				break
			}
			ci, ai, bi = ci-sc[d]*dims[d], ai-sa[d]*dims[d], bi-sb[d]*dims[d]
			idx[d] = 0
		}
	}
}

// GatherAxisInto is Gather (no negative indices) into out, whose shape is
// data's dims before axis, indices' dims and data's dims after axis; false
// when an index is outside [0, data.Shape[axis]) (Gather reports it, or the
// caller's rule for it applies) or indices are not Int32 or Int64.
func GatherAxisInto(data, indices *ir.Tensor, axis int, out *ir.Tensor) bool {
	rank := len(data.Shape)
	if axis < 0 || axis >= rank || out.DType != data.DType || out.Numel() != ir.Numel(data.Shape[:axis])*indices.Numel()*ir.Numel(data.Shape[axis+1:]) {
		return false
	}
	n := data.Shape[axis]
	var i32 []int32
	var i64 []int64
	switch indices.DType {
	case ir.Int32:
		i32 = ir.View[int32](indices)
		for _, v := range i32 {
			if v < 0 || int64(v) >= n {
				return false
			}
		}
	case ir.Int64:
		i64 = ir.View[int64](indices)
		for _, v := range i64 {
			if v < 0 || v >= n {
				return false
			}
		}
	default:
		return false
	}
	outer, inner := blockDims(data.Shape, axis)
	w := inner * int64(data.DType.Size())
	k := indices.Numel()
	for r := int64(0); r < outer; r++ {
		src := data.Data[r*n*w:]
		dst := out.Data[r*k*w:]
		for i := int64(0); i < k; i++ {
			j := int64(0)
			if i32 != nil {
				j = int64(i32[i])
			} else {
				j = i64[i]
			}
			copy(dst[i*w:(i+1)*w], src[j*w:(j+1)*w])
		}
	}
	return true
}
