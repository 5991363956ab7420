package lower

import (
	"fmt"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Advanced indexing and index_put, checked against a direct
// implementation of PyTorch's rule (refIndex below: element loops, no
// Gather/Scatter): index tensors broadcast together; when they sit on
// adjacent dims the result keeps their place, otherwise (or from dim 0)
// the broadcast dims come first.

type idxSpec struct {
	dim  int
	vals []int64
	dims []int64
}

// refCoords calls f with every result coordinate and the matching source
// coordinate of x[indices].
func refCoords(xdims []int64, idx []idxSpec, f func(res, src []int64)) []int64 {
	var b []int64
	for _, s := range idx {
		b = broadcastShapes(b, s.dims)
	}
	in := map[int]idxSpec{}
	for _, s := range idx {
		in[s.dim] = s
	}
	adjacent := true
	for i := 1; i < len(idx); i++ {
		adjacent = adjacent && idx[i].dim == idx[i-1].dim+1
	}
	front := !adjacent || idx[0].dim == 0
	var res []int64
	var where []int // per result dim: -1 a broadcast dim, else the x dim
	addB := func() {
		for range b {
			where = append(where, -1)
		}
		res = append(res, b...)
	}
	if front {
		addB()
	}
	for d := range xdims {
		if _, ok := in[d]; ok {
			if !front && d == idx[0].dim {
				addB()
			}
			continue
		}
		where = append(where, d)
		res = append(res, xdims[d])
	}
	coord := make([]int64, len(res))
	total := ir.Numel(res)
	for k := int64(0); k < total; k++ {
		rem := k
		for i := len(res) - 1; i >= 0; i-- {
			coord[i] = rem % res[i]
			rem /= res[i]
		}
		var bc []int64
		src := make([]int64, len(xdims))
		for i, w := range where {
			if w < 0 {
				bc = append(bc, coord[i])
			} else {
				src[w] = coord[i]
			}
		}
		for _, s := range idx {
			// the broadcast element of this index tensor
			off, stride := int64(0), int64(1)
			for j := len(s.dims) - 1; j >= 0; j-- {
				c := bc[len(bc)-len(s.dims)+j]
				if s.dims[j] == 1 {
					c = 0
				}
				off += c * stride
				stride *= s.dims[j]
			}
			v := s.vals[off]
			if v < 0 {
				v += xdims[s.dim]
			}
			src[s.dim] = v
		}
		f(append([]int64{}, coord...), src)
	}
	return res
}

func flatAt(dims, c []int64) int64 {
	off := int64(0)
	for i, d := range dims {
		off = off*d + c[i]
	}
	return off
}

func indexGraph(op string, xdims []int64, idx []idxSpec, extra map[string]ir.Attr, vals *ir.Tensor) *ir.Graph {
	b := newG().input("x", ir.Float32, ir.S(xdims...))
	ins := []string{"x"}
	k := 0
	for _, s := range idx {
		for k < s.dim {
			ins = append(ins, "")
			k++
		}
		name := fmt.Sprintf("i%d", s.dim)
		b.konst(name, ir.FromSlice(ir.Int64, s.dims, s.vals))
		ins = append(ins, name)
		k++
	}
	a := A("_list_indices", k)
	for kk, v := range extra {
		a[kk] = v
	}
	if vals != nil {
		b.konst("v", vals)
		ins = append(ins, "v")
	}
	b.g.Nodes = append(b.g.Nodes, &ir.Node{Name: "op", Op: op, Inputs: ins, Outputs: []string{"y"}, Attrs: a})
	b.g.Outputs = []string{"y"}
	return b.g
}

func TestAdvancedIndexAndIndexPut(t *testing.T) {
	xdims := []int64{2, 3, 4, 5}
	cases := map[string][]idxSpec{
		"dims 0,2 (non-adjacent)":     {{0, []int64{1, 0, 1}, []int64{3}}, {2, []int64{3, 0, -1}, []int64{3}}},
		"dims 1,3 (non-adjacent)":     {{1, []int64{2, 0}, []int64{2}}, {3, []int64{4, 1}, []int64{2}}},
		"dims 1,2 (adjacent, inner)":  {{1, []int64{2, 0, 1}, []int64{3}}, {2, []int64{0, 1, 3, 2, 2, 1}, []int64{2, 3}}},
		"dims 0,1 (leading)":          {{0, []int64{1, 0}, []int64{2}}, {1, []int64{2, 2}, []int64{2}}},
		"dims 0,1,3 (three, non-adj)": {{0, []int64{0, 1}, []int64{2, 1}}, {1, []int64{2}, []int64{1}}, {3, []int64{0, 4, 2}, []int64{3}}},
		"dim 2 only":                  {{2, []int64{3, 1, 0, 3}, []int64{2, 2}}},
	}
	x := seq(xdims...)
	for name, idx := range cases {
		t.Run("index "+name, func(t *testing.T) {
			g := indexGraph("aten.index.Tensor", xdims, idx, nil, nil)
			var want []float64
			res := refCoords(xdims, idx, func(_, src []int64) { want = append(want, x.Float(int(flatAt(xdims, src)))) })
			got := run(t, g, map[string]*ir.Tensor{"x": x})
			wantFloats(t, got, res, want)
		})
		for _, acc := range []int{0, 1} {
			t.Run(fmt.Sprintf("index_put accumulate=%d %s", acc, name), func(t *testing.T) {
				res := refCoords(xdims, idx, func(_, _ []int64) {})
				v := ir.NewTensor(ir.Float32, res)
				for i := 0; i < int(v.Numel()); i++ {
					v.SetFloat(i, float64(100+7*i))
				}
				want := x.Floats()
				wf := make([]float64, len(want))
				for i := range want {
					wf[i] = float64(want[i])
				}
				refCoords(xdims, idx, func(rc, src []int64) {
					o := flatAt(xdims, src)
					val := v.Float(int(flatAt(res, rc)))
					if acc == 1 {
						wf[o] += val
					} else {
						wf[o] = val
					}
				})
				g := indexGraph("aten.index_put.default", xdims, idx, A("accumulate", acc), v)
				got := run(t, g, map[string]*ir.Tensor{"x": x})
				wantFloats(t, got, xdims, wf)
			})
		}
	}
}

// Duplicate indices accumulate; a scalar value broadcasts.
func TestIndexPutDuplicatesAndScalar(t *testing.T) {
	xdims := []int64{3, 4}
	idx := []idxSpec{{0, []int64{1, 1, 2}, []int64{3}}, {1, []int64{0, 0, 3}, []int64{3}}}
	g := indexGraph("aten.index_put.default", xdims, idx, A("accumulate", 1), ir.Scalar(ir.Float32, 10))
	got := run(t, g, map[string]*ir.Tensor{"x": seq(xdims...)})
	want := []float64{0, 1, 2, 3, 4 + 20, 5, 6, 7, 8, 9, 10, 11 + 10}
	wantFloats(t, got, xdims, want)
}

// A bool mask over leading dims (x[mask] = v, x[:, mask] += v) with a
// scalar or a broadcast value.
func TestIndexPutBoolMask(t *testing.T) {
	xdims := []int64{2, 3, 2}
	mask := ir.FromSlice(ir.Bool, []int64{2, 3}, []uint8{1, 0, 1, 0, 1, 0})
	x := seq(xdims...)
	for _, c := range []struct {
		name string
		acc  int
		pos  int
		m    *ir.Tensor
		v    *ir.Tensor
		want []float64
	}{
		{"x[m] = 9", 0, 0, mask, ir.Scalar(ir.Float32, 9), []float64{9, 9, 2, 3, 9, 9, 6, 7, 9, 9, 10, 11}},
		{"x[m] += [1, 2]", 1, 0, mask, ir.FromSlice(ir.Float32, []int64{2}, []float32{1, 2}), []float64{1, 3, 2, 3, 5, 7, 6, 7, 9, 11, 10, 11}},
		{"x[:, m1] = -1", 0, 1, ir.FromSlice(ir.Bool, []int64{3}, []uint8{0, 1, 1}), ir.Scalar(ir.Float32, -1), []float64{0, 1, -1, -1, -1, -1, 6, 7, -1, -1, -1, -1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newG().input("x", ir.Float32, ir.S(xdims...))
			b.konst("m", c.m).konst("v", c.v)
			ins := []string{"x"}
			for i := 0; i < c.pos; i++ {
				ins = append(ins, "")
			}
			ins = append(ins, "m", "v")
			b.g.Nodes = append(b.g.Nodes, &ir.Node{Name: "op", Op: "aten.index_put.default", Inputs: ins, Outputs: []string{"y"},
				Attrs: A("_list_indices", c.pos+1, "accumulate", c.acc)})
			b.g.Outputs = []string{"y"}
			wantFloats(t, run(t, b.g, map[string]*ir.Tensor{"x": x}), xdims, c.want)
		})
	}
	// One value per true element: a data-dependent count, refused.
	b := newG().input("x", ir.Float32, ir.S(xdims...))
	b.konst("m", mask).konst("v", ir.NewTensor(ir.Float32, []int64{3, 2}))
	b.g.Nodes = append(b.g.Nodes, &ir.Node{Name: "op", Op: "aten.index_put.default", Inputs: []string{"x", "m", "v"}, Outputs: []string{"y"},
		Attrs: A("_list_indices", 1)})
	b.g.Outputs = []string{"y"}
	if _, err := Run(b.g); err == nil {
		t.Error("values with one row per true element were accepted")
	}
}

// index_put into an input with a dynamic dim (a cache updated at fixed
// positions for any batch): the values expand to the result shape built
// from the input's run-time Shape.
func TestIndexPutDynamicInput(t *testing.T) {
	xdims := []int64{3, 4, 5}
	for name, idx := range map[string][]idxSpec{
		"dims 1,2 (adjacent, inner)": {{1, []int64{0, 3}, []int64{2}}, {2, []int64{4, 1}, []int64{2}}},
		"dims 0,2 (non-adjacent)":    {{0, []int64{2, 0}, []int64{2}}, {2, []int64{1, 3}, []int64{2}}},
	} {
		t.Run(name, func(t *testing.T) {
			x := seq(xdims...)
			g := indexGraph("aten.index_put.default", xdims, idx, A("accumulate", 1), ir.Scalar(ir.Float32, 100))
			// Every dim the index tensors do not cover is dynamic.
			dyn := ir.S(xdims...)
			for d := range dyn {
				covered := false
				for _, s := range idx {
					covered = covered || s.dim == d
				}
				if !covered {
					dyn[d] = ir.Sym(fmt.Sprintf("d%d", d))
				}
			}
			g.Values["x"].Shape = dyn
			want := make([]float64, x.Numel())
			for i := range want {
				want[i] = x.Float(i)
			}
			refCoords(xdims, idx, func(_, src []int64) { want[flatAt(xdims, src)] += 100 })
			wantFloats(t, run(t, g, map[string]*ir.Tensor{"x": x}), xdims, want)
		})
	}
}
