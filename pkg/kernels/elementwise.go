package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// BinaryOp is an elementwise binary operation.
type BinaryOp int

const (
	OpAdd BinaryOp = iota
	OpSub
	OpMul
	OpDiv
	OpPow
	OpMax
	OpMin
	OpFloorDiv
	OpMod  // sign of divisor (Python / ONNX fmod=0)
	OpFmod // sign of dividend (C fmod / ONNX fmod=1)
	OpEqual
	OpLess
	OpGreater
	OpLessEqual
	OpGreaterEqual
	OpAnd
	OpOr
	OpXor
)

// IsCompare reports ops whose result is Bool.
func (op BinaryOp) IsCompare() bool { return op >= OpEqual && op <= OpGreaterEqual }

// IsLogical reports ops on Bool inputs.
func (op BinaryOp) IsLogical() bool { return op >= OpAnd }

// Binary applies op to a and b with numpy broadcasting. a and b share a
// dtype; comparisons give Bool, logical ops take and give Bool.
func Binary(op BinaryOp, a, b *ir.Tensor) (*ir.Tensor, error) {
	if a.DType != b.DType {
		return nil, fmt.Errorf("elementwise inputs differ in dtype: %v and %v", a.DType, b.DType)
	}
	shape, err := ir.BroadcastInts(a.Shape, b.Shape)
	if err != nil {
		return nil, err
	}
	outDT := a.DType
	if op.IsCompare() {
		outDT = ir.Bool
	}
	if op.IsLogical() && a.DType != ir.Bool {
		return nil, fmt.Errorf("logical op needs bool inputs, got %v", a.DType)
	}
	out := ir.NewTensor(outDT, shape)
	sa, sb := BroadcastStrides(a.Shape, shape), BroadcastStrides(b.Shape, shape)
	switch a.DType {
	case ir.Float32:
		binaryT(op, ir.View[float32](a), ir.View[float32](b), out, shape, sa, sb)
	case ir.Float64:
		binaryT(op, ir.View[float64](a), ir.View[float64](b), out, shape, sa, sb)
	case ir.Int32:
		binaryT(op, ir.View[int32](a), ir.View[int32](b), out, shape, sa, sb)
	case ir.Int64:
		binaryT(op, ir.View[int64](a), ir.View[int64](b), out, shape, sa, sb)
	case ir.Int8:
		binaryT(op, ir.View[int8](a), ir.View[int8](b), out, shape, sa, sb)
	case ir.Int16:
		binaryT(op, ir.View[int16](a), ir.View[int16](b), out, shape, sa, sb)
	case ir.Uint8, ir.Bool:
		binaryT(op, ir.View[uint8](a), ir.View[uint8](b), out, shape, sa, sb)
	case ir.Uint16:
		binaryT(op, ir.View[uint16](a), ir.View[uint16](b), out, shape, sa, sb)
	case ir.Uint32:
		binaryT(op, ir.View[uint32](a), ir.View[uint32](b), out, shape, sa, sb)
	case ir.Uint64:
		binaryT(op, ir.View[uint64](a), ir.View[uint64](b), out, shape, sa, sb)
	case ir.Float16, ir.BFloat16:
		// Computed in float32 and rounded once, as TensorRT's half kernels
		// accumulate in float.
		fa, fb := ToFloat32(a), ToFloat32(b)
		r, err := Binary(op, fa, fb)
		if err != nil {
			return nil, err
		}
		if op.IsCompare() {
			return r, nil
		}
		return FromFloat32(r, a.DType), nil
	default:
		return nil, fmt.Errorf("elementwise op on %v is not supported", a.DType)
	}
	return out, nil
}

type number interface {
	~float32 | ~float64 | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

func binaryT[T number](op BinaryOp, a, b []T, out *ir.Tensor, shape, sa, sb []int64) {
	if op.IsCompare() {
		o := ir.View[uint8](out)
		ForEachRun(shape, [][]int64{sa, sb}, func(off int64, in []int64, n int64, st []int64) {
			ai, bi, as, bs := in[0], in[1], st[0], st[1]
			for i := int64(0); i < n; i++ {
				x, y := a[ai+i*as], b[bi+i*bs]
				var r bool
				switch op {
				case OpEqual:
					r = x == y
				case OpLess:
					r = x < y
				case OpGreater:
					r = x > y
				case OpLessEqual:
					r = x <= y
				case OpGreaterEqual:
					r = x >= y
				}
				if r {
					o[off+i] = 1
				} else {
					o[off+i] = 0
				}
			}
		})
		return
	}
	o := ir.View[T](out)
	ForEachRun(shape, [][]int64{sa, sb}, func(off int64, in []int64, n int64, st []int64) {
		ai, bi, as, bs := in[0], in[1], st[0], st[1]
		dst := o[off : off+n]
		switch op {
		case OpAdd:
			if as == 1 && bs == 1 {
				x, y := a[ai:ai+n], b[bi:bi+n]
				for i := range dst {
					dst[i] = x[i] + y[i]
				}
				return
			}
			for i := range dst {
				dst[i] = a[ai+int64(i)*as] + b[bi+int64(i)*bs]
			}
		case OpSub:
			for i := range dst {
				dst[i] = a[ai+int64(i)*as] - b[bi+int64(i)*bs]
			}
		case OpMul:
			if as == 1 && bs == 1 {
				x, y := a[ai:ai+n], b[bi:bi+n]
				for i := range dst {
					dst[i] = x[i] * y[i]
				}
				return
			}
			for i := range dst {
				dst[i] = a[ai+int64(i)*as] * b[bi+int64(i)*bs]
			}
		case OpDiv:
			for i := range dst {
				dst[i] = div(a[ai+int64(i)*as], b[bi+int64(i)*bs])
			}
		case OpMax:
			for i := range dst {
				dst[i] = maxNaN(a[ai+int64(i)*as], b[bi+int64(i)*bs])
			}
		case OpMin:
			for i := range dst {
				dst[i] = minNaN(a[ai+int64(i)*as], b[bi+int64(i)*bs])
			}
		case OpPow:
			for i := range dst {
				dst[i] = T(math.Pow(float64(a[ai+int64(i)*as]), float64(b[bi+int64(i)*bs])))
			}
		case OpFloorDiv:
			for i := range dst {
				x, y := float64(a[ai+int64(i)*as]), float64(b[bi+int64(i)*bs])
				dst[i] = T(math.Floor(x / y))
			}
		case OpMod:
			for i := range dst {
				dst[i] = mod(a[ai+int64(i)*as], b[bi+int64(i)*bs], false)
			}
		case OpFmod:
			for i := range dst {
				dst[i] = mod(a[ai+int64(i)*as], b[bi+int64(i)*bs], true)
			}
		case OpAnd:
			for i := range dst {
				dst[i] = boolT[T](a[ai+int64(i)*as] != 0 && b[bi+int64(i)*bs] != 0)
			}
		case OpOr:
			for i := range dst {
				dst[i] = boolT[T](a[ai+int64(i)*as] != 0 || b[bi+int64(i)*bs] != 0)
			}
		case OpXor:
			for i := range dst {
				dst[i] = boolT[T]((a[ai+int64(i)*as] != 0) != (b[bi+int64(i)*bs] != 0))
			}
		}
	})
}

func boolT[T number](b bool) T {
	if b {
		return 1
	}
	return 0
}

func isFloat[T number]() bool {
	var z T
	switch any(z).(type) {
	case float32, float64:
		return true
	}
	return false
}

// div divides; integer division truncates toward zero and x/0 is 0 for
// integers (no trap), as CUDA integer division leaves it undefined.
func div[T number](x, y T) T {
	if !isFloat[T]() && y == 0 {
		return 0
	}
	return x / y
}

func maxNaN[T number](x, y T) T {
	if x != x {
		return x
	}
	if y != y || y > x {
		return y
	}
	return x
}

func minNaN[T number](x, y T) T {
	if x != x {
		return x
	}
	if y != y || y < x {
		return y
	}
	return x
}

func mod[T number](x, y T, fmod bool) T {
	if isFloat[T]() || fmod {
		r := T(math.Mod(float64(x), float64(y)))
		if !fmod && r != 0 && (r < 0) != (y < 0) {
			r += y
		}
		return r
	}
	if y == 0 {
		return 0
	}
	r := T(int64(x) % int64(y))
	if r != 0 && (r < 0) != (y < 0) {
		r += y
	}
	return r
}

// ToFloat32 converts any numeric tensor to float32.
func ToFloat32(t *ir.Tensor) *ir.Tensor {
	if t.DType == ir.Float32 {
		return t
	}
	out := ir.NewTensor(ir.Float32, t.Shape)
	o := ir.View[float32](out)
	switch t.DType {
	case ir.Float16:
		for i, h := range ir.View[uint16](t) {
			o[i] = ir.HalfToFloat(h)
		}
	case ir.BFloat16:
		for i, h := range ir.View[uint16](t) {
			o[i] = ir.BF16ToFloat(h)
		}
	default:
		for i := range o {
			o[i] = float32(t.Float(i))
		}
	}
	return out
}

// FromFloat32 converts a float32 tensor to dt.
func FromFloat32(t *ir.Tensor, dt ir.DType) *ir.Tensor {
	if dt == ir.Float32 {
		return t
	}
	out := ir.NewTensor(dt, t.Shape)
	src := ir.View[float32](t)
	switch dt {
	case ir.Float16:
		o := ir.View[uint16](out)
		for i, f := range src {
			o[i] = ir.FloatToHalf(f)
		}
	case ir.BFloat16:
		o := ir.View[uint16](out)
		for i, f := range src {
			o[i] = ir.FloatToBF16(f)
		}
	default:
		for i, f := range src {
			out.SetFloat(i, float64(f))
		}
	}
	return out
}

// UnaryF32 applies f to every element of a floating tensor, computing in
// float32 (float64 tensors in float64 through g when g is non-nil).
func UnaryF32(t *ir.Tensor, f func(float32) float32, g func(float64) float64) (*ir.Tensor, error) {
	switch t.DType {
	case ir.Float32:
		out := ir.NewTensor(ir.Float32, t.Shape)
		o, x := ir.View[float32](out), ir.View[float32](t)
		for i := range o {
			o[i] = f(x[i])
		}
		return out, nil
	case ir.Float64:
		out := ir.NewTensor(ir.Float64, t.Shape)
		o, x := ir.View[float64](out), ir.View[float64](t)
		for i := range o {
			if g != nil {
				o[i] = g(x[i])
			} else {
				o[i] = float64(f(float32(x[i])))
			}
		}
		return out, nil
	case ir.Float16, ir.BFloat16:
		r, err := UnaryF32(ToFloat32(t), f, g)
		if err != nil {
			return nil, err
		}
		return FromFloat32(r, t.DType), nil
	}
	return nil, fmt.Errorf("op needs a floating-point tensor, got %v", t.DType)
}
