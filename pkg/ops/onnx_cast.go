package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// Cast (attribute to) and CastLike (the second input's dtype). The
// saturate and round_mode attributes (opset 19 and 25) concern the float8
// and float8e8m0 targets only. Casts between integer types keep ShapeData, so
// shape arithmetic stays visible through Shape -> Cast chains.

func init() {
	Register(Op{Key: "onnx.Cast", Infer: inferCast, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		return t1(kernels.CastWith(in[0], ir.DType(n.AttrInt("to", 0)), castOptions(n)))
	}})
	Register(Op{Key: "onnx.CastLike", Infer: inferCast, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		return t1(kernels.CastWith(in[0], in[1].DType, castOptions(n)))
	}})
}

func inferCast(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	var to ir.DType
	if n.Op == "onnx.CastLike" {
		if err := needInputs(in, 2); err != nil {
			return nil, err
		}
		to = in[1].DType
	} else {
		if err := needInputs(in, 1); err != nil {
			return nil, err
		}
		if !n.HasAttr("to") {
			return nil, fmt.Errorf("attribute to is missing")
		}
		to = ir.DType(n.AttrInt("to", 0))
	}
	if !to.Supported() {
		return nil, &UnsupportedDTypeError{What: "cast to", DType: to}
	}
	if !in[0].DType.Supported() {
		return nil, &UnsupportedDTypeError{What: "cast from", DType: in[0].DType}
	}
	switch m := n.AttrString("round_mode", ir.RoundUp); m {
	case ir.RoundUp, ir.RoundDown, ir.RoundNearest:
	default:
		return nil, fmt.Errorf("round_mode %q is not one of up, down, nearest", m)
	}
	out := &ir.Value{DType: to, Shape: in[0].Shape.Clone()}
	if in[0].ShapeData != nil && in[0].DType.IsInt() && (to == ir.Int64 || to == ir.Int32) {
		out.ShapeData = in[0].ShapeData.Clone()
	}
	return []*ir.Value{out}, nil
}

func castOptions(n *ir.Node) kernels.CastOptions {
	return kernels.CastOptions{Saturate: n.AttrInt("saturate", 1) != 0, RoundMode: n.AttrString("round_mode", ir.RoundUp)}
}
