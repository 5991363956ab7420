package ir

import "fmt"

// DType is an element type. Its values are ONNX TensorProto.DataType numbers,
// which are facts of the ONNX format, so a DType converts to and from the wire
// without a table.
type DType int32

const (
	Undefined DType = 0
	Float32   DType = 1
	Uint8     DType = 2
	Int8      DType = 3
	Uint16    DType = 4
	Int16     DType = 5
	Int32     DType = 6
	Int64     DType = 7
	String    DType = 8
	Bool      DType = 9
	Float16   DType = 10
	Float64   DType = 11
	Uint32    DType = 12
	Uint64    DType = 13
	BFloat16  DType = 16
	// Complex64 (14) and Complex128 (15) are not held: no op trtc runs
	// takes them.

	// The low-bit types below are storage types: tensors of them are held,
	// read, written, cast and (de)quantized, but arithmetic ops refuse them
	// (see IsLowBit). In memory every one of them takes one byte per
	// element: float8 and float8e8m0 as their bit pattern, float4e2m1 as
	// its 4-bit code in the low nibble, int4/int2 as a sign-extended int8,
	// uint4/uint2 as a uint8. Only the ONNX wire format (TensorProto) packs
	// 4-bit types two and 2-bit types four to a byte; bundles, graph files
	// and kernels use the unpacked form.
	Float8E4M3FN   DType = 17
	Float8E4M3FNUZ DType = 18
	Float8E5M2     DType = 19
	Float8E5M2FNUZ DType = 20
	Uint4          DType = 21
	Int4           DType = 22
	Float4E2M1     DType = 23
	Float8E8M0     DType = 24
	Uint2          DType = 25
	Int2           DType = 26
)

var dtypeNames = map[DType]string{
	Undefined: "undefined", Float32: "float32", Uint8: "uint8", Int8: "int8",
	Uint16: "uint16", Int16: "int16", Int32: "int32", Int64: "int64",
	String: "string", Bool: "bool", Float16: "float16", Float64: "float64",
	Uint32: "uint32", Uint64: "uint64", BFloat16: "bfloat16",
	Float8E4M3FN: "float8e4m3fn", Float8E4M3FNUZ: "float8e4m3fnuz", Float8E5M2: "float8e5m2",
	Float8E5M2FNUZ: "float8e5m2fnuz", Uint4: "uint4", Int4: "int4", Float4E2M1: "float4e2m1",
	Float8E8M0: "float8e8m0", Uint2: "uint2", Int2: "int2",
}

func (d DType) String() string {
	if s, ok := dtypeNames[d]; ok {
		return s
	}
	return fmt.Sprintf("dtype(%d)", int32(d))
}

// ParseDType is the inverse of String.
func ParseDType(s string) (DType, error) {
	for d, n := range dtypeNames {
		if n == s {
			return d, nil
		}
	}
	return Undefined, fmt.Errorf("unknown dtype %q", s)
}

// Size is the element size in bytes in memory; 0 for String and Undefined.
func (d DType) Size() int {
	switch d {
	case Float32, Int32, Uint32:
		return 4
	case Uint8, Int8, Bool:
		return 1
	case Float8E4M3FN, Float8E4M3FNUZ, Float8E5M2, Float8E5M2FNUZ, Float8E8M0,
		Float4E2M1, Uint4, Int4, Uint2, Int2:
		return 1 // unpacked in memory; see the constants' comment
	case Uint16, Int16, Float16, BFloat16:
		return 2
	case Int64, Float64, Uint64:
		return 8
	}
	return 0
}

// Supported reports whether trtc can hold tensors of this dtype.
func (d DType) Supported() bool { return d.Size() > 0 }

// IsFloat reports a floating-point dtype.
func (d DType) IsFloat() bool {
	return d == Float32 || d == Float16 || d == BFloat16 || d == Float64
}

// IsInt reports a signed or unsigned integer dtype (not Bool).
func (d DType) IsInt() bool {
	switch d {
	case Uint8, Int8, Uint16, Int16, Int32, Int64, Uint32, Uint64:
		return true
	}
	return false
}

// IsLowBit reports the storage-only types: the float8 variants, float8e8m0,
// float4e2m1, int4, uint4, int2 and uint2. Arithmetic ops refuse them; data
// movement, Cast and (de)quantization take them.
func (d DType) IsLowBit() bool { return d >= Float8E4M3FN && d <= Int2 }

// WireBits is the number of bits one element takes in an ONNX TensorProto's
// raw_data: 4 for int4, uint4 and float4e2m1, 2 for int2 and uint2, and
// 8*Size() otherwise.
func (d DType) WireBits() int {
	switch d {
	case Uint4, Int4, Float4E2M1:
		return 4
	case Uint2, Int2:
		return 2
	}
	return 8 * d.Size()
}

// WireBytes is the byte count of n elements in an ONNX TensorProto's
// raw_data (packed types round up to whole bytes).
func (d DType) WireBytes(n int64) int64 {
	b := int64(d.WireBits())
	if b >= 8 {
		return n * (b / 8)
	}
	per := 8 / b
	return (n + per - 1) / per
}
