package reference

import (
	"fmt"
	"slices"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// RotaryEmbedding is IRotaryEmbeddingLayer (NvInfer.h, 10.15+): rotary
// position embedding over input [batch, heads, sequence, headSize], as
// addRotaryEmbedding documents it. R = rotaryEmbeddingDim, or headSize when
// 0; the first R dims of each head are R/2 pairs, element i with element
// i+R/2 (interleaved: elements 2i and 2i+1), each rotated by the angle
// whose cosine and sine are the caches' entry i: (a, b) becomes
// (a·cos - b·sin, b·cos + a·sin); the dims past R are copied. Without
// position ids the caches are [batch, sequence, R/2]; with them (input 3,
// [batch, sequence]) the caches are [maxPositionId+1, R/2] and row
// positionIds[b, s] is used.

type rotaryParams struct {
	Interleaved bool
	RotaryDim   int
}

func init() {
	registerKind(network.KindRotaryEmbedding, kindImpl{infer: inferRotary, run: runRotary})
}

// rotaryHalf is R/2 for an input of head size d (a dim that may be
// dynamic, -1).
func rotaryHalf(p rotaryParams, d int64) int64 {
	if p.RotaryDim > 0 {
		return int64(p.RotaryDim / 2)
	}
	if d < 0 {
		return -1
	}
	return d / 2
}

func inferRotary(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if len(in) < 3 || len(in) > 4 {
		return nil, fmt.Errorf("rotary embedding takes 3 or 4 inputs, got %d", len(in))
	}
	return []*ir.Value{{DType: in[0].DType, Shape: in[0].Shape.Clone()}}, nil
}

func runRotary(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(rotaryParams)
	x, cos, sin := in[0], in[1], in[2]
	if len(x.Shape) != 4 {
		return nil, fmt.Errorf("rotary embedding input has shape %v, want [batch, heads, sequence, headSize]", x.Shape)
	}
	bn, hn, sn, d := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	half := rotaryHalf(p, d)
	if half*2 > d || (p.RotaryDim == 0 && d%2 != 0) {
		return nil, fmt.Errorf("rotary embedding dim %d does not fit head size %d (it must be even and at most the head size)", p.RotaryDim, d)
	}
	var pos *ir.Tensor
	if len(in) > 3 && in[3] != nil {
		pos = in[3]
	}
	// row returns the cache row for batch b, position s.
	row := func(b, s int64) (int64, error) {
		if pos == nil {
			if !slices.Equal(cos.Shape, []int64{bn, sn, half}) || !slices.Equal(sin.Shape, cos.Shape) {
				return 0, fmt.Errorf("rotary caches are %v and %v; without position ids they must be [batch, sequence, R/2] = [%d, %d, %d]", cos.Shape, sin.Shape, bn, sn, half)
			}
			return b*sn + s, nil
		}
		if !slices.Equal(pos.Shape, []int64{bn, sn}) || len(cos.Shape) != 2 || cos.Shape[1] != half || !slices.Equal(sin.Shape, cos.Shape) {
			return 0, fmt.Errorf("rotary position ids %v and caches %v, %v; want ids [batch, sequence] = [%d, %d] and caches [maxPositionId+1, %d]", pos.Shape, cos.Shape, sin.Shape, bn, sn, half)
		}
		id := pos.Int(int(b*sn + s))
		if id < 0 || id >= cos.Shape[0] {
			return 0, fmt.Errorf("rotary position id %d outside the caches' %d rows", id, cos.Shape[0])
		}
		return id, nil
	}
	out := ir.NewTensor(x.DType, x.Shape)
	for b := range bn {
		for h := range hn {
			for s := range sn {
				r, err := row(b, s)
				if err != nil {
					return nil, err
				}
				base := ((b*hn+h)*sn + s) * d
				for i := range half {
					c, sv := cos.Float(int(r*half+i)), sin.Float(int(r*half+i))
					ia, ib := base+i, base+i+half
					if p.Interleaved {
						ia, ib = base+2*i, base+2*i+1
					}
					a, bb := x.Float(int(ia)), x.Float(int(ib))
					out.SetFloat(int(ia), a*c-bb*sv)
					out.SetFloat(int(ib), bb*c+a*sv)
				}
				for i := 2 * half; i < d; i++ {
					out.SetFloat(int(base+i), x.Float(int(base+i)))
				}
			}
		}
	}
	return []*ir.Tensor{out}, nil
}
