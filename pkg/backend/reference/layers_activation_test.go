package reference

import (
	"math"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// runOne builds a network of one input and whatever build adds, runs it on
// x and returns the output.
func runOne(t *testing.T, x *ir.Tensor, build func(n *Network, in network.Tensor) network.Tensor) *ir.Tensor {
	t.Helper()
	n := NewNetwork()
	n.BeginNode("test", "node")
	in := n.AddInput("x", x.DType, ir.S(x.Shape...))
	n.MarkOutput(build(n, in), "y")
	blob, err := n.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	e, err := Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Run(map[string]*ir.Tensor{"x": x})
	if err != nil {
		t.Fatal(err)
	}
	return out["y"]
}

var testXs = []float64{-2.5, -1, -0.25, 0, 0.4, 1, 3}

func testInput() *ir.Tensor {
	t := ir.NewTensor(ir.Float32, []int64{int64(len(testXs))})
	for i, v := range testXs {
		t.SetFloat(i, v)
	}
	return t
}

func expectValues(t *testing.T, what string, got *ir.Tensor, f func(float64) float64, tol float64) {
	t.Helper()
	for i, x := range testXs {
		w, g := f(x), got.Float(i)
		if math.IsNaN(w) && math.IsNaN(g) || w == g {
			continue
		}
		if !(math.Abs(g-w) <= tol*math.Max(1, math.Abs(w))) {
			t.Errorf("%s(%v) = %v, want %v", what, x, g, w)
		}
	}
}

func TestActivationEveryType(t *testing.T) {
	const a, b = 0.6, 1.3
	pick := func(c bool, x, y float64) float64 {
		if c {
			return x
		}
		return y
	}
	formulas := map[network.ActivationType]func(x float64) float64{
		network.ActivationRELU:             func(x float64) float64 { return math.Max(0, x) },
		network.ActivationSIGMOID:          func(x float64) float64 { return 1 / (1 + math.Exp(-x)) },
		network.ActivationTANH:             math.Tanh,
		network.ActivationLEAKY_RELU:       func(x float64) float64 { return pick(x >= 0, x, a*x) },
		network.ActivationELU:              func(x float64) float64 { return pick(x >= 0, x, a*(math.Exp(x)-1)) },
		network.ActivationSELU:             func(x float64) float64 { return b * pick(x > 0, x, a*(math.Exp(x)-1)) },
		network.ActivationSOFTSIGN:         func(x float64) float64 { return x / (1 + math.Abs(x)) },
		network.ActivationSOFTPLUS:         func(x float64) float64 { return a * math.Log(math.Exp(b*x)+1) },
		network.ActivationCLIP:             func(x float64) float64 { return math.Max(a, math.Min(b, x)) },
		network.ActivationHARD_SIGMOID:     func(x float64) float64 { return math.Max(0, math.Min(1, a*x+b)) },
		network.ActivationSCALED_TANH:      func(x float64) float64 { return a * math.Tanh(b*x) },
		network.ActivationTHRESHOLDED_RELU: func(x float64) float64 { return pick(x > a, x, 0) },
		network.ActivationGELU_ERF:         func(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) },
		network.ActivationGELU_TANH: func(x float64) float64 {
			return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
		},
	}
	for typ := network.ActivationType(0); int(typ) < network.NumActivationType; typ++ {
		f, ok := formulas[typ]
		if !ok {
			t.Errorf("%v has no formula in this test", typ)
			continue
		}
		got := runOne(t, testInput(), func(n *Network, in network.Tensor) network.Tensor {
			return n.AddActivation(in, network.ActivationParams{Type: typ, Alpha: a, Beta: b})
		})
		expectValues(t, typ.String(), got, f, 1e-6)
	}
}

func TestActivationRejects(t *testing.T) {
	n := NewNetwork()
	x := n.AddInput("x", ir.Int32, ir.S(2))
	n.AddActivation(x, network.ActivationParams{Type: network.ActivationSIGMOID})
	if n.Err() == nil {
		t.Error("sigmoid on int32 should fail as in TensorRT")
	}
	// "Int32 and Int64 are valid only for activation type kRELU."
	n = NewNetwork()
	x = n.AddInput("x", ir.Int64, ir.S(3))
	got := runBuilt(t, n, n.AddActivation(x, network.ActivationParams{Type: network.ActivationRELU}),
		map[string]*ir.Tensor{"x": ir.FromSlice(ir.Int64, []int64{3}, []int64{-5, 0, 7})})
	if g := ir.View[int64](got); g[0] != 0 || g[1] != 0 || g[2] != 7 {
		t.Errorf("int64 RELU = %v", g)
	}
	n = NewNetwork()
	x = n.AddInput("x", ir.Float32, ir.S(2))
	n.AddActivation(x, network.ActivationParams{Type: 99})
	if n.Err() == nil {
		t.Error("unknown activation type should fail")
	}
}

func TestUnaryEveryOperation(t *testing.T) {
	formulas := map[network.UnaryOperation]func(x float64) float64{
		network.UnaryEXP: math.Exp, network.UnaryLOG: math.Log, network.UnarySQRT: math.Sqrt,
		network.UnaryRECIP: func(x float64) float64 { return 1 / x },
		network.UnaryABS:   math.Abs, network.UnaryNEG: func(x float64) float64 { return -x },
		network.UnarySIN: math.Sin, network.UnaryCOS: math.Cos, network.UnaryTAN: math.Tan,
		network.UnarySINH: math.Sinh, network.UnaryCOSH: math.Cosh, network.UnaryASIN: math.Asin,
		network.UnaryACOS: math.Acos, network.UnaryATAN: math.Atan, network.UnaryASINH: math.Asinh,
		network.UnaryACOSH: math.Acosh, network.UnaryATANH: math.Atanh, network.UnaryCEIL: math.Ceil,
		network.UnaryFLOOR: math.Floor, network.UnaryERF: math.Erf,
		network.UnarySIGN: func(x float64) float64 {
			if x == 0 {
				return 0
			}
			return math.Copysign(1, x)
		},
		network.UnaryROUND: math.RoundToEven,
		network.UnaryISINF: func(x float64) float64 { return b2f(math.IsInf(x, 0)) },
		network.UnaryISNAN: func(x float64) float64 { return b2f(math.IsNaN(x)) },
	}
	for op := network.UnaryOperation(0); int(op) < network.NumUnaryOperation; op++ {
		if op == network.UnaryNOT {
			continue // bool, below
		}
		f, ok := formulas[op]
		if !ok {
			t.Errorf("%v has no formula in this test", op)
			continue
		}
		got := runOne(t, testInput(), func(n *Network, in network.Tensor) network.Tensor {
			return n.AddUnary(in, op)
		})
		if (op == network.UnaryISINF || op == network.UnaryISNAN) != (got.DType == ir.Bool) {
			t.Errorf("%v gave %v", op, got.DType)
		}
		expectValues(t, op.String(), got, f, 1e-6)
	}
	// Round is half to even; IsInf/IsNaN see their special values.
	x := ir.FromSlice(ir.Float32, []int64{4}, []float32{0.5, 2.5, float32(math.Inf(-1)), float32(math.NaN())})
	r := runOne(t, x, func(n *Network, in network.Tensor) network.Tensor { return n.AddUnary(in, network.UnaryROUND) })
	if r.Float(0) != 0 || r.Float(1) != 2 {
		t.Errorf("kROUND = %v %v", r.Float(0), r.Float(1))
	}
	r = runOne(t, x, func(n *Network, in network.Tensor) network.Tensor { return n.AddUnary(in, network.UnaryISINF) })
	if r.Float(2) != 1 || r.Float(3) != 0 {
		t.Errorf("kISINF = %v", ir.View[uint8](r))
	}
	r = runOne(t, x, func(n *Network, in network.Tensor) network.Tensor { return n.AddUnary(in, network.UnaryISNAN) })
	if r.Float(2) != 0 || r.Float(3) != 1 {
		t.Errorf("kISNAN = %v", ir.View[uint8](r))
	}
	b := ir.FromSlice(ir.Bool, []int64{2}, []uint8{1, 0})
	r = runOne(t, b, func(n *Network, in network.Tensor) network.Tensor { return n.AddUnary(in, network.UnaryNOT) })
	if r.DType != ir.Bool || r.Float(0) != 0 || r.Float(1) != 1 {
		t.Errorf("kNOT = %v %v", r.DType, ir.View[uint8](r))
	}
	i := ir.FromSlice(ir.Int64, []int64{3}, []int64{-4, 0, 9})
	r = runOne(t, i, func(n *Network, in network.Tensor) network.Tensor { return n.AddUnary(in, network.UnaryABS) })
	if g := ir.View[int64](r); g[0] != 4 || g[2] != 9 {
		t.Errorf("kABS int64 = %v", g)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func TestUnaryDTypeRules(t *testing.T) {
	for _, c := range []struct {
		op network.UnaryOperation
		dt ir.DType
		ok bool
	}{
		{network.UnaryNOT, ir.Bool, true}, {network.UnaryNOT, ir.Float32, false},
		{network.UnaryABS, ir.Int32, true}, {network.UnarySIGN, ir.Int64, true},
		{network.UnaryEXP, ir.Int32, false}, {network.UnaryEXP, ir.Float64, false},
		{network.UnarySQRT, ir.Float16, true}, {network.UnaryNEG, ir.Bool, false},
	} {
		n := NewNetwork()
		x := n.AddInput("x", c.dt, ir.S(2))
		n.AddUnary(x, c.op)
		if (n.Err() == nil) != c.ok {
			t.Errorf("%v on %v: err %v, want ok=%v", c.op, c.dt, n.Err(), c.ok)
		}
	}
}

func TestSelectAndCastLayers(t *testing.T) {
	n := NewNetwork()
	c := n.AddInput("c", ir.Bool, ir.S(2, 1))
	a := n.AddInput("a", ir.Float32, ir.S(1, 3))
	b := n.AddConstant(ir.FromSlice(ir.Float32, []int64{1, 1}, []float32{-1}))
	s := n.AddSelect(c, a, b)
	n.MarkOutput(n.AddCast(s, ir.Int32), "y")
	if !s.Shape().Equal(ir.S(2, 3)) {
		t.Fatalf("select shape %v", s.Shape())
	}
	blob, err := n.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	e, _ := Load(blob)
	out, err := e.Run(map[string]*ir.Tensor{
		"c": ir.FromSlice(ir.Bool, []int64{2, 1}, []uint8{0, 1}),
		"a": ir.FromSlice(ir.Float32, []int64{1, 3}, []float32{1.9, -2.7, 3}),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []int32{-1, -1, -1, 1, -2, 3}
	for i, w := range want {
		if g := ir.View[int32](out["y"])[i]; g != w {
			t.Errorf("y[%d] = %d, want %d", i, g, w)
		}
	}
	// TensorRT rules: equal ranks, bool condition, matching branches, no float64.
	for name, f := range map[string]func(n *Network){
		"rank": func(n *Network) {
			n.AddSelect(n.AddInput("c", ir.Bool, ir.S(2)), n.AddInput("a", ir.Float32, ir.S(1, 2)), n.AddInput("b", ir.Float32, ir.S(1, 2)))
		},
		"cond": func(n *Network) {
			n.AddSelect(n.AddInput("c", ir.Int32, ir.S(2)), n.AddInput("a", ir.Float32, ir.S(2)), n.AddInput("b", ir.Float32, ir.S(2)))
		},
		"branches": func(n *Network) {
			n.AddSelect(n.AddInput("c", ir.Bool, ir.S(2)), n.AddInput("a", ir.Float32, ir.S(2)), n.AddInput("b", ir.Float16, ir.S(2)))
		},
		"float64": func(n *Network) { n.AddCast(n.AddInput("a", ir.Float32, ir.S(2)), ir.Float64) },
	} {
		n := NewNetwork()
		f(n)
		if n.Err() == nil {
			t.Errorf("%s: expected an error", name)
		}
	}
}
