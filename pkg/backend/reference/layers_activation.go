package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Activation: IActivationLayer. Float32, Float16 and BFloat16 inputs; the
// output has the input's dtype and shape. alpha and beta mean what TensorRT
// documents for each type (kernels.ActOp uses the same conventions).

var activationKernel = map[network.ActivationType]kernels.ActOp{
	network.ActivationRELU:             kernels.ActRelu,
	network.ActivationSIGMOID:          kernels.ActSigmoid,
	network.ActivationTANH:             kernels.ActTanh,
	network.ActivationLEAKY_RELU:       kernels.ActLeakyRelu,
	network.ActivationELU:              kernels.ActElu,
	network.ActivationSELU:             kernels.ActSelu,
	network.ActivationSOFTSIGN:         kernels.ActSoftsign,
	network.ActivationSOFTPLUS:         kernels.ActSoftplus,
	network.ActivationCLIP:             kernels.ActClip,
	network.ActivationHARD_SIGMOID:     kernels.ActHardSigmoid,
	network.ActivationSCALED_TANH:      kernels.ActScaledTanh,
	network.ActivationTHRESHOLDED_RELU: kernels.ActThresholdedRelu,
	network.ActivationGELU_ERF:         kernels.ActGeluErf,
	network.ActivationGELU_TANH:        kernels.ActGeluTanh,
}

func init() {
	registerKind(network.KindActivation, kindImpl{infer: inferActivation, run: runActivation})
}

// trtFloat reports the floating-point dtypes TensorRT computes in.
func trtFloat(dt ir.DType) bool {
	return dt == ir.Float32 || dt == ir.Float16 || dt == ir.BFloat16
}

func inferActivation(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 1); err != nil {
		return nil, err
	}
	p := l.Params.(network.ActivationParams)
	if _, ok := activationKernel[p.Type]; !ok {
		return nil, fmt.Errorf("unknown ActivationType %v", p.Type)
	}
	intRelu := p.Type == network.ActivationRELU && (in[0].DType == ir.Int32 || in[0].DType == ir.Int64)
	if !trtFloat(in[0].DType) && !intRelu {
		return nil, fmt.Errorf("activation %v needs a float32, float16 or bfloat16 input, got %v", p.Type, in[0].DType)
	}
	return []*ir.Value{{DType: in[0].DType, Shape: in[0].Shape.Clone()}}, nil
}

func runActivation(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(network.ActivationParams)
	if p.Type == network.ActivationRELU && !trtFloat(in[0].DType) {
		// Int32 and Int64 RELU (NvInfer.h addActivation: "Int32 and Int64
		// are valid only for activation type kRELU.").
		return one1(kernels.Clip(in[0], 0, 0, true, false))
	}
	out, err := kernels.Activation(activationKernel[p.Type], in[0], float64(p.Alpha), float64(p.Beta))
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{out}, nil
}
