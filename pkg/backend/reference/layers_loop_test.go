package reference

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// loopSum builds a loop over x [T, 3] (T from x's shape) that keeps a
// running sum s (recurrence) and outputs every s (kCONCATENATE), every s
// in reverse (kREVERSE, from a reverse iterator) and the last s.
func loopSum(n *Network, x network.Tensor, reverse bool) (all, rev, last network.Tensor) {
	l := n.AddLoop()
	shape := n.AddShape(x)
	t := n.AddShuffle(n.AddGather(shape, n.AddConstant(ir.FromSlice(ir.Int64, []int64{1}, []int64{0})), 0, network.GatherDEFAULT),
		network.ShuffleParams{Reshape: []int64{}})
	n.AddTripLimit(l, t, network.TripLimitCOUNT)
	s := n.AddRecurrence(l, n.AddConstant(ir.NewTensor(ir.Float32, []int64{3})))
	xi := n.AddIterator(l, x, 0, reverse)
	next := n.AddElementWise(s, xi, network.ElementWiseSUM)
	n.SetRecurrenceInput(s, next)
	all = n.AddLoopOutput(l, next, network.LoopOutputCONCATENATE, 0, t)
	rev = n.AddLoopOutput(l, next, network.LoopOutputREVERSE, 1, t)
	last = n.AddLoopOutput(l, s, network.LoopOutputLAST_VALUE, 0, nil)
	return all, rev, last
}

func runLoopNet(t *testing.T, n *Network, inputs map[string]*ir.Tensor) map[string]*ir.Tensor {
	t.Helper()
	blob, err := n.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	e, err := Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Run(inputs)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLoopOutputs(t *testing.T) {
	for _, reverse := range []bool{false, true} {
		n := NewNetwork()
		n.BeginNode("test", "loop")
		x := n.AddInput("x", ir.Float32, ir.Shape{ir.Sym("T"), ir.D(3)})
		all, rev, last := loopSum(n, x, reverse)
		if got := all.Shape(); len(got) != 2 || got[0].Static() || got[1] != ir.D(3) {
			t.Errorf("concatenated output shape %v, want [dynamic 3]", got)
		}
		n.MarkOutput(all, "all")
		n.MarkOutput(rev, "rev")
		n.MarkOutput(last, "last")
		const T = 4
		xv := make([]float32, T*3)
		for i := range xv {
			xv[i] = float32(i*i%7) - 2.5
		}
		out := runLoopNet(t, n, map[string]*ir.Tensor{"x": ir.FromSlice(ir.Float32, []int64{T, 3}, xv)})
		// Expected: prefix sums in iteration order.
		sum := make([]float32, 3)
		for i := 0; i < T; i++ {
			row := i
			if reverse {
				row = T - 1 - i
			}
			for j := range sum {
				sum[j] += xv[row*3+j]
				if g := ir.View[float32](out["all"])[i*3+j]; g != sum[j] {
					t.Fatalf("reverse=%v all[%d][%d] = %v, want %v", reverse, i, j, g, sum[j])
				}
				// rev is [3, T]: iteration i at T-1-i.
				if g := ir.View[float32](out["rev"])[j*T+T-1-i]; g != sum[j] {
					t.Fatalf("reverse=%v rev[%d][%d] = %v, want %v", reverse, j, T-1-i, g, sum[j])
				}
			}
		}
		for j := range sum {
			if g := ir.View[float32](out["last"])[j]; g != sum[j] {
				t.Errorf("reverse=%v last[%d] = %v, want %v (the value after the last iteration)", reverse, j, g, sum[j])
			}
		}
		if !slices.Equal(out["rev"].Shape, []int64{3, T}) {
			t.Errorf("rev shape %v, want [3 %d]", out["rev"].Shape, T)
		}
	}
}

// A kWHILE loop: i counts up from 0 while i < limit; the last value and
// the count of iterations (through a kCONCATENATE of a longer length,
// zero-filled) show where it stopped.
func TestWhileLoop(t *testing.T) {
	n := NewNetwork()
	lim := n.AddInput("limit", ir.Float32, ir.S())
	l := n.AddLoop()
	i := n.AddRecurrence(l, n.AddConstant(ir.Scalar(ir.Float32, 0)))
	n.AddTripLimit(l, n.AddElementWise(i, lim, network.ElementWiseLESS), network.TripLimitWHILE)
	one := n.AddConstant(ir.Scalar(ir.Float32, 1))
	next := n.AddElementWise(i, one, network.ElementWiseSUM)
	n.SetRecurrenceInput(i, next)
	n.MarkOutput(n.AddLoopOutput(l, i, network.LoopOutputLAST_VALUE, 0, nil), "last")
	n.MarkOutput(n.AddLoopOutput(l, next, network.LoopOutputCONCATENATE, 0, n.AddConstant(ir.Scalar(ir.Int32, 6))), "seq")
	out := runLoopNet(t, n, map[string]*ir.Tensor{"limit": ir.Scalar(ir.Float32, 3.5)})
	if g := out["last"].Float(0); g != 4 {
		t.Errorf("last = %v, want 4 (iterations at 0, 1, 2, 3)", g)
	}
	want := []float32{1, 2, 3, 4, 0, 0}
	for k, w := range want {
		if g := ir.View[float32](out["seq"])[k]; g != w {
			t.Errorf("seq[%d] = %v, want %v", k, g, w)
		}
	}
}

// A conditional runs only the taken branch: the false branch reshapes x
// to 3 elements, which fails only if it runs.
func TestConditional(t *testing.T) {
	n := NewNetwork()
	c := n.AddInput("c", ir.Bool, ir.S())
	x := n.AddInput("x", ir.Int32, ir.Shape{ir.Sym("N")})
	cond := n.AddIfConditional()
	n.SetCondition(cond, c)
	xin := n.AddIfInput(cond, x)
	tr := n.AddElementWise(xin, n.AddConstant(ir.FromSlice(ir.Int32, []int64{1}, []int32{10})), network.ElementWiseSUM)
	fa := n.AddShuffle(xin, network.ShuffleParams{Reshape: []int64{3}})
	n.MarkOutput(n.AddIfOutput(cond, tr, fa), "y")
	if err := n.Err(); err != nil {
		t.Fatal(err)
	}
	blob, err := n.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	e, err := Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	xv := ir.FromSlice(ir.Int32, []int64{2}, []int32{3, -4})
	out, err := e.Run(map[string]*ir.Tensor{"c": ir.FromSlice(ir.Bool, []int64{}, []uint8{1}), "x": xv})
	if err != nil {
		t.Fatalf("true branch: %v", err)
	}
	if g := ir.View[int32](out["y"]); g[0] != 13 || g[1] != 6 {
		t.Errorf("true branch gave %v, want [13 6]", g)
	}
	_, err = e.Run(map[string]*ir.Tensor{"c": ir.FromSlice(ir.Bool, []int64{}, []uint8{0}), "x": xv})
	if err == nil || !strings.Contains(err.Error(), "Shuffle") {
		t.Errorf("false branch (integer division by zero) gave %v, want the layer's error", err)
	}
}

// Networks whose structure only a complete network shows are refused at
// build, naming the rule and its header passage.
func TestLoopStructureRules(t *testing.T) {
	cases := map[string]func(n *Network){
		"Loop.trip_limit": func(n *Network) {
			l := n.AddLoop()
			s := n.AddRecurrence(l, f32(n, "x", 2))
			n.SetRecurrenceInput(s, n.AddUnary(s, network.UnaryABS))
			n.MarkOutput(n.AddLoopOutput(l, s, network.LoopOutputLAST_VALUE, 0, nil), "y")
		},
		"Recurrence.next": func(n *Network) {
			l := n.AddLoop()
			n.AddTripLimit(l, n.AddConstant(ir.Scalar(ir.Int32, 2)), network.TripLimitCOUNT)
			s := n.AddRecurrence(l, f32(n, "x", 2))
			n.MarkOutput(n.AddLoopOutput(l, s, network.LoopOutputLAST_VALUE, 0, nil), "y")
		},
		"Iterator.reverse": func(n *Network) {
			l := n.AddLoop()
			s := n.AddRecurrence(l, n.AddConstant(ir.Scalar(ir.Float32, 0)))
			n.AddTripLimit(l, n.AddElementWise(s, n.AddConstant(ir.Scalar(ir.Float32, 2)), network.ElementWiseLESS), network.TripLimitWHILE)
			xi := n.AddIterator(l, f32(n, "x", 4), 0, true)
			n.SetRecurrenceInput(s, n.AddElementWise(s, xi, network.ElementWiseSUM))
			n.MarkOutput(n.AddLoopOutput(l, s, network.LoopOutputLAST_VALUE, 0, nil), "y")
		},
		"Conditional.structure": func(n *Network) {
			c := n.AddIfConditional()
			x := n.AddIfInput(c, f32(n, "x", 2))
			n.MarkOutput(n.AddIfOutput(c, x, x), "y")
		},
	}
	for rule, build := range cases {
		n := NewNetwork()
		build(n)
		if err := n.Err(); err != nil {
			t.Fatalf("%s: adding layers failed: %v", rule, err)
		}
		_, err := n.Serialize()
		var re *RuleError
		if !errors.As(err, &re) || re.Rule != rule || re.Source.Quote == "" {
			t.Errorf("%s: build gave %v, want the rule", rule, err)
		}
	}
}

// A layer reading tensors of two loops is refused.
func TestLayerInTwoLoops(t *testing.T) {
	n := NewNetwork()
	x := f32(n, "x", 2)
	a := n.AddRecurrence(n.AddLoop(), x)
	b := n.AddRecurrence(n.AddLoop(), x)
	n.AddElementWise(a, b, network.ElementWiseSUM)
	if err := n.Err(); err == nil || !strings.Contains(err.Error(), "nests none") {
		t.Errorf("a layer reading two loops gave %v", err)
	}
}

func init() {
	count := func(n *Network) network.Tensor { return n.AddConstant(ir.Scalar(ir.Int32, 2)) }
	// sumLoop: a loop with a count limit and a recurrence s+x, its last
	// value marked; tweak changes one thing.
	type parts struct {
		n    *Network
		l    network.Loop
		x, s network.Tensor
	}
	start := func(n *Network) parts {
		l := n.AddLoop()
		x := f32(n, "x", 2)
		return parts{n, l, x, n.AddRecurrence(l, x)}
	}
	finish := func(p parts) {
		p.n.SetRecurrenceInput(p.s, p.n.AddElementWise(p.s, p.x, network.ElementWiseSUM))
		p.n.MarkOutput(p.n.AddLoopOutput(p.l, p.s, network.LoopOutputLAST_VALUE, 0, nil), "y")
	}
	add := map[string]ruleCase{
		"TripLimit.limit.rank": {
			bad:  func(n *Network) { p := start(n); n.AddTripLimit(p.l, in(n, "c", ir.Int32, 1), network.TripLimitCOUNT) },
			good: func(n *Network) { p := start(n); n.AddTripLimit(p.l, count(n), network.TripLimitCOUNT); finish(p) },
		},
		"TripLimit.trip_limit_kind_dtype": {
			bad:  func(n *Network) { p := start(n); n.AddTripLimit(p.l, count(n), network.TripLimitWHILE) },
			good: func(n *Network) { p := start(n); n.AddTripLimit(p.l, count(n), network.TripLimitCOUNT); finish(p) },
		},
		"TripLimit.trip_limit_scope": {
			bad: func(n *Network) {
				p := start(n)
				n.AddTripLimit(p.l, count(n), network.TripLimitCOUNT)
				n.AddTripLimit(p.l, count(n), network.TripLimitCOUNT)
			},
			good: func(n *Network) {
				p := start(n)
				n.AddTripLimit(p.l, count(n), network.TripLimitCOUNT)
				lim := n.AddReduce(p.s, network.ReduceSUM, 1, false)
				n.AddTripLimit(p.l, n.AddElementWise(lim, n.AddConstant(ir.Scalar(ir.Float32, 9)), network.ElementWiseLESS), network.TripLimitWHILE)
				finish(p)
			},
		},
		"Recurrence.recurrence_initial_outside": {
			bad: func(n *Network) {
				p := start(n)
				n.AddRecurrence(p.l, n.AddUnary(p.s, network.UnaryABS))
			},
			good: func(n *Network) {
				p := start(n)
				n.AddTripLimit(p.l, count(n), network.TripLimitCOUNT)
				r2 := n.AddRecurrence(p.l, n.AddUnary(p.x, network.UnaryABS))
				n.SetRecurrenceInput(r2, p.s)
				finish(p)
			},
		},
		"Recurrence.recurrence_next_dims": {
			bad: func(n *Network) {
				p := start(n)
				n.SetRecurrenceInput(p.s, n.AddConcatenation([]network.Tensor{p.s, p.s}, 0))
			},
			good: func(n *Network) {
				p := start(n)
				n.AddTripLimit(p.l, count(n), network.TripLimitCOUNT)
				finish(p)
			},
		},
		"Iterator.input.rank": {
			bad:  func(n *Network) { n.AddIterator(n.AddLoop(), f32(n, "x"), 0, false) },
			good: func(n *Network) { n.AddIterator(n.AddLoop(), f32(n, "x", 3), 0, false) },
		},
		"Iterator.iterator_axis": {
			bad:  func(n *Network) { n.AddIterator(n.AddLoop(), f32(n, "x", 3, 2), 2, false) },
			good: func(n *Network) { n.AddIterator(n.AddLoop(), f32(n, "x", 3, 2), 1, false) },
		},
		"LoopOutput.length.rank": {
			bad: func(n *Network) {
				p := start(n)
				n.AddLoopOutput(p.l, p.s, network.LoopOutputCONCATENATE, 0, n.AddConstant(ir.FromSlice(ir.Int32, []int64{1}, []int32{2})))
			},
			good: func(n *Network) {
				p := start(n)
				n.AddTripLimit(p.l, count(n), network.TripLimitCOUNT)
				n.MarkOutput(n.AddLoopOutput(p.l, p.s, network.LoopOutputCONCATENATE, 0, count(n)), "all")
				finish(p)
			},
		},
		"LoopOutput.loop_output_inside": {
			bad: func(n *Network) {
				p := start(n)
				n.AddLoopOutput(p.l, p.x, network.LoopOutputCONCATENATE, 0, count(n))
			},
			good: func(n *Network) {
				p := start(n)
				n.AddTripLimit(p.l, count(n), network.TripLimitCOUNT)
				n.MarkOutput(n.AddLoopOutput(p.l, n.AddUnary(p.s, network.UnaryABS), network.LoopOutputCONCATENATE, 0, count(n)), "all")
				finish(p)
			},
		},
		"LoopOutput.loop_output_kind": {
			bad: func(n *Network) {
				p := start(n)
				n.AddLoopOutput(p.l, n.AddUnary(p.s, network.UnaryABS), network.LoopOutputLAST_VALUE, 0, nil)
			},
			good: func(n *Network) {
				p := start(n)
				n.AddTripLimit(p.l, count(n), network.TripLimitCOUNT)
				finish(p)
			},
		},
		"Condition.condition.rank": {
			bad:  func(n *Network) { n.SetCondition(n.AddIfConditional(), in(n, "c", ir.Bool, 1)) },
			good: func(n *Network) { n.SetCondition(n.AddIfConditional(), in(n, "c", ir.Bool)) },
		},
		"Condition.condition_once": {
			bad: func(n *Network) {
				c := n.AddIfConditional()
				n.SetCondition(c, in(n, "c", ir.Bool))
				n.SetCondition(c, in(n, "d", ir.Bool))
			},
			good: func(n *Network) {
				c := n.AddIfConditional()
				n.SetCondition(c, in(n, "c", ir.Bool))
				n.SetCondition(n.AddIfConditional(), in(n, "d", ir.Bool))
			},
		},
		"IfConditionalInput.cond_input_outside": {
			bad: func(n *Network) {
				c := n.AddIfConditional()
				n.AddIfInput(c, n.AddUnary(n.AddIfInput(c, f32(n, "x", 2)), network.UnaryABS))
			},
			good: func(n *Network) {
				c := n.AddIfConditional()
				n.AddIfInput(c, n.AddUnary(f32(n, "x", 2), network.UnaryABS))
			},
		},
		"IfConditionalOutput.cond_output_match": {
			bad: func(n *Network) {
				c := n.AddIfConditional()
				x := n.AddIfInput(c, f32(n, "x", 2))
				n.AddIfOutput(c, x, n.AddConcatenation([]network.Tensor{x, x}, 0))
			},
			good: func(n *Network) {
				c := n.AddIfConditional()
				n.SetCondition(c, in(n, "c", ir.Bool))
				x := n.AddIfInput(c, f32(n, "x", 2))
				n.MarkOutput(n.AddIfOutput(c, x, n.AddUnary(x, network.UnaryABS)), "y")
			},
		},
	}
	for k, v := range add {
		ruleCases[k] = v
	}
}

// A concatenation length from run-time values that would exceed the
// memory budget is the run's error, never a panic.
func TestLoopOutputLengthOverBudget(t *testing.T) {
	n := NewNetwork()
	x := n.AddInput("x", ir.Float32, ir.S(4, 1024))
	length := n.AddInput("len", ir.Int64, ir.S())
	l := n.AddLoop()
	n.AddTripLimit(l, n.AddConstant(ir.Scalar(ir.Int32, 4)), network.TripLimitCOUNT)
	xi := n.AddIterator(l, x, 0, false)
	n.MarkOutput(n.AddLoopOutput(l, xi, network.LoopOutputCONCATENATE, 0, length), "y")
	blob, err := n.SerializeWith([]backend.Profile{{MinValues: map[string][]int64{"len": {1}}, OptValues: map[string][]int64{"len": {4}},
		MaxValues: map[string][]int64{"len": {1 << 30}}}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	xs := ir.NewTensor(ir.Float32, []int64{4, 1024})
	if _, err := e.Run(map[string]*ir.Tensor{"x": xs, "len": ir.FromSlice(ir.Int64, []int64{}, []int64{4})}); err != nil {
		t.Fatalf("length 4: %v", err)
	}
	_, err = e.Run(map[string]*ir.Tensor{"x": xs, "len": ir.FromSlice(ir.Int64, []int64{}, []int64{1 << 30})})
	if err == nil || !strings.Contains(err.Error(), "Loop") {
		t.Errorf("length 2^30 (4 TiB): %v, want a budget error naming the loop", err)
	}
	if testing.Verbose() {
		t.Log(err)
	}
}
