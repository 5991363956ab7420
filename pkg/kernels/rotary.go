package kernels

import (
	"fmt"
	"slices"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// RotaryParams are ONNX RotaryEmbedding's attributes.
type RotaryParams struct {
	Interleaved bool
	// RotaryDim is how many leading elements of each head are rotated; 0
	// means the whole head.
	RotaryDim int64
	// NumHeads splits the hidden dim of a 3-D input; unused for 4-D.
	NumHeads int64
}

// RotaryEmbedding applies rotary position embeddings (ONNX RotaryEmbedding,
// opset 23) to x, which is [B, H, S, D] or [B, S, H*D] (then p.NumHeads
// gives H). Each head's first RotaryDim elements are rotated pairwise, the
// pairs being (i, i+RotaryDim/2) or, interleaved, (2i, 2i+1), by angles whose
// cosines and sines come from cos and sin: rows cos[pos[b, s]] of a
// [maxPos, RotaryDim/2] cache when pos ([B, S] int) is given, else
// cos[b, s] of a [B, S, RotaryDim/2] one. The rest of each head is copied.
// Float16 and bfloat16 are computed in float32.
func RotaryEmbedding(x, cos, sin, pos *ir.Tensor, p RotaryParams) (*ir.Tensor, error) {
	g, err := rotaryGeometry(x.Shape, cos.Shape, sin.Shape, pos, p)
	if err != nil {
		return nil, err
	}
	if x.DType != cos.DType || x.DType != sin.DType {
		return nil, fmt.Errorf("rotary embedding: input, cos and sin dtypes differ: %v, %v, %v", x.DType, cos.DType, sin.DType)
	}
	switch x.DType {
	case ir.Float32:
		out := ir.NewTensor(x.DType, x.Shape)
		return out, rotaryT(ir.View[float32](x), ir.View[float32](cos), ir.View[float32](sin), ir.View[float32](out), pos, g, p.Interleaved)
	case ir.Float64:
		out := ir.NewTensor(x.DType, x.Shape)
		return out, rotaryT(ir.View[float64](x), ir.View[float64](cos), ir.View[float64](sin), ir.View[float64](out), pos, g, p.Interleaved)
	case ir.Float16, ir.BFloat16:
		r, err := RotaryEmbedding(ToFloat32(x), ToFloat32(cos), ToFloat32(sin), pos, p)
		if err != nil {
			return nil, err
		}
		return FromFloat32(r, x.DType), nil
	}
	return nil, fmt.Errorf("rotary embedding of %v is not supported", x.DType)
}

// rotaryGeom is the layout of one RotaryEmbedding call: element (b, s, h, d)
// of x sits at b*bStride + s*sStride + h*hStride + d.
type rotaryGeom struct {
	B, S, H, D, rot           int64
	bStride, sStride, hStride int64
	maxPos                    int64 // rows of a 2-D cache (with position ids)
}

func rotaryGeometry(xs, cs, ss []int64, pos *ir.Tensor, p RotaryParams) (rotaryGeom, error) {
	var g rotaryGeom
	switch len(xs) {
	case 4:
		g.B, g.H, g.S, g.D = xs[0], xs[1], xs[2], xs[3]
		g.hStride, g.sStride, g.bStride = g.S*g.D, g.D, g.H*g.S*g.D
	case 3:
		if p.NumHeads <= 0 {
			return g, fmt.Errorf("rotary embedding: a 3-D input needs num_heads > 0")
		}
		if xs[2]%p.NumHeads != 0 {
			return g, fmt.Errorf("rotary embedding: hidden size %d is not a multiple of num_heads %d", xs[2], p.NumHeads)
		}
		g.B, g.S, g.H, g.D = xs[0], xs[1], p.NumHeads, xs[2]/p.NumHeads
		g.hStride, g.sStride, g.bStride = g.D, g.H*g.D, g.S*g.H*g.D
	default:
		return g, fmt.Errorf("rotary embedding: input must be 3-D or 4-D, got %v", ir.S(xs...))
	}
	g.rot = p.RotaryDim
	if g.rot == 0 {
		g.rot = g.D
	}
	if g.rot < 0 || g.rot > g.D || g.rot%2 != 0 {
		return g, fmt.Errorf("rotary embedding: rotary_embedding_dim %d must be even and at most the head size %d", g.rot, g.D)
	}
	half := g.rot / 2
	if !slices.Equal(cs, ss) {
		return g, fmt.Errorf("rotary embedding: cos cache %v and sin cache %v differ in shape", ir.S(cs...), ir.S(ss...))
	}
	if pos != nil {
		if !slices.Equal(pos.Shape, []int64{g.B, g.S}) {
			return g, fmt.Errorf("rotary embedding: position_ids are %v, want [%d %d] (batch, sequence)", ir.S(pos.Shape...), g.B, g.S)
		}
		if len(cs) != 2 || cs[1] != half {
			return g, fmt.Errorf("rotary embedding: with position_ids the caches must be [max_position, %d], got %v", half, ir.S(cs...))
		}
		g.maxPos = cs[0]
	} else if !slices.Equal(cs, []int64{g.B, g.S, half}) {
		return g, fmt.Errorf("rotary embedding: without position_ids the caches must be [%d %d %d] (batch, sequence, rotary_dim/2), got %v", g.B, g.S, half, ir.S(cs...))
	}
	return g, nil
}

func rotaryT[T float](x, cos, sin, out []T, pos *ir.Tensor, g rotaryGeom, interleaved bool) error {
	half := g.rot / 2
	for b := int64(0); b < g.B; b++ {
		for s := int64(0); s < g.S; s++ {
			row := b*g.S + s
			if pos != nil {
				p := pos.Int(int(row))
				if p < 0 { // numpy indexing, as the operator's definition uses
					p += g.maxPos
				}
				if p < 0 || p >= g.maxPos {
					return fmt.Errorf("rotary embedding: position_ids[%d, %d] = %d is outside the cache's %d positions", b, s, pos.Int(int(row)), g.maxPos)
				}
				row = p
			}
			c, sn := cos[row*half:(row+1)*half], sin[row*half:(row+1)*half]
			for h := int64(0); h < g.H; h++ {
				base := b*g.bStride + s*g.sStride + h*g.hStride
				xi, yo := x[base:base+g.D], out[base:base+g.D]
				for i := int64(0); i < half; i++ {
					i1, i2 := i, i+half
					if interleaved {
						i1, i2 = 2*i, 2*i+1
					}
					x1, x2 := xi[i1], xi[i2]
					// The conversions keep each product rounded (no fused
					// multiply-add), as the operator's definition computes it.
					yo[i1] = T(c[i]*x1) - T(sn[i]*x2)
					yo[i2] = T(sn[i]*x1) + T(c[i]*x2)
				}
				copy(yo[g.rot:], xi[g.rot:])
			}
		}
	}
	return nil
}
