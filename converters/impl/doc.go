// Package impl is the helper library converters are written from, built-in
// and plugin alike: one file per op family (elementwise, activation, unary,
// matmul, conv, pool, shuffle, reduce, normalization, slice, gather, cast).
// Helpers take the conversion context and network tensors, insert the
// broadcasts and casts TensorRT needs, and return tensors. They never name
// layers: the context does.
package impl
