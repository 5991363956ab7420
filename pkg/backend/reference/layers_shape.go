package reference

import (
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Shape gives the input's dims as a 1-D Int64 tensor (IShapeLayer). Its
// ShapeData is the input's shape, and a static shape is a build-time
// constant.

func init() {
	registerKind(network.KindShape, kindImpl{
		infer: func(l *layer, in []*ir.Value) ([]*ir.Value, error) {
			if err := need(in, 1); err != nil {
				return nil, err
			}
			s := in[0].Shape
			v := &ir.Value{DType: ir.Int64, Shape: ir.S(int64(len(s))), ShapeData: s.Clone()}
			if v.ShapeData == nil {
				v.ShapeData = ir.Shape{}
			}
			if dims, ok := s.Ints(); ok {
				v.Const = ir.FromSlice(ir.Int64, []int64{int64(len(dims))}, dims)
			}
			return []*ir.Value{v}, nil
		},
		run: func(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
			return []*ir.Tensor{ir.FromSlice(ir.Int64, []int64{int64(len(in[0].Shape))}, in[0].Shape)}, nil
		},
	})
}
