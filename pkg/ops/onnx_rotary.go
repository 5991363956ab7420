package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// RotaryEmbedding (opset 23): X [B, H, S, D] or [B, S, H*D] (num_heads),
// cos_cache and sin_cache [max_pos, rot/2] with position_ids [B, S], or
// [B, S, rot/2] without; Y has X's shape.

func init() {
	Register(Op{Key: "onnx.RotaryEmbedding", Infer: inferRotary, Run: runRotary})
}

// RotaryAttrs reads a RotaryEmbedding node's attributes.
func RotaryAttrs(n *ir.Node) kernels.RotaryParams {
	return kernels.RotaryParams{
		Interleaved: n.AttrInt("interleaved", 0) != 0,
		RotaryDim:   n.AttrInt("rotary_embedding_dim", 0),
		NumHeads:    n.AttrInt("num_heads", 0),
	}
}

func inferRotary(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 3); err != nil {
		return nil, err
	}
	x, cos, sin := in[0], in[1], in[2]
	if !x.DType.IsFloat() {
		return nil, fmt.Errorf("input 0 (X) is %v; RotaryEmbedding needs a float tensor", x.DType)
	}
	if cos.DType != x.DType || sin.DType != x.DType {
		return nil, fmt.Errorf("cos_cache (%v) and sin_cache (%v) must have X's dtype %v", cos.DType, sin.DType, x.DType)
	}
	p := RotaryAttrs(n)
	var head ir.Dim
	switch len(x.Shape) {
	case 4:
		head = x.Shape[3]
	case 3:
		if p.NumHeads <= 0 {
			return nil, fmt.Errorf("X is 3-D %v; the num_heads attribute must be set (> 0)", x.Shape)
		}
		if h := x.Shape[2]; h.Static() {
			if h.Size%p.NumHeads != 0 {
				return nil, fmt.Errorf("X's hidden size %d is not a multiple of num_heads %d", h.Size, p.NumHeads)
			}
			head = ir.D(h.Size / p.NumHeads)
		} else {
			head = ir.Sym("")
		}
	default:
		return nil, fmt.Errorf("input 0 (X) is %v; RotaryEmbedding needs a 3-D or 4-D tensor", x.Shape)
	}
	if head.Static() {
		rot := p.RotaryDim
		if rot == 0 {
			rot = head.Size
		}
		if rot < 0 || rot%2 != 0 || rot > head.Size {
			return nil, fmt.Errorf("rotary_embedding_dim %d must be even and at most the head size %d", rot, head.Size)
		}
		if c := cos.Shape; len(c) > 0 && c[len(c)-1].Static() && c[len(c)-1].Size != rot/2 {
			return nil, fmt.Errorf("cos_cache is %v; its last dim must be rotary_embedding_dim/2 = %d", c, rot/2)
		}
	}
	want := 3
	if len(in) > 3 && in[3] != nil {
		pos := in[3]
		if !pos.DType.IsInt() || len(pos.Shape) != 2 {
			return nil, fmt.Errorf("position_ids is %v%v; it must be a 2-D integer tensor [batch, sequence]", pos.DType, pos.Shape)
		}
		want = 2
	}
	if len(cos.Shape) != want || len(sin.Shape) != want {
		return nil, fmt.Errorf("cos_cache %v and sin_cache %v must be %d-D here (2-D with position_ids, 3-D without)", cos.Shape, sin.Shape, want)
	}
	return out1(x.DType, x.Shape.Clone()), nil
}

func runRotary(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	var pos *ir.Tensor
	if len(in) > 3 {
		pos = in[3]
	}
	return t1(kernels.RotaryEmbedding(in[0], in[1], in[2], pos, RotaryAttrs(n)))
}
