package kernels

import (
	"math"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func f32(vals ...float32) *ir.Tensor {
	return ir.FromSlice(ir.Float32, []int64{int64(len(vals))}, vals)
}

func checkFloats(t *testing.T, what string, got *ir.Tensor, want []float64, rtol float64) {
	t.Helper()
	if int(got.Numel()) != len(want) {
		t.Fatalf("%s: %d elements, want %d", what, got.Numel(), len(want))
	}
	for i, w := range want {
		g := got.Float(i)
		if math.IsNaN(w) != math.IsNaN(g) || !math.IsNaN(w) && math.Abs(g-w) > rtol*math.Max(1, math.Abs(w)) {
			t.Errorf("%s[%d] = %v, want %v", what, i, g, w)
		}
	}
}

func TestRoundHalfToEven(t *testing.T) {
	in := f32(0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999998, 0.49999997, 3.5000002, -7)
	got, err := Unary(UnaryRound, in)
	if err != nil {
		t.Fatal(err)
	}
	checkFloats(t, "round", got, []float64{0, 2, 2, -0, -2, -2, 2, 0, 4, -7}, 0)
	// Half precision takes the same path through float32.
	h, _ := Cast(f32(0.5, 1.5, 2.5), ir.Float16)
	got, _ = Unary(UnaryRound, h)
	checkFloats(t, "round f16", got, []float64{0, 2, 2}, 0)
}

func TestErfAccuracy(t *testing.T) {
	// Reference values of erf to 10 digits.
	in := f32(0, 0.5, 1, -1, 2, 3.5, -6, 1e-3)
	want := []float64{0, 0.5204998778, 0.8427007929, -0.8427007929, 0.9953222650, 0.9999992569, -1, 1.128378e-3}
	got, err := Unary(UnaryErf, in)
	if err != nil {
		t.Fatal(err)
	}
	checkFloats(t, "erf", got, want, 1e-6)
}

func TestUnaryFloatOps(t *testing.T) {
	x := []float64{0.25, -0.75, 0.5}
	in := f32(0.25, -0.75, 0.5)
	cases := map[UnaryOp]func(float64) float64{
		UnaryExp: math.Exp, UnarySin: math.Sin, UnaryCos: math.Cos, UnaryTan: math.Tan,
		UnarySinh: math.Sinh, UnaryCosh: math.Cosh, UnaryAsin: math.Asin, UnaryAcos: math.Acos,
		UnaryAtan: math.Atan, UnaryAsinh: math.Asinh, UnaryAtanh: math.Atanh,
		UnaryAbs: math.Abs, UnaryNeg: func(v float64) float64 { return -v },
		UnaryCeil: math.Ceil, UnaryFloor: math.Floor,
		UnaryRecip: func(v float64) float64 { return 1 / v },
	}
	for op, f := range cases {
		got, err := Unary(op, in)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float64, len(x))
		for i, v := range x {
			want[i] = f(v)
		}
		checkFloats(t, "op", got, want, 1e-6)
	}
	// Domain errors give NaN, as in C.
	got, _ := Unary(UnarySqrt, f32(-1, 4))
	checkFloats(t, "sqrt", got, []float64{math.NaN(), 2}, 0)
	got, _ = Unary(UnaryLog, f32(0, -1, 1))
	checkFloats(t, "log", got, []float64{math.Inf(-1), math.NaN(), 0}, 0)
	got, _ = Unary(UnaryAcosh, f32(1, 2))
	checkFloats(t, "acosh", got, []float64{0, math.Acosh(2)}, 1e-6)
}

func TestUnaryIntAndBool(t *testing.T) {
	in := ir.FromSlice(ir.Int32, []int64{4}, []int32{-3, 0, 7, math.MinInt32})
	abs, err := Unary(UnaryAbs, in)
	if err != nil {
		t.Fatal(err)
	}
	if got := ir.View[int32](abs); got[0] != 3 || got[2] != 7 || got[3] != math.MinInt32 {
		t.Errorf("abs = %v", got)
	}
	sign, _ := Unary(UnarySign, in)
	if got := ir.View[int32](sign); got[0] != -1 || got[1] != 0 || got[2] != 1 {
		t.Errorf("sign = %v", got)
	}
	neg, _ := Unary(UnaryNeg, ir.FromSlice(ir.Int64, []int64{2}, []int64{5, -6}))
	if got := ir.View[int64](neg); got[0] != -5 || got[1] != 6 {
		t.Errorf("neg = %v", got)
	}
	if _, err := Unary(UnaryExp, in); err == nil {
		t.Error("exp of int32 should fail")
	}
	b := ir.FromSlice(ir.Bool, []int64{2}, []uint8{0, 1})
	not, _ := Unary(UnaryNot, b)
	if got := ir.View[uint8](not); got[0] != 1 || got[1] != 0 {
		t.Errorf("not = %v", got)
	}
	if _, err := Unary(UnaryNot, in); err == nil {
		t.Error("not of int32 should fail")
	}
}

func TestSignKeepsNaNAndZero(t *testing.T) {
	got, _ := Unary(UnarySign, f32(float32(math.NaN()), 0, -2, 3))
	checkFloats(t, "sign", got, []float64{math.NaN(), 0, -1, 1}, 0)
}

func TestIsInfIsNaN(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	x := f32(inf, -inf, nan, 1, 0)
	for _, dt := range []ir.DType{ir.Float32, ir.Float16, ir.BFloat16, ir.Float64} {
		xt, _ := Cast(x, dt)
		n, err := IsNaN(xt)
		if err != nil {
			t.Fatal(err)
		}
		if got := ir.View[uint8](n); got[0] != 0 || got[1] != 0 || got[2] != 1 || got[3] != 0 {
			t.Errorf("%v isnan = %v", dt, got)
		}
		pos, _ := IsInf(xt, true, false)
		neg, _ := IsInf(xt, false, true)
		both, _ := Unary(UnaryIsInf, xt)
		p, m, b := ir.View[uint8](pos), ir.View[uint8](neg), ir.View[uint8](both)
		if p[0] != 1 || p[1] != 0 || m[0] != 0 || m[1] != 1 || b[0] != 1 || b[1] != 1 || b[2] != 0 || b[3] != 0 {
			t.Errorf("%v isinf pos=%v neg=%v both=%v", dt, p, m, b)
		}
	}
}

func TestMaxMinPropagateNaN(t *testing.T) {
	nan := float32(math.NaN())
	a, b := f32(nan, 1, 2), f32(0, nan, 3)
	mx, _ := Binary(OpMax, a, b)
	mn, _ := Binary(OpMin, a, b)
	checkFloats(t, "max", mx, []float64{math.NaN(), math.NaN(), 3}, 0)
	checkFloats(t, "min", mn, []float64{math.NaN(), math.NaN(), 2}, 0)
}
