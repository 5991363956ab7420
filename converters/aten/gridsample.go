package aten

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// grid_sampler_2d. pkg/lower turns every grid_sampler node into ONNX
// GridSample except bicubic sampling with border padding, where PyTorch
// clamps each of the 16 taps and ONNX clamps the sample point. That rule is
// TensorRT's: IGridSampleLayer's kCLAMP says "out of bounds indices are
// clamped to bounds", so the node becomes the layer with kCUBIC and kCLAMP
// (the reference backend clamps taps there, as the ATen kernel does).

var atenGridModes = []network.InterpolationMode{network.InterpolationLINEAR, network.InterpolationNEAREST, network.InterpolationCUBIC}
var atenGridPads = []network.SampleMode{network.SampleFILL, network.SampleCLAMP, network.SampleREFLECT}

func atenGridParams(n *conversion.Node) (network.GridSampleParams, error) {
	m, p := n.AttrInt("interpolation_mode", 0), n.AttrInt("padding_mode", 0)
	if m < 0 || m > 2 || p < 0 || p > 2 {
		return network.GridSampleParams{}, fmt.Errorf("interpolation_mode %d / padding_mode %d: each must be 0, 1 or 2", m, p)
	}
	return network.GridSampleParams{Mode: atenGridModes[m], Sample: atenGridPads[p], AlignCorners: n.AttrInt("align_corners", 0) != 0}, nil
}

func init() {
	builtins = append(builtins, conversion.Converter{
		Target:        "aten.grid_sampler_2d.default",
		Priority:      conversion.Standard,
		DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			if len(n.In) < 2 || n.In[0] == nil || n.In[1] == nil {
				return fmt.Errorf("needs input and grid")
			}
			x, g := n.In[0], n.In[1]
			if x.DType != ir.Float32 && x.DType != ir.Float16 && x.DType != ir.BFloat16 {
				return fmt.Errorf("input is %v; TensorRT's GridSample takes floating-point tensors", x.DType)
			}
			if g.DType != x.DType {
				return fmt.Errorf("grid is %v and input %v; TensorRT's GridSample takes one dtype", g.DType, x.DType)
			}
			if len(x.Shape) != 4 || len(g.Shape) != 4 || !g.Shape[3].Static() || g.Shape[3].Size != 2 {
				return fmt.Errorf("input %v and grid %v: TensorRT's GridSample takes [N, C, H, W] and [N, H_out, W_out, 2]", x.Shape, g.Shape)
			}
			_, err := atenGridParams(n)
			return err
		},
		Description: "grid_sampler_2d as an IGridSampleLayer (bicubic with border: kCLAMP clamps each tap, PyTorch's rule)",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			p, err := atenGridParams(n)
			if err != nil {
				return err
			}
			ctx.SetOutput(n, 0, ctx.Net.AddGridSample(ctx.Input(n, 0), ctx.Input(n, 1), p))
			return nil
		},
	})
}
