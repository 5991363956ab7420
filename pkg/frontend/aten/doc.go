// Package aten reads torch.export archives (.pt2, written by
// torch.export.save) into trtc's ir, as ATen graphs (Format "aten").
//
// The archive is a zip: <root>/archive_format ("pt2"), archive_version,
// byteorder, models/<name>.json (the serialized ExportedProgram in the
// export serialization schema), data/weights/<name>_weights_config.json and
// data/constants/<name>_constants_config.json (per tensor: the file under
// data/weights or data/constants and its tensor_meta), and the raw tensor
// bytes. Load checks the archive format and version, the byte order and the
// schema's major version, and refuses anything else naming what it found.
//
// Encoding of a node (docs/aten.md has the full rules and examples):
//   - Op is the export target without "torch.ops.": "aten.add.Tensor".
//   - Inputs are the tensor-typed arguments in schema order; an optional
//     tensor that is None, or a tensor argument given as a Python scalar, is
//     "" (the scalar then becomes an attribute of the argument's name). A
//     tensor-list argument contributes its elements in order and the node
//     gets the int attribute "_list_<arg>" = its length.
//   - Other arguments are attributes named after the schema argument: int
//     -> AttrInt, bool -> AttrInt 0/1, float -> AttrFloat, string ->
//     AttrString, int list -> AttrInts, float list -> AttrFloats, dtype ->
//     AttrInt holding the ir.DType number. A Scalar argument (int or float
//     in the schema) is AttrFloat, plus AttrInt "_int_<arg>" = 1 when it was
//     an int. Device, layout and memory format are dropped.
//   - Symbolic numbers: nodes computing them (aten.sym_size.int,
//     _operator.*, torch.sym_*, math.*) stay, with a 0-d int64/float32/bool
//     output and number arguments as constants. A SymInt or SymInt[]
//     argument is AttrInt(s) with -1 at symbolic positions, "_sym_<arg>"
//     giving per position the dim of input 0 that carries the same symbol,
//     and "_symref_<arg>" (AttrStrings) naming the sym value per position;
//     pkg/lower makes them shape computations. Size expressions are checked
//     (checkExpr): a malformed one is an error naming it.
//   - Multi-output ops write their outputs directly to the names that their
//     getitem users had; no getitem node remains.
//
// Parameters, buffers and lifted constants become constant Values; user
// inputs become g.Inputs, with ir.Sym dims for symbolic sizes and Min/Max
// from range_constraints. Graph outputs are renamed output_0, output_1, ...
// in the order of the export's user outputs.
//
// Nothing here panics on bad input: a zip that is not an export archive, a
// version trtc does not know, a missing or short weight file, an argument of
// an unknown kind all give an error naming the file, node or tensor.
package aten
