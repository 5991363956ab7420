package kernels

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// BitOp is a bitwise binary operation on integer tensors.
type BitOp int

const (
	BitAnd BitOp = iota
	BitOr
	BitXor
	ShiftLeft
	ShiftRight
)

// Bitwise applies op elementwise with broadcasting to integer tensors of
// one dtype, on their two's-complement bits (shifts by the width or more
// give 0, as ONNX's reference does for its unsigned types). ShiftRight of a
// signed type is arithmetic (the sign bit fills in, PyTorch's >>); a shift
// amount that is negative or at least the width then gives 0 or -1, as
// PyTorch does.
func Bitwise(op BitOp, a, b *ir.Tensor) (*ir.Tensor, error) {
	if a.DType != b.DType || !(a.DType.IsInt()) {
		return nil, fmt.Errorf("bitwise ops take two integer tensors of one dtype, have %v and %v", a.DType, b.DType)
	}
	shape, err := ir.BroadcastInts(a.Shape, b.Shape)
	if err != nil {
		return nil, err
	}
	out := ir.NewTensor(a.DType, shape)
	bits := uint64(8 * a.DType.Size())
	signed := a.DType == ir.Int8 || a.DType == ir.Int16 || a.DType == ir.Int32 || a.DType == ir.Int64
	sa, sb := BroadcastStrides(a.Shape, shape), BroadcastStrides(b.Shape, shape)
	ForEachRun(shape, [][]int64{sa, sb}, func(o int64, in []int64, n int64, step []int64) {
		for i := int64(0); i < n; i++ {
			x := rawBits(a, int(in[0]+i*step[0]))
			y := rawBits(b, int(in[1]+i*step[1]))
			var r uint64
			switch op {
			case BitAnd:
				r = x & y
			case BitOr:
				r = x | y
			case BitXor:
				r = x ^ y
			case ShiftLeft:
				if y < bits {
					r = x << y
				}
			case ShiftRight:
				if signed {
					// Sign-extend x to 64 bits, shift arithmetically, keep
					// the width's bits.
					sx := int64(x<<(64-bits)) >> (64 - bits)
					if y >= bits {
						y = bits - 1
					}
					r = uint64(sx >> y)
				} else if y < bits {
					r = (x & (^uint64(0) >> (64 - bits))) >> y
				}
			}
			setBits(out, int(o+i), r)
		}
	})
	return out, nil
}

// BitwiseNot flips every bit of an integer tensor.
func BitwiseNot(a *ir.Tensor) (*ir.Tensor, error) {
	if !a.DType.IsInt() {
		return nil, fmt.Errorf("BitwiseNot takes an integer tensor, has %v", a.DType)
	}
	out := ir.NewTensor(a.DType, a.Shape)
	for i := 0; i < int(a.Numel()); i++ {
		setBits(out, i, ^rawBits(a, i))
	}
	return out, nil
}

// rawBits reads element i of an integer tensor as its bits, zero-extended.
func rawBits(t *ir.Tensor, i int) uint64 {
	switch t.DType.Size() {
	case 1:
		return uint64(t.Data[i])
	case 2:
		return uint64(ir.View[uint16](t)[i])
	case 4:
		return uint64(ir.View[uint32](t)[i])
	}
	return ir.View[uint64](t)[i]
}

// setBits stores the low bits of v into element i of an integer tensor.
func setBits(t *ir.Tensor, i int, v uint64) {
	switch t.DType {
	case ir.Int8, ir.Uint8:
		t.Data[i] = byte(v)
	case ir.Int16, ir.Uint16:
		ir.View[uint16](t)[i] = uint16(v)
	case ir.Int32, ir.Uint32:
		ir.View[uint32](t)[i] = uint32(v)
	case ir.Int64, ir.Uint64:
		ir.View[uint64](t)[i] = v
	}
}

// BitCast reinterprets t's bytes as dt, which must have the same element
// size.
func BitCast(t *ir.Tensor, dt ir.DType) (*ir.Tensor, error) {
	if dt.Size() != t.DType.Size() || dt.WireBits() != t.DType.WireBits() || dt.IsLowBit() != t.DType.IsLowBit() {
		return nil, fmt.Errorf("BitCast from %v to %v: the element sizes differ", t.DType, dt)
	}
	out := ir.NewTensor(dt, t.Shape)
	copy(out.Data, t.Data)
	if dt == ir.Bool {
		for i, b := range out.Data {
			if b != 0 {
				out.Data[i] = 1
			}
		}
	}
	return out, nil
}
