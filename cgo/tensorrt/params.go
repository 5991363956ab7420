package tensorrt

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/network"
)

// maxDims is TensorRT's Dims::MAX_DIMS (and the shim's TRTC_MAX_DIMS).
const maxDims = 8

// checkResize checks what the shim's trtc_resize_params cannot say:
// exactly one of static output dims, an output-dims tensor and scales sets
// the output size, and dims or scales come one per input dim (rank -1:
// the input is unknown, and not checked here). TensorRT checks the rest
// (modes, which dims a mode may resize) when it builds.
func checkResize(p network.ResizeParams, rank int) error {
	ways := 0
	for _, set := range []bool{p.OutputDims != nil, p.OutputDimsT != nil, p.Scales != nil} {
		if set {
			ways++
		}
	}
	if ways != 1 {
		return fmt.Errorf("resize: exactly one of OutputDims, OutputDimsT and Scales must be set, not %d", ways)
	}
	if len(p.Scales) > maxDims {
		return fmt.Errorf("resize: %d scales, more than TensorRT's %d dims", len(p.Scales), maxDims)
	}
	for d, s := range p.Scales {
		if !(s > 0) {
			return fmt.Errorf("resize: scale %v of dim %d is not positive", s, d)
		}
	}
	if rank < 0 {
		return nil
	}
	if rank == 0 || rank > maxDims {
		return fmt.Errorf("resize: input rank %d is outside TensorRT's 1..%d", rank, maxDims)
	}
	switch {
	case p.OutputDims != nil && len(p.OutputDims) != rank:
		return fmt.Errorf("resize: %d output dims for an input of rank %d", len(p.OutputDims), rank)
	case p.Scales != nil && len(p.Scales) != rank:
		return fmt.Errorf("resize: %d scales for an input of rank %d", len(p.Scales), rank)
	}
	return nil
}

// cubicCoeff is the value for setCubicCoeff: ResizeParams' zero means
// TensorRT's default, -0.75.
func cubicCoeff(a float32) float32 {
	if a == 0 {
		return -0.75
	}
	return a
}
