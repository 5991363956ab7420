package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// MatMul (numpy matmul: 1-D operands are promoted and their dim dropped,
// batch dims broadcast) and Gemm (alpha*op(A)*op(B) + beta*C, C broadcast
// unidirectionally to [M, N]).

func init() {
	Register(Op{Key: "onnx.MatMul", Infer: inferMatMul, Run: runMatMul})
	Register(Op{Key: "onnx.Gemm", Infer: inferGemm, Run: runGemm})
}

// MatMulShape is the output shape of numpy matmul of shapes a and b.
func MatMulShape(a, b ir.Shape) (ir.Shape, error) {
	if len(a) == 0 || len(b) == 0 {
		return nil, fmt.Errorf("matmul operands must not be scalars, got %v and %v", a, b)
	}
	ka, kb := a[len(a)-1], b[0]
	if len(b) > 1 {
		kb = b[len(b)-2]
	}
	if ka.Static() && kb.Static() && ka.Size != kb.Size {
		return nil, fmt.Errorf("matmul inner dims differ: %v and %v", a, b)
	}
	var ba, bb ir.Shape
	if len(a) > 2 {
		ba = a[:len(a)-2]
	}
	if len(b) > 2 {
		bb = b[:len(b)-2]
	}
	out, err := ir.Broadcast(ba, bb)
	if err != nil {
		return nil, fmt.Errorf("matmul batch dims: %w", err)
	}
	if len(a) > 1 {
		out = append(out, a[len(a)-2])
	}
	if len(b) > 1 {
		out = append(out, b[len(b)-1])
	}
	return out, nil
}

func inferMatMul(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 2); err != nil {
		return nil, err
	}
	dt, err := sameDType(in[:2])
	if err != nil {
		return nil, err
	}
	s, err := MatMulShape(in[0].Shape, in[1].Shape)
	if err != nil {
		return nil, err
	}
	return out1(dt, s), nil
}

func runMatMul(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	a, b := in[0], in[1]
	outShape, err := MatMulShape(ir.S(a.Shape...), ir.S(b.Shape...))
	if err != nil {
		return nil, err
	}
	if len(a.Shape) == 1 {
		a = a.Reshaped([]int64{1, a.Shape[0]})
	}
	if len(b.Shape) == 1 {
		b = b.Reshaped([]int64{b.Shape[0], 1})
	}
	r, err := kernels.MatMul(a, false, b, false)
	if err != nil {
		return nil, err
	}
	dims, _ := outShape.Ints()
	return []*ir.Tensor{r.Reshaped(dims)}, nil
}

func inferGemm(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 2); err != nil {
		return nil, err
	}
	dt, err := sameDType(in)
	if err != nil {
		return nil, err
	}
	a, b := in[0].Shape, in[1].Shape
	if len(a) != 2 || len(b) != 2 {
		return nil, fmt.Errorf("Gemm needs 2-D A and B, got %v and %v", a, b)
	}
	m, ka := a[0], a[1]
	if n.AttrInt("transA", 0) != 0 {
		m, ka = ka, m
	}
	kb, nn := b[0], b[1]
	if n.AttrInt("transB", 0) != 0 {
		kb, nn = nn, kb
	}
	if ka.Static() && kb.Static() && ka.Size != kb.Size {
		return nil, fmt.Errorf("Gemm inner dims differ: op(A) is %vx%v, op(B) is %vx%v", m, ka, kb, nn)
	}
	out := ir.Shape{m, nn}
	if len(in) > 2 && in[2] != nil {
		c := in[2].Shape
		if len(c) > 2 {
			return nil, fmt.Errorf("Gemm C has rank %d, at most 2", len(c))
		}
		bs, err := ir.Broadcast(out, c)
		if err != nil {
			return nil, fmt.Errorf("Gemm C %v does not broadcast to %v", c, out)
		}
		for i := range bs { // unidirectional: C may not grow the output
			if bs[i].Static() && out[i].Static() && bs[i].Size != out[i].Size {
				return nil, fmt.Errorf("Gemm C %v does not broadcast to %v", c, out)
			}
		}
	}
	return out1(dt, out), nil
}

func runGemm(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	r, err := kernels.MatMul(in[0], n.AttrInt("transA", 0) != 0, in[1], n.AttrInt("transB", 0) != 0)
	if err != nil {
		return nil, err
	}
	alpha, beta := n.AttrFloat("alpha", 1), n.AttrFloat("beta", 1)
	if alpha != 1 {
		if r, err = kernels.Binary(kernels.OpMul, r, ir.Scalar(r.DType, float64(alpha))); err != nil {
			return nil, err
		}
	}
	if len(in) > 2 && in[2] != nil {
		c := in[2]
		if beta != 1 {
			if c, err = kernels.Binary(kernels.OpMul, c, ir.Scalar(c.DType, float64(beta))); err != nil {
				return nil, err
			}
		}
		if r, err = kernels.Binary(kernels.OpAdd, r, c); err != nil {
			return nil, err
		}
	}
	return []*ir.Tensor{r}, nil
}
