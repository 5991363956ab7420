package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Cast: ICastLayer, between the dtypes TensorRT has (no float64, int16 or
// wide unsigned types). Float to integer truncates toward zero; to Bool is
// x != 0 (see kernels.Cast). Casts between integer types keep ShapeData.

func init() {
	registerKind(network.KindCast, kindImpl{infer: inferCast, run: runCast})
}

// TRTDType reports whether TensorRT has a DataType for dt.
func TRTDType(dt ir.DType) bool {
	switch dt {
	case ir.Float32, ir.Float16, ir.BFloat16, ir.Int8, ir.Int32, ir.Int64, ir.Bool, ir.Uint8:
		return true
	}
	return false
}

func inferCast(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 1); err != nil {
		return nil, err
	}
	to := l.Params.(castParams).To
	if !TRTDType(in[0].DType) {
		return nil, fmt.Errorf("cast from %v: TensorRT has no such type", in[0].DType)
	}
	if !TRTDType(to) {
		return nil, fmt.Errorf("cast to %v: TensorRT has no such type", to)
	}
	out := &ir.Value{DType: to, Shape: in[0].Shape.Clone()}
	if in[0].ShapeData != nil && in[0].DType.IsInt() && (to == ir.Int32 || to == ir.Int64) {
		out.ShapeData = in[0].ShapeData.Clone()
	}
	return []*ir.Value{out}, nil
}

func runCast(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	out, err := kernels.Cast(in[0], l.Params.(castParams).To)
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{out}, nil
}
