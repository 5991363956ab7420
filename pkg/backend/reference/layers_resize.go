package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Resize is IResizeLayer. The output size comes from static dims, a shape
// tensor (input 1) or static scales (floor(dim * scale)); the coordinate
// transformation uses the scales when given, else output/input. LINEAR
// interpolates at most the 3 innermost dims and CUBIC at most the 2
// innermost: any other dim must keep its size, as TensorRT requires.
// NEAREST takes float and integer tensors, LINEAR and CUBIC floats only.

func init() {
	registerKind(network.KindResize, kindImpl{infer: inferResize, run: runResize})
}

// resizeInner is how many innermost dims a mode may resize.
var resizeInner = map[network.InterpolationMode]int{
	network.InterpolationNEAREST: 8, network.InterpolationLINEAR: 3, network.InterpolationCUBIC: 2,
}

func inferResize(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 1); err != nil {
		return nil, err
	}
	p := l.Params.(network.ResizeParams)
	x := in[0]
	rank := len(x.Shape)
	inner, ok := resizeInner[p.Mode]
	if !ok {
		return nil, fmt.Errorf("unknown InterpolationMode %d", p.Mode)
	}
	switch x.DType {
	case ir.Float32, ir.Float16, ir.BFloat16:
	case ir.Int32, ir.Int64, ir.Int8, ir.Uint8:
		if p.Mode != network.InterpolationNEAREST {
			return nil, fmt.Errorf("interpolation mode %d of %v: only NEAREST resizes integers", p.Mode, x.DType)
		}
	default:
		return nil, fmt.Errorf("input dtype %v is not supported", x.DType)
	}
	if rank < 1 {
		return nil, fmt.Errorf("input must have rank >= 1")
	}
	if p.CoordTransform < network.ResizeALIGN_CORNERS || p.CoordTransform > network.ResizeHALF_PIXEL ||
		p.Selector < network.ResizeSelectorFORMULA || p.Selector > network.ResizeSelectorUPPER ||
		p.NearestRounding < network.ResizeRoundHALF_UP || p.NearestRounding > network.ResizeRoundCEIL {
		return nil, fmt.Errorf("unknown coordinate transformation %d, selector %d or round mode %d", p.CoordTransform, p.Selector, p.NearestRounding)
	}
	var dimsT *ir.Value
	if len(in) > 1 {
		dimsT = in[1]
	}
	set := 0
	for _, b := range []bool{p.OutputDims != nil, dimsT != nil, p.Scales != nil} {
		if b {
			set++
		}
	}
	if set != 1 {
		return nil, fmt.Errorf("exactly one of output dims, an output-dims tensor and scales must be set")
	}
	out := x.Shape.Clone()
	switch {
	case p.OutputDims != nil:
		if len(p.OutputDims) != rank {
			return nil, fmt.Errorf("%d output dims for rank %d", len(p.OutputDims), rank)
		}
		out = ir.S(p.OutputDims...)
	case p.Scales != nil:
		if len(p.Scales) != rank {
			return nil, fmt.Errorf("%d scales for rank %d", len(p.Scales), rank)
		}
		for d, s := range p.Scales {
			if s <= 0 {
				return nil, fmt.Errorf("scale %v of dim %d must be positive", s, d)
			}
			if s == 1 {
				continue
			}
			if x.Shape[d].Static() {
				out[d] = ir.D(kernels.ResizeOutDims([]int64{x.Shape[d].Size}, []float64{float64(s)})[0])
			} else {
				out[d] = ir.Sym("")
			}
		}
	default:
		if err := checkParamTensor(dimsT, rank, "output dims"); err != nil {
			return nil, err
		}
		if dimsT.ShapeData != nil {
			out = dimsT.ShapeData.Clone()
		} else {
			out = make(ir.Shape, rank)
			for d := range out {
				out[d] = ir.Sym("")
			}
		}
	}
	for d := 0; d < rank-inner; d++ {
		if p.Scales != nil && p.Scales[d] != 1 || out[d].Static() && x.Shape[d].Static() && out[d].Size != x.Shape[d].Size {
			return nil, fmt.Errorf("mode %d resizes at most the %d innermost dims; dim %d changes", p.Mode, inner, d)
		}
	}
	return []*ir.Value{{DType: x.DType, Shape: out}}, nil
}

// resizeSpec is the kernel's form of the layer's settings.
func resizeSpec(p network.ResizeParams) kernels.ResizeSpec {
	spec := kernels.ResizeSpec{CubicA: float64(p.CubicCoeff), ExcludeOutside: p.ExcludeOutside}
	spec.Mode = map[network.InterpolationMode]kernels.ResizeMode{
		network.InterpolationNEAREST: kernels.ResizeNearest, network.InterpolationLINEAR: kernels.ResizeLinear,
		network.InterpolationCUBIC: kernels.ResizeCubic,
	}[p.Mode]
	switch p.CoordTransform {
	case network.ResizeALIGN_CORNERS:
		spec.Coord = kernels.CoordAlignCorners
	case network.ResizeASYMMETRIC:
		spec.Coord = kernels.CoordAsymmetric
	default:
		spec.Coord = kernels.CoordHalfPixel
		if p.Selector == network.ResizeSelectorUPPER {
			spec.Coord = kernels.CoordPytorchHalfPixel
		}
	}
	spec.Nearest = map[network.ResizeRoundMode]kernels.NearestRound{
		network.ResizeRoundHALF_UP: kernels.RoundPreferCeil, network.ResizeRoundHALF_DOWN: kernels.RoundPreferFloor,
		network.ResizeRoundFLOOR: kernels.RoundFloor, network.ResizeRoundCEIL: kernels.RoundCeil,
	}[p.NearestRounding]
	return spec
}

func runResize(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(network.ResizeParams)
	x := in[0]
	rank := len(x.Shape)
	var out []int64
	var scales []float64
	switch {
	case p.OutputDims != nil:
		out = p.OutputDims
	case p.Scales != nil:
		scales = make([]float64, rank)
		for d, s := range p.Scales {
			scales[d] = float64(s)
		}
		out = kernels.ResizeOutDims(x.Shape, scales)
	default:
		if len(in) < 2 || in[1] == nil || in[1].Numel() != int64(rank) {
			return nil, fmt.Errorf("output dims tensor must have %d entries", rank)
		}
		out = in[1].Ints()
	}
	for d := 0; d < rank-resizeInner[p.Mode]; d++ {
		if out[d] != x.Shape[d] {
			return nil, fmt.Errorf("mode %d resizes at most the %d innermost dims; dim %d changes from %d to %d", p.Mode, resizeInner[p.Mode], d, x.Shape[d], out[d])
		}
	}
	r, err := kernels.Resize(x, out, scales, resizeSpec(p))
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{r}, nil
}
