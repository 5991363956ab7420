// Package kernels holds the CPU numeric primitives that both the fallback
// runtime (pkg/ops) and the reference backend (pkg/backend/reference) run:
// broadcasting elementwise loops, GEMM, convolution, pooling, reductions,
// data movement. It knows nothing of ONNX or TensorRT attribute conventions;
// callers translate those into plain arguments.
//
// Performance rules: inner loops are typed and free of interface calls and
// allocations; the op is chosen outside the loop. Outputs are freshly
// allocated; inputs are never written.
package kernels
