package kernels

import (
	"math"
	"math/rand"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// naiveReduce reduces by visiting every element and its output index.
func naiveReduce(x *ir.Tensor, op ReduceOp, axes []int) []float64 {
	red := map[int]bool{}
	for _, a := range axes {
		red[a] = true
	}
	var outDims []int64
	for d, s := range x.Shape {
		if !red[d] {
			outDims = append(outDims, s)
		}
	}
	groups := make([][]float64, ir.Numel(outDims))
	st := Strides(x.Shape)
	ost := Strides(outDims)
	for i := 0; i < int(x.Numel()); i++ {
		o, j, rem := int64(0), 0, int64(i)
		for d := range x.Shape {
			c := rem / st[d]
			rem %= st[d]
			if !red[d] {
				o += c * ost[j]
				j++
			}
		}
		groups[o] = append(groups[o], x.Float(i))
	}
	out := make([]float64, len(groups))
	for g, vals := range groups {
		var r float64
		switch op {
		case ReduceSum, ReduceMean:
			for _, v := range vals {
				r += v
			}
			if op == ReduceMean {
				r /= float64(len(vals))
			}
		case ReduceProd:
			r = 1
			for _, v := range vals {
				r *= v
			}
		case ReduceMax:
			r = math.Inf(-1)
			for _, v := range vals {
				r = math.Max(r, v)
			}
		case ReduceMin:
			r = math.Inf(1)
			for _, v := range vals {
				r = math.Min(r, v)
			}
		case ReduceL1:
			for _, v := range vals {
				r += math.Abs(v)
			}
		case ReduceL2, ReduceSumSquare:
			for _, v := range vals {
				r += v * v
			}
			if op == ReduceL2 {
				r = math.Sqrt(r)
			}
		case ReduceLogSum:
			for _, v := range vals {
				r += v
			}
			r = math.Log(r)
		case ReduceLogSumExp:
			for _, v := range vals {
				r += math.Exp(v)
			}
			r = math.Log(r)
		}
		out[g] = r
	}
	return out
}

func TestReduceAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	shape := []int64{3, 4, 2, 5}
	axesSets := [][]int{{0}, {3}, {1, 2}, {0, 2}, {1, 3}, {0, 1, 2, 3}, {2, 0}}
	for op := ReduceSum; op <= ReduceLogSumExp; op++ {
		for _, dt := range []ir.DType{ir.Float32, ir.Float64} {
			x := ir.NewTensor(dt, shape)
			for i := 0; i < int(x.Numel()); i++ {
				x.SetFloat(i, 0.2+rng.Float64()) // positive for LogSum
			}
			for _, axes := range axesSets {
				for _, keep := range []bool{false, true} {
					got, err := Reduce(x, op, axes, keep)
					if err != nil {
						t.Fatal(err)
					}
					want := naiveReduce(x, op, axes)
					if int(got.Numel()) != len(want) {
						t.Fatalf("op %d axes %v: %d outputs, want %d", op, axes, got.Numel(), len(want))
					}
					if keep && len(got.Shape) != len(shape) || !keep && len(got.Shape) != len(shape)-len(axes) {
						t.Fatalf("op %d axes %v keep %v: shape %v", op, axes, keep, got.Shape)
					}
					for i, w := range want {
						if math.Abs(got.Float(i)-w) > 1e-4*math.Max(1, math.Abs(w)) {
							t.Fatalf("op %d %v axes %v: out[%d]=%g want %g", op, dt, axes, i, got.Float(i), w)
						}
					}
				}
			}
		}
	}
}

func TestReduceEdges(t *testing.T) {
	empty := ir.NewTensor(ir.Float32, []int64{2, 0, 3})
	for op, want := range map[ReduceOp]float64{
		ReduceSum: 0, ReduceProd: 1, ReduceMax: math.Inf(-1), ReduceMin: math.Inf(1),
		ReduceL1: 0, ReduceL2: 0, ReduceSumSquare: 0, ReduceLogSum: math.Inf(-1), ReduceLogSumExp: math.Inf(-1),
	} {
		r, err := Reduce(empty, op, []int{1}, true)
		if err != nil {
			t.Fatal(err)
		}
		if !ir.S(r.Shape...).Equal(ir.S(2, 1, 3)) || r.Float(0) != want {
			t.Fatalf("empty reduce op %d: %v first %g, want [2x1x3] of %g", op, r.Shape, r.Float(0), want)
		}
	}
	if r, _ := Reduce(empty, ReduceMean, []int{1}, false); !math.IsNaN(r.Float(0)) {
		t.Fatalf("mean of nothing is %g, want NaN", r.Float(0))
	}
	// NaN propagates through max; ints and bools reduce exactly.
	x := ir.FromSlice(ir.Float32, []int64{3}, []float32{1, float32(math.NaN()), 2})
	if r, _ := Reduce(x, ReduceMax, []int{0}, false); !math.IsNaN(r.Float(0)) {
		t.Fatalf("max with NaN is %g", r.Float(0))
	}
	xi := ir.FromSlice(ir.Int64, []int64{2, 2}, []int64{1 << 40, 3, -5, 7})
	if r, _ := Reduce(xi, ReduceSum, []int{0}, false); r.Int(0) != 1<<40-5 || r.Int(1) != 10 {
		t.Fatalf("int64 sum: %v", r.Ints())
	}
	xb := ir.FromSlice(ir.Bool, []int64{2, 2}, []uint8{0, 1, 0, 0})
	if r, _ := Reduce(xb, ReduceMax, []int{1}, false); r.DType != ir.Bool || r.Int(0) != 1 || r.Int(1) != 0 {
		t.Fatalf("bool max: %v", r.Ints())
	}
	if _, err := Reduce(xb, ReduceSum, []int{1}, false); err == nil {
		t.Fatal("bool sum accepted")
	}
}

func TestArgReduce(t *testing.T) {
	x := ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, 5, 5, 2, 0, 2})
	first, _ := ArgReduce(x, 1, true, false, false)
	last, _ := ArgReduce(x, 1, true, true, true)
	mn, _ := ArgReduce(x, 0, false, false, false)
	if got := first.Ints(); got[0] != 1 || got[1] != 0 {
		t.Fatalf("argmax first: %v", got)
	}
	if got := last.Ints(); got[0] != 2 || got[1] != 2 || !ir.S(last.Shape...).Equal(ir.S(2, 1)) {
		t.Fatalf("argmax last keepdims: %v %v", got, last.Shape)
	}
	if got := mn.Ints(); got[0] != 0 || got[1] != 1 || got[2] != 1 {
		t.Fatalf("argmin axis 0: %v", got)
	}
}
