package kernels

import (
	"math"
	"math/rand"
	"slices"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// bruteEinsum sums the product of the inputs over every assignment of the
// labels, the definition of einsum.
func bruteEinsum(sp *EinsumSpec, xs []*ir.Tensor) ([]int64, []float64) {
	size := map[int]int64{}
	var labels []int
	for k, in := range sp.Inputs {
		for j, c := range in {
			if n := xs[k].Shape[j]; n != 1 || size[c] == 0 {
				size[c] = max(size[c], n)
			}
			if !slices.Contains(labels, c) {
				labels = append(labels, c)
			}
		}
	}
	outDims := make([]int64, len(sp.Output))
	for i, c := range sp.Output {
		outDims[i] = size[c]
	}
	out := make([]float64, ir.Numel(outDims))
	idx := map[int]int64{}
	var walk func(int)
	walk = func(l int) {
		if l == len(labels) {
			p := 1.0
			for k, in := range sp.Inputs {
				off := int64(0)
				for j, c := range in {
					i := idx[c]
					if xs[k].Shape[j] == 1 {
						i = 0
					}
					off = off*xs[k].Shape[j] + i
				}
				p *= xs[k].Float(int(off))
			}
			o := int64(0)
			for i, c := range sp.Output {
				o = o*outDims[i] + idx[c]
			}
			out[o] += p
			return
		}
		for i := int64(0); i < size[labels[l]]; i++ {
			idx[labels[l]] = i
			walk(l + 1)
		}
	}
	walk(0)
	return outDims, out
}

func TestEinsumMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, c := range []struct {
		eq     string
		shapes [][]int64
	}{
		{"ij,jk->ik", [][]int64{{2, 3}, {3, 4}}},
		{"bij, bjk -> bik", [][]int64{{2, 3, 4}, {2, 4, 5}}},
		{"bhqd,bhkd->bhqk", [][]int64{{2, 2, 3, 4}, {2, 2, 5, 4}}},
		{"bhqk,bhkd->bhqd", [][]int64{{1, 2, 3, 5}, {1, 2, 5, 4}}},
		{"bid,jd->bij", [][]int64{{2, 3, 4}, {5, 4}}},
		{"i,i", [][]int64{{5}, {5}}},
		{"ij", [][]int64{{3, 2}}},
		{"ji", [][]int64{{3, 2}}},
		{"ij->i", [][]int64{{3, 4}}},
		{"ii->i", [][]int64{{3, 3}}},
		{"ii", [][]int64{{3, 3}}},
		{"...ii->...i", [][]int64{{2, 3, 3}}},
		{"->", [][]int64{{}}},
		{"i,j->ij", [][]int64{{2}, {3}}},
		{"ij,jk,kl->il", [][]int64{{2, 3}, {3, 4}, {4, 2}}},
		{"...ij,...jk", [][]int64{{2, 1, 3, 4}, {5, 4, 2}}},
		{"abc,cd->", [][]int64{{2, 2, 3}, {3, 2}}},
		{"iij,jk->ik", [][]int64{{2, 2, 3}, {3, 4}}},
		{"bij,bj->bi", [][]int64{{2, 3, 4}, {1, 4}}},
	} {
		var xs []*ir.Tensor
		var ranks []int
		for _, s := range c.shapes {
			xs = append(xs, randT(rng, s...))
			ranks = append(ranks, len(s))
		}
		sp, err := ParseEinsum(c.eq, ranks)
		if err != nil {
			t.Fatalf("%s: %v", c.eq, err)
		}
		dims, want := bruteEinsum(sp, xs)
		got, err := Einsum(c.eq, xs)
		if err != nil {
			t.Fatalf("%s: %v", c.eq, err)
		}
		if !slices.Equal(got.Shape, dims) {
			t.Fatalf("%s: shape %v, want %v", c.eq, got.Shape, dims)
		}
		for i, w := range want {
			if g := got.Float(i); math.Abs(g-w) > 1e-5*(1+math.Abs(w)) {
				t.Fatalf("%s: [%d] = %v, want %v", c.eq, i, g, w)
			}
		}
	}
	for _, bad := range []struct {
		eq     string
		shapes [][]int64
	}{
		{"ij,jk->ik", [][]int64{{2, 3}, {4, 4}}},
		{"ij->k", [][]int64{{2, 3}}},
		{"ij->ii", [][]int64{{2, 2}}},
		{"...ij->ij", [][]int64{{1, 2, 2}}},
		{"ij", [][]int64{{2, 3, 4}}},
		{"i.j", [][]int64{{2, 3}}},
	} {
		var xs []*ir.Tensor
		for _, s := range bad.shapes {
			xs = append(xs, randT(rng, s...))
		}
		if _, err := Einsum(bad.eq, xs); err == nil {
			t.Errorf("%s on %v: want an error", bad.eq, bad.shapes)
		}
	}
}
