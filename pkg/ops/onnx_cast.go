package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// Cast (attribute to) and CastLike (the second input's dtype). The
// saturate attribute only concerns float8 targets, which trtc does not
// hold, so it is ignored. Casts between integer types keep ShapeData, so
// shape arithmetic stays visible through Shape -> Cast chains.

func init() {
	Register(Op{Key: "onnx.Cast", Infer: inferCast, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		return t1(kernels.Cast(in[0], ir.DType(n.AttrInt("to", 0))))
	}})
	Register(Op{Key: "onnx.CastLike", Infer: inferCast, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		return t1(kernels.Cast(in[0], in[1].DType))
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
	out := &ir.Value{DType: to, Shape: in[0].Shape.Clone()}
	if in[0].ShapeData != nil && in[0].DType.IsInt() && (to == ir.Int64 || to == ir.Int32) {
		out.ShapeData = in[0].ShapeData.Clone()
	}
	return []*ir.Value{out}, nil
}
