package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// GridSample is IGridSampleLayer (NvInfer.h): input [N, C, H, W] and grid
// [N, H_out, W_out, 2] (normalized x, y in [-1, 1]), both rank 4, give
// [N, C, H_out, W_out]. Interpolation kNEAREST, kLINEAR or kCUBIC;
// align_corners maps -1 and 1 to the centers of the corner pixels (else to
// their outer edges); sample mode kFILL reads 0 outside the input, kCLAMP
// the border, kREFLECT the reflection. TensorRT's layer follows PyTorch's
// grid_sample; this backend computes it with the kernel of the ONNX op
// (kernels.GridSample). The one place where ONNX GridSample and PyTorch
// differ is kCUBIC with kCLAMP: NvInfer.h says of kCLAMP "out of bounds
// indices are clamped to bounds", so each of the 16 bicubic taps is clamped
// (PyTorch's rule, kernels.GridSampleParams.PadTaps), where ONNX clamps the
// sample point first.

func init() {
	registerKind(network.KindGridSample, kindImpl{infer: inferGridSample, run: runGridSample})
}

func inferGridSample(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 2); err != nil {
		return nil, err
	}
	x, g := in[0], in[1]
	if len(x.Shape) != 4 || len(g.Shape) != 4 {
		return nil, fmt.Errorf("input %v and grid %v must have rank 4", x.Shape, g.Shape)
	}
	return []*ir.Value{{DType: x.DType, Shape: ir.Shape{x.Shape[0], x.Shape[1], g.Shape[1], g.Shape[2]}}}, nil
}

func gridSampleKernelParams(p network.GridSampleParams) (kernels.GridSampleParams, error) {
	kp := kernels.GridSampleParams{AlignCorners: p.AlignCorners}
	switch p.Mode {
	case network.InterpolationNEAREST:
		kp.Mode = "nearest"
	case network.InterpolationLINEAR:
		kp.Mode = "linear"
	case network.InterpolationCUBIC:
		kp.Mode = "cubic"
	default:
		return kp, fmt.Errorf("interpolation mode %v", p.Mode)
	}
	switch p.Sample {
	case network.SampleFILL:
		kp.Padding = "zeros"
	case network.SampleCLAMP:
		kp.Padding = "border"
		kp.PadTaps = p.Mode == network.InterpolationCUBIC
	case network.SampleREFLECT:
		kp.Padding = "reflection"
	default:
		return kp, fmt.Errorf("sample mode %v", p.Sample)
	}
	return kp, nil
}

func runGridSample(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	kp, err := gridSampleKernelParams(l.Params.(network.GridSampleParams))
	if err != nil {
		return nil, err
	}
	out, err := kernels.GridSample(in[0], in[1], kp)
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{out}, nil
}
