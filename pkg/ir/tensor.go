package ir

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/trtc-dev/trtc/internal/sizes"
)

// Tensor is a dense, row-major, little-endian array. Data's backing array is
// 8-byte aligned (NewTensor guarantees it; WrapBytes checks it), so View is
// safe for every element type.
type Tensor struct {
	DType DType
	Shape []int64
	Data  []byte
}

// Elem is the set of Go types a tensor can be viewed as. Float16 and BFloat16
// are viewed as uint16 bit patterns; Bool as uint8 (0 or 1).
type Elem interface {
	~float32 | ~float64 | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// alignedBytes returns n zeroed bytes whose backing array is 8-byte aligned.
func alignedBytes(n int) []byte {
	if n == 0 {
		return []byte{}
	}
	words := make([]uint64, (n+7)/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), n)
}

// NewTensor allocates a zeroed tensor. Its size is checked first (overflow,
// the per-tensor limit, the memory budget: package sizes); a failed check
// panics with a *sizes.Error, which ops.Execute, the runtime and the CLI
// recover into an error. Code that can return an error should call
// NewTensorChecked.
func NewTensor(dt DType, shape []int64) *Tensor {
	t, err := NewTensorChecked("", dt, shape)
	if err != nil {
		panic(err)
	}
	return t
}

// NewTensorChecked allocates a zeroed tensor after checking its size; what
// names the tensor in the error.
func NewTensorChecked(what string, dt DType, shape []int64) (*Tensor, error) {
	n, err := sizes.Alloc(what, shape, dt.Size(), dt.String())
	if err != nil {
		return nil, err
	}
	return &Tensor{DType: dt, Shape: append([]int64{}, shape...), Data: alignedBytes(int(n))}, nil
}

// ByteSize is the checked byte length of a dt tensor of shape.
func ByteSize(what string, dt DType, shape []int64) (int64, error) {
	return sizes.Bytes(what, shape, dt.Size(), dt.String())
}

// Validate checks that the tensor's data length matches its dtype and shape
// (with checked arithmetic): kernels' outputs and tensors read from files
// pass through it before they are written anywhere.
func (t *Tensor) Validate(what string) error {
	n, err := ByteSize(what, t.DType, t.Shape)
	if err != nil {
		return err
	}
	if int64(len(t.Data)) != n {
		return fmt.Errorf("%s: %v%v needs %d bytes, holds %d", what, t.DType, S(t.Shape...), n, len(t.Data))
	}
	return nil
}

// WrapBytes makes a tensor over data without copying when data is aligned and
// of the right length; otherwise it copies into aligned memory.
func WrapBytes(dt DType, shape []int64, data []byte) (*Tensor, error) {
	if !dt.Supported() {
		return nil, fmt.Errorf("unsupported dtype %v", dt)
	}
	want, err := ByteSize("", dt, shape)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) != want {
		return nil, fmt.Errorf("%v%v needs %d bytes, have %d", dt, shape, want, len(data))
	}
	if len(data) > 0 && uintptr(unsafe.Pointer(&data[0]))%8 == 0 {
		return &Tensor{DType: dt, Shape: append([]int64{}, shape...), Data: data}, nil
	}
	t, err := NewTensorChecked("", dt, shape)
	if err != nil {
		return nil, err
	}
	copy(t.Data, data)
	return t, nil
}

// View returns the tensor's data as a []T sharing memory with it. T must have
// the dtype's element size; a mismatch panics, since it is a programming error.
func View[T Elem](t *Tensor) []T {
	var z T
	size := int(unsafe.Sizeof(z))
	if size != t.DType.Size() {
		panic(fmt.Sprintf("ir.View: %T over %v tensor", z, t.DType))
	}
	if len(t.Data) == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&t.Data[0])), len(t.Data)/size)
}

// FromSlice makes a tensor holding a copy of vals.
func FromSlice[T Elem](dt DType, shape []int64, vals []T) *Tensor {
	t := NewTensor(dt, shape)
	copy(View[T](t), vals)
	return t
}

// Scalar makes a rank-0 tensor of dt holding v (converted).
func Scalar(dt DType, v float64) *Tensor {
	t := NewTensor(dt, nil)
	t.SetFloat(0, v)
	return t
}

// Numel is the element count.
func (t *Tensor) Numel() int64 { return Numel(t.Shape) }

// Clone deep-copies the tensor.
func (t *Tensor) Clone() *Tensor {
	c := NewTensor(t.DType, t.Shape)
	copy(c.Data, t.Data)
	return c
}

// Reshaped returns a tensor sharing t's data with another shape of the same size.
func (t *Tensor) Reshaped(shape []int64) *Tensor {
	return &Tensor{DType: t.DType, Shape: append([]int64{}, shape...), Data: t.Data}
}

func (t *Tensor) String() string { return fmt.Sprintf("%v%v", t.DType, S(t.Shape...)) }

// Float reads element i as float64, whatever the dtype. It is for constants
// and tests, not for kernels' inner loops.
func (t *Tensor) Float(i int) float64 {
	switch t.DType {
	case Float32:
		return float64(View[float32](t)[i])
	case Float64:
		return View[float64](t)[i]
	case Float16:
		return float64(HalfToFloat(View[uint16](t)[i]))
	case BFloat16:
		return float64(BF16ToFloat(View[uint16](t)[i]))
	case Int8:
		return float64(View[int8](t)[i])
	case Int16:
		return float64(View[int16](t)[i])
	case Int32:
		return float64(View[int32](t)[i])
	case Int64:
		return float64(View[int64](t)[i])
	case Uint8, Bool:
		return float64(View[uint8](t)[i])
	case Uint16:
		return float64(View[uint16](t)[i])
	case Uint32:
		return float64(View[uint32](t)[i])
	case Uint64:
		return float64(View[uint64](t)[i])
	}
	if t.DType.IsLowBit() {
		return LowBitToFloat64(t.DType, t.Data[i])
	}
	panic("ir.Tensor.Float: unsupported dtype " + t.DType.String())
}

// SetFloat writes element i from a float64, converting (integers truncate
// toward zero, bool is v != 0, low-bit types as Cast with its defaults).
func (t *Tensor) SetFloat(i int, v float64) {
	switch t.DType {
	case Float32:
		View[float32](t)[i] = float32(v)
	case Float64:
		View[float64](t)[i] = v
	case Float16:
		View[uint16](t)[i] = FloatToHalf(float32(v))
	case BFloat16:
		View[uint16](t)[i] = FloatToBF16(float32(v))
	case Int8:
		View[int8](t)[i] = int8(v)
	case Int16:
		View[int16](t)[i] = int16(v)
	case Int32:
		View[int32](t)[i] = int32(v)
	case Int64:
		View[int64](t)[i] = int64(v)
	case Uint8:
		View[uint8](t)[i] = uint8(v)
	case Bool:
		if v != 0 {
			View[uint8](t)[i] = 1
		} else {
			View[uint8](t)[i] = 0
		}
	case Uint16:
		View[uint16](t)[i] = uint16(v)
	case Uint32:
		View[uint32](t)[i] = uint32(v)
	case Uint64:
		View[uint64](t)[i] = uint64(v)
	default:
		if t.DType.IsLowBit() { // saturating, and rounding up for float8e8m0, as Cast's defaults
			t.Data[i] = Float64ToLowBit(t.DType, v, true, RoundUp)
			return
		}
		panic("ir.Tensor.SetFloat: unsupported dtype " + t.DType.String())
	}
}

// Int reads element i as int64 (for index and shape tensors).
func (t *Tensor) Int(i int) int64 {
	switch t.DType {
	case Int64:
		return View[int64](t)[i]
	case Int32:
		return int64(View[int32](t)[i])
	}
	return int64(t.Float(i))
}

// Ints returns all elements as int64 (shape and axes inputs).
func (t *Tensor) Ints() []int64 {
	n := int(t.Numel())
	out := make([]int64, n)
	for i := range out {
		out[i] = t.Int(i)
	}
	return out
}

// Floats returns all elements as float64.
func (t *Tensor) Floats() []float64 {
	n := int(t.Numel())
	out := make([]float64, n)
	for i := range out {
		out[i] = t.Float(i)
	}
	return out
}

// HalfToFloat converts IEEE 754 binary16 bits to float32.
func HalfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal
		e := uint32(127 - 15 + 1)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		mant &= 0x3ff
		return math.Float32frombits(sign | e<<23 | mant<<13)
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// FloatToHalf converts float32 to binary16 bits, rounding to nearest even.
func FloatToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23&0xff) - 127 + 15
	mant := b & 0x7fffff
	if b&0x7fffffff >= 0x7f800000 { // inf or nan
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	if exp >= 0x1f {
		return sign | 0x7c00
	}
	if exp <= 0 {
		if exp < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint32(14 - exp)
		half := mant >> shift
		rem := mant & (1<<shift - 1)
		mid := uint32(1) << (shift - 1)
		if rem > mid || (rem == mid && half&1 == 1) {
			half++
		}
		return sign | uint16(half)
	}
	half := uint32(exp)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && half&1 == 1) {
		half++
	}
	return sign | uint16(half)
}

// BF16ToFloat converts bfloat16 bits to float32.
func BF16ToFloat(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// FloatToBF16 converts float32 to bfloat16 bits, rounding to nearest even.
func FloatToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x40
	}
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}
