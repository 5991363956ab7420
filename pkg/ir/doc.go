// Package ir is trtc's in-memory graph: values with a dtype and a shape whose
// dims may be symbolic, nodes keyed by registry op key, and constant tensors.
//
// Invariants:
//   - Every value name is unique in a Graph; Graph.Values holds exactly the
//     graph inputs, constants and node outputs.
//   - An empty string in Node.Inputs is an absent optional input.
//   - A Value with Const != nil is a compile-time constant; its DType and Shape
//     agree with the tensor.
//   - Tensor data is little-endian, row-major, and its backing array is 8-byte
//     aligned, so typed views (View) are safe for every element type.
//   - Nothing in this package panics on bad model data: constructors and
//     checks return errors that name the value or node.
package ir
