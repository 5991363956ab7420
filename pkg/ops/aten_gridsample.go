package ops

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// aten.grid_sampler_2d(input [N, C, H, W], grid [N, Ho, Wo, 2],
// interpolation_mode (0 bilinear, 1 nearest), padding_mode (0 zeros,
// 1 border, 2 reflection), align_corners) -> [N, C, Ho, Wo], as
// torch.nn.functional.grid_sample computes it: grid (x, y) in [-1, 1] maps
// to pixel coordinates by align_corners' rule, out-of-range samples read
// zeros, the clamped border, or the reflection. A CPU kernel only; the
// converter reason is in converters/aten's noConverter.

func init() {
	Register(Op{
		Key: "aten.grid_sampler_2d.default",
		Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
			if err := gridArgs(n, in); err != nil {
				return nil, err
			}
			x, g := in[0].Shape, in[1].Shape
			return []*ir.Value{{DType: in[0].DType, Shape: ir.Shape{x[0], x[1], g[1], g[2]}}}, nil
		},
		Run: runGridSample,
	})
}

func gridArgs(n *ir.Node, in []*ir.Value) error {
	if err := need(in, 0, 1); err != nil {
		return err
	}
	if len(in[0].Shape) != 4 || len(in[1].Shape) != 4 {
		return fmt.Errorf("input %v and grid %v, want ranks 4 and 4", in[0].Shape, in[1].Shape)
	}
	if g := in[1].Shape[3]; !g.Static() || g.Size != 2 {
		return fmt.Errorf("grid %v: the last dim must be 2", in[1].Shape)
	}
	if in[0].DType != ir.Float32 || in[1].DType != ir.Float32 {
		return fmt.Errorf("input %v and grid %v: the kernel computes float32", in[0].DType, in[1].DType)
	}
	if m := n.AttrInt("interpolation_mode", 0); m != 0 && m != 1 {
		return fmt.Errorf("interpolation_mode %d (bicubic) is not supported", m)
	}
	if p := n.AttrInt("padding_mode", 0); p < 0 || p > 2 {
		return fmt.Errorf("padding_mode %d is not known", p)
	}
	return nil
}

// gridCoord maps a normalized coordinate to a pixel coordinate, applying
// border or reflection padding.
func gridCoord(c float64, size int64, align bool, padding int64) float64 {
	s := float64(size)
	if align {
		c = (c + 1) / 2 * (s - 1)
	} else {
		c = ((c+1)*s - 1) / 2
	}
	switch padding {
	case 1:
		c = math.Min(math.Max(c, 0), s-1)
	case 2:
		lo, hi := -0.5, s-0.5
		if align {
			lo, hi = 0, s-1
		}
		if span := hi - lo; span <= 0 {
			c = 0
		} else {
			d := math.Abs(c - lo)
			flips := math.Floor(d / span)
			extra := math.Mod(d, span)
			if int64(flips)%2 == 0 {
				c = lo + extra
			} else {
				c = hi - extra
			}
		}
		c = math.Min(math.Max(c, 0), s-1)
	}
	return c
}

func runGridSample(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	vals := []*ir.Value{{DType: in[0].DType, Shape: ir.S(in[0].Shape...)}, {DType: in[1].DType, Shape: ir.S(in[1].Shape...)}}
	if err := gridArgs(n, vals); err != nil {
		return nil, err
	}
	N, C, H, W := in[0].Shape[0], in[0].Shape[1], in[0].Shape[2], in[0].Shape[3]
	if in[1].Shape[0] != N {
		return nil, fmt.Errorf("grid batch %d, input batch %d", in[1].Shape[0], N)
	}
	Ho, Wo := in[1].Shape[1], in[1].Shape[2]
	x, g := ir.View[float32](in[0]), ir.View[float32](in[1])
	out := ir.NewTensor(ir.Float32, []int64{N, C, Ho, Wo})
	o := ir.View[float32](out)
	align := n.AttrInt("align_corners", 0) != 0
	pad := n.AttrInt("padding_mode", 0)
	nearest := n.AttrInt("interpolation_mode", 0) == 1
	at := func(b, c, yy, xx int64) float64 {
		if yy < 0 || yy >= H || xx < 0 || xx >= W {
			return 0
		}
		return float64(x[((b*C+c)*H+yy)*W+xx])
	}
	for b := int64(0); b < N; b++ {
		for i := int64(0); i < Ho; i++ {
			for j := int64(0); j < Wo; j++ {
				gi := ((b*Ho+i)*Wo + j) * 2
				px := gridCoord(float64(g[gi]), W, align, pad)
				py := gridCoord(float64(g[gi+1]), H, align, pad)
				for c := int64(0); c < C; c++ {
					var v float64
					if nearest {
						v = at(b, c, int64(math.RoundToEven(py)), int64(math.RoundToEven(px)))
					} else {
						x0, y0 := math.Floor(px), math.Floor(py)
						fx, fy := px-x0, py-y0
						ix, iy := int64(x0), int64(y0)
						v = at(b, c, iy, ix)*(1-fx)*(1-fy) + at(b, c, iy, ix+1)*fx*(1-fy) +
							at(b, c, iy+1, ix)*(1-fx)*fy + at(b, c, iy+1, ix+1)*fx*fy
					}
					o[((b*C+c)*Ho+i)*Wo+j] = float32(v)
				}
			}
		}
	}
	return []*ir.Tensor{out}, nil
}
