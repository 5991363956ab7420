package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// ActOp is an elementwise activation with up to two float parameters. The
// first fourteen follow TensorRT's ActivationType (same meaning of alpha and
// beta); the rest are ONNX activations TensorRT builds from several layers.
type ActOp int

const (
	ActRelu            ActOp = iota // max(0, x)
	ActSigmoid                      // 1 / (1 + exp(-x))
	ActTanh                         // tanh(x)
	ActLeakyRelu                    // x >= 0 ? x : alpha*x
	ActElu                          // x >= 0 ? x : alpha*(exp(x)-1)
	ActSelu                         // beta * (x > 0 ? x : alpha*(exp(x)-1))
	ActSoftsign                     // x / (1 + |x|)
	ActSoftplus                     // alpha * log(exp(beta*x) + 1)
	ActClip                         // max(alpha, min(beta, x))
	ActHardSigmoid                  // max(0, min(1, alpha*x + beta))
	ActScaledTanh                   // alpha * tanh(beta*x)
	ActThresholdedRelu              // x > alpha ? x : 0
	ActGeluErf                      // 0.5*x*(1 + erf(x/sqrt(2)))
	ActGeluTanh                     // 0.5*x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x^3)))
	ActHardSwish                    // x * max(0, min(1, x/6 + 0.5))
	ActCelu                         // max(0, x) + min(0, alpha*(exp(x/alpha)-1))
	ActMish                         // x * tanh(log(1 + exp(x)))
	ActShrink                       // x < -beta ? x+alpha : x > beta ? x-alpha : 0 (alpha=bias, beta=lambd)
	numActOps
)

// NumActOps is the count of ActOp values (for completeness tests).
const NumActOps = int(numActOps)

// Activation applies op with parameters alpha and beta to a float tensor.
// NaN propagates through every op (Clip and HardSigmoid included). Float16
// and BFloat16 are computed in float32 and rounded once.
func Activation(op ActOp, t *ir.Tensor, alpha, beta float64) (*ir.Tensor, error) {
	if op < 0 || op >= numActOps {
		return nil, fmt.Errorf("unknown activation %d", op)
	}
	switch t.DType {
	case ir.Float32:
		out := ir.NewTensor(t.DType, t.Shape)
		activation(op, ir.View[float32](out), ir.View[float32](t), alpha, beta)
		return out, nil
	case ir.Float64:
		out := ir.NewTensor(t.DType, t.Shape)
		activation(op, ir.View[float64](out), ir.View[float64](t), alpha, beta)
		return out, nil
	case ir.Float16, ir.BFloat16:
		r, err := Activation(op, ToFloat32(t), alpha, beta)
		if err != nil {
			return nil, err
		}
		return FromFloat32(r, t.DType), nil
	}
	return nil, fmt.Errorf("activation %d needs a floating-point tensor, got %v", op, t.DType)
}

const (
	sqrt1_2   = 0.70710678118654752440084436210484903928483593768847
	sqrt2OvPi = 0.79788456080286535587989211986876373695171726232987
)

// softplus is log(1 + exp(x)) without overflow for large x.
func softplus(x float64) float64 {
	if x > 30 {
		return x // log1p(exp(x)) - x < 1e-13
	}
	return math.Log1p(math.Exp(x))
}

// activation runs one op; transcendental parts go through float64 (see
// unaryMath), cheap ones stay in T.
func activation[T float](op ActOp, o, x []T, alpha, beta float64) {
	x = x[:len(o)]
	a, b := T(alpha), T(beta)
	switch op {
	case ActRelu:
		// max without a data-dependent branch; a zero (either sign) and
		// a NaN come back as they are.
		for i, v := range x {
			r := max(v, 0)
			if v == 0 || v != v {
				r = v
			}
			o[i] = r
		}
	case ActSigmoid:
		for i, v := range x {
			o[i] = T(1 / (1 + math.Exp(-float64(v))))
		}
	case ActTanh:
		for i, v := range x {
			o[i] = T(math.Tanh(float64(v)))
		}
	case ActLeakyRelu:
		for i, v := range x {
			if v < 0 {
				v *= a
			}
			o[i] = v
		}
	case ActElu:
		for i, v := range x {
			if v < 0 {
				v = T(alpha * math.Expm1(float64(v)))
			}
			o[i] = v
		}
	case ActSelu:
		for i, v := range x {
			if v > 0 {
				o[i] = T(beta * float64(v))
			} else {
				o[i] = T(beta * alpha * math.Expm1(float64(v)))
			}
		}
	case ActSoftsign:
		for i, v := range x {
			o[i] = T(float64(v) / (1 + math.Abs(float64(v))))
		}
	case ActSoftplus:
		for i, v := range x {
			o[i] = T(alpha * softplus(beta*float64(v)))
		}
	case ActClip:
		for i, v := range x {
			// TensorRT's order: min with beta first, so alpha wins when
			// alpha > beta (ONNX Clip, which lets max win, is Clip below).
			if v > b {
				v = b
			}
			if v < a {
				v = a
			}
			o[i] = v // NaN fails both tests and stays
		}
	case ActHardSigmoid:
		for i, v := range x {
			o[i] = clamp01(a*v + b)
		}
	case ActScaledTanh:
		for i, v := range x {
			o[i] = T(alpha * math.Tanh(beta*float64(v)))
		}
	case ActThresholdedRelu:
		for i, v := range x {
			if !(v > a) && v == v {
				v = 0
			}
			o[i] = v
		}
	case ActGeluErf:
		for i, v := range x {
			f := float64(v)
			o[i] = T(0.5 * f * (1 + math.Erf(f*sqrt1_2)))
		}
	case ActGeluTanh:
		for i, v := range x {
			f := float64(v)
			o[i] = T(0.5 * f * (1 + math.Tanh(sqrt2OvPi*(f+0.044715*f*f*f))))
		}
	case ActHardSwish:
		for i, v := range x {
			o[i] = v * clamp01(v/6+0.5)
		}
	case ActCelu:
		for i, v := range x {
			if v < 0 {
				v = T(alpha * math.Expm1(float64(v)/alpha))
			}
			o[i] = v
		}
	case ActMish:
		for i, v := range x {
			f := float64(v)
			o[i] = T(f * math.Tanh(softplus(f)))
		}
	case ActShrink:
		for i, v := range x {
			switch {
			case v < -b:
				o[i] = v + a
			case v > b:
				o[i] = v - a
			case v != v:
				o[i] = v
			default:
				o[i] = 0
			}
		}
	}
}

// clamp01 clamps to [0, 1], keeping NaN.
func clamp01[T float](v T) T {
	// min and max without data-dependent branches; a zero keeps its sign
	// and a NaN stays NaN, as with v < 0 ? 0 : v > 1 ? 1 : v.
	r := min(max(v, 0), 1)
	if v == 0 {
		r = v
	}
	return r
}

// Clip clamps every element to [lo, hi] in the tensor's own dtype: first
// max with lo, then min with hi, so lo > hi gives hi everywhere (ONNX).
// hasLo/hasHi leave a side open. NaN stays NaN. Integer bounds are converted
// to the element type first.
func Clip(t *ir.Tensor, lo, hi float64, hasLo, hasHi bool) (*ir.Tensor, error) {
	out := ir.NewTensor(t.DType, t.Shape)
	switch t.DType {
	case ir.Float32:
		clipT(ir.View[float32](out), ir.View[float32](t), lo, hi, hasLo, hasHi)
	case ir.Float64:
		clipT(ir.View[float64](out), ir.View[float64](t), lo, hi, hasLo, hasHi)
	case ir.Float16, ir.BFloat16:
		r, err := Clip(ToFloat32(t), lo, hi, hasLo, hasHi)
		if err != nil {
			return nil, err
		}
		return FromFloat32(r, t.DType), nil
	case ir.Int8:
		clipT(ir.View[int8](out), ir.View[int8](t), lo, hi, hasLo, hasHi)
	case ir.Int16:
		clipT(ir.View[int16](out), ir.View[int16](t), lo, hi, hasLo, hasHi)
	case ir.Int32:
		clipT(ir.View[int32](out), ir.View[int32](t), lo, hi, hasLo, hasHi)
	case ir.Int64:
		clipT(ir.View[int64](out), ir.View[int64](t), lo, hi, hasLo, hasHi)
	case ir.Uint8:
		clipT(ir.View[uint8](out), ir.View[uint8](t), lo, hi, hasLo, hasHi)
	case ir.Uint16:
		clipT(ir.View[uint16](out), ir.View[uint16](t), lo, hi, hasLo, hasHi)
	case ir.Uint32:
		clipT(ir.View[uint32](out), ir.View[uint32](t), lo, hi, hasLo, hasHi)
	case ir.Uint64:
		clipT(ir.View[uint64](out), ir.View[uint64](t), lo, hi, hasLo, hasHi)
	default:
		return nil, fmt.Errorf("clip of %v is not supported", t.DType)
	}
	return out, nil
}

func clipT[T number](o, x []T, lo, hi float64, hasLo, hasHi bool) {
	var l, h T
	if isFloat[T]() {
		l, h = T(lo), T(hi)
	} else {
		// A bound beyond the type's range clips nothing on its side, and
		// converting it would be undefined in Go.
		tlo, thi := intLimits[T]()
		flo, fhi := float64(tlo), float64(thi)
		hasLo = hasLo && lo > flo
		hasHi = hasHi && hi < fhi
		if hasLo {
			if lo = math.Ceil(lo); lo >= fhi {
				l = thi
			} else {
				l = T(lo)
			}
		}
		if hasHi {
			if hi = math.Floor(hi); hi <= flo {
				h = tlo
			} else {
				h = T(hi)
			}
		}
	}
	x = x[:len(o)]
	for i, v := range x {
		if hasLo && v < l {
			v = l
		}
		if hasHi && v > h {
			v = h
		}
		o[i] = v
	}
}

// PRelu is x < 0 ? slope*x : x with slope broadcast to x (numpy rules; the
// output has the broadcast shape).
func PRelu(x, slope *ir.Tensor) (*ir.Tensor, error) {
	if x.DType != slope.DType {
		return nil, fmt.Errorf("prelu: x is %v but slope is %v", x.DType, slope.DType)
	}
	if x.DType == ir.Float16 || x.DType == ir.BFloat16 {
		r, err := PRelu(ToFloat32(x), ToFloat32(slope))
		if err != nil {
			return nil, err
		}
		return FromFloat32(r, x.DType), nil
	}
	shape, err := ir.BroadcastInts(x.Shape, slope.Shape)
	if err != nil {
		return nil, err
	}
	out := ir.NewTensor(x.DType, shape)
	sx, ss := BroadcastStrides(x.Shape, shape), BroadcastStrides(slope.Shape, shape)
	switch x.DType {
	case ir.Float32:
		preluT(ir.View[float32](out), ir.View[float32](x), ir.View[float32](slope), shape, sx, ss)
	case ir.Float64:
		preluT(ir.View[float64](out), ir.View[float64](x), ir.View[float64](slope), shape, sx, ss)
	case ir.Int8:
		preluT(ir.View[int8](out), ir.View[int8](x), ir.View[int8](slope), shape, sx, ss)
	case ir.Int16:
		preluT(ir.View[int16](out), ir.View[int16](x), ir.View[int16](slope), shape, sx, ss)
	case ir.Int32:
		preluT(ir.View[int32](out), ir.View[int32](x), ir.View[int32](slope), shape, sx, ss)
	case ir.Int64:
		preluT(ir.View[int64](out), ir.View[int64](x), ir.View[int64](slope), shape, sx, ss)
	case ir.Uint8, ir.Uint16, ir.Uint32, ir.Uint64:
		return ExpandTo(x, shape) // never negative
	default:
		return nil, fmt.Errorf("prelu of %v is not supported", x.DType)
	}
	return out, nil
}

func preluT[T number](o, x, s []T, shape, sx, ss []int64) {
	ForEachRun(shape, [][]int64{sx, ss}, func(off int64, in []int64, n int64, st []int64) {
		xi, si, xs, sst := in[0], in[1], st[0], st[1]
		dst := o[off : off+n]
		for i := range dst {
			v := x[xi+int64(i)*xs]
			if v < 0 {
				v *= s[si+int64(i)*sst]
			}
			dst[i] = v
		}
	})
}
