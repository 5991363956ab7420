// Package graphio converts ir.Graph to and from trtc's graph protobuf
// (proto/graph/graph.proto, Go package graphpb) and reads and writes it as a
// .pb file. Bundles store fallback subgraphs with it, and ATen graphs saved
// by trtc are files of it.
//
// Invariants:
//   - Decode(Encode(g)) equals g: names, op keys, node order, input and
//     output order, dtypes, static and symbolic dims, the difference between
//     a nil shape (rank unknown) and a scalar, ShapeData, Min/Max bounds,
//     opsets, and every attribute kind including nested graphs. Empty and
//     nil slices and maps are not told apart, except that a list attribute's
//     own field is never nil after decoding, and Attrs and Values are never
//     nil maps.
//   - Encoding is deterministic: values, attributes, bounds and opsets are
//     written sorted by name, so equal graphs give equal bytes.
//   - Constant tensors (of values and of attributes) are inline, or, when
//     EncodeOptions.StoreTensor takes them, references (BlobRef) into blobs
//     the container stores; decoding such a graph needs
//     DecodeOptions.LoadBlob.
//   - Decode checks what it builds: unique value names, supported constant
//     dtypes, non-negative tensor dims, data lengths that match dims, dims
//     that are static or -1, and constants whose shape agrees with their
//     value's. Errors name the value, node and attribute. It does not check
//     topology: subgraphs may read values of the graphs around them.
//   - Decoded tensors are 8-byte aligned (ir.WrapBytes); they never alias
//     the caller's input buffer or blob bytes unless those are aligned.
package graphio
