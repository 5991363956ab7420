// Package ops holds the semantics of every op key trtc knows: how its output
// dtypes and shapes follow from its inputs (Infer) and how the CPU fallback
// runs it (Run). The ONNX frontend infers shapes with it, constant folding and
// the fallback runtime execute it, and converter tests use it as the oracle.
//
// Ops register themselves from init functions, one file per op family
// (onnx_elementwise.go, onnx_shape.go, ...). The numeric work is done by
// pkg/kernels, which the reference backend shares.
//
// Plugins add ops too (Def, RegisterPlugin, called by conversion's plugin
// loader): their Infer and Run are wrapped so that a node is checked against
// the definition's schema first (a model error) and what the plugin's code
// returns is checked against the schema and against its own inference, a
// panic included (*PluginOpError, exit 8). Plugin ops are not constant
// folded unless the definition opts in (Def.Fold).
//
// Invariants: Infer never panics on bad input and returns an error that says
// which input is wrong; Run receives inputs whose dtypes and ranks Infer
// accepted, with nil for absent optional inputs, and never mutates them.
package ops
