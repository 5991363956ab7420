package impl

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Activation adds one activation layer; alpha and beta mean what TensorRT
// documents for typ.
func Activation(ctx *conversion.Context, x network.Tensor, typ network.ActivationType, alpha, beta float32) network.Tensor {
	return ctx.Net.AddActivation(x, network.ActivationParams{Type: typ, Alpha: alpha, Beta: beta})
}

// Relu is max(0, x) for float tensors; integer tensors (which TensorRT's
// activation layer does not take) get an ElementWise MAX with 0.
func Relu(ctx *conversion.Context, x network.Tensor) network.Tensor {
	if x.DType().IsInt() {
		return Max(ctx, x, ScalarLike(ctx, 0, x))
	}
	return Activation(ctx, x, network.ActivationRELU, 0, 0)
}

// Sigmoid is 1 / (1 + exp(-x)).
func Sigmoid(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return Activation(ctx, x, network.ActivationSIGMOID, 0, 0)
}

// Tanh is tanh(x).
func Tanh(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return Activation(ctx, x, network.ActivationTANH, 0, 0)
}

// LeakyRelu is x >= 0 ? x : alpha*x.
func LeakyRelu(ctx *conversion.Context, x network.Tensor, alpha float32) network.Tensor {
	return Activation(ctx, x, network.ActivationLEAKY_RELU, alpha, 0)
}

// HardSigmoid is max(0, min(1, alpha*x + beta)).
func HardSigmoid(ctx *conversion.Context, x network.Tensor, alpha, beta float32) network.Tensor {
	return Activation(ctx, x, network.ActivationHARD_SIGMOID, alpha, beta)
}

// HardSwish is x * HardSigmoid(x; 1/6, 0.5).
func HardSwish(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return Mul(ctx, x, HardSigmoid(ctx, x, 1.0/6, 0.5))
}

// Softplus is log(1 + exp(x)).
func Softplus(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return Activation(ctx, x, network.ActivationSOFTPLUS, 1, 1)
}

// Mish is x * tanh(softplus(x)).
func Mish(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return Mul(ctx, x, Tanh(ctx, Softplus(ctx, x)))
}

// Celu is max(0, x) + min(0, alpha*(exp(x/alpha) - 1)), which is
// alpha * ELU(x/alpha) with ELU's alpha 1.
func Celu(ctx *conversion.Context, x network.Tensor, alpha float32) network.Tensor {
	if alpha == 1 {
		return Activation(ctx, x, network.ActivationELU, 1, 0)
	}
	s := Mul(ctx, x, ScalarLike(ctx, 1/float64(alpha), x))
	return Mul(ctx, Activation(ctx, s, network.ActivationELU, 1, 0), ScalarLike(ctx, float64(alpha), x))
}

// GeluApproximations are the approximate modes Gelu takes.
var GeluApproximations = map[string]network.ActivationType{
	"none": network.ActivationGELU_ERF,
	"tanh": network.ActivationGELU_TANH,
}

// Gelu is 0.5*x*(1 + erf(x/sqrt 2)) for approximate "none" and the tanh
// form for "tanh", each one TensorRT activation. Other modes are an error
// (validators should reject them first).
func Gelu(ctx *conversion.Context, x network.Tensor, approximate string) (network.Tensor, error) {
	typ, ok := GeluApproximations[approximate]
	if !ok {
		return nil, fmt.Errorf("gelu approximate %q: want \"none\" or \"tanh\"", approximate)
	}
	return Activation(ctx, x, typ, 0, 0), nil
}

// PRelu is x < 0 ? slope*x : x, as max(x, 0) + slope*min(x, 0), with slope
// broadcast to x.
func PRelu(ctx *conversion.Context, x, slope network.Tensor) network.Tensor {
	zero := ScalarLike(ctx, 0, x)
	return Add(ctx, Max(ctx, x, zero), Mul(ctx, Min(ctx, x, zero), slope))
}

// Shrink is x < -lambd ? x+bias : x > lambd ? x-bias : 0.
func Shrink(ctx *conversion.Context, x network.Tensor, bias, lambd float64) network.Tensor {
	lo := ctx.Net.AddElementWise(x, ScalarLike(ctx, -lambd, x), network.ElementWiseLESS)
	hi := ctx.Net.AddElementWise(x, ScalarLike(ctx, lambd, x), network.ElementWiseGREATER)
	b := ScalarLike(ctx, bias, x)
	inner := Where(ctx, hi, Sub(ctx, x, b), ScalarLike(ctx, 0, x))
	return Where(ctx, lo, Add(ctx, x, b), inner)
}

// ClipConst clamps x to [lo, hi] (a side is open when its has flag is
// false): first max with lo, then min with hi, so lo > hi gives hi (ONNX).
// Float tensors use one CLIP activation; integer tensors ElementWise
// MAX/MIN with constants. NaN stays NaN.
func ClipConst(ctx *conversion.Context, x network.Tensor, lo, hi float64, hasLo, hasHi bool) network.Tensor {
	if !hasLo && !hasHi {
		return ctx.Net.AddIdentity(x)
	}
	if x.DType().IsInt() {
		if hasLo {
			x = Max(ctx, x, ScalarLike(ctx, lo, x))
		}
		if hasHi {
			x = Min(ctx, x, ScalarLike(ctx, hi, x))
		}
		return x
	}
	if !hasLo {
		lo = math.Inf(-1)
	}
	if !hasHi {
		hi = math.Inf(1)
	}
	if lo > hi {
		lo = hi // TensorRT's CLIP is max(alpha, min(beta, x)): make it give hi
	}
	return Activation(ctx, x, network.ActivationCLIP, float32(lo), float32(hi))
}

// ClipTensors clamps x to run-time bounds (nil for an open side) with
// ElementWise MAX then MIN, broadcasting the bounds.
func ClipTensors(ctx *conversion.Context, x, lo, hi network.Tensor) network.Tensor {
	if lo == nil && hi == nil {
		return ctx.Net.AddIdentity(x)
	}
	if lo != nil {
		x = Max(ctx, x, lo)
	}
	if hi != nil {
		x = Min(ctx, x, hi)
	}
	return x
}
