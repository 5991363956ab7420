// Package lower is trtc's lowering stage for ATen graphs (torch.export),
// run by the compiler after the frontend and before the op check, shape
// inference and capability decisions. It rewrites the graph in place, in
// three passes, and leaves graphs of other formats alone:
//
//   - functionalize: in-place ops (aten.<op>_.<overload>) and out= variants
//     become their functional op, by one schema rule, and later reads of
//     the updated tensor read the new value; writes through views (slice,
//     select, view, permute, ...) rebuild the base with the inverse scatter
//     (functionalize.go).
//   - decompose: composite ops become core ops after PyTorch's
//     decomposition table (unflatten, chunk, triu/tril, new_*, pad, 1-D
//     pooling, group norm, transposed convolution, roll, flip,
//     index_select, slice/select_scatter, copy, fill, as_strided views,
//     fmod/remainder, upsample_*) (decompose.go).
//   - symbolic integers: sym_size/_operator/torch.sym_* nodes become shape
//     computations on 0-d tensors, and ops reading symbolic sizes take them
//     as shape tensors (symint.go).
//
// Every node a pass emits carries ir.AttrOriginNode and ir.AttrOriginOp,
// the exported node it came from (ir.Node.Origin), so that the compile
// report, its coverage and --fallback-ops speak of what the user exported.
// A program the passes cannot express is an *Error naming the node; its
// Unsupported field separates valid programs trtc cannot take (exit 4) from
// malformed ones (exit 3).
package lower
