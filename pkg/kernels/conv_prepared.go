package kernels

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// PackedA is the left operand of a float32 GEMM packed once for the active
// micro-kernel (weights that many products share): for each kc-deep slice
// of K, all m rows in panels of mr rows, k-major, as Sgemm packs A itself.
type PackedA struct {
	kr   *sgemmKernel
	m, k int
	data []float32
	// a, lda keep the unpacked operand for the shapes that do not tile
	// (matrix-vector products).
	a   []float32
	lda int
}

// PackA packs op(A) (m x k, row stride lda) for SgemmPacked.
func PackA(transA bool, m, k int, a []float32, lda int) *PackedA {
	kr := activeKernel
	mp := roundUp(max(m, 1), kr.mr)
	p := &PackedA{kr: kr, m: m, k: k, data: make([]float32, mp*k)}
	for pc := 0; pc < k; pc += kr.kc {
		kc := min(kr.kc, k-pc)
		packA(transA, a, lda, 0, pc, m, kc, kr.mr, p.data[mp*pc:mp*(pc+kc)])
	}
	if transA { // keep a row-major copy for the matrix-vector path
		t := make([]float32, m*k)
		for i := 0; i < m; i++ {
			for q := 0; q < k; q++ {
				t[i*k+q] = a[q*lda+i]
			}
		}
		a, lda = t, k
	}
	p.a, p.lda = a, lda
	return p
}

// SgemmPacked is Sgemm with a pre-packed op(A): C (m x n, row stride ldc) =
// op(A) * op(B).
func SgemmPacked(pa *PackedA, transB bool, n int, b []float32, ldb int, c []float32, ldc int) {
	if pa.m == 1 || n == 1 || pa.k == 0 {
		sgemmWith(pa.kr, Threads(), false, transB, pa.m, n, pa.k, pa.a, pa.lda, b, ldb, c, ldc)
		return
	}
	sgemmCore(pa.kr, Threads(), false, transB, pa.m, n, pa.k, nil, 0, pa, b, ldb, c, ldc)
}

// Epilogue is what a convolution applies to its output while it is still in
// cache, in this order: per-channel bias, a residual of the output's shape
// added element by element, an activation. The result is the same as that
// of separate layers, operation for operation.
type Epilogue struct {
	Residual    []float32
	HasAct      bool
	Act         ActOp
	Alpha, Beta float64
}

// PreparedConv is a float32 convolution whose weights are packed for the
// GEMM once (at engine load), not at every run.
type PreparedConv struct {
	ws     []int64
	p      ConvParams
	w      []float32
	bias   []float32
	groups []*PackedA // per group, nil for depthwise
}

// PrepareConv packs float32 weights w [K, C/group, kernel...] and keeps bias
// [K] (may be nil) for Run.
func PrepareConv(w, bias *ir.Tensor, p ConvParams) (*PreparedConv, error) {
	if w.DType != ir.Float32 || (bias != nil && bias.DType != ir.Float32) {
		return nil, fmt.Errorf("prepared convolution needs float32 weights, got %v", w.DType)
	}
	if len(w.Shape) < 3 {
		return nil, fmt.Errorf("conv weights %v need rank >= 3", ir.S(w.Shape...))
	}
	if err := p.fill(len(w.Shape) - 2); err != nil {
		return nil, err
	}
	K, Cg, g := int(w.Shape[0]), int(w.Shape[1]), int(p.Group)
	if g < 1 || K%g != 0 {
		return nil, fmt.Errorf("conv weights %v do not fit group %d", ir.S(w.Shape...), g)
	}
	if bias != nil && (len(bias.Shape) != 1 || bias.Shape[0] != int64(K)) {
		return nil, fmt.Errorf("conv bias %v does not match %d output channels", ir.S(bias.Shape...), K)
	}
	pc := &PreparedConv{ws: w.Shape, p: p, w: ir.View[float32](w)}
	if bias != nil {
		pc.bias = ir.View[float32](bias)
	}
	Kg, ks := K/g, int(ir.Numel(w.Shape[2:]))
	if !(Cg == 1 && Kg == 1 && len(w.Shape) <= 4) {
		for gi := 0; gi < g; gi++ {
			pc.groups = append(pc.groups, PackA(false, Kg, Cg*ks, pc.w[gi*Kg*Cg*ks:], Cg*ks))
		}
	}
	return pc, nil
}

// OutShape is the output shape for an input of shape xs.
func (pc *PreparedConv) OutShape(xs []int64) ([]int64, error) {
	ws, p := pc.ws, pc.p
	if len(xs) != len(ws) {
		return nil, fmt.Errorf("conv input %v does not match weights %v", ir.S(xs...), ir.S(ws...))
	}
	os := []int64{xs[0], ws[0]}
	for i := 0; i < len(xs)-2; i++ {
		os = append(os, max(ConvOutSize(xs[2+i], ws[2+i], p.Strides[i], p.Dilations[i], p.PadsBegin[i], p.PadsEnd[i]), 0))
	}
	return os, nil
}

// OutShapeTo is OutShape written into dst, which has len(xs) elements.
func (pc *PreparedConv) OutShapeTo(xs, dst []int64) error {
	ws, p := pc.ws, pc.p
	if len(xs) != len(ws) || len(dst) != len(xs) {
		return fmt.Errorf("conv input %v does not match weights %v", ir.S(xs...), ir.S(ws...))
	}
	dst[0], dst[1] = xs[0], ws[0]
	for i := 0; i < len(xs)-2; i++ {
		dst[2+i] = max(ConvOutSize(xs[2+i], ws[2+i], p.Strides[i], p.Dilations[i], p.PadsBegin[i], p.PadsEnd[i]), 0)
	}
	return nil
}

// Run convolves x [N, C, spatial...] and applies ep (may be nil).
func (pc *PreparedConv) Run(x *ir.Tensor, ep *Epilogue) (*ir.Tensor, error) {
	return pc.RunBuf(x, ep, nil)
}

// RunBuf is Run writing into buf when it has exactly the output's size in
// bytes (and is 4-byte aligned, as ir tensors are); otherwise it allocates.
// Every element of the output is written, so buf's contents do not matter.
func (pc *PreparedConv) RunBuf(x *ir.Tensor, ep *Epilogue, buf []byte) (*ir.Tensor, error) {
	xs, ws, p := x.Shape, pc.ws, pc.p
	if x.DType != ir.Float32 || len(xs) != len(ws) {
		return nil, fmt.Errorf("conv input %v%v does not match float32 weights %v", x.DType, ir.S(xs...), ir.S(ws...))
	}
	nsp := len(xs) - 2
	N, C, K, g := int(xs[0]), int(xs[1]), int(ws[0]), int(p.Group)
	if C%g != 0 || int(ws[1]) != C/g {
		return nil, fmt.Errorf("conv: %d input channels do not fit weights %v with group %d", C, ir.S(ws...), g)
	}
	os := []int64{int64(N), int64(K)}
	for i := 0; i < nsp; i++ {
		o := ConvOutSize(xs[2+i], ws[2+i], p.Strides[i], p.Dilations[i], p.PadsBegin[i], p.PadsEnd[i])
		os = append(os, max(o, 0))
	}
	var out *ir.Tensor
	if int64(len(buf)) == ir.Numel(os)*4 && len(buf) > 0 {
		out = &ir.Tensor{DType: ir.Float32, Shape: os, Data: buf}
	} else {
		out = ir.NewTensor(ir.Float32, os)
	}
	return out, pc.run(x, ep, out)
}

// RunInto is Run writing into out, a float32 tensor of the output's shape
// (OutShape); every element is written.
func (pc *PreparedConv) RunInto(x *ir.Tensor, ep *Epilogue, out *ir.Tensor) error {
	xs, ws, p := x.Shape, pc.ws, pc.p
	if x.DType != ir.Float32 || out.DType != ir.Float32 || len(xs) != len(ws) || len(out.Shape) != len(xs) ||
		out.Shape[0] != xs[0] || out.Shape[1] != ws[0] {
		return fmt.Errorf("conv input %v%v and output %v%v do not match float32 weights %v", x.DType, ir.S(xs...), out.DType, ir.S(out.Shape...), ir.S(ws...))
	}
	for i := 0; i < len(xs)-2; i++ {
		if o := ConvOutSize(xs[2+i], ws[2+i], p.Strides[i], p.Dilations[i], p.PadsBegin[i], p.PadsEnd[i]); max(o, 0) != out.Shape[2+i] {
			return fmt.Errorf("conv output %v does not match input %v", ir.S(out.Shape...), ir.S(xs...))
		}
	}
	return pc.run(x, ep, out)
}

// run convolves x into out, whose shape has been checked.
func (pc *PreparedConv) run(x *ir.Tensor, ep *Epilogue, out *ir.Tensor) error {
	xs, ws, os, p := x.Shape, pc.ws, out.Shape, pc.p
	nsp := len(xs) - 2
	N, C, K, g := int(xs[0]), int(xs[1]), int(ws[0]), int(p.Group)
	if C%g != 0 || int(ws[1]) != C/g {
		return fmt.Errorf("conv: %d input channels do not fit weights %v with group %d", C, ir.S(ws...), g)
	}
	if ep != nil && ep.Residual != nil && len(ep.Residual) != int(out.Numel()) {
		return fmt.Errorf("conv residual has %d elements, output %v", len(ep.Residual), ir.S(os...))
	}
	xv, ov := ir.View[float32](x), ir.View[float32](out)
	Cg, Kg := C/g, K/g
	inSize, outSize, ks := int(ir.Numel(xs[2:])), int(ir.Numel(os[2:])), int(ir.Numel(ws[2:]))
	if outSize == 0 || N == 0 || K == 0 {
		return nil
	}
	pointwise := ks == 1 && inSize == outSize
	for i := range p.Strides {
		pointwise = pointwise && p.Strides[i] == 1 && p.PadsBegin[i] == 0
	}
	var colsp *[]float32
	if pc.groups != nil && !pointwise {
		colsp = getF32(Cg * ks * outSize)
		defer putF32(colsp)
	}
	for n := 0; n < N; n++ {
		if pc.groups == nil { // depthwise, channels in parallel
			if th := depthwiseThreads(C * outSize * ks); th <= 1 {
				// Small maps: the geometry once for every channel.
				ih, iw, kh, kw, oh, ow, sh, sw, dh, dw, ph, pw := dims2D(xs[2:], ws[2:], os[2:], p)
				for ch := 0; ch < C; ch++ {
					if ow < depthwiseDirectWidth {
						depthwiseDirect(xv[(n*C+ch)*inSize:(n*C+ch+1)*inSize], pc.w[ch*ks:(ch+1)*ks], ov[(n*K+ch)*outSize:(n*K+ch+1)*outSize],
							ih, iw, kh, kw, oh, ow, sh, sw, dh, dw, ph, pw)
					} else {
						pc.depthwiseChannel(xv, ov, xs, os, n, ch)
					}
				}
			} else {
				n := n
				parallelFor(C, th, func(ch int) { pc.depthwiseChannel(xv, ov, xs, os, n, ch) })
			}
		} else {
			for gi := 0; gi < g; gi++ {
				xg := xv[(n*C+gi*Cg)*inSize : (n*C+gi*Cg+Cg)*inSize]
				og := ov[(n*K+gi*Kg)*outSize : (n*K+gi*Kg+Kg)*outSize]
				if pointwise {
					SgemmPacked(pc.groups[gi], false, outSize, xg, outSize, og, outSize)
					continue
				}
				cols := *colsp
				if nsp <= 2 {
					im2col2D(xg, cols, Cg, xs[2:], ws[2:], os[2:], p)
				} else {
					im2colND(xg, cols, Cg, xs[2:], ws[2:], os[2:], p)
				}
				SgemmPacked(pc.groups[gi], false, outSize, cols, outSize, og, outSize)
			}
		}
		img := ov[n*K*outSize : (n+1)*K*outSize]
		var res []float32
		if ep != nil && ep.Residual != nil {
			res = ep.Residual[n*K*outSize : (n+1)*K*outSize]
		}
		for k := 0; k < K; k++ {
			o := img[k*outSize : (k+1)*outSize]
			if pc.bias != nil {
				b := pc.bias[k]
				for i := range o {
					o[i] += b
				}
			}
			if res != nil {
				r := res[k*outSize : (k+1)*outSize]
				for i := range o {
					o[i] += r[i]
				}
			}
			if ep != nil && ep.HasAct && outSize >= 256 { // while the channel is in cache
				activation(ep.Act, o, o, ep.Alpha, ep.Beta)
			}
		}
		if ep != nil && ep.HasAct && outSize < 256 { // small maps: one call for the image
			activation(ep.Act, img, img, ep.Alpha, ep.Beta)
		}
	}
	return nil
}

// depthwiseThreads is how many threads a depthwise convolution of that many
// multiply-adds is worth.
func depthwiseThreads(work int) int {
	if work < 1<<20 {
		return 1
	}
	return Threads()
}

// depthwise2DF32 is depthwise2D for float32 with the inner loop over output
// columns as an axpy: stride-1 directly along the input row, other strides
// along the row's phase (the input columns congruent modulo the stride,
// gathered once per row).
func depthwise2DF32(x, w, out []float32, in, k, o []int64, p ConvParams) {
	ih, iw, kh, kw, oh, ow, sh, sw, dh, dw, ph, pw := dims2D(in, k, o, p)
	if ow < depthwiseDirectWidth {
		depthwiseDirect(x, w, out, ih, iw, kh, kw, oh, ow, sh, sw, dh, dw, ph, pw)
		return
	}
	axpy := activeKernel.axpy
	var phase []float32
	var php *[]float32
	if sw > 1 {
		php = getF32(iw + sw)
		defer putF32(php)
		phase = *php
	}
	for y := 0; y < oh; y++ {
		d := out[y*ow : (y+1)*ow]
		clear(d)
		for ki := 0; ki < kh; ki++ {
			iy := y*sh - ph + ki*dh
			if iy < 0 || iy >= ih {
				continue
			}
			src := x[iy*iw : (iy+1)*iw]
			if sw > 1 { // phase q of the row at phase[q*pl : (q+1)*pl]
				pl := (iw + sw - 1) / sw
				for q := 0; q < sw; q++ {
					row := phase[q*pl : (q+1)*pl]
					for j := range row {
						if c := j*sw + q; c < iw {
							row[j] = src[c]
						}
					}
				}
			}
			for kj := 0; kj < kw; kj++ {
				wv := w[ki*kw+kj]
				ix0 := kj*dw - pw
				lo, hi := tapColumns(ix0, sw, ow, iw)
				if lo >= hi {
					continue
				}
				start := ix0 + lo*sw
				if sw == 1 {
					axpy(wv, src[start:start+hi-lo], d[lo:hi])
					continue
				}
				pl := (iw + sw - 1) / sw
				q := start % sw
				axpy(wv, phase[q*pl+start/sw:q*pl+start/sw+hi-lo], d[lo:hi])
			}
		}
	}
}

// depthwiseChannel convolves channel ch of image n of a depthwise
// convolution.
func (pc *PreparedConv) depthwiseChannel(xv, ov []float32, xs, os []int64, n, ch int) {
	C, K := int(xs[1]), int(pc.ws[0])
	inSize, outSize, ks := int(ir.Numel(xs[2:])), int(ir.Numel(os[2:])), int(ir.Numel(pc.ws[2:]))
	xg := xv[(n*C+ch)*inSize : (n*C+ch+1)*inSize]
	og := ov[(n*K+ch)*outSize : (n*K+ch+1)*outSize]
	depthwise2DF32(xg, pc.w[ch*ks:(ch+1)*ks], og, xs[2:], pc.ws[2:], os[2:], pc.p)
}

// depthwiseDirectWidth is the output width below which a depthwise
// convolution sums each output's taps directly: axpys over rows that short
// cost more in calls than in arithmetic.
const depthwiseDirectWidth = 16

// depthwiseDirect is depthwise2DF32 output by output: the taps inside the
// input, rows then columns (the order of the axpy path), summed from zero.
func depthwiseDirect(x, w, out []float32, ih, iw, kh, kw, oh, ow, sh, sw, dh, dw, ph, pw int) {
	for y := 0; y < oh; y++ {
		base := y*sh - ph
		kilo, kihi := tapRange(base, dh, kh, ih)
		for xo := 0; xo < ow; xo++ {
			bx := xo*sw - pw
			var acc float32
			if dw == 1 { // the taps of a row are contiguous in the input
				kjlo, kjhi := max(0, -bx), min(kw, iw-bx)
				if kjlo >= kjhi {
					out[y*ow+xo] = 0
					continue
				}
				for ki := kilo; ki < kihi; ki++ {
					wseg := w[ki*kw+kjlo : ki*kw+kjhi]
					r0 := (base+ki*dh)*iw + bx
					xseg := x[r0+kjlo : r0+kjhi]
					xseg = xseg[:len(wseg)]
					for i, wv := range wseg {
						acc += wv * xseg[i]
					}
				}
				out[y*ow+xo] = acc
				continue
			}
			kjlo, kjhi := tapRange(bx, dw, kw, iw)
			for ki := kilo; ki < kihi; ki++ {
				row := x[(base+ki*dh)*iw : (base+ki*dh+1)*iw]
				wr := w[ki*kw : (ki+1)*kw]
				for kj, ix := kjlo, bx+kjlo*dw; kj < kjhi; kj, ix = kj+1, ix+dw {
					acc += wr[kj] * row[ix]
				}
			}
			out[y*ow+xo] = acc
		}
	}
}

// tapRange is the range [lo, hi) of kernel taps k in [0, n) whose input
// coordinate base + k*dil lies in [0, size).
func tapRange(base, dil, n, size int) (lo, hi int) {
	if base < 0 {
		lo = (-base + dil - 1) / dil
	}
	hi = n
	if last := size - 1 - base; last < 0 {
		hi = 0
	} else {
		hi = min(hi, last/dil+1)
	}
	lo = min(lo, n)
	return lo, max(lo, hi)
}
