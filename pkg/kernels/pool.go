package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// PoolParams are a pooling window's geometry over the spatial dims. Out
// gives the output's spatial dims (callers derive them from ceil mode or
// auto padding with PoolOutSize and SamePads).
type PoolParams struct {
	Max                bool // else average
	Kernel, Strides    []int64
	Dilations          []int64 // nil: 1s
	PadsBegin, PadsEnd []int64 // nil: 0s
	Out                []int64
	// CountIncludePad divides averages by the number of taps inside the
	// padded input (ONNX count_include_pad=1, TensorRT
	// AverageCountExcludesPadding=false) instead of those inside the input.
	CountIncludePad bool
}

// PoolOutSize is one spatial dim's output extent. With ceil, a last window
// that would start past the input and its leading padding is dropped (as
// ONNX, PyTorch and TensorRT do).
func PoolOutSize(in, k, stride, dilation, padBegin, padEnd int64, ceil bool) int64 {
	span := in + padBegin + padEnd - ((k-1)*dilation + 1)
	if span < 0 {
		return 0
	}
	if !ceil {
		return span/stride + 1
	}
	out := (span+stride-1)/stride + 1
	if (out-1)*stride >= in+padBegin {
		out--
	}
	return out
}

// SamePads returns the begin and end padding of SAME_UPPER (extra at the
// end) or SAME_LOWER (extra at the beginning) auto padding, whose output is
// ceil(in/stride).
func SamePads(in, k, stride, dilation int64, lower bool) (begin, end int64) {
	out := (in + stride - 1) / stride
	total := max(0, (out-1)*stride+(k-1)*dilation+1-in)
	if lower {
		return total - total/2, total / 2
	}
	return total / 2, total - total/2
}

// Pool runs max or average pooling over x [N, C, spatial...]. For max
// pooling it can also return the flat index of each maximum in x (ONNX
// MaxPool's Indices, row-major, or with the spatial dims column-major when
// colMajor), computed when wantIndices.
func Pool(x *ir.Tensor, p PoolParams, wantIndices, colMajor bool) (*ir.Tensor, *ir.Tensor, error) {
	nsp := len(x.Shape) - 2
	if nsp < 1 {
		return nil, nil, fmt.Errorf("pooling needs rank >= 3, got %v", ir.S(x.Shape...))
	}
	cp := ConvParams{Strides: p.Strides, Dilations: p.Dilations, PadsBegin: p.PadsBegin, PadsEnd: p.PadsEnd}
	if err := cp.fill(nsp); err != nil {
		return nil, nil, err
	}
	if len(p.Kernel) != nsp || len(p.Out) != nsp {
		return nil, nil, fmt.Errorf("pooling kernel %v / output %v do not have %d spatial dims", p.Kernel, p.Out, nsp)
	}
	p.Strides, p.Dilations, p.PadsBegin, p.PadsEnd = cp.Strides, cp.Dilations, cp.PadsBegin, cp.PadsEnd
	outShape := append([]int64{x.Shape[0], x.Shape[1]}, p.Out...)
	if x.DType == ir.Float16 || x.DType == ir.BFloat16 {
		o, idx, err := Pool(ToFloat32(x), p, wantIndices, colMajor)
		if err != nil {
			return nil, nil, err
		}
		return FromFloat32(o, x.DType), idx, nil
	}
	if !p.Max && !x.DType.IsFloat() {
		return nil, nil, fmt.Errorf("average pooling of %v is not supported", x.DType)
	}
	out := ir.NewTensor(x.DType, outShape)
	var idx []int64
	var idxT *ir.Tensor
	if wantIndices {
		idxT = ir.NewTensor(ir.Int64, outShape)
		idx = ir.View[int64](idxT)
	}
	if ir.Numel(outShape) == 0 || ir.Numel(x.Shape) == 0 {
		// Nothing to pool: skip the tap tables, as long as the output's
		// spatial dims, which could be huge beside an empty one.
		return out, idxT, nil
	}
	g := newPoolGeom(x.Shape, p, colMajor)
	switch x.DType {
	case ir.Float32:
		if idx == nil && g.nsp == 2 {
			pool2DF32(ir.View[float32](x), ir.View[float32](out), g, p)
			break
		}
		poolT(ir.View[float32](x), ir.View[float32](out), idx, g, p, float32(math.Inf(-1)))
	case ir.Float64:
		poolT(ir.View[float64](x), ir.View[float64](out), idx, g, p, math.Inf(-1))
	case ir.Int8:
		poolT(ir.View[int8](x), ir.View[int8](out), idx, g, p, math.MinInt8)
	case ir.Uint8:
		poolT(ir.View[uint8](x), ir.View[uint8](out), idx, g, p, 0)
	case ir.Int32:
		poolT(ir.View[int32](x), ir.View[int32](out), idx, g, p, math.MinInt32)
	case ir.Int64:
		poolT(ir.View[int64](x), ir.View[int64](out), idx, g, p, math.MinInt64)
	default:
		return nil, nil, fmt.Errorf("pooling of %v is not supported", x.DType)
	}
	return out, idxT, nil
}

// poolGeom holds, per spatial dim and output position, the input positions
// of the taps that fall inside the input, and how many taps fall inside
// the padded input.
type poolGeom struct {
	nsp     int
	in, out []int64
	taps    [][][]int64 // taps[d][o] = input coords
	padded  [][]int64   // padded[d][o] = taps inside the padded input
	idxStr  []int64     // index strides for the Indices output
	inSize  int
	outSize int
}

func newPoolGeom(xs []int64, p PoolParams, colMajor bool) *poolGeom {
	nsp := len(xs) - 2
	g := &poolGeom{nsp: nsp, in: xs[2:], out: p.Out, inSize: int(ir.Numel(xs[2:])), outSize: int(ir.Numel(p.Out))}
	g.taps = make([][][]int64, nsp)
	g.padded = make([][]int64, nsp)
	for d := 0; d < nsp; d++ {
		g.taps[d] = make([][]int64, p.Out[d])
		g.padded[d] = make([]int64, p.Out[d])
		// Window o covers i = base + k*dilation for k < kernel. The taps
		// inside [lo, hi) are a range of k computed directly, so a huge
		// kernel over a small input costs no more than its taps.
		kRange := func(base, lo, hi int64) (int64, int64) {
			kmin := max(0, ceilDiv(lo-base, p.Dilations[d]))
			kmax := min(p.Kernel[d], ceilDiv(hi-base, p.Dilations[d]))
			return kmin, max(kmin, kmax)
		}
		for o := int64(0); o < p.Out[d]; o++ {
			base := o*p.Strides[d] - p.PadsBegin[d]
			a, b := kRange(base, -p.PadsBegin[d], g.in[d]+p.PadsEnd[d])
			g.padded[d][o] = b - a
			a, b = kRange(base, 0, g.in[d])
			for k := a; k < b; k++ {
				g.taps[d][o] = append(g.taps[d][o], base+k*p.Dilations[d])
			}
		}
	}
	g.idxStr = Strides(g.in)
	if colMajor {
		acc := int64(1)
		for d := 0; d < nsp; d++ {
			g.idxStr[d] = acc
			acc *= g.in[d]
		}
	}
	return g
}

func poolT[T number](x, out []T, idx []int64, g *poolGeom, p PoolParams, lowest T) {
	planes := len(x) / max(1, g.inSize)
	if g.inSize == 0 {
		planes = len(out) / max(1, g.outSize)
	}
	inStr := Strides(g.in)
	oidx := make([]int64, g.nsp)
	tidx := make([]int, g.nsp)
	lists := make([][]int64, 0, g.nsp)
	for pl := 0; pl < planes; pl++ {
		xp := x[pl*g.inSize : (pl+1)*g.inSize]
		op := out[pl*g.outSize : (pl+1)*g.outSize]
		clear(oidx)
		for oi := range op {
			lists = lists[:0]
			count, padded, empty := 1, int64(1), false
			for d := 0; d < g.nsp; d++ {
				l := g.taps[d][oidx[d]]
				lists = append(lists, l)
				count *= len(l)
				padded *= g.padded[d][oidx[d]]
				empty = empty || len(l) == 0
			}
			if p.Max {
				best, bestOff := lowest, int64(-1)
				if !empty {
					clear(tidx)
					for {
						off, ioff := int64(0), int64(0)
						for d := 0; d < g.nsp; d++ {
							c := lists[d][tidx[d]]
							off += c * inStr[d]
							ioff += c * g.idxStr[d]
						}
						// The first NaN wins and sticks.
						if v := xp[off]; bestOff < 0 || v > best || (v != v && best == best) {
							best, bestOff = v, ioff
						}
						if !nextTap(tidx, lists) {
							break
						}
					}
				}
				op[oi] = best
				if idx != nil {
					idx[pl*g.outSize+oi] = int64(pl*g.inSize) + max(bestOff, 0)
				}
			} else {
				var s T
				if !empty {
					clear(tidx)
					for {
						off := int64(0)
						for d := 0; d < g.nsp; d++ {
							off += lists[d][tidx[d]] * inStr[d]
						}
						s += xp[off]
						if !nextTap(tidx, lists) {
							break
						}
					}
				}
				div := T(count)
				if p.CountIncludePad {
					div = T(padded)
				}
				if div != 0 {
					op[oi] = s / div
				}
			}
			for d := g.nsp - 1; d >= 0; d-- {
				oidx[d]++
				if oidx[d] < g.out[d] {
					break
				}
				oidx[d] = 0
			}
		}
	}
}

// nextTap advances a multi-index over the tap lists; false when done.
func nextTap(t []int, lists [][]int64) bool {
	for d := len(t) - 1; d >= 0; d-- {
		t[d]++
		if t[d] < len(lists[d]) {
			return true
		}
		t[d] = 0
	}
	return false
}

// pool2DF32 is poolT for float32 over two spatial dims without indices:
// the same taps in the same order and the same arithmetic, with the window
// walked as rows and columns and the planes spread over threads.
func pool2DF32(x, out []float32, g *poolGeom, p PoolParams) {
	if g.outSize == 0 {
		return
	}
	planes := len(out) / g.outSize
	work := len(out) * int(p.Kernel[0]*p.Kernel[1])
	if work < 1<<20 || Threads() <= 1 {
		for pl := 0; pl < planes; pl++ {
			pool2DPlane(x, out, g, p.Max, p.CountIncludePad, pl)
		}
		return
	}
	isMax, incl := p.Max, p.CountIncludePad
	parallelFor(planes, Threads(), func(pl int) { pool2DPlane(x, out, g, isMax, incl, pl) })
}

// pool2DPlane pools plane pl of pool2DF32.
func pool2DPlane(x, out []float32, g *poolGeom, isMax, countIncludePad bool, pl int) {
	iw, oh, ow := int(g.in[1]), int(g.out[0]), int(g.out[1])
	xp := x[pl*g.inSize : (pl+1)*g.inSize]
	op := out[pl*g.outSize : (pl+1)*g.outSize]
	for oy := 0; oy < oh; oy++ {
		rows := g.taps[0][oy]
		orow := op[oy*ow : oy*ow+ow]
		if isMax {
			maxPoolRow(xp, orow, rows, g.taps[1], iw)
			continue
		}
		for ox := range orow {
			cols := g.taps[1][ox]
			var s float32
			for _, r := range rows {
				row := xp[int(r)*iw : int(r)*iw+iw]
				for _, c := range cols {
					s += row[c]
				}
			}
			div := float32(len(rows) * len(cols))
			if countIncludePad {
				div = float32(g.padded[0][oy] * g.padded[1][ox])
			}
			if div != 0 {
				orow[ox] = s / div
			} else {
				orow[ox] = 0
			}
		}
	}
}

// maxPoolRow computes one output row of a max pool: for each output column
// the first of its taps (rows outer, columns inner) that no later tap
// exceeds; the first NaN wins and sticks. An empty window gives -Inf.
//
// The plain maximum is computed first without data-dependent branches:
// the window's rows are folded column by column into one row, then each
// output takes the maximum of its columns there (independent operations,
// not one chain per output). It is the answer, bit for bit, unless it is a
// zero (the first zero in tap order decides the sign) or a NaN (the first
// NaN is kept): those outputs take the exact loop.
func maxPoolRow(xp, orow []float32, rows []int64, colTaps [][]int64, iw int) {
	lowest := float32(math.Inf(-1))
	var buf [512]float32
	if len(rows) == 0 || iw > len(buf) {
		for ox := range orow {
			orow[ox] = maxPoolExact(xp, rows, colTaps[ox], iw)
		}
		return
	}
	fold := buf[:iw]
	copy(fold, xp[int(rows[0])*iw:int(rows[0])*iw+iw])
	for _, r := range rows[1:] {
		row := xp[int(r)*iw : int(r)*iw+iw]
		row = row[:len(fold)]
		for c, v := range row {
			fold[c] = max(fold[c], v)
		}
	}
	for ox := range orow {
		m := lowest
		for _, c := range colTaps[ox] {
			m = max(m, fold[c])
		}
		if m != 0 && m == m {
			orow[ox] = m
			continue
		}
		orow[ox] = maxPoolExact(xp, rows, colTaps[ox], iw)
	}
}

// maxPoolExact is one output of maxPoolRow by the definition.
func maxPoolExact(xp []float32, rows, cols []int64, iw int) float32 {
	if len(rows) == 0 || len(cols) == 0 {
		return float32(math.Inf(-1))
	}
	best := xp[int(rows[0])*iw+int(cols[0])]
	for ri, r := range rows {
		row := xp[int(r)*iw : int(r)*iw+iw]
		cs := cols
		if ri == 0 {
			cs = cols[1:]
		}
		for _, c := range cs {
			// Replace unless v <= best; never once best is NaN.
			if v := row[c]; !(v <= best) && best == best {
				best = v
			}
		}
	}
	return best
}

// ceilDiv is ceil(a/b) for b > 0 and any a.
func ceilDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a > 0 {
		q++
	}
	return q
}
