package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// UnaryOp is an elementwise unary operation.
type UnaryOp int

const (
	UnaryExp UnaryOp = iota
	UnaryLog
	UnarySqrt
	UnaryRecip
	UnaryAbs
	UnaryNeg
	UnarySin
	UnaryCos
	UnaryTan
	UnarySinh
	UnaryCosh
	UnaryAsin
	UnaryAcos
	UnaryAtan
	UnaryAsinh
	UnaryAcosh
	UnaryAtanh
	UnaryCeil
	UnaryFloor
	UnaryErf
	UnaryNot   // bool -> bool
	UnarySign  // -1, 0, 1 (NaN stays NaN)
	UnaryRound // half to even
	UnaryIsInf // float -> bool, both signs
	UnaryIsNaN // float -> bool
	numUnaryOps
)

// NumUnaryOps is the count of UnaryOp values (for completeness tests).
const NumUnaryOps = int(numUnaryOps)

// unaryMath maps the transcendental ops to their float64 functions. Go's
// math package has no float32 versions; float32 inputs go through float64
// and are rounded once, which is exact to the last float32 ulp. The call
// through a function value costs little next to the function itself.
var unaryMath = map[UnaryOp]func(float64) float64{
	UnaryExp: math.Exp, UnaryLog: math.Log, UnarySin: math.Sin, UnaryCos: math.Cos,
	UnaryTan: math.Tan, UnarySinh: math.Sinh, UnaryCosh: math.Cosh, UnaryAsin: math.Asin,
	UnaryAcos: math.Acos, UnaryAtan: math.Atan, UnaryAsinh: math.Asinh,
	UnaryAcosh: math.Acosh, UnaryAtanh: math.Atanh, UnaryErf: math.Erf,
}

// UnaryIntOK reports ops defined on signed integers (Abs, Neg, Sign).
func UnaryIntOK(op UnaryOp) bool { return op == UnaryAbs || op == UnaryNeg || op == UnarySign }

// Unary applies op to every element. Not takes and gives Bool; IsInf and
// IsNaN take floats and give Bool; Abs, Neg and Sign also take signed
// integers; every other op takes floats. Float16 and BFloat16 are computed
// in float32 and rounded once.
func Unary(op UnaryOp, t *ir.Tensor) (*ir.Tensor, error) {
	if op < 0 || op >= numUnaryOps {
		return nil, fmt.Errorf("unknown unary op %d", op)
	}
	if op == UnaryNot {
		if t.DType != ir.Bool {
			return nil, fmt.Errorf("not needs a bool tensor, got %v", t.DType)
		}
		out := ir.NewTensor(ir.Bool, t.Shape)
		o, x := ir.View[uint8](out), ir.View[uint8](t)
		for i := range o {
			o[i] = boolT[uint8](x[i] == 0)
		}
		return out, nil
	}
	if op == UnaryIsInf {
		return IsInf(t, true, true)
	}
	if op == UnaryIsNaN {
		return IsNaN(t)
	}
	switch t.DType {
	case ir.Float32:
		out := ir.NewTensor(t.DType, t.Shape)
		unaryFloat(op, ir.View[float32](out), ir.View[float32](t))
		return out, nil
	case ir.Float64:
		out := ir.NewTensor(t.DType, t.Shape)
		unaryFloat(op, ir.View[float64](out), ir.View[float64](t))
		return out, nil
	case ir.Float16, ir.BFloat16:
		r, err := Unary(op, ToFloat32(t))
		if err != nil {
			return nil, err
		}
		return FromFloat32(r, t.DType), nil
	}
	if !UnaryIntOK(op) {
		return nil, fmt.Errorf("unary op %d needs a floating-point tensor, got %v", op, t.DType)
	}
	out := ir.NewTensor(t.DType, t.Shape)
	switch t.DType {
	case ir.Int8:
		unaryInt(op, ir.View[int8](out), ir.View[int8](t))
	case ir.Int16:
		unaryInt(op, ir.View[int16](out), ir.View[int16](t))
	case ir.Int32:
		unaryInt(op, ir.View[int32](out), ir.View[int32](t))
	case ir.Int64:
		unaryInt(op, ir.View[int64](out), ir.View[int64](t))
	case ir.Uint8:
		unaryUint(op, ir.View[uint8](out), ir.View[uint8](t))
	case ir.Uint16:
		unaryUint(op, ir.View[uint16](out), ir.View[uint16](t))
	case ir.Uint32:
		unaryUint(op, ir.View[uint32](out), ir.View[uint32](t))
	case ir.Uint64:
		unaryUint(op, ir.View[uint64](out), ir.View[uint64](t))
	default:
		return nil, fmt.Errorf("unary op %d on %v is not supported", op, t.DType)
	}
	return out, nil
}

// float is the floating-point element types.
type float interface{ ~float32 | ~float64 }

func unaryFloat[T float](op UnaryOp, o, x []T) {
	x = x[:len(o)]
	switch op {
	case UnaryAbs:
		for i, v := range x {
			o[i] = T(math.Abs(float64(v)))
		}
	case UnaryNeg:
		for i, v := range x {
			o[i] = -v
		}
	case UnarySqrt:
		for i, v := range x {
			o[i] = T(math.Sqrt(float64(v)))
		}
	case UnaryRecip:
		for i, v := range x {
			o[i] = 1 / v
		}
	case UnaryCeil:
		for i, v := range x {
			o[i] = T(math.Ceil(float64(v)))
		}
	case UnaryFloor:
		for i, v := range x {
			o[i] = T(math.Floor(float64(v)))
		}
	case UnaryRound:
		for i, v := range x {
			o[i] = T(math.RoundToEven(float64(v)))
		}
	case UnarySign:
		for i, v := range x {
			switch {
			case v > 0:
				o[i] = 1
			case v < 0:
				o[i] = -1
			default:
				o[i] = v // 0, -0 and NaN are their own sign
			}
		}
	default:
		f := unaryMath[op]
		for i, v := range x {
			o[i] = T(f(float64(v)))
		}
	}
}

type signed interface {
	~int8 | ~int16 | ~int32 | ~int64
}

// unaryInt handles Abs, Neg and Sign; Abs and Neg wrap at the minimum value
// as two's complement does.
func unaryInt[T signed](op UnaryOp, o, x []T) {
	x = x[:len(o)]
	switch op {
	case UnaryAbs:
		for i, v := range x {
			if v < 0 {
				v = -v
			}
			o[i] = v
		}
	case UnaryNeg:
		for i, v := range x {
			o[i] = -v
		}
	case UnarySign:
		for i, v := range x {
			switch {
			case v > 0:
				o[i] = 1
			case v < 0:
				o[i] = -1
			default:
				o[i] = 0
			}
		}
	}
}

type unsigned interface {
	~uint8 | ~uint16 | ~uint32 | ~uint64
}

// unaryUint: Abs is the identity, Neg wraps, Sign is 0 or 1.
func unaryUint[T unsigned](op UnaryOp, o, x []T) {
	x = x[:len(o)]
	switch op {
	case UnaryAbs:
		copy(o, x)
	case UnaryNeg:
		for i, v := range x {
			o[i] = -v
		}
	case UnarySign:
		for i, v := range x {
			o[i] = boolT[T](v != 0)
		}
	}
}

// IsNaN gives a Bool tensor marking NaN elements of a float tensor.
func IsNaN(t *ir.Tensor) (*ir.Tensor, error) {
	out := ir.NewTensor(ir.Bool, t.Shape)
	o := ir.View[uint8](out)
	switch t.DType {
	case ir.Float32:
		for i, v := range ir.View[float32](t) {
			o[i] = boolT[uint8](v != v)
		}
	case ir.Float64:
		for i, v := range ir.View[float64](t) {
			o[i] = boolT[uint8](v != v)
		}
	case ir.Float16:
		for i, h := range ir.View[uint16](t) {
			o[i] = boolT[uint8](h&0x7c00 == 0x7c00 && h&0x3ff != 0)
		}
	case ir.BFloat16:
		for i, h := range ir.View[uint16](t) {
			o[i] = boolT[uint8](h&0x7f80 == 0x7f80 && h&0x7f != 0)
		}
	default:
		return nil, fmt.Errorf("isnan needs a floating-point tensor, got %v", t.DType)
	}
	return out, nil
}

// IsInf gives a Bool tensor marking +Inf (when pos) and -Inf (when neg).
func IsInf(t *ir.Tensor, pos, neg bool) (*ir.Tensor, error) {
	if !t.DType.IsFloat() {
		return nil, fmt.Errorf("isinf needs a floating-point tensor, got %v", t.DType)
	}
	f := t
	if t.DType == ir.Float16 || t.DType == ir.BFloat16 {
		f = ToFloat32(t) // Inf converts exactly
	}
	out := ir.NewTensor(ir.Bool, t.Shape)
	o := ir.View[uint8](out)
	if f.DType == ir.Float64 {
		for i, v := range ir.View[float64](f) {
			o[i] = boolT[uint8](pos && math.IsInf(v, 1) || neg && math.IsInf(v, -1))
		}
		return out, nil
	}
	pinf, ninf := float32(math.Inf(1)), float32(math.Inf(-1))
	for i, v := range ir.View[float32](f) {
		o[i] = boolT[uint8](pos && v == pinf || neg && v == ninf)
	}
	return out, nil
}
