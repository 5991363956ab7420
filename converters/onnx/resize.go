package onnx

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Resize and Upsample as one Resize layer. Scales and sizes must be
// constants, except full-rank run-time sizes, which become the layer's
// shape input. ONNX coordinate modes map onto TensorRT's: half_pixel,
// asymmetric, align_corners, and pytorch_half_pixel (HALF_PIXEL with
// selector UPPER); tf_crop_and_resize, half_pixel_symmetric, antialias and
// keep_aspect_ratio_policy have no TensorRT counterpart and fall back.

func init() {
	for _, op := range []string{"Resize", "Upsample"} {
		builtins = append(builtins, conversion.Converter{
			Target: "onnx." + op, Priority: conversion.Standard, DynamicShapes: true,
			Description: op + " as a Resize layer (nearest, linear, cubic)",
			Validator:   func(n *conversion.Node) error { _, err := resizePlan(n); return err },
			Convert:     convResize,
		})
	}
}

// resizeLayer is a node's layer settings: static dims or scales, or a
// run-time sizes input (sizesIn >= 0).
type resizeLayer struct {
	p       network.ResizeParams
	dims    []int64
	scales  []float32
	sizesIn int
	axes    []int
}

var resizeCoords = map[kernels.ResizeCoord]network.ResizeCoordinateTransformation{
	kernels.CoordHalfPixel: network.ResizeHALF_PIXEL, kernels.CoordPytorchHalfPixel: network.ResizeHALF_PIXEL,
	kernels.CoordAsymmetric: network.ResizeASYMMETRIC, kernels.CoordAlignCorners: network.ResizeALIGN_CORNERS,
}

var resizeRounds = map[kernels.NearestRound]network.ResizeRoundMode{
	kernels.RoundPreferFloor: network.ResizeRoundHALF_DOWN, kernels.RoundPreferCeil: network.ResizeRoundHALF_UP,
	kernels.RoundFloor: network.ResizeRoundFLOOR, kernels.RoundCeil: network.ResizeRoundCEIL,
}

func resizePlan(n *conversion.Node) (*resizeLayer, error) {
	spec, err := ops.ResizeSpecOf(n.Node)
	if err != nil {
		return nil, err
	}
	x := n.In[0]
	rank := len(x.Shape)
	switch x.DType {
	case ir.Float32, ir.Float16, ir.BFloat16:
	case ir.Int32, ir.Int64, ir.Int8, ir.Uint8:
		if spec.Mode != kernels.ResizeNearest {
			return nil, fmt.Errorf("%v interpolation of %v: TensorRT interpolates floats only", spec.Mode, x.DType)
		}
	default:
		return nil, fmt.Errorf("input is %v; TensorRT resizes floats and, in nearest mode, integers", x.DType)
	}
	coord, ok := resizeCoords[spec.Coord]
	if !ok {
		return nil, fmt.Errorf("coordinate_transformation_mode %s has no TensorRT counterpart", n.AttrString("coordinate_transformation_mode", ""))
	}
	if spec.Antialias && spec.Mode != kernels.ResizeNearest {
		return nil, fmt.Errorf("antialias has no TensorRT counterpart")
	}
	if p := n.AttrString("keep_aspect_ratio_policy", "stretch"); p != "stretch" {
		return nil, fmt.Errorf("keep_aspect_ratio_policy %s has no TensorRT counterpart", p)
	}
	l := &resizeLayer{sizesIn: -1, p: network.ResizeParams{
		CoordTransform: coord, NearestRounding: resizeRounds[spec.Nearest],
		CubicCoeff: float32(spec.CubicA), ExcludeOutside: spec.ExcludeOutside,
	}}
	l.p.Mode = map[kernels.ResizeMode]network.InterpolationMode{
		kernels.ResizeNearest: network.InterpolationNEAREST, kernels.ResizeLinear: network.InterpolationLINEAR,
		kernels.ResizeCubic: network.InterpolationCUBIC,
	}[spec.Mode]
	if spec.Coord == kernels.CoordPytorchHalfPixel {
		l.p.Selector = network.ResizeSelectorUPPER
	}
	l.axes = make([]int, rank)
	for i := range l.axes {
		l.axes[i] = i
	}
	if n.HasAttr("axes") {
		if l.axes, err = impl.NormAxes(n.AttrInts("axes", nil), rank); err != nil {
			return nil, err
		}
	}
	inner := map[network.InterpolationMode]int{network.InterpolationNEAREST: rank, network.InterpolationLINEAR: 3, network.InterpolationCUBIC: 2}[l.p.Mode]
	changes := func(d int) error {
		if d < rank-inner {
			return fmt.Errorf("%v interpolation of dim %d: TensorRT interpolates only the %d innermost dims", spec.Mode, d, inner)
		}
		return nil
	}
	scales, sizes, sizesIn, err := resizeSize(n)
	if err != nil {
		return nil, err
	}
	switch {
	case scales != nil:
		if len(scales) != len(l.axes) {
			return nil, fmt.Errorf("%d scales for %d axes", len(scales), len(l.axes))
		}
		l.scales = make([]float32, rank)
		for d := range l.scales {
			l.scales[d] = 1
		}
		for i, d := range l.axes {
			s := scales[i]
			if s <= 0 {
				return nil, fmt.Errorf("scale %v must be positive", s)
			}
			l.scales[d] = float32(s)
			if s == 1 {
				continue
			}
			if err := changes(d); err != nil {
				return nil, err
			}
			if spec.Coord == kernels.CoordAlignCorners {
				// ONNX aligns corners of the unrounded length dim*scale;
				// TensorRT those of the output.
				// (float32 scales: 0.4 * 5 is 2 within 1e-6.)
				if dim := x.Shape[d]; !dim.Static() || math.Abs(float64(dim.Size)*s-math.Round(float64(dim.Size)*s)) > 1e-6*float64(dim.Size) {
					return nil, fmt.Errorf("align_corners with scale %v of dim %v: ONNX uses the unrounded output length, TensorRT the rounded one", s, dim)
				}
			}
		}
	case sizes != nil:
		if len(sizes) != len(l.axes) {
			return nil, fmt.Errorf("%d sizes for %d axes", len(sizes), len(l.axes))
		}
		l.dims = dimsOfShape(x.Shape)
		for i, d := range l.axes {
			if sizes[i] < 0 {
				return nil, fmt.Errorf("size %d is negative", sizes[i])
			}
			l.dims[d] = sizes[i]
			if x.Shape[d].Static() && x.Shape[d].Size == sizes[i] {
				continue
			}
			if err := changes(d); err != nil {
				return nil, err
			}
		}
	default:
		if n.HasAttr("axes") {
			return nil, fmt.Errorf("run-time sizes with an axes attribute are not supported")
		}
		if l.p.Mode != network.InterpolationNEAREST && rank > inner {
			return nil, fmt.Errorf("run-time sizes may resize any dim; TensorRT interpolates only the %d innermost in %v mode", inner, spec.Mode)
		}
		l.sizesIn = sizesIn
	}
	return l, nil
}

// resizeSize returns a node's constant scales or sizes (per listed axis), or
// the index of a run-time sizes input.
func resizeSize(n *conversion.Node) (scales []float64, sizes []int64, sizesIn int, err error) {
	if n.OpType() == "Upsample" && n.HasAttr("scales") {
		for _, f := range n.AttrFloats("scales", nil) {
			scales = append(scales, float64(f))
		}
		return scales, nil, -1, nil
	}
	si, zi := 2, 3
	if n.OpType() == "Upsample" || len(n.Inputs) == 2 {
		si, zi = 1, -1
	}
	present := func(i int) bool {
		if i < 0 || i >= len(n.In) || n.In[i] == nil {
			return false
		}
		dims, ok := n.In[i].Shape.Ints()
		return !ok || ir.Numel(dims) > 0
	}
	switch {
	case present(si):
		c := n.Const(si)
		if c == nil {
			return nil, nil, -1, fmt.Errorf("scales (input %d) must be a constant", si)
		}
		return c.Floats(), nil, -1, nil
	case present(zi):
		if c := n.Const(zi); c != nil {
			return nil, c.Ints(), -1, nil
		}
		if len(n.In[zi].Shape) != 1 || !n.In[zi].Shape[0].Static() || n.In[zi].Shape[0].Size != int64(len(n.In[0].Shape)) {
			return nil, nil, -1, fmt.Errorf("run-time sizes must list every dim")
		}
		return nil, nil, zi, nil
	}
	return nil, nil, -1, fmt.Errorf("neither scales nor sizes is given")
}

// dimsOfShape gives static sizes, -1 for dynamic dims.
func dimsOfShape(s ir.Shape) []int64 {
	out := make([]int64, len(s))
	for i, d := range s {
		out[i] = d.Size
	}
	return out
}

func convResize(ctx *conversion.Context, n *conversion.Node) error {
	l, err := resizePlan(n)
	if err != nil {
		return err
	}
	x := ctx.Input(n, 0)
	switch {
	case l.sizesIn >= 0:
		ctx.SetOutput(n, 0, impl.ResizeT(ctx, x, impl.Cast(ctx, ctx.Input(n, l.sizesIn), ir.Int64), l.p))
	case l.scales != nil:
		ctx.SetOutput(n, 0, impl.Resize(ctx, x, nil, l.scales, l.p))
	default:
		static := true
		spec := make([]impl.DimSrc, len(l.dims))
		for d, v := range l.dims {
			if v < 0 {
				static = false
				spec[d] = impl.FromIn(d)
			} else {
				spec[d] = impl.Const(v)
			}
		}
		if static {
			ctx.SetOutput(n, 0, impl.Resize(ctx, x, l.dims, nil, l.p))
		} else {
			ctx.SetOutput(n, 0, impl.ResizeT(ctx, x, impl.ShapeFrom(ctx, x, spec), l.p))
		}
	}
	return nil
}
