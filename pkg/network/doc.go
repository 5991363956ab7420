// Package network is trtc's TensorRT-shaped network definition API, mirroring
// INetworkDefinition of TensorRT 10 and 11: one Add method per layer kind that
// converters use, TensorRT's enum names and values, and its shape, broadcast
// and dtype rules. Converters emit layers through it; backends implement it
// (pkg/backend/reference in pure Go, cgo/tensorrt over NvInfer).
//
// Every layer kind and its TensorRT rules is declared once, in package
// kinddef; `make tables` generates the LayerKind constants, Kinds, each
// kind's LayerType and Since (kinds_gen.go) and the enums' String methods
// (enumnames_gen.go) from it and from enums.go.
//
// Differences from the C++ API, all deliberate:
//   - Errors are sticky, as in bufio.Scanner: a failed Add records the first
//     error, returns a poisoned Tensor, and every later Add is a no-op. The
//     conversion context checks Err after each converter and names the node.
//     Converters thus stay free of error plumbing.
//   - Layer parameters are passed as one struct per kind instead of setter
//     calls; a zero field means TensorRT's default.
//   - Layers are named by the network from the scope the conversion context
//     sets (BeginNode): "[Kind]-[op]-[node]", with "_N" for the N-th further
//     layer of that kind in the node. Converters never name layers.
//   - The network is strongly typed (TensorRT 11's only mode): precision
//     comes from Cast layers and weight dtypes, never from builder flags.
package network
