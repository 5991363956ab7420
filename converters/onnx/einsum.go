package onnx

import (
	"fmt"
	"slices"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Einsum of one or two inputs as Reduce (labels only one side has and the
// output drops), Shuffle (each side to [batch..., free, summed]) and one
// batched MatrixMultiply, then a Shuffle to the output's order: "bij,bjk->bik",
// "bhqd,bhkd->bhqk", "bhqk,bhkd->bhqd", "ij,jk->ik", "bid,jd->bij",
// "i,i", "ij->ji", "ij->i", ... Diagonals (a label repeated in one input),
// size-1 broadcasting between inputs and three or more inputs become one
// Einsum layer (IEinsumLayer, in every TensorRT 10.x) when the inputs are
// Float32 or Float16 (its output is Float32, cast back for Float16) and
// the equation has at most 26 distinct labels (TensorRT takes lower-case
// ones only; upper-case labels are renamed); otherwise they fall back.

func init() {
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.Einsum",
		Priority:      conversion.Standard,
		DynamicShapes: true,
		Validator:     validateEinsum,
		Description:   "Einsum of 1-2 inputs as Reduce, Shuffle and one batched MatrixMultiply; others as an Einsum layer",
		Convert:       convEinsum,
	})
}

// einsumPlan is how the converter computes one Einsum node.
type einsumPlan struct {
	sp                      *kernels.EinsumSpec
	size                    map[int]ir.Dim
	batch, left, sum, right []int
	sumA, sumB              []int // labels summed out of one side first
	single                  bool
}

func planEinsum(n *conversion.Node) (*einsumPlan, error) {
	if len(n.In) < 1 || len(n.In) > 2 {
		return nil, fmt.Errorf("Einsum of %d inputs: the converter handles 1 or 2 (more fall back)", len(n.In))
	}
	ranks := make([]int, len(n.In))
	for i, v := range n.In {
		ranks[i] = len(v.Shape)
	}
	sp, err := ops.EinsumSpec(n.Node, ranks)
	if err != nil {
		return nil, err
	}
	p := &einsumPlan{sp: sp, size: map[int]ir.Dim{}, single: len(n.In) == 1}
	for k, labels := range sp.Inputs {
		for j, c := range labels {
			if slices.Index(labels, c) != j {
				return nil, fmt.Errorf("label %q repeats in input %d (a diagonal): not supported by the converter", rune(c), k)
			}
			d := n.In[k].Shape[j]
			if prev, ok := p.size[c]; ok && !prev.Same(d) {
				return nil, fmt.Errorf("label %q is %v in one input and %v in input %d: size-1 broadcasting and unequal dynamic dims are not supported by the converter", rune(c), prev, d, k)
			}
			p.size[c] = d
		}
	}
	if p.single {
		return p, nil
	}
	a, b := sp.Inputs[0], sp.Inputs[1]
	for _, c := range a {
		switch {
		case !slices.Contains(b, c) && !slices.Contains(sp.Output, c):
			p.sumA = append(p.sumA, c)
		case !slices.Contains(b, c):
			p.left = append(p.left, c)
		case slices.Contains(sp.Output, c):
			p.batch = append(p.batch, c)
		default:
			p.sum = append(p.sum, c)
		}
	}
	for _, c := range b {
		switch {
		case slices.Contains(a, c):
		case slices.Contains(sp.Output, c):
			p.right = append(p.right, c)
		default:
			p.sumB = append(p.sumB, c)
		}
	}
	if len(p.sum) > 1 {
		for _, c := range p.sum {
			if !p.size[c].Static() {
				return nil, fmt.Errorf("summed label %q is dynamic (%v) and merged with the other summed labels into one dim: it must be static", rune(c), p.size[c])
			}
		}
	}
	return p, nil
}

func validateEinsum(n *conversion.Node) error {
	if err := dtypeIn(floats...)(n); err != nil {
		return err
	}
	_, err := planEinsum(n)
	if err == nil {
		return nil
	}
	if _, ferr := fusedEinsum(n); ferr != nil {
		return fmt.Errorf("%v; as an Einsum layer: %v", err, ferr)
	}
	return nil
}

// fusedEinsum returns the equation in TensorRT's syntax when the node can
// be one Einsum layer: Float32 or Float16 inputs ("All the inputs must have
// type DataType::kFLOAT or DataType::kHALF", NvInfer.h) and lower-case
// labels ("ASCII lower-case letters"), upper-case ones renamed to free
// lower-case letters.
func fusedEinsum(n *conversion.Node) (string, error) {
	if len(n.In) == 0 {
		return "", fmt.Errorf("no inputs")
	}
	for i, v := range n.In {
		if v == nil || (v.DType != ir.Float32 && v.DType != ir.Float16) {
			return "", fmt.Errorf("input %d is not Float32 or Float16", i)
		}
	}
	ranks := make([]int, len(n.In))
	for i, v := range n.In {
		ranks[i] = len(v.Shape)
	}
	if _, err := ops.EinsumSpec(n.Node, ranks); err != nil {
		return "", err
	}
	eq := n.AttrString("equation", "")
	used := map[rune]bool{}
	for _, c := range eq {
		used[c] = true
	}
	rename := map[rune]rune{}
	next := 'a'
	var b []rune
	for _, c := range eq {
		if c >= 'A' && c <= 'Z' {
			r, ok := rename[c]
			if !ok {
				for next <= 'z' && used[next] {
					next++
				}
				if next > 'z' {
					return "", fmt.Errorf("more than 26 distinct labels")
				}
				r = next
				rename[c], used[r] = r, true
			}
			c = r
		}
		b = append(b, c)
	}
	return string(b), nil
}

// einsumSum reduces the labels drop of t (labels in order) away.
func einsumSum(ctx *conversion.Context, t network.Tensor, labels, drop []int) (network.Tensor, []int) {
	if len(drop) == 0 {
		return t, labels
	}
	var axes []int
	var rest []int
	for d, c := range labels {
		if slices.Contains(drop, c) {
			axes = append(axes, d)
		} else {
			rest = append(rest, c)
		}
	}
	return impl.Reduce(ctx, t, network.ReduceSUM, axes, false), rest
}

// einsumArrange transposes t (labels) to order, skipping the identity.
func einsumArrange(ctx *conversion.Context, t network.Tensor, labels, order []int) network.Tensor {
	perm := make([]int, len(order))
	ident := true
	for i, c := range order {
		perm[i] = slices.Index(labels, c)
		ident = ident && perm[i] == i
	}
	if ident {
		return t
	}
	return impl.Transpose(ctx, t, perm)
}

// groupDim is one matrix dim for labels g starting at dim i of a tensor:
// the dim itself when g has one label, their static product otherwise.
func (p *einsumPlan) groupDim(g []int, i int) impl.DimSrc {
	if len(g) == 1 {
		return impl.FromIn(i)
	}
	n := int64(1)
	for _, c := range g {
		n *= p.size[c].Size
	}
	return impl.Const(n)
}

func convEinsum(ctx *conversion.Context, n *conversion.Node) error {
	p, err := planEinsum(n)
	if err != nil {
		eq, ferr := fusedEinsum(n)
		if ferr != nil {
			return err
		}
		xs := make([]network.Tensor, len(n.In))
		for i := range xs {
			xs[i] = ctx.Input(n, i)
		}
		ctx.SetOutput(n, 0, impl.Cast(ctx, ctx.Net.AddEinsum(xs, eq), n.In[0].DType))
		return nil
	}
	out := p.sp.Output
	if p.single {
		t, labels := einsumSum(ctx, ctx.Input(n, 0), p.sp.Inputs[0], without(p.sp.Inputs[0], out))
		ctx.SetOutput(n, 0, einsumArrange(ctx, t, labels, out))
		return nil
	}
	a, la := einsumSum(ctx, ctx.Input(n, 0), p.sp.Inputs[0], p.sumA)
	b, lb := einsumSum(ctx, ctx.Input(n, 1), p.sp.Inputs[1], p.sumB)
	// A is [batch, leftOuter, 1s, leftLast, summed], B is [batch, 1s,
	// rightOuter, summed, rightLast]: all free labels but the last of each
	// side become batch dims that the other side broadcasts, so only the
	// summed labels are merged (into one dim). Y is [batch, leftOuter,
	// rightOuter, leftLast, rightLast].
	lo, ll := splitLast(p.left)
	ro, rl := splitLast(p.right)
	nb := len(p.batch)
	ones := func(k int) []impl.DimSrc {
		out := make([]impl.DimSrc, k)
		for i := range out {
			out[i] = impl.Const(1)
		}
		return out
	}
	from := func(start, k int) []impl.DimSrc {
		out := make([]impl.DimSrc, k)
		for i := range out {
			out[i] = impl.FromIn(start + i)
		}
		return out
	}
	one := func(g []int, i int) []impl.DimSrc {
		if len(g) == 0 {
			return ones(1)
		}
		return from(i, 1)
	}
	at := einsumArrange(ctx, a, la, slices.Concat(p.batch, lo, ll, p.sum))
	am := reshapeIfNeeded(ctx, at, slices.Concat(from(0, nb+len(lo)), ones(len(ro)), one(ll, nb+len(lo)), []impl.DimSrc{p.groupDim(p.sum, nb+len(lo)+len(ll))}))
	bt := einsumArrange(ctx, b, lb, slices.Concat(p.batch, ro, p.sum, rl))
	bm := reshapeIfNeeded(ctx, bt, slices.Concat(from(0, nb), ones(len(lo)), from(nb, len(ro)), []impl.DimSrc{p.groupDim(p.sum, nb+len(ro))}, one(rl, nb+len(ro)+len(p.sum))))
	y := ctx.Net.AddMatrixMultiply(am, network.MatrixNONE, bm, network.MatrixNONE)
	labels := slices.Concat(p.batch, lo, ro, ll, rl)
	if len(ll) == 0 || len(rl) == 0 { // drop the 1 that stood for an empty side
		k := nb + len(lo) + len(ro)
		spec := from(0, k)
		if len(ll) > 0 {
			spec = append(spec, impl.FromIn(k))
		}
		if len(rl) > 0 {
			spec = append(spec, impl.FromIn(k+1))
		}
		if len(spec) == 0 {
			y = impl.ReshapeScalar(ctx, y)
		} else {
			y = impl.ReshapeSpec(ctx, y, spec)
		}
	}
	ctx.SetOutput(n, 0, einsumArrange(ctx, y, labels, out))
	return nil
}

// splitLast splits g into all but its last label and the last (if any).
func splitLast(g []int) (outer, last []int) {
	if len(g) == 0 {
		return nil, nil
	}
	return g[:len(g)-1], g[len(g)-1:]
}

// reshapeIfNeeded reshapes t by spec unless spec copies every dim in place.
func reshapeIfNeeded(ctx *conversion.Context, t network.Tensor, spec []impl.DimSrc) network.Tensor {
	same := len(spec) == len(t.Shape())
	for i, d := range spec {
		same = same && d == impl.FromIn(i)
	}
	if same {
		return t
	}
	return impl.ReshapeSpec(ctx, t, spec)
}

// without lists the labels of ls that keep lacks.
func without(ls, keep []int) []int {
	var out []int
	for _, c := range ls {
		if !slices.Contains(keep, c) {
			out = append(out, c)
		}
	}
	return out
}
