package impl

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// maxCumSumMatrix bounds the axis length of the Cumulative decomposition,
// whose constant is an n×n matrix (16 MiB of float32 at 2048).
const maxCumSumMatrix = 2048

// CumSum is a cumulative sum of x along axis (normalized). Where the target
// TensorRT has ICumulativeLayer (10.8+, conversion.Settings.Supports) it is
// that layer; before 10.8 it is the decomposition onnx-tensorrt used before
// the layer existed in spirit, written here as one matrix product: x with
// axis moved last, times the constant n×n 0/1 matrix T whose column j
// selects the elements that element j sums (i <= j; i < j when exclusive;
// reversed: i >= j, i > j), and moved back. The decomposition needs a
// floating-point x (MatrixMultiply takes no integers) and a static axis of
// at most maxCumSumMatrix elements; otherwise it is an error saying that
// the target release lacks the layer.
func CumSum(ctx *conversion.Context, x network.Tensor, axis int, exclusive, reverse bool) (network.Tensor, error) {
	if ctx.Settings.Supports(network.KindCumulative) {
		a := ctx.Net.AddConstant(ir.Scalar(ir.Int32, float64(axis)))
		return ctx.Net.AddCumulative(x, a, network.CumulativeSUM, exclusive, reverse), nil
	}
	return CumSumDecomposed(ctx, x, axis, exclusive, reverse)
}

// CumSumDecomposed is CumSum's decomposition for releases without
// ICumulativeLayer (exported so that tests compare both paths).
func CumSumDecomposed(ctx *conversion.Context, x network.Tensor, axis int, exclusive, reverse bool) (network.Tensor, error) {
	shape := x.Shape()
	rank := len(shape)
	noLayer := fmt.Sprintf("TensorRT %v has no Cumulative layer (added in %v)", ctx.Settings.Target(), network.KindCumulative.Since())
	switch x.DType() {
	case ir.Float32, ir.Float16, ir.BFloat16:
	default:
		return nil, fmt.Errorf("%s, and its matrix-product decomposition takes floating-point input, not %v", noLayer, x.DType())
	}
	if rank == 0 || axis < 0 || axis >= rank {
		return nil, fmt.Errorf("cumulative sum: axis %d of a rank-%d tensor", axis, rank)
	}
	if !shape[axis].Static() || shape[axis].Size > maxCumSumMatrix {
		return nil, fmt.Errorf("%s, and its matrix-product decomposition needs a static axis of at most %d elements (axis %d is %v)", noLayer, maxCumSumMatrix, axis, shape[axis])
	}
	n := int(shape[axis].Size)
	dims := make([]int64, max(rank, 2))
	for i := range dims {
		dims[i] = 1
	}
	dims[len(dims)-2], dims[len(dims)-1] = int64(n), int64(n)
	t := ir.NewTensor(ir.Float32, dims)
	for i := range n {
		for j := range n {
			var in bool
			switch {
			case !reverse && !exclusive:
				in = i <= j
			case !reverse:
				in = i < j
			case !exclusive:
				in = i >= j
			default:
				in = i > j
			}
			if in {
				t.SetFloat(i*n+j, 1)
			}
		}
	}
	var perm []int
	if axis != rank-1 {
		perm = make([]int, rank)
		for i := range perm {
			perm[i] = i
		}
		perm[axis], perm[rank-1] = rank-1, axis
		x = Transpose(ctx, x, perm)
	}
	m := ctx.Net.AddConstant(t)
	if x.DType() != ir.Float32 {
		m = Cast(ctx, m, x.DType())
	}
	opX := network.MatrixNONE
	if rank == 1 {
		opX = network.MatrixVECTOR // [n] times [n, n] is [n]
	}
	y := ctx.Net.AddMatrixMultiply(x, opX, m, network.MatrixNONE)
	if perm != nil {
		y = Transpose(ctx, y, perm) // a swap is its own inverse
	}
	return y, nil
}
