// Package conversion is the converter registry, the settings that steer it,
// and the context converters emit layers through. Plugins import it: their
// RegisterConverters gets a Registrar that registers converters and, with
// DefineOp, ops trtc does not know (pkg/ops Def); PluginIdentity gives the
// build ID and hash bundles record.
//
// Registry semantics (as Torch-TensorRT's dynamo registry):
//   - A target key names one op overload: "aten.gelu.default", "onnx.Gelu",
//     "com.microsoft.FastGelu". ATen keys need their overload.
//   - Registering a HIGH converter puts it in front of the target's candidate
//     list; a STANDARD one goes at its end.
//   - Deciding a node: an op in the forced-fallback list falls back. Otherwise
//     candidates are tried in order; one is skipped when the node has dynamic
//     shapes and it does not support them, when the model's opset is outside
//     its range, or when its validator rejects the node. The first one left
//     wins; with none left the node falls back. Every skip is recorded with
//     its reason, for the dry-run report.
//
// Ops with subgraphs (If, Loop, Scan): Decide gives the node the registry
// and settings deciding it (Node.Registry, Node.Settings), so a validator
// can decide the subgraph's nodes too (CheckSubgraph), and ConvertSegment
// gives its context the segment's registry, with which ConvertSubgraph
// converts them inside the converter's TensorRT loop or conditional. A
// converter that builds loops or conditionals says so (Converter.Region):
// trtc nests none, so such a node inside a subgraph is refused.
package conversion
