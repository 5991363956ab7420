package reference

import (
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Shuffle and Slice in the memory plan. A shuffle with a transpose and a
// strict-bounds slice write fresh memory (into kernels: one strided copy);
// a shuffle that only reshapes is a view of its input, whose tensor header
// the run state reuses when no engine output can share it.

// nonIdentity reports a permutation that moves something.
func nonIdentity(perm []int) bool {
	for i, p := range perm {
		if p != i {
			return true
		}
	}
	return false
}

// freshLayer reports whether layer l's output is always new memory written
// by its into kernel.
func freshLayer(l *layer) bool {
	if len(l.Out) != 1 || intoKinds[l.Kind] == nil {
		return false
	}
	switch p := l.Params.(type) {
	case shuffleParams:
		return nonIdentity(p.FirstTranspose) || nonIdentity(p.SecondTranspose)
	case network.SliceParams:
		return p.Mode == network.SampleSTRICT_BOUNDS
	case gatherParams:
		return p.Mode == network.GatherDEFAULT
	}
	return true
}

// reshapeTo resolves reshape dims (0 copies the input dim with zeroPH,
// one -1 is inferred) into out; false when they do not fit in.
func reshapeTo(in, dims []int64, zeroPH bool, out []int64) bool {
	infer, known, total := -1, int64(1), ir.Numel(in)
	for i, d := range dims {
		switch {
		case d == 0 && zeroPH:
			if i >= len(in) {
				return false
			}
			d = in[i]
		case d == -1 && infer < 0:
			infer = i
			continue
		case d < 0:
			return false
		}
		out[i] = d
		known *= d
	}
	if infer >= 0 {
		if known == 0 || total%known != 0 {
			return false
		}
		out[infer] = total / known
		known *= out[infer]
	}
	return known == total
}

// shuffleDims gives the shape after the first transpose and the reshape
// (on the caller's stack); false when not covered.
func shuffleDims(p shuffleParams, in []*ir.Tensor, xs []int64, out *[8]int64) (int, bool) {
	var t [8]int64
	if len(xs) > 8 {
		return 0, false
	}
	copy(t[:], xs)
	if p.FirstTranspose != nil {
		if len(p.FirstTranspose) != len(xs) {
			return 0, false
		}
		for i, q := range p.FirstTranspose {
			if q < 0 || q >= len(xs) {
				return 0, false
			}
			t[i] = xs[q]
		}
	}
	cur := t[:len(xs)]
	var dims [8]int64
	var nd int
	switch {
	case p.DynamicReshape:
		if len(in) < 2 || in[1] == nil || len(in[1].Shape) != 1 || in[1].Shape[0] > 8 {
			return 0, false
		}
		nd = int(in[1].Shape[0])
		switch in[1].DType {
		case ir.Int64:
			copy(dims[:], ir.View[int64](in[1]))
		case ir.Int32:
			for i, v := range ir.View[int32](in[1]) {
				dims[i] = int64(v)
			}
		default:
			return 0, false
		}
	case p.StaticReshape:
		if len(p.Reshape) > 8 {
			return 0, false
		}
		nd = copy(dims[:], p.Reshape)
	default:
		return copy(out[:], cur), true
	}
	if !reshapeTo(cur, dims[:nd], p.ZeroIsPlaceholder, out[:nd]) {
		return 0, false
	}
	return nd, true
}

// intoShuffle runs a shuffle with one transpose as one strided copy; two
// transposes are left to the layer's kernel.
func intoShuffle(l *layer, in []*ir.Tensor, s *runState) (*ir.Tensor, bool, error) {
	p := l.Params.(shuffleParams)
	x := in[0]
	t1, t2 := nonIdentity(p.FirstTranspose), nonIdentity(p.SecondTranspose)
	if t1 == t2 || len(x.Shape) > 8 {
		return nil, false, nil
	}
	var mid [8]int64
	nd, ok := shuffleDims(p, in, x.Shape, &mid)
	if !ok {
		return nil, false, nil
	}
	var src, xst, dims, st [8]int64
	if t1 { // gather x through the first transpose; the result is reshaped
		r := len(x.Shape)
		stridesTo(x.Shape, xst[:r])
		for i, q := range p.FirstTranspose {
			dims[i], st[i] = x.Shape[q], xst[q]
		}
		out := s.out(x.DType, mid[:nd])
		return out, kernels.GatherInto(x, 0, dims[:r], st[:r], out), nil
	}
	// x reshaped to mid, then gathered through the second transpose.
	if len(p.SecondTranspose) != nd {
		return nil, false, nil
	}
	copy(src[:], mid[:nd])
	stridesTo(src[:nd], xst[:nd])
	for i, q := range p.SecondTranspose {
		if q < 0 || q >= nd {
			return nil, false, nil
		}
		dims[i], st[i] = src[q], xst[q]
	}
	out := s.out(x.DType, dims[:nd])
	return out, kernels.GatherInto(x, 0, dims[:nd], st[:nd], out), nil
}

// viewShuffle runs a shuffle without transposes as a view of its input,
// reusing the tensor header where no engine output can hold it.
func viewShuffle(l *layer, in []*ir.Tensor, s *runState) (*ir.Tensor, bool) {
	p := l.Params.(shuffleParams)
	if p.FirstTranspose != nil || p.SecondTranspose != nil || len(in[0].Shape) > 8 {
		return nil, false
	}
	var dims [8]int64
	nd, ok := shuffleDims(p, in, in[0].Shape, &dims)
	if !ok {
		return nil, false
	}
	id := l.Out[0]
	if !s.mp.local[id] {
		return in[0].Reshaped(dims[:nd]), true
	}
	h := &s.hdr[id]
	h.DType, h.Shape, h.Data = in[0].DType, append(h.Shape[:0], dims[:nd]...), in[0].Data
	return h, true
}

// stridesTo writes the row-major element strides of dims into st.
func stridesTo(dims, st []int64) {
	acc := int64(1)
	for i := len(dims) - 1; i >= 0; i-- {
		st[i] = acc
		acc *= dims[i]
	}
}

// intoSlice runs a strict-bounds slice with static parameters as one
// strided copy.
func intoSlice(l *layer, in []*ir.Tensor, s *runState) (*ir.Tensor, bool, error) {
	p := l.Params.(network.SliceParams)
	x := in[0]
	r := len(x.Shape)
	if p.Mode != network.SampleSTRICT_BOUNDS || r > 8 || len(p.Start) != r || len(p.Size) != r || (p.Stride != nil && len(p.Stride) != r) {
		return nil, false, nil
	}
	for _, t := range in[1:] {
		if t != nil {
			return nil, false, nil
		}
	}
	var xst, st [8]int64
	stridesTo(x.Shape, xst[:r])
	base, total := int64(0), int64(1)
	for d := 0; d < r; d++ {
		step := int64(1)
		if p.Stride != nil {
			step = p.Stride[d]
		}
		total *= p.Size[d]
		if p.Size[d] < 0 {
			return nil, false, nil
		}
		last := p.Start[d] + (p.Size[d]-1)*step
		if p.Start[d] < 0 || p.Start[d] >= x.Shape[d] || last < 0 || last >= x.Shape[d] {
			if p.Size[d] != 0 {
				return nil, false, nil // the kernel reports it
			}
		}
		base += p.Start[d] * xst[d]
		st[d] = step * xst[d]
	}
	out := s.out(x.DType, p.Size)
	if total == 0 {
		return out, true, nil
	}
	return out, kernels.GatherInto(x, base, p.Size, st[:r], out), nil
}

// intoReduce runs a float32 reduction over contiguous axes.
func intoReduce(l *layer, in []*ir.Tensor, s *runState) (*ir.Tensor, bool, error) {
	p := l.Params.(reduceParams)
	x := in[0]
	rank := len(x.Shape)
	op, known := reduceKernel[p.Op]
	if !known || x.DType != ir.Float32 || rank == 0 || rank > 8 {
		return nil, false, nil
	}
	lo, hi := -1, -1
	var shape [8]int64
	n := 0
	for d := 0; d < rank; d++ {
		if p.Axes&(1<<d) == 0 {
			shape[n] = x.Shape[d]
			n++
			continue
		}
		if lo < 0 {
			lo = d
		} else if hi != d-1 {
			return nil, false, nil // not contiguous
		}
		hi = d
		if p.KeepDims {
			shape[n] = 1
			n++
		}
	}
	if lo < 0 {
		return nil, false, nil
	}
	out := s.out(ir.Float32, shape[:n])
	return out, kernels.ReduceInto(x, op, lo, hi, out), nil
}

// intoPool runs a float32 2-D max or average pooling through a plan of its
// geometry kept in the run state for the input shape.
func intoPool(l *layer, in []*ir.Tensor, s *runState) (*ir.Tensor, bool, error) {
	p := l.Params.(network.PoolingParams)
	x := in[0]
	if x.DType != ir.Float32 || len(x.Shape) != 4 || (p.Type != network.PoolingMAX && p.Type != network.PoolingAVERAGE) {
		return nil, false, nil
	}
	pp := s.pools[l]
	if pp == nil || !pp.Matches(x.Shape) {
		pre, post, stride, out, err := poolGeometry(p, x.Shape[2:])
		if err != nil {
			return nil, false, nil // the layer reports it
		}
		kp := kernels.PoolParams{Max: p.Type == network.PoolingMAX, Kernel: p.WindowSize, Strides: stride, PadsBegin: pre, PadsEnd: post, Out: out,
			CountIncludePad: !p.AverageCountExcludesPadding}
		if pp, err = kernels.NewPoolPlan(x.Shape, kp); pp == nil || err != nil {
			return nil, false, nil
		}
		if s.pools == nil {
			s.pools = map[*layer]*kernels.PoolPlan{}
		}
		s.pools[l] = pp
	}
	out := s.out(ir.Float32, pp.OutShape())
	return out, pp.Run(x, out), nil
}

// intoGather runs a DEFAULT-mode gather whose indices are all in range (the
// layer's kernel handles negative and out-of-bounds ones).
func intoGather(l *layer, in []*ir.Tensor, s *runState) (*ir.Tensor, bool, error) {
	p := l.Params.(gatherParams)
	data, idx := in[0], in[1]
	r, q := len(data.Shape), len(idx.Shape)
	if p.Mode != network.GatherDEFAULT || p.Axis < 0 || p.Axis >= r || r-1+q > 8 {
		return nil, false, nil
	}
	var shape [8]int64
	n := copy(shape[:], data.Shape[:p.Axis])
	n += copy(shape[n:], idx.Shape)
	n += copy(shape[n:], data.Shape[p.Axis+1:])
	out := s.out(data.DType, shape[:n])
	return out, kernels.GatherAxisInto(data, idx, p.Axis, out), nil
}
