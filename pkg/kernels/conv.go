package kernels

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// ConvParams are a convolution's geometry over the spatial dims: one entry
// per spatial dim in each slice (nil means stride 1, dilation 1, pad 0).
type ConvParams struct {
	Strides, Dilations []int64
	PadsBegin, PadsEnd []int64
	Group              int64
}

// ConvOutSize is the output extent of one spatial dim (floor rounding).
func ConvOutSize(in, k, stride, dilation, padBegin, padEnd int64) int64 {
	return (in+padBegin+padEnd-((k-1)*dilation+1))/stride + 1
}

func (p *ConvParams) fill(nsp int) error {
	def := func(s []int64, v int64, name string) ([]int64, error) {
		if s == nil {
			s = make([]int64, nsp)
			for i := range s {
				s[i] = v
			}
		}
		if len(s) != nsp {
			return nil, fmt.Errorf("%s has %d entries for %d spatial dims", name, len(s), nsp)
		}
		return s, nil
	}
	var err error
	if p.Strides, err = def(p.Strides, 1, "strides"); err != nil {
		return err
	}
	if p.Dilations, err = def(p.Dilations, 1, "dilations"); err != nil {
		return err
	}
	if p.PadsBegin, err = def(p.PadsBegin, 0, "pads"); err != nil {
		return err
	}
	if p.PadsEnd, err = def(p.PadsEnd, 0, "pads"); err != nil {
		return err
	}
	for i := 0; i < nsp; i++ {
		if p.Strides[i] < 1 || p.Dilations[i] < 1 || p.PadsBegin[i] < 0 || p.PadsEnd[i] < 0 {
			return fmt.Errorf("bad geometry: strides %v dilations %v pads %v %v", p.Strides, p.Dilations, p.PadsBegin, p.PadsEnd)
		}
	}
	if p.Group == 0 {
		p.Group = 1
	}
	return nil
}

// Conv is an N-D cross-correlation: x [N, C, spatial...], w [K, C/group,
// kernel...], optional bias [K]; out [N, K, outSpatial...]. Float32 runs
// im2col plus the blocked SGEMM per (image, group), with a direct path for
// 2-D depthwise convolution; float64 uses the generic GEMM; float16 and
// bfloat16 are computed in float32.
func Conv(x, w, bias *ir.Tensor, p ConvParams) (*ir.Tensor, error) {
	rank := len(x.Shape)
	if rank < 3 || len(w.Shape) != rank {
		return nil, fmt.Errorf("conv needs x of rank >= 3 and w of the same rank, got %v and %v", ir.S(x.Shape...), ir.S(w.Shape...))
	}
	if x.DType != w.DType || (bias != nil && bias.DType != x.DType) {
		return nil, fmt.Errorf("conv inputs differ in dtype")
	}
	nsp := rank - 2
	if err := p.fill(nsp); err != nil {
		return nil, err
	}
	N, C, K := x.Shape[0], x.Shape[1], w.Shape[0]
	g := p.Group
	if g < 1 || C%g != 0 || K%g != 0 || w.Shape[1] != C/g {
		return nil, fmt.Errorf("conv: %d input channels, %d output channels, weights %v do not fit group %d", C, K, ir.S(w.Shape...), g)
	}
	if bias != nil && (len(bias.Shape) != 1 || bias.Shape[0] != K) {
		return nil, fmt.Errorf("conv bias %v does not match %d output channels", ir.S(bias.Shape...), K)
	}
	outShape := []int64{N, K}
	for i := 0; i < nsp; i++ {
		o := ConvOutSize(x.Shape[2+i], w.Shape[2+i], p.Strides[i], p.Dilations[i], p.PadsBegin[i], p.PadsEnd[i])
		if o < 0 {
			o = 0
		}
		outShape = append(outShape, o)
	}
	switch x.DType {
	case ir.Float16, ir.BFloat16:
		var b32 *ir.Tensor
		if bias != nil {
			b32 = ToFloat32(bias)
		}
		r, err := Conv(ToFloat32(x), ToFloat32(w), b32, p)
		if err != nil {
			return nil, err
		}
		return FromFloat32(r, x.DType), nil
	case ir.Float32:
		out := ir.NewTensor(ir.Float32, outShape)
		var bv []float32
		if bias != nil {
			bv = ir.View[float32](bias)
		}
		convT(ir.View[float32](x), ir.View[float32](w), bv, ir.View[float32](out), x.Shape, w.Shape, outShape, p, Sgemm)
		return out, nil
	case ir.Float64:
		out := ir.NewTensor(ir.Float64, outShape)
		var bv []float64
		if bias != nil {
			bv = ir.View[float64](bias)
		}
		convT(ir.View[float64](x), ir.View[float64](w), bv, ir.View[float64](out), x.Shape, w.Shape, outShape, p, gemmGeneric[float64])
		return out, nil
	}
	return nil, fmt.Errorf("conv of %v is not supported", x.DType)
}

func convT[T number](x, w, bias, out []T, xs, ws, os []int64, p ConvParams,
	gemm func(bool, bool, int, int, int, []T, int, []T, int, []T, int)) {
	N, C, K, g := int(xs[0]), int(xs[1]), int(ws[0]), int(p.Group)
	Cg, Kg := C/g, K/g
	inSize := int(ir.Numel(xs[2:]))
	outSize := int(ir.Numel(os[2:]))
	ks := int(ir.Numel(ws[2:]))
	if outSize == 0 || N == 0 || K == 0 {
		return
	}
	// 1x1, stride 1, no padding: the input is already the column matrix.
	pointwise := ks == 1 && inSize == outSize
	for i := range p.Strides {
		pointwise = pointwise && p.Strides[i] == 1 && p.PadsBegin[i] == 0
	}
	depthwise := Cg == 1 && Kg == 1 && len(xs) <= 4
	var cols []T
	if !pointwise && !depthwise {
		cols = make([]T, Cg*ks*outSize)
	}
	for n := 0; n < N; n++ {
		for gi := 0; gi < g; gi++ {
			xg := x[(n*C+gi*Cg)*inSize : (n*C+gi*Cg+Cg)*inSize]
			og := out[(n*K+gi*Kg)*outSize : (n*K+gi*Kg+Kg)*outSize]
			wg := w[gi*Kg*Cg*ks : (gi+1)*Kg*Cg*ks]
			switch {
			case depthwise:
				depthwise2D(xg, wg, og, xs[2:], ws[2:], os[2:], p)
			case pointwise:
				gemm(false, false, Kg, outSize, Cg, wg, Cg, xg, outSize, og, outSize)
			default:
				if len(xs) <= 4 {
					im2col2D(xg, cols, Cg, xs[2:], ws[2:], os[2:], p)
				} else {
					im2colND(xg, cols, Cg, xs[2:], ws[2:], os[2:], p)
				}
				gemm(false, false, Kg, outSize, Cg*ks, wg, Cg*ks, cols, outSize, og, outSize)
			}
		}
		if bias != nil {
			for k := 0; k < K; k++ {
				b := bias[k]
				o := out[(n*K+k)*outSize : (n*K+k+1)*outSize]
				for i := range o {
					o[i] += b
				}
			}
		}
	}
}

// dims2D views 1-D geometry as 2-D with a unit leading dim.
func dims2D(in, k, o []int64, p ConvParams) (ih, iw, kh, kw, oh, ow, sh, sw, dh, dw, ph, pw int) {
	if len(in) == 1 {
		return 1, int(in[0]), 1, int(k[0]), 1, int(o[0]), 1, int(p.Strides[0]), 1, int(p.Dilations[0]), 0, int(p.PadsBegin[0])
	}
	return int(in[0]), int(in[1]), int(k[0]), int(k[1]), int(o[0]), int(o[1]),
		int(p.Strides[0]), int(p.Strides[1]), int(p.Dilations[0]), int(p.Dilations[1]), int(p.PadsBegin[0]), int(p.PadsBegin[1])
}

// im2col2D fills cols [C*kh*kw, oh*ow] from one image's C channels (1-D or
// 2-D spatial); out-of-range taps are zero.
func im2col2D[T number](x, cols []T, C int, in, k, o []int64, p ConvParams) {
	ih, iw, kh, kw, oh, ow, sh, sw, dh, dw, ph, pw := dims2D(in, k, o, p)
	outSize := oh * ow
	row := 0
	for c := 0; c < C; c++ {
		xc := x[c*ih*iw : (c+1)*ih*iw]
		for ki := 0; ki < kh; ki++ {
			for kj := 0; kj < kw; kj++ {
				dst := cols[row*outSize : (row+1)*outSize]
				row++
				if sh == 1 && sw == 1 && ow == iw {
					im2colPlane(xc, dst, ih, iw, oh, ki*dh-ph, kj*dw-pw)
					continue
				}
				for y := 0; y < oh; y++ {
					iy := y*sh - ph + ki*dh
					d := dst[y*ow : (y+1)*ow]
					if iy < 0 || iy >= ih {
						clear(d)
						continue
					}
					src := xc[iy*iw : (iy+1)*iw]
					ix0 := kj*dw - pw
					if sw == 1 && ix0 >= 0 && ix0+ow <= iw {
						copy(d, src[ix0:ix0+ow])
						continue
					}
					// Columns [lo, hi) read inside the row; the rest
					// are padding.
					lo, hi := colRange(ix0, sw, iw, ow)
					clear(d[:lo])
					clear(d[hi:])
					if sw == 1 {
						if lo < hi {
							copy(d[lo:hi], src[ix0+lo:ix0+hi])
						}
						continue
					}
					if lo < hi {
						// The taps as one span of the row, read at stride sw.
						dd, ss := d[lo:hi], src[ix0+lo*sw:ix0+(hi-1)*sw+1]
						for k := range dd {
							dd[k] = ss[k*sw]
						}
					}
				}
			}
		}
	}
}

// im2colPlane is one im2col row of a stride-1 convolution whose output rows
// are as wide as the input's (a "same" convolution): output (y, x) reads
// input (y+dy, x+dx), so the valid rows are one contiguous copy of the
// input shifted by dy*iw+dx, after which the columns that wrapped around
// a row's end are zeroed, as are the rows outside the input.
func im2colPlane[T number](xc, dst []T, ih, iw, oh, dy, dx int) {
	ow := iw
	ylo, yhi := max(0, -dy), min(oh, ih-dy)
	if ylo >= yhi {
		clear(dst)
		return
	}
	clear(dst[:ylo*ow])
	clear(dst[yhi*ow:])
	d := dst[ylo*ow : yhi*ow]
	s0 := (ylo+dy)*iw + dx
	a, b := max(0, -s0), min(len(d), len(xc)-s0)
	clear(d[:a])
	if b < len(d) {
		clear(d[max(a, b):])
	}
	if a < b {
		copy(d[a:b], xc[s0+a:s0+b])
	}
	if lo, hi := colRange(dx, 1, iw, ow); lo > 0 || hi < ow {
		for r := 0; r < yhi-ylo; r++ {
			clear(d[r*ow : r*ow+lo])
			clear(d[r*ow+hi : (r+1)*ow])
		}
	}
}

// colRange is the range [lo, hi) of output columns xo in [0, ow) whose
// input column ix0 + xo*sw lies in [0, iw).
func colRange(ix0, sw, iw, ow int) (lo, hi int) {
	if ix0 < 0 {
		lo = (-ix0 + sw - 1) / sw
	}
	hi = ow
	if last := iw - 1 - ix0; last < 0 {
		hi = 0
	} else {
		hi = min(hi, last/sw+1)
	}
	lo = min(lo, ow)
	return lo, max(lo, hi)
}

// im2colND is im2col for any number of spatial dims.
func im2colND[T number](x, cols []T, C int, in, k, o []int64, p ConvParams) {
	nsp := len(in)
	inSize := int(ir.Numel(in))
	outSize := int(ir.Numel(o))
	ks := int(ir.Numel(k))
	inStr := Strides(in)
	kidx := make([]int64, nsp)
	oidx := make([]int64, nsp)
	for c := 0; c < C; c++ {
		xc := x[c*inSize : (c+1)*inSize]
		for kk := 0; kk < ks; kk++ {
			rem := int64(kk)
			for d := nsp - 1; d >= 0; d-- {
				kidx[d] = rem % k[d]
				rem /= k[d]
			}
			dst := cols[(c*ks+kk)*outSize : (c*ks+kk+1)*outSize]
			clear(oidx)
			for oi := range dst {
				off, ok := int64(0), true
				for d := 0; d < nsp; d++ {
					ii := oidx[d]*p.Strides[d] - p.PadsBegin[d] + kidx[d]*p.Dilations[d]
					if ii < 0 || ii >= in[d] {
						ok = false
						break
					}
					off += ii * inStr[d]
				}
				if ok {
					dst[oi] = xc[off]
				} else {
					dst[oi] = 0
				}
				for d := nsp - 1; d >= 0; d-- {
					oidx[d]++
					if oidx[d] < o[d] {
						break
					}
					oidx[d] = 0
				}
			}
		}
	}
}

// depthwise2D convolves each channel with its own filter directly (one input
// and one output channel per group), 1-D or 2-D.
func depthwise2D[T number](x, w, out []T, in, k, o []int64, p ConvParams) {
	ih, iw, kh, kw, oh, ow, sh, sw, dh, dw, ph, pw := dims2D(in, k, o, p)
	for y := 0; y < oh; y++ {
		d := out[y*ow : (y+1)*ow]
		clear(d)
		for ki := 0; ki < kh; ki++ {
			iy := y*sh - ph + ki*dh
			if iy < 0 || iy >= ih {
				continue
			}
			src := x[iy*iw : (iy+1)*iw]
			for kj := 0; kj < kw; kj++ {
				wv := w[ki*kw+kj]
				ix0 := kj*dw - pw
				lo, hi := tapColumns(ix0, sw, ow, iw)
				for xo := lo; xo < hi; xo++ {
					d[xo] += wv * src[ix0+xo*sw]
				}
			}
		}
	}
}

// tapColumns is the range [lo, hi) of output columns xo whose tap
// ix0 + xo*sw lands inside a row of width iw, for ow output columns.
func tapColumns(ix0, sw, ow, iw int) (lo, hi int) {
	lo, hi = 0, ow
	if ix0 < 0 {
		lo = (-ix0 + sw - 1) / sw
	}
	if last := ix0 + (ow-1)*sw; last >= iw {
		hi = (iw-1-ix0)/sw + 1
		if iw-1-ix0 < 0 {
			hi = 0
		}
	}
	return lo, hi
}
