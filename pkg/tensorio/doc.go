// Package tensorio reads and writes tensors as files: NumPy .npy (format
// versions 1.0, 2.0 and 3.0) and ONNX TensorProto .pb.
//
// Invariants and choices:
//   - Tensors read are little-endian, row-major and 8-byte aligned (ir.Tensor).
//   - .npy dtypes: '<f2' '<f4' '<f8' '|i1' '<i2' '<i4' '<i8' '|u1' '<u2'
//     '<u4' '<u8' '|b1' (for one-byte types '<', '>', '|' and '=' all mean
//     the same). A big-endian multi-byte dtype is refused with an error that
//     says how to convert the array (arr.astype('<f4')); '=' is read as
//     little-endian, the byte order of every machine trtc runs on.
//   - fortran_order True arrays are read and transposed into row-major
//     order, so the tensor holds the same logical array numpy shows.
//   - bfloat16 has no .npy type code: Write refuses a bfloat16 tensor (cast
//     it to float32 first), and Read refuses the void '|V2' type that some
//     tools write for it, since it says nothing about the element type.
//   - Write emits a version 1.0 header (2.0 when the header is too long for
//     1.0) padded to a multiple of 64 bytes and ending in a newline, as
//     numpy.save does; 0-d arrays have shape ().
//   - Bool elements read are normalized to 0 or 1.
//   - Nothing panics on malformed files; errors name the file.
package tensorio
