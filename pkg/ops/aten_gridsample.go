package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// aten.grid_sampler_2d(input [N, C, H, W], grid [N, Ho, Wo, 2],
// interpolation_mode (0 bilinear, 1 nearest, 2 bicubic), padding_mode
// (0 zeros, 1 border, 2 reflection), align_corners) -> [N, C, Ho, Wo], as
// torch.nn.functional.grid_sample computes it: grid (x, y) in [-1, 1] maps
// to pixel coordinates by align_corners' rule, out-of-range samples read
// zeros, the clamped border, or the reflection; bicubic pads each tap
// (kernels.GridSampleParams.PadTaps). pkg/lower turns every node into ONNX
// GridSample except bicubic with border padding, where ONNX's rule (clamp
// the point, then sample) differs from PyTorch's (sample around the point,
// clamp each tap); that node runs this kernel, and converters/aten's
// noConverter gives the reason.

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
	if m := n.AttrInt("interpolation_mode", 0); m < 0 || m > 2 {
		return fmt.Errorf("interpolation_mode %d is not 0 (bilinear), 1 (nearest) or 2 (bicubic)", m)
	}
	if p := n.AttrInt("padding_mode", 0); p < 0 || p > 2 {
		return fmt.Errorf("padding_mode %d is not known", p)
	}
	return nil
}

func runGridSample(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	vals := []*ir.Value{{DType: in[0].DType, Shape: ir.S(in[0].Shape...)}, {DType: in[1].DType, Shape: ir.S(in[1].Shape...)}}
	if err := gridArgs(n, vals); err != nil {
		return nil, err
	}
	if in[1].Shape[0] != in[0].Shape[0] {
		return nil, fmt.Errorf("grid batch %d, input batch %d", in[1].Shape[0], in[0].Shape[0])
	}
	return t1(kernels.GridSample(in[0], in[1], kernels.GridSampleParams{
		Mode:         []string{"linear", "nearest", "cubic"}[n.AttrInt("interpolation_mode", 0)],
		Padding:      []string{"zeros", "border", "reflection"}[n.AttrInt("padding_mode", 0)],
		AlignCorners: n.AttrInt("align_corners", 0) != 0,
		PadTaps:      true,
	}))
}
