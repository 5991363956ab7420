package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

// GridSample as an IGridSampleLayer: mode linear/bilinear, nearest and
// cubic/bicubic map to kLINEAR, kNEAREST and kCUBIC, padding_mode zeros,
// border and reflection to kFILL, kCLAMP and kREFLECT, align_corners to
// setAlignCorners. TensorRT's layer takes rank-4 tensors only, so 3-D
// images (opset 20's 5-D input) fall back, as do a grid whose dtype
// differs from the input's, and cubic with border padding: TensorRT's
// kCLAMP clamps each bicubic tap (PyTorch's rule), ONNX the sample point.

var gridSampleModes = map[string]network.InterpolationMode{
	"linear": network.InterpolationLINEAR, "bilinear": network.InterpolationLINEAR,
	"nearest": network.InterpolationNEAREST,
	"cubic":   network.InterpolationCUBIC, "bicubic": network.InterpolationCUBIC,
}

var gridSamplePadding = map[string]network.SampleMode{
	"zeros": network.SampleFILL, "border": network.SampleCLAMP, "reflection": network.SampleREFLECT,
}

func gridSampleParams(n *conversion.Node) (network.GridSampleParams, error) {
	mode, ok := gridSampleModes[n.AttrString("mode", "linear")]
	if !ok {
		return network.GridSampleParams{}, fmt.Errorf("mode %q is not linear, nearest or cubic", n.AttrString("mode", "linear"))
	}
	pad, ok := gridSamplePadding[n.AttrString("padding_mode", "zeros")]
	if !ok {
		return network.GridSampleParams{}, fmt.Errorf("padding_mode %q is not zeros, border or reflection", n.AttrString("padding_mode", "zeros"))
	}
	if mode == network.InterpolationCUBIC && pad == network.SampleCLAMP {
		return network.GridSampleParams{}, fmt.Errorf("cubic with padding_mode border: TensorRT's kCLAMP clamps each of the 16 taps (\"out of bounds indices are clamped to bounds\"), ONNX GridSample clamps the sample point first, and the two differ near the border")
	}
	return network.GridSampleParams{Mode: mode, AlignCorners: n.AttrInt("align_corners", 0) != 0, Sample: pad}, nil
}

func init() {
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.GridSample",
		Priority:      conversion.Standard,
		DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			if len(n.In) < 2 || n.In[0] == nil || n.In[1] == nil {
				return fmt.Errorf("needs X and grid")
			}
			if err := dtypeIn(floats...)(n); err != nil {
				return err
			}
			if n.In[1].DType != n.In[0].DType {
				return fmt.Errorf("grid is %v and X %v; TensorRT's GridSample takes one dtype", n.In[1].DType, n.In[0].DType)
			}
			if r := len(n.In[0].Shape); r != 4 {
				return fmt.Errorf("X has rank %d; TensorRT's GridSample takes 2-D images (rank 4) only", r)
			}
			if s := n.In[1].Shape; len(s) != 4 || !s[3].Static() || s[3].Size != 2 {
				return fmt.Errorf("grid %v is not [N, H_out, W_out, 2]", s)
			}
			_, err := gridSampleParams(n)
			return err
		},
		Description: "GridSample as an IGridSampleLayer (2-D images)",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			p, err := gridSampleParams(n)
			if err != nil {
				return err
			}
			ctx.SetOutput(n, 0, ctx.Net.AddGridSample(ctx.Input(n, 0), ctx.Input(n, 1), p))
			return nil
		},
	})
}
