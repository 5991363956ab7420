package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Constant, Identity and ElementWise: the layers every converter touches.

func init() {
	registerKind(network.KindConstant, kindImpl{
		infer: func(l *layer, _ []*ir.Value) ([]*ir.Value, error) {
			w := l.Params.(constantParams).Weights
			v := &ir.Value{DType: w.DType, Shape: ir.S(w.Shape...), Const: w}
			if (w.DType == ir.Int64 || w.DType == ir.Int32) && len(w.Shape) <= 1 && w.Numel() <= 16 {
				v.ShapeData = ir.S(w.Ints()...)
			}
			return []*ir.Value{v}, nil
		},
		run: func(l *layer, _ []*ir.Tensor) ([]*ir.Tensor, error) {
			return []*ir.Tensor{l.Params.(constantParams).Weights}, nil
		},
	})
	registerKind(network.KindIdentity, kindImpl{
		infer: func(l *layer, in []*ir.Value) ([]*ir.Value, error) {
			if err := need(in, 1); err != nil {
				return nil, err
			}
			return []*ir.Value{{DType: in[0].DType, Shape: in[0].Shape.Clone(), ShapeData: in[0].ShapeData}}, nil
		},
		run: func(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) { return []*ir.Tensor{in[0]}, nil },
	})
	registerKind(network.KindElementWise, kindImpl{infer: inferElementWise, run: runElementWise})
}

// need checks that the first k inputs are present.
func need(in []*ir.Value, k int) error {
	if len(in) < k {
		return fmt.Errorf("needs %d inputs, has %d", k, len(in))
	}
	for i := 0; i < k; i++ {
		if in[i] == nil {
			return fmt.Errorf("input %d is missing", i)
		}
	}
	return nil
}

var elementWiseKernel = map[network.ElementWiseOperation]kernels.BinaryOp{
	network.ElementWiseSUM: kernels.OpAdd, network.ElementWisePROD: kernels.OpMul,
	network.ElementWiseMAX: kernels.OpMax, network.ElementWiseMIN: kernels.OpMin,
	network.ElementWiseSUB: kernels.OpSub, network.ElementWiseDIV: kernels.OpDiv,
	network.ElementWisePOW: kernels.OpPow, network.ElementWiseFLOOR_DIV: kernels.OpFloorDiv,
	network.ElementWiseAND: kernels.OpAnd, network.ElementWiseOR: kernels.OpOr,
	network.ElementWiseXOR: kernels.OpXor, network.ElementWiseEQUAL: kernels.OpEqual,
	network.ElementWiseGREATER: kernels.OpGreater, network.ElementWiseLESS: kernels.OpLess,
}

// inferElementWise applies TensorRT's rules: equal ranks (no implicit
// unsqueeze: converters insert Shuffles), dims equal or 1, equal dtypes;
// comparisons give Bool; AND/OR/XOR take Bool only.
func inferElementWise(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 2); err != nil {
		return nil, err
	}
	op := l.Params.(elementWiseParams).Op
	kop, ok := elementWiseKernel[op]
	if !ok {
		return nil, fmt.Errorf("unknown ElementWiseOperation %d", op)
	}
	a, b := in[0], in[1]
	if a.DType != b.DType {
		return nil, fmt.Errorf("inputs have different dtypes %v and %v (TensorRT needs a Cast)", a.DType, b.DType)
	}
	if len(a.Shape) != len(b.Shape) {
		return nil, fmt.Errorf("inputs have ranks %d and %d; TensorRT broadcasting needs equal ranks", len(a.Shape), len(b.Shape))
	}
	if kop.IsLogical() && a.DType != ir.Bool {
		return nil, fmt.Errorf("logical operation needs bool inputs, got %v", a.DType)
	}
	if !kop.IsLogical() && a.DType == ir.Bool {
		return nil, fmt.Errorf("arithmetic operation %d on bool inputs", op)
	}
	shape, err := ir.Broadcast(a.Shape, b.Shape)
	if err != nil {
		return nil, err
	}
	dt := a.DType
	if kop.IsCompare() {
		dt = ir.Bool
	}
	return []*ir.Value{{DType: dt, Shape: shape}}, nil
}

func runElementWise(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	out, err := kernels.Binary(elementWiseKernel[l.Params.(elementWiseParams).Op], in[0], in[1])
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{out}, nil
}
