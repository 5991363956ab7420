package reference

import (
	"fmt"
	"slices"
	"sort"
	"unsafe"

	"github.com/trtc-dev/trtc/internal/sizes"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// The memory plan. At load the engine
//
//   - evaluates once the layers whose inputs are all constants (weights
//     reshaped or transposed for a MatMul, a LayerNorm's scale made rank-3):
//     their steps are skipped at run time;
//   - gives every tensor that a step writes through an into kernel (the
//     prepared convolutions and the layers of intoKinds, freshLayer) a
//     place in one arena, by liveness: a place is reused by a later tensor
//     once every reader of the earlier one has run.
//
// A layer that runs through its allocating kernel may return a view of its
// input (a reshape, an identity): its outputs and inputs share one memory
// group, which lives until the last reader of any member, and no member of
// a group holding an engine output is placed in the arena (the caller keeps
// outputs). The arena's layout depends on the tensors' sizes, which dynamic
// shapes change: each run records the byte size every arena tensor needed,
// and a run in which one did not fit its place (the first run, or new input
// shapes) allocated those tensors normally and lays the arena out again
// afterwards, so that the next run with those shapes allocates nothing.
// Concurrent runs each take their own run state (arena included).

// intoFunc runs a layer writing its single output through s.out; ok false
// means it does not cover these inputs and the layer's run function runs.
type intoFunc func(l *layer, in []*ir.Tensor, s *runState) (t *ir.Tensor, ok bool, err error)

// intoKinds are the layer kinds with an into kernel. The layers of them
// that freshLayer accepts always write fresh memory, never a view of an
// input, whether the into kernel or the layer's run function computes them.
var intoKinds = map[network.LayerKind]intoFunc{
	network.KindElementWise:    intoElementWise,
	network.KindActivation:     intoActivation,
	network.KindUnary:          intoUnary,
	network.KindSoftMax:        intoSoftMax,
	network.KindNormalization:  intoNorm,
	network.KindMatrixMultiply: intoMatMul,
	network.KindShuffle:        intoShuffle,
	network.KindSlice:          intoSlice,
	network.KindReduce:         intoReduce,
	network.KindPooling:        intoPool,
	network.KindSelect:         intoSelect,
	network.KindGather:         intoGather,
}

// memPlan is what the engine derives at load for the arena.
type memPlan struct {
	// consts holds the tensors evaluated at load (nil for the others).
	consts []*ir.Tensor
	// skip marks steps whose layers all were evaluated at load.
	skip []bool
	// arena marks the tensors that may live in the arena; defAt and endAt
	// list them by the step that writes them and the last step that needs
	// their memory.
	arena        []bool
	defAt, endAt [][]int
	// local marks the tensors whose memory group holds no engine output:
	// their headers may be reused from run to run.
	local []bool
	// frees lists, per step, the tensors to drop after it.
	frees [][]int
}

// planMemory derives the memory plan of steps. With opt false nothing is
// evaluated at load and nothing lives in the arena (the baseline plan).
func planMemory(p *plan, steps []step, opt bool) *memPlan {
	nt := len(p.Tensors)
	mp := &memPlan{consts: make([]*ir.Tensor, nt), skip: make([]bool, len(steps)), arena: make([]bool, nt),
		defAt: make([][]int, len(steps)), endAt: make([][]int, len(steps)), frees: make([][]int, len(steps))}
	isOutput := make([]bool, nt)
	for _, id := range p.Outputs {
		isOutput[id] = true
	}
	if opt {
		mp.foldConstants(p, steps, isOutput)
	}
	// Memory groups: union-find over tensor ids.
	parent := make([]int, nt)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	fresh := func(st step) bool {
		return st.conv != nil || freshLayer(p.Layers[st.layers[0]])
	}
	def := make([]int, nt)
	for i := range def {
		def[i] = -1
	}
	for si, st := range steps {
		if mp.skip[si] {
			continue
		}
		if opt && fresh(st) {
			out := p.Layers[st.layers[len(st.layers)-1]].Out[0]
			if st.conv != nil {
				out = st.conv.out
			}
			def[out] = si
			continue
		}
		for _, li := range st.layers {
			l := p.Layers[li]
			for _, o := range l.Out {
				for _, in := range l.In {
					if in >= 0 {
						parent[find(o)] = find(in)
					}
				}
			}
		}
	}
	last := make([]int, nt)
	for i := range last {
		last[i] = -1
	}
	for si, st := range steps {
		if mp.skip[si] {
			continue
		}
		for _, li := range st.layers {
			for _, id := range p.Layers[li].In {
				if id >= 0 && mp.consts[id] == nil {
					last[id] = si
				}
			}
		}
	}
	for _, id := range p.Outputs {
		last[id] = len(steps)
	}
	for id, si := range last {
		if si >= 0 && si < len(steps) {
			mp.frees[si] = append(mp.frees[si], id)
		}
	}
	if !opt {
		return mp
	}
	groupEnd := make([]int, nt)
	for i := range groupEnd {
		groupEnd[i] = -1
	}
	for id := range last {
		g := find(id)
		e := max(last[id], def[id])
		if isOutput[id] {
			e = len(steps)
		}
		groupEnd[g] = max(groupEnd[g], e)
	}
	mp.local = make([]bool, nt)
	for id := range mp.local {
		mp.local[id] = groupEnd[find(id)] < len(steps)
	}
	for id := range def {
		si := def[id]
		if si < 0 {
			continue
		}
		end := groupEnd[find(id)]
		if end >= len(steps) {
			continue // shares memory with an engine output
		}
		mp.arena[id] = true
		mp.defAt[si] = append(mp.defAt[si], id)
		mp.endAt[end] = append(mp.endAt[end], id)
	}
	return mp
}

// foldConstants evaluates at load the layers whose inputs are all known
// (constants, or layers evaluated before them), except random fills,
// plugins and layers that write an engine output; a layer that fails here
// is left to fail at run time, naming itself.
func (mp *memPlan) foldConstants(p *plan, steps []step, isOutput []bool) {
	for si, st := range steps {
		if st.conv != nil {
			continue
		}
		all := true
		for _, li := range st.layers {
			l := p.Layers[li]
			if kinds[l.Kind].noFold || l.Kind == network.KindPluginV3 || !mp.foldLayer(p, l, isOutput) {
				all = false
				break
			}
		}
		mp.skip[si] = all
	}
}

func (mp *memPlan) foldLayer(p *plan, l *layer, isOutput []bool) bool {
	in := make([]*ir.Tensor, len(l.In))
	for i, id := range l.In {
		if id < 0 {
			continue
		}
		if in[i] = mp.consts[id]; in[i] == nil {
			return false
		}
	}
	for _, id := range l.Out {
		if isOutput[id] {
			return false
		}
	}
	// Outputs over foldLimit (or of unknown size) are left to run time,
	// before computing them.
	size := int64(0)
	for _, id := range l.Out {
		t := p.Tensors[id]
		dims, ok := t.Shape.Ints()
		if !ok {
			return false
		}
		n, err := ir.ByteSize("", t.DType, dims)
		if err != nil {
			return false
		}
		if size += n; size > foldLimit {
			return false
		}
	}
	out, err := runKind(l, in)
	if err != nil || len(out) != len(l.Out) {
		return false
	}
	for _, t := range out {
		if t == nil {
			return false
		}
	}
	for i, id := range l.Out {
		mp.consts[id] = out[i]
	}
	return true
}

// runState is one run's working memory, kept by the engine between runs.
type runState struct {
	vals []*ir.Tensor
	// ins[li] is layer li's input slice.
	ins [][]*ir.Tensor
	// arena and, per tensor id, its offset there (-1: none) and the byte
	// size laid out for it; need is the size the current run asked for.
	arena []byte
	off   []int
	size  []int
	need  []int
	hdr   []ir.Tensor
	dirty bool
	// cur is the tensor the running into step writes.
	cur int
	mp  *memPlan
	// stats is scratch for normalization statistics.
	stats []float64
	// pools keeps each pooling layer's geometry for its last input shape.
	pools map[*layer]*kernels.PoolPlan
}

func newRunState(p *plan, mp *memPlan) *runState {
	nt := len(p.Tensors)
	s := &runState{vals: make([]*ir.Tensor, nt), ins: make([][]*ir.Tensor, len(p.Layers)), off: make([]int, nt),
		size: make([]int, nt), need: make([]int, nt), hdr: make([]ir.Tensor, nt), mp: mp}
	for li, l := range p.Layers {
		s.ins[li] = make([]*ir.Tensor, len(l.In))
	}
	for i := range s.off {
		s.off[i], s.need[i] = -1, -1
	}
	return s
}

// out returns the output tensor of dtype dt and shape for the running into
// step: its arena place when it has one of that size, else a new tensor
// (and the arena is laid out again after the run). A new tensor over the
// memory budget panics with a *sizes.Error, as ir.NewTensor does.
func (s *runState) out(dt ir.DType, shape []int64) *ir.Tensor {
	id := s.cur
	if id >= 0 && s.mp.arena[id] {
		// The byte size, computed without overflow against the place.
		n, fits := dt.Size(), true
		for _, d := range shape {
			if d < 0 || (d > 0 && n > s.size[id]/int(d)) {
				fits = false
				break
			}
			n *= int(d)
		}
		if o := s.off[id]; fits && o >= 0 && n <= s.size[id] {
			s.need[id] = n
			h := &s.hdr[id]
			h.DType, h.Shape, h.Data = dt, append(h.Shape[:0], shape...), s.arena[o:o+n:o+n]
			return h
		}
	}
	// A copy of shape goes to the checks and the new tensor: shape itself
	// (often on the caller's stack) must not escape.
	shp := slices.Clone(shape)
	n, err := sizes.Alloc("", shp, dt.Size(), dt.String())
	if err != nil {
		panic(err)
	}
	if id >= 0 && s.mp.arena[id] {
		s.need[id], s.dirty = int(n), true
	}
	return ir.NewTensor(dt, shp)
}

// layout places the arena tensors by the sizes the last run needed: in
// step order, each takes the smallest free place that fits it, or a new
// one at the end; places come free after the last step that needs them.
func (s *runState) layout() {
	type place struct{ off, size int }
	var free []place // sorted by size
	total := 0
	for i := range s.off {
		s.off[i], s.size[i] = -1, 0
	}
	for si := range s.mp.defAt {
		for _, id := range s.mp.defAt[si] {
			n := s.need[id]
			if n <= 0 {
				continue
			}
			n = (n + 63) &^ 63
			j := sort.Search(len(free), func(j int) bool { return free[j].size >= n })
			if j < len(free) {
				s.off[id], s.size[id] = free[j].off, free[j].size
				free = append(free[:j], free[j+1:]...)
				continue
			}
			s.off[id], s.size[id] = total, n
			total += n
		}
		for _, id := range s.mp.endAt[si] {
			if s.off[id] < 0 {
				continue
			}
			pl := place{s.off[id], s.size[id]}
			j := sort.Search(len(free), func(j int) bool { return free[j].size >= pl.size })
			free = slices.Insert(free, j, pl)
		}
	}
	if total > len(s.arena) {
		words := make([]uint64, (total+7)/8)
		s.arena = unsafeBytes(words, total)
	}
	s.dirty = false
}

// arenaBytes is the arena's size in bytes.
func (s *runState) arenaBytes() int { return len(s.arena) }

// runInto runs an into step; the error names the layer.
func (e *Engine) runInto(f intoFunc, l *layer, in []*ir.Tensor, s *runState) (t *ir.Tensor, ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			se, isSize := r.(*sizes.Error)
			if !isSize {
				panic(r)
			}
			t, ok, err = nil, true, fmt.Errorf("layer %s: %w", l.Name, se)
		}
	}()
	t, ok, err = f(l, in, s)
	if err != nil {
		err = fmt.Errorf("layer %s: %w", l.Name, err)
	}
	return t, ok, err
}

// The into kernels of the layer kinds; each computes the output shape on
// the stack and covers float32 only.

func intoElementWise(l *layer, in []*ir.Tensor, s *runState) (*ir.Tensor, bool, error) {
	a, b := in[0], in[1]
	op := elementWiseKernel[l.Params.(elementWiseParams).Op]
	if a.DType != b.DType || len(a.Shape) != len(b.Shape) || len(a.Shape) > 8 || op.IsLogical() {
		return nil, false, nil
	}
	switch a.DType {
	case ir.Float32, ir.Float64, ir.Int32, ir.Int64:
	default:
		return nil, false, nil
	}
	switch op {
	case kernels.OpAdd, kernels.OpSub, kernels.OpMul, kernels.OpDiv, kernels.OpMax, kernels.OpMin:
	case kernels.OpFloorDiv:
		if a.DType == ir.Float32 {
			return nil, false, nil
		}
	default:
		if !op.IsCompare() {
			return nil, false, nil
		}
	}
	var shape [8]int64
	if !broadcastShape(a.Shape, b.Shape, shape[:len(a.Shape)]) {
		return nil, false, nil // the kernel reports it
	}
	dt := a.DType
	if op.IsCompare() {
		dt = ir.Bool
	}
	out := s.out(dt, shape[:len(a.Shape)])
	ok, err := kernels.BinaryInto(op, a, b, out)
	return out, ok, err
}

// broadcastShape writes the broadcast of equal-rank shapes a and b into
// out; false when they do not broadcast.
func broadcastShape(a, b, out []int64) bool {
	for i := range a {
		x, y := a[i], b[i]
		switch {
		case x == y || y == 1:
			out[i] = x
		case x == 1:
			out[i] = y
		default:
			return false
		}
	}
	return true
}

// intoSelect runs a select (where) whose three inputs have one rank.
func intoSelect(l *layer, in []*ir.Tensor, s *runState) (*ir.Tensor, bool, error) {
	c, a, b := in[0], in[1], in[2]
	r := len(c.Shape)
	if r > 8 || len(a.Shape) != r || len(b.Shape) != r || c.DType != ir.Bool || a.DType != b.DType {
		return nil, false, nil
	}
	var shape [8]int64
	if !broadcastShape(c.Shape, a.Shape, shape[:r]) || !broadcastShape(shape[:r], b.Shape, shape[:r]) {
		return nil, false, nil
	}
	out := s.out(a.DType, shape[:r])
	ok, err := kernels.WhereInto(c, a, b, out)
	return out, ok, err
}

func intoActivation(l *layer, in []*ir.Tensor, s *runState) (*ir.Tensor, bool, error) {
	p := l.Params.(network.ActivationParams)
	op, known := activationKernel[p.Type]
	if !known || in[0].DType != ir.Float32 {
		return nil, false, nil
	}
	out := s.out(ir.Float32, in[0].Shape)
	return out, kernels.ActivationInto(op, in[0], out, float64(p.Alpha), float64(p.Beta)), nil
}

func intoUnary(l *layer, in []*ir.Tensor, s *runState) (*ir.Tensor, bool, error) {
	op, known := unaryKernel[l.Params.(unaryParams).Op]
	if !known || in[0].DType != ir.Float32 || op == kernels.UnaryNot || op == kernels.UnaryIsInf || op == kernels.UnaryIsNaN {
		return nil, false, nil
	}
	out := s.out(ir.Float32, in[0].Shape)
	return out, kernels.UnaryInto(op, in[0], out), nil
}

func intoSoftMax(l *layer, in []*ir.Tensor, s *runState) (*ir.Tensor, bool, error) {
	x := in[0]
	if x.DType != ir.Float32 || len(x.Shape) == 0 {
		return nil, false, nil
	}
	a, err := softMaxAxis(l.Params.(softMaxParams).Axes, len(x.Shape))
	if err != nil {
		return nil, false, nil
	}
	out := s.out(ir.Float32, x.Shape)
	return out, kernels.SoftmaxInto(x, a, kernels.SoftmaxPlain, false, out), nil
}

func intoNorm(l *layer, in []*ir.Tensor, s *runState) (*ir.Tensor, bool, error) {
	p := l.Params.(normParams)
	x := in[0]
	rank := len(x.Shape)
	if x.DType != ir.Float32 || rank == 0 || rank > 8 {
		return nil, false, nil
	}
	// Only trailing axes: the mask is bits [rank-k, rank).
	k := 0
	for d := rank - 1; d >= 0 && p.Axes&(1<<d) != 0; d-- {
		k++
	}
	if k == 0 || p.Axes&^(((1<<k)-1)<<(rank-k)) != 0 {
		return nil, false, nil
	}
	rows := int(ir.Numel(x.Shape[:rank-k]))
	if cap(s.stats) < 2*rows {
		s.stats = make([]float64, 2*rows)
	}
	out := s.out(ir.Float32, x.Shape)
	return out, kernels.NormalizeLastInto(x, k, in[1], in[2], p.Epsilon, out, s.stats[:2*rows]), nil
}

func intoMatMul(l *layer, in []*ir.Tensor, s *runState) (*ir.Tensor, bool, error) {
	p := l.Params.(matMulParams)
	a, b := in[0], in[1]
	ra, rb := len(a.Shape), len(b.Shape)
	if p.OpA == network.MatrixVECTOR || p.OpB == network.MatrixVECTOR || a.DType != ir.Float32 || b.DType != ir.Float32 ||
		ra < 2 || rb < 2 || ra > 8 || rb > 8 {
		return nil, false, nil
	}
	ta, tb := p.OpA == network.MatrixTRANSPOSE, p.OpB == network.MatrixTRANSPOSE
	m, n := a.Shape[ra-2], b.Shape[rb-1]
	if ta {
		m = a.Shape[ra-1]
	}
	if tb {
		n = b.Shape[rb-2]
	}
	// Batch dims broadcast right-aligned.
	var shape [8]int64
	nb := max(ra, rb) - 2
	for i := 0; i < nb; i++ {
		x, y := int64(1), int64(1)
		if j := i - (nb - (ra - 2)); j >= 0 {
			x = a.Shape[j]
		}
		if j := i - (nb - (rb - 2)); j >= 0 {
			y = b.Shape[j]
		}
		switch {
		case x == y || y == 1:
			shape[i] = x
		case x == 1:
			shape[i] = y
		default:
			return nil, false, nil
		}
	}
	shape[nb], shape[nb+1] = m, n
	out := s.out(ir.Float32, shape[:nb+2])
	ok, err := kernels.MatMulInto(a, ta, b, tb, out)
	return out, ok, err
}

// unsafeBytes views words as n bytes (8-byte aligned, as ir tensors are).
func unsafeBytes(words []uint64, n int) []byte {
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), n)
}
