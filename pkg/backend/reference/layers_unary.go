package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Unary: IUnaryLayer. kNOT takes Bool only; kABS and kSIGN also take Int8,
// Int32 and Int64; every other operation, kNEG included, takes Float32,
// Float16 or BFloat16 (NvInfer.h, enum UnaryOperation: "All other
// operations must have inputs of floating-point type."). kISINF and kISNAN give Bool; the rest keep the input's dtype.

var unaryKernel = map[network.UnaryOperation]kernels.UnaryOp{
	network.UnaryEXP: kernels.UnaryExp, network.UnaryLOG: kernels.UnaryLog,
	network.UnarySQRT: kernels.UnarySqrt, network.UnaryRECIP: kernels.UnaryRecip,
	network.UnaryABS: kernels.UnaryAbs, network.UnaryNEG: kernels.UnaryNeg,
	network.UnarySIN: kernels.UnarySin, network.UnaryCOS: kernels.UnaryCos,
	network.UnaryTAN: kernels.UnaryTan, network.UnarySINH: kernels.UnarySinh,
	network.UnaryCOSH: kernels.UnaryCosh, network.UnaryASIN: kernels.UnaryAsin,
	network.UnaryACOS: kernels.UnaryAcos, network.UnaryATAN: kernels.UnaryAtan,
	network.UnaryASINH: kernels.UnaryAsinh, network.UnaryACOSH: kernels.UnaryAcosh,
	network.UnaryATANH: kernels.UnaryAtanh, network.UnaryCEIL: kernels.UnaryCeil,
	network.UnaryFLOOR: kernels.UnaryFloor, network.UnaryERF: kernels.UnaryErf,
	network.UnaryNOT: kernels.UnaryNot, network.UnarySIGN: kernels.UnarySign,
	network.UnaryROUND: kernels.UnaryRound, network.UnaryISINF: kernels.UnaryIsInf,
	network.UnaryISNAN: kernels.UnaryIsNaN,
}

func init() {
	registerKind(network.KindUnary, kindImpl{infer: inferUnary, run: runUnary})
}

// UnaryDTypeOK reports whether TensorRT's unary layer takes op on dt.
func UnaryDTypeOK(op network.UnaryOperation, dt ir.DType) bool {
	switch op {
	case network.UnaryNOT:
		return dt == ir.Bool
	case network.UnaryABS, network.UnarySIGN:
		return trtFloat(dt) || dt == ir.Int8 || dt == ir.Int32 || dt == ir.Int64
	}
	return trtFloat(dt)
}

func inferUnary(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 1); err != nil {
		return nil, err
	}
	op := l.Params.(unaryParams).Op
	if _, ok := unaryKernel[op]; !ok {
		return nil, fmt.Errorf("unknown UnaryOperation %v", op)
	}
	dt := in[0].DType
	if !UnaryDTypeOK(op, dt) {
		return nil, fmt.Errorf("unary %v does not take %v input", op, dt)
	}
	if op == network.UnaryISINF || op == network.UnaryISNAN {
		dt = ir.Bool
	}
	return []*ir.Value{{DType: dt, Shape: in[0].Shape.Clone()}}, nil
}

func runUnary(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	out, err := kernels.Unary(unaryKernel[l.Params.(unaryParams).Op], in[0])
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{out}, nil
}
