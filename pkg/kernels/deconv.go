package kernels

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// ConvTransposeOutSize is the output extent of one spatial dim of a
// transposed convolution: (in-1)*stride + (k-1)*dilation + 1 - padBegin -
// padEnd. Negative pads grow the output (ONNX ConvTranspose's output_padding
// and output_shape are folded into them by the caller).
func ConvTransposeOutSize(in, k, stride, dilation, padBegin, padEnd int64) int64 {
	return (in-1)*stride + (k-1)*dilation + 1 - padBegin - padEnd
}

// ConvTranspose is the N-D transposed convolution (the gradient of Conv with
// respect to its input): x [N, C, spatial...], w [C, K/group, kernel...],
// optional bias [K]; out [N, K, outSpatial...] with ConvTransposeOutSize per
// dim. Pads may be negative (the output then extends past the taps, with
// only the bias there). Each (image, group) is one GEMM, W_g^T * X_g, into a
// column buffer that col2im scatters into the output. Float16 and bfloat16
// are computed in float32.
func ConvTranspose(x, w, bias *ir.Tensor, p ConvParams) (*ir.Tensor, error) {
	rank := len(x.Shape)
	if rank < 3 || len(w.Shape) != rank {
		return nil, fmt.Errorf("conv transpose needs x of rank >= 3 and w of the same rank, got %v and %v", ir.S(x.Shape...), ir.S(w.Shape...))
	}
	if x.DType != w.DType || (bias != nil && bias.DType != x.DType) {
		return nil, fmt.Errorf("conv transpose inputs differ in dtype")
	}
	nsp := rank - 2
	if err := p.fillSigned(nsp); err != nil {
		return nil, err
	}
	N, C, g := x.Shape[0], x.Shape[1], p.Group
	if g < 1 || C%g != 0 || w.Shape[0] != C {
		return nil, fmt.Errorf("conv transpose: %d input channels, weights %v do not fit group %d", C, ir.S(w.Shape...), g)
	}
	K := w.Shape[1] * g
	if bias != nil && (len(bias.Shape) != 1 || bias.Shape[0] != K) {
		return nil, fmt.Errorf("conv transpose bias %v does not match %d output channels", ir.S(bias.Shape...), K)
	}
	outShape := []int64{N, K}
	for i := 0; i < nsp; i++ {
		o := ConvTransposeOutSize(x.Shape[2+i], w.Shape[2+i], p.Strides[i], p.Dilations[i], p.PadsBegin[i], p.PadsEnd[i])
		if o < 0 {
			return nil, fmt.Errorf("conv transpose: spatial dim %d has negative output size %d", i, o)
		}
		outShape = append(outShape, o)
	}
	switch x.DType {
	case ir.Float16, ir.BFloat16:
		var b32 *ir.Tensor
		if bias != nil {
			b32 = ToFloat32(bias)
		}
		r, err := ConvTranspose(ToFloat32(x), ToFloat32(w), b32, p)
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
		deconvT(ir.View[float32](x), ir.View[float32](w), bv, ir.View[float32](out), x.Shape, w.Shape, outShape, p, Sgemm)
		return out, nil
	case ir.Float64:
		out := ir.NewTensor(ir.Float64, outShape)
		var bv []float64
		if bias != nil {
			bv = ir.View[float64](bias)
		}
		deconvT(ir.View[float64](x), ir.View[float64](w), bv, ir.View[float64](out), x.Shape, w.Shape, outShape, p, gemmGeneric[float64])
		return out, nil
	}
	return nil, fmt.Errorf("conv transpose of %v is not supported", x.DType)
}

// fillSigned is fill for transposed convolution, whose pads may be negative.
func (p *ConvParams) fillSigned(nsp int) error {
	pb, pe := p.PadsBegin, p.PadsEnd
	p.PadsBegin, p.PadsEnd = nil, nil
	if err := p.fill(nsp); err != nil {
		return err
	}
	if pb != nil {
		p.PadsBegin = pb
	}
	if pe != nil {
		p.PadsEnd = pe
	}
	if len(p.PadsBegin) != nsp || len(p.PadsEnd) != nsp {
		return fmt.Errorf("pads %v %v do not have %d entries", p.PadsBegin, p.PadsEnd, nsp)
	}
	return nil
}

func deconvT[T number](x, w, bias, out []T, xs, ws, os []int64, p ConvParams,
	gemm func(bool, bool, int, int, int, []T, int, []T, int, []T, int)) {
	N, C, g := int(xs[0]), int(xs[1]), int(p.Group)
	Cg, Kg := C/g, int(ws[1])
	K := Kg * g
	inSize := int(ir.Numel(xs[2:]))
	outSize := int(ir.Numel(os[2:]))
	ks := int(ir.Numel(ws[2:]))
	if outSize == 0 || N == 0 || K == 0 {
		return
	}
	for n := 0; n < N; n++ {
		for k := 0; k < K; k++ {
			o := out[(n*K+k)*outSize : (n*K+k+1)*outSize]
			if bias != nil {
				b := bias[k]
				for i := range o {
					o[i] = b
				}
			}
		}
	}
	if inSize == 0 || Cg == 0 {
		return
	}
	cols := make([]T, Kg*ks*inSize)
	for n := 0; n < N; n++ {
		for gi := 0; gi < g; gi++ {
			xg := x[(n*C+gi*Cg)*inSize : (n*C+gi*Cg+Cg)*inSize]
			wg := w[gi*Cg*Kg*ks : (gi+1)*Cg*Kg*ks]
			og := out[(n*K+gi*Kg)*outSize : (n*K+gi*Kg+Kg)*outSize]
			// cols [Kg*ks, inSize] = W_g^T [Kg*ks, Cg] * X_g [Cg, inSize].
			gemm(true, false, Kg*ks, inSize, Cg, wg, Kg*ks, xg, inSize, cols, inSize)
			if len(xs) <= 4 {
				col2im2D(cols, og, Kg, xs[2:], ws[2:], os[2:], p)
			} else {
				col2imND(cols, og, Kg, xs[2:], ws[2:], os[2:], p)
			}
		}
	}
}

// col2im2D adds cols [K*kh*kw, ih*iw] into out [K, oh, ow] (1-D or 2-D
// spatial): input position (y, x) with tap (ki, kj) lands on
// (y*sh - ph + ki*dh, x*sw - pw + kj*dw).
func col2im2D[T number](cols, out []T, K int, in, k, o []int64, p ConvParams) {
	ih, iw, kh, kw, oh, ow, sh, sw, dh, dw, ph, pw := dims2D(in, k, o, p)
	inSize, outSize := ih*iw, oh*ow
	row := 0
	for c := 0; c < K; c++ {
		oc := out[c*outSize : (c+1)*outSize]
		for ki := 0; ki < kh; ki++ {
			for kj := 0; kj < kw; kj++ {
				src := cols[row*inSize : (row+1)*inSize]
				row++
				ox0 := kj*dw - pw
				// Input columns whose output column lies inside the row.
				lo, hi := 0, iw
				if ox0 < 0 {
					lo = (-ox0 + sw - 1) / sw
				}
				if ox0+(iw-1)*sw >= ow {
					hi = 0
					if ow-1-ox0 >= 0 {
						hi = (ow-1-ox0)/sw + 1
					}
				}
				if lo >= hi {
					continue
				}
				for y := 0; y < ih; y++ {
					oy := y*sh - ph + ki*dh
					if oy < 0 || oy >= oh {
						continue
					}
					s := src[y*iw : (y+1)*iw]
					d := oc[oy*ow : (oy+1)*ow]
					if sw == 1 {
						dd := d[ox0+lo : ox0+hi]
						for i, v := range s[lo:hi] {
							dd[i] += v
						}
						continue
					}
					for xi := lo; xi < hi; xi++ {
						d[ox0+xi*sw] += s[xi]
					}
				}
			}
		}
	}
}

// col2imND is col2im for any number of spatial dims.
func col2imND[T number](cols, out []T, K int, in, k, o []int64, p ConvParams) {
	nsp := len(in)
	inSize, outSize, ks := int(ir.Numel(in)), int(ir.Numel(o)), int(ir.Numel(k))
	outStr := Strides(o)
	kidx := make([]int64, nsp)
	iidx := make([]int64, nsp)
	for c := 0; c < K; c++ {
		oc := out[c*outSize : (c+1)*outSize]
		for kk := 0; kk < ks; kk++ {
			rem := int64(kk)
			for d := nsp - 1; d >= 0; d-- {
				kidx[d] = rem % k[d]
				rem /= k[d]
			}
			src := cols[(c*ks+kk)*inSize : (c*ks+kk+1)*inSize]
			clear(iidx)
			for ii := range src {
				off, ok := int64(0), true
				for d := 0; d < nsp; d++ {
					oi := iidx[d]*p.Strides[d] - p.PadsBegin[d] + kidx[d]*p.Dilations[d]
					if oi < 0 || oi >= o[d] {
						ok = false
						break
					}
					off += oi * outStr[d]
				}
				if ok {
					oc[off] += src[ii]
				}
				for d := nsp - 1; d >= 0; d-- {
					iidx[d]++
					if iidx[d] < in[d] {
						break
					}
					iidx[d] = 0
				}
			}
		}
	}
}
