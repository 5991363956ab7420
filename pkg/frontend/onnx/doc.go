// Package onnx reads ONNX models (.onnx) and ONNX tensor files (.pb) into
// trtc's ir.
//
// Load and Parse only parse: they build an ir.Graph whose values carry the
// dtypes and shapes the model declares, give every node a unique name and
// sort the nodes topologically. They do not infer shapes; the caller runs
// ops.Propagate(g, fold) afterwards (it needs the op table, which other
// packages fill).
//
// Invariants of a parsed graph:
//   - Format is "onnx"; a node's Op is "onnx."+op_type for the default domain
//     ("" or "ai.onnx") and domain+"."+op_type otherwise
//     ("com.microsoft.FastGelu"). Opsets maps "" (never "ai.onnx") and other
//     domains to their imported versions; subgraphs carry the model's map.
//   - Initializers and Constant nodes become constant Values; Constant nodes
//     are removed. An initializer whose name is also a graph input is a
//     constant, not a runtime input: ONNX lets a caller override such an
//     input at run time, trtc compiles the initializer in.
//   - Inputs lists runtime inputs only. Inputs and outputs must be tensors;
//     sequence, map, optional and sparse values are refused with an error
//     naming the value.
//   - A declared dim_value is a static Dim, a dim_param is ir.Sym(name), a
//     dim with neither is ir.Sym(""). A tensor type without a shape leaves
//     Value.Shape nil (rank unknown); a scalar has a non-nil empty Shape.
//   - Values that value_info or outputs declare are added only for names
//     that the graph defines, so Values holds exactly inputs, constants and
//     node outputs (node outputs without a declaration are absent until
//     shape inference adds them).
//   - Subgraphs (If, Loop, Scan bodies) are ir.Graphs in attributes; they may
//     read values of the graphs that enclose them, and Parse checks that
//     every such name is defined in some enclosing scope.
//   - Constant tensors hold supported dtypes only (ir.DType.Supported);
//     string, complex, 8-bit float and 4-bit tensors are refused with an
//     error naming the tensor. Declared value types may use any dtype.
//   - External data is read only from files inside the model's folder (after
//     resolving symlinks); an absolute location or one that leaves the
//     folder is refused.
//   - Model-local functions are parsed but not inlined: a node that calls
//     one keeps its domain.name key.
//
// Nothing here panics on bad input: a truncated, random or non-ONNX file
// gives an error that names the file (Load) and, where it can, the tensor,
// node or value at fault.
package onnx
