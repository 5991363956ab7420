package kernels

import (
	"fmt"
	"slices"
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// EinsumSpec is a parsed einsum equation for given input ranks. Labels are
// letters' code points; the dims an ellipsis stands for get labels
// EllipsisLabel+i, right-aligned across inputs (as numpy broadcasts them).
type EinsumSpec struct {
	Inputs [][]int
	Output []int
}

// EllipsisLabel is the first label of ellipsis dims.
const EllipsisLabel = 1 << 16

// ParseEinsum parses an ONNX/numpy einsum equation ("bij,bjk->bik",
// "...ii->...i", "i,i") for inputs of the given ranks. Spaces are ignored.
// Without "->" the output is the ellipsis dims followed by the letters that
// appear exactly once, in alphabetical order.
func ParseEinsum(eq string, ranks []int) (*EinsumSpec, error) {
	eq = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, eq)
	lhs, rhs, explicit := strings.Cut(eq, "->")
	terms := strings.Split(lhs, ",")
	if len(terms) != len(ranks) {
		return nil, fmt.Errorf("einsum %q has %d input terms for %d inputs", eq, len(terms), len(ranks))
	}
	// First pass: letters and the ellipsis rank of each term.
	ell := 0
	type term struct {
		letters []int // -1 marks the ellipsis
		nEll    int
	}
	parsed := make([]term, len(terms))
	parseTerm := func(s string) ([]int, error) {
		var out []int
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c == '.':
				if !strings.HasPrefix(s[i:], "...") || slices.Contains(out, -1) {
					return nil, fmt.Errorf("einsum %q: bad ellipsis in %q", eq, s)
				}
				out = append(out, -1)
				i += 2
			case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
				out = append(out, int(c))
			default:
				return nil, fmt.Errorf("einsum %q: unexpected %q in %q", eq, c, s)
			}
		}
		return out, nil
	}
	for i, s := range terms {
		l, err := parseTerm(s)
		if err != nil {
			return nil, err
		}
		n := len(l)
		hasEll := slices.Contains(l, -1)
		if hasEll {
			n--
		}
		if ranks[i] < n || (!hasEll && ranks[i] != n) {
			return nil, fmt.Errorf("einsum %q: term %q has %d labels but input %d has rank %d", eq, s, n, i, ranks[i])
		}
		parsed[i] = term{l, ranks[i] - n}
		ell = max(ell, ranks[i]-n)
	}
	expand := func(l []int, nEll int) []int {
		var out []int
		for _, c := range l {
			if c != -1 {
				out = append(out, c)
				continue
			}
			for k := ell - nEll; k < ell; k++ {
				out = append(out, EllipsisLabel+k)
			}
		}
		return out
	}
	sp := &EinsumSpec{}
	count := map[int]int{}
	for _, t := range parsed {
		in := expand(t.letters, t.nEll)
		sp.Inputs = append(sp.Inputs, in)
		for _, c := range in {
			count[c]++
		}
	}
	if explicit {
		l, err := parseTerm(rhs)
		if err != nil {
			return nil, err
		}
		sp.Output = expand(l, ell)
		if !slices.Contains(l, -1) && ell > 0 {
			return nil, fmt.Errorf("einsum %q: the inputs have ellipsis dims but the output has no \"...\"", eq)
		}
		seen := map[int]bool{}
		for _, c := range sp.Output {
			if seen[c] {
				return nil, fmt.Errorf("einsum %q: output label %q repeats", eq, rune(c))
			}
			seen[c] = true
			if count[c] == 0 {
				return nil, fmt.Errorf("einsum %q: output label %q is in no input", eq, rune(c))
			}
		}
		return sp, nil
	}
	for k := 0; k < ell; k++ {
		sp.Output = append(sp.Output, EllipsisLabel+k)
	}
	var once []int
	for c, n := range count {
		if n == 1 && c < EllipsisLabel {
			once = append(once, c)
		}
	}
	slices.Sort(once)
	sp.Output = append(sp.Output, once...)
	return sp, nil
}

// Einsum evaluates an einsum equation: repeated labels in one input take
// its diagonal, labels absent from the output are summed, size-1 dims
// broadcast. Pairs of inputs are contracted left to right as a batched
// MatMul after transposes; sums of labels no later operand needs are done
// first with Reduce.
func Einsum(eq string, xs []*ir.Tensor) (*ir.Tensor, error) {
	ranks := make([]int, len(xs))
	for i, x := range xs {
		ranks[i] = len(x.Shape)
		if x.DType != xs[0].DType {
			return nil, fmt.Errorf("einsum input %d is %v, input 0 is %v", i, x.DType, xs[0].DType)
		}
	}
	sp, err := ParseEinsum(eq, ranks)
	if err != nil {
		return nil, err
	}
	size := map[int]int64{}
	ops := make([]einOperand, len(xs))
	for i, x := range xs {
		if ops[i], err = diagonal(x, sp.Inputs[i]); err != nil {
			return nil, fmt.Errorf("einsum %q input %d: %w", eq, i, err)
		}
		for d, c := range ops[i].labels {
			n := ops[i].t.Shape[d]
			s, ok := size[c]
			switch {
			case !ok || s == 1:
				size[c] = n
			case n != 1 && n != s:
				return nil, fmt.Errorf("einsum %q: label %q is %d in one input and %d in another", eq, labelName(c), s, n)
			}
		}
	}
	// Broadcast size-1 dims to the label's size.
	for i := range ops {
		want := make([]int64, len(ops[i].labels))
		for d, c := range ops[i].labels {
			want[d] = size[c]
		}
		if !slices.Equal(want, ops[i].t.Shape) {
			if ops[i].t, err = ExpandTo(ops[i].t, want); err != nil {
				return nil, err
			}
		}
	}
	acc := ops[0]
	for i := 1; i < len(ops); i++ {
		keep := append([]int{}, sp.Output...)
		for _, o := range ops[i+1:] {
			keep = append(keep, o.labels...)
		}
		if acc, err = contract(acc, ops[i], keep, size); err != nil {
			return nil, err
		}
	}
	if acc, err = sumOut(acc, sp.Output); err != nil {
		return nil, err
	}
	perm := make([]int, len(sp.Output))
	for i, c := range sp.Output {
		perm[i] = slices.Index(acc.labels, c)
	}
	return Transpose(acc.t, perm)
}

func labelName(c int) string {
	if c >= EllipsisLabel {
		return fmt.Sprintf("...[%d]", c-EllipsisLabel)
	}
	return string(rune(c))
}

type einOperand struct {
	t      *ir.Tensor
	labels []int
}

// diagonal removes repeated labels of one operand by taking the diagonal.
func diagonal(x *ir.Tensor, labels []int) (einOperand, error) {
	var uniq []int
	for _, c := range labels {
		if !slices.Contains(uniq, c) {
			uniq = append(uniq, c)
		}
	}
	if len(uniq) == len(labels) {
		return einOperand{x, labels}, nil
	}
	st := Strides(x.Shape)
	shape := make([]int64, len(uniq))
	ust := make([]int64, len(uniq))
	for d, c := range labels {
		u := slices.Index(uniq, c)
		if shape[u] != 0 && shape[u] != x.Shape[d] {
			return einOperand{}, fmt.Errorf("repeated label %q spans dims of sizes %d and %d", labelName(c), shape[u], x.Shape[d])
		}
		shape[u] = x.Shape[d]
		ust[u] += st[d]
	}
	out := ir.NewTensor(x.DType, shape)
	switch x.DType.Size() {
	case 1:
		gatherStrided(ir.View[uint8](x), ir.View[uint8](out), shape, ust)
	case 2:
		gatherStrided(ir.View[uint16](x), ir.View[uint16](out), shape, ust)
	case 4:
		gatherStrided(ir.View[uint32](x), ir.View[uint32](out), shape, ust)
	case 8:
		gatherStrided(ir.View[uint64](x), ir.View[uint64](out), shape, ust)
	default:
		return einOperand{}, fmt.Errorf("einsum of %v is not supported", x.DType)
	}
	return einOperand{out, uniq}, nil
}

// sumOut sums the labels of o that are not in keep.
func sumOut(o einOperand, keep []int) (einOperand, error) {
	var axes []int
	var rest []int
	for d, c := range o.labels {
		if slices.Contains(keep, c) {
			rest = append(rest, c)
		} else {
			axes = append(axes, d)
		}
	}
	if len(axes) == 0 {
		return o, nil
	}
	t, err := Reduce(o.t, ReduceSum, axes, false)
	if err != nil {
		return o, err
	}
	return einOperand{t, rest}, nil
}

// contract multiplies a and b, summing the labels they share that keep
// does not hold: a as [batch, left, sum], b as [batch, sum, right], one
// batched MatMul, giving labels batch, left, right.
func contract(a, b einOperand, keep []int, size map[int]int64) (einOperand, error) {
	var err error
	// Labels only one side has and nobody needs are summed first.
	if a, err = sumOut(a, append(append([]int{}, keep...), b.labels...)); err != nil {
		return a, err
	}
	if b, err = sumOut(b, append(append([]int{}, keep...), a.labels...)); err != nil {
		return b, err
	}
	var batch, left, right, sum []int
	for _, c := range a.labels {
		switch {
		case !slices.Contains(b.labels, c):
			left = append(left, c)
		case slices.Contains(keep, c):
			batch = append(batch, c)
		default:
			sum = append(sum, c)
		}
	}
	for _, c := range b.labels {
		if !slices.Contains(a.labels, c) {
			right = append(right, c)
		}
	}
	prod := func(ls []int) int64 {
		p := int64(1)
		for _, c := range ls {
			p *= size[c]
		}
		return p
	}
	arrange := func(o einOperand, order []int, dims []int64) (*ir.Tensor, error) {
		perm := make([]int, len(order))
		for i, c := range order {
			perm[i] = slices.Index(o.labels, c)
		}
		t, err := Transpose(o.t, perm)
		if err != nil {
			return nil, err
		}
		return t.Reshaped(dims), nil
	}
	nb, nl, nr, ns := prod(batch), prod(left), prod(right), prod(sum)
	at, err := arrange(a, slices.Concat(batch, left, sum), []int64{nb, nl, ns})
	if err != nil {
		return a, err
	}
	bt, err := arrange(b, slices.Concat(batch, sum, right), []int64{nb, ns, nr})
	if err != nil {
		return b, err
	}
	y, err := MatMul(at, false, bt, false)
	if err != nil {
		return a, err
	}
	labels := slices.Concat(batch, left, right)
	dims := make([]int64, len(labels))
	for i, c := range labels {
		dims[i] = size[c]
	}
	return einOperand{y.Reshaped(dims), labels}, nil
}
