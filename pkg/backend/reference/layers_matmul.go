package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// MatrixMultiply, as IMatrixMultiplyLayer: each operand is a batch of
// matrices (NONE or TRANSPOSE over its last two dims) or of vectors (VECTOR,
// its last dim); both have the same number of batch dims, which broadcast
// (equal or 1). The output is the batch dims, then M unless A is a vector,
// then N unless B is a vector.

func init() {
	registerKind(network.KindMatrixMultiply, kindImpl{infer: inferMatMul, run: runMatMul})
}

// matOperand splits an operand's shape into batch dims and its two matrix
// dims (rows, cols of op(X)); a vector has rows = 1 for A, cols = 1 for B.
func matOperand(s ir.Shape, op network.MatrixOperation, isA bool) (batch ir.Shape, rows, cols ir.Dim, err error) {
	switch op {
	case network.MatrixVECTOR:
		if len(s) < 1 {
			return nil, rows, cols, fmt.Errorf("a VECTOR operand needs rank >= 1, got %v", s)
		}
		k := s[len(s)-1]
		if isA {
			return s[:len(s)-1], ir.D(1), k, nil
		}
		return s[:len(s)-1], k, ir.D(1), nil
	case network.MatrixNONE, network.MatrixTRANSPOSE:
		if len(s) < 2 {
			return nil, rows, cols, fmt.Errorf("a matrix operand needs rank >= 2, got %v (use VECTOR for rank 1)", s)
		}
		r, c := s[len(s)-2], s[len(s)-1]
		if op == network.MatrixTRANSPOSE {
			r, c = c, r
		}
		return s[:len(s)-2], r, c, nil
	}
	return nil, rows, cols, fmt.Errorf("unknown MatrixOperation %d", op)
}

func inferMatMul(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 2); err != nil {
		return nil, err
	}
	p := l.Params.(matMulParams)
	a, b := in[0], in[1]
	if a.DType != b.DType {
		return nil, fmt.Errorf("inputs have different dtypes %v and %v", a.DType, b.DType)
	}
	if a.DType != ir.Float32 && a.DType != ir.Float16 && a.DType != ir.BFloat16 {
		return nil, fmt.Errorf("MatrixMultiply supports float32, float16 and bfloat16, got %v", a.DType)
	}
	ba, m, ka, err := matOperand(a.Shape, p.OpA, true)
	if err != nil {
		return nil, fmt.Errorf("input 0: %w", err)
	}
	bb, kb, n, err := matOperand(b.Shape, p.OpB, false)
	if err != nil {
		return nil, fmt.Errorf("input 1: %w", err)
	}
	if len(ba) != len(bb) {
		return nil, fmt.Errorf("operands %v and %v have %d and %d batch dims; TensorRT needs equal ranks", a.Shape, b.Shape, len(ba), len(bb))
	}
	if ka.Static() && kb.Static() && ka.Size != kb.Size {
		return nil, fmt.Errorf("inner dims differ: %v and %v (K %d vs %d)", a.Shape, b.Shape, ka.Size, kb.Size)
	}
	out, err := ir.Broadcast(ba, bb)
	if err != nil {
		return nil, fmt.Errorf("batch dims: %w", err)
	}
	if p.OpA != network.MatrixVECTOR {
		out = append(out, m)
	}
	if p.OpB != network.MatrixVECTOR {
		out = append(out, n)
	}
	return []*ir.Value{{DType: a.DType, Shape: out}}, nil
}

func runMatMul(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(matMulParams)
	a, b := in[0], in[1]
	if p.OpA == network.MatrixVECTOR {
		a = a.Reshaped(append(append([]int64{}, a.Shape[:len(a.Shape)-1]...), 1, a.Shape[len(a.Shape)-1]))
	}
	if p.OpB == network.MatrixVECTOR {
		b = b.Reshaped(append(append([]int64{}, b.Shape...), 1))
	}
	r, err := kernels.MatMul(a, p.OpA == network.MatrixTRANSPOSE, b, p.OpB == network.MatrixTRANSPOSE)
	if err != nil {
		return nil, err
	}
	shape := append([]int64{}, r.Shape[:len(r.Shape)-2]...)
	if p.OpA != network.MatrixVECTOR {
		shape = append(shape, r.Shape[len(r.Shape)-2])
	}
	if p.OpB != network.MatrixVECTOR {
		shape = append(shape, r.Shape[len(r.Shape)-1])
	}
	return []*ir.Tensor{r.Reshaped(shape)}, nil
}
