package kernels

import (
	"slices"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Shifts follow PyTorch: >> of a signed type is arithmetic, an amount at
// least the width (or negative) gives the sign (right) or 0 (left); unsigned
// types shift in zeros and wrap on the left.
func TestBitwiseShifts(t *testing.T) {
	i64 := func(v ...int64) *ir.Tensor { return ir.FromSlice(ir.Int64, []int64{int64(len(v))}, v) }
	x := i64(-9, -1, 7, 100, -128)
	s := i64(1, 3, 1, 70, -1)
	r, err := Bitwise(ShiftRight, x, s)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Ints(), []int64{-5, -1, 3, 0, -1}; !slices.Equal(got, want) {
		t.Errorf("int64 >>: got %v, want %v", got, want)
	}
	l, err := Bitwise(ShiftLeft, x, i64(2, 63, 1, 64, 1))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := l.Ints(), []int64{-36, -1 << 63, 14, 0, -256}; !slices.Equal(got, want) {
		t.Errorf("int64 <<: got %v, want %v", got, want)
	}
	u8 := func(v ...uint8) *ir.Tensor { return ir.FromSlice(ir.Uint8, []int64{int64(len(v))}, v) }
	ur, err := Bitwise(ShiftRight, u8(200, 255, 1), u8(1, 7, 8))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ur.Ints(), []int64{100, 1, 0}; !slices.Equal(got, want) {
		t.Errorf("uint8 >>: got %v, want %v", got, want)
	}
	ul, err := Bitwise(ShiftLeft, u8(120, 255), u8(3, 1))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ul.Ints(), []int64{(120 << 3) & 255, 254}; !slices.Equal(got, want) {
		t.Errorf("uint8 <<: got %v, want %v", got, want)
	}
	i8 := ir.FromSlice(ir.Int8, []int64{2}, []int8{-128, 64})
	r8, err := Bitwise(ShiftRight, i8, ir.FromSlice(ir.Int8, []int64{2}, []int8{3, 9}))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r8.Ints(), []int64{-16, 0}; !slices.Equal(got, want) {
		t.Errorf("int8 >>: got %v, want %v", got, want)
	}
}
