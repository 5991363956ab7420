// Package reference is the pure-Go backend: it records network layers into a
// plan, checks shapes and dtypes as TensorRT does when layers are added,
// serializes the plan as the engine blob, and executes it on the CPU with
// TensorRT's documented semantics. It is the default where TensorRT is absent
// and the oracle converters are tested against.
//
// Each layer kind is one kindImpl (infer + run), registered from the file of
// its family (layers_elementwise.go, layers_shuffle.go, ...). When every
// input of a layer is a build-time constant the layer is evaluated at build
// time, as TensorRT folds constants, so shape tensors of static shapes stay
// static.
//
// Execution (exec.go): at load the engine builds steps from the layers once.
// Float32 convolutions run prepared (weights packed for the GEMM at load),
// with a following residual SUM and activation fused into their epilogue
// when the intermediate tensors have one reader and are not outputs; the
// fused result equals the layer-by-layer one (tests compare them). Tensors
// are dropped after the last step that reads them.
package reference
