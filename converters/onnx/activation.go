package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Activations that are one TensorRT activation layer; params turns the
// node's attributes (ONNX defaults) into the layer's alpha and beta.
var activationOps = []struct {
	op     string
	typ    network.ActivationType
	params func(n *conversion.Node) (alpha, beta float32)
}{
	{"Sigmoid", network.ActivationSIGMOID, nil},
	{"Tanh", network.ActivationTANH, nil},
	{"Softsign", network.ActivationSOFTSIGN, nil},
	{"Softplus", network.ActivationSOFTPLUS, func(*conversion.Node) (float32, float32) { return 1, 1 }},
	{"LeakyRelu", network.ActivationLEAKY_RELU, func(n *conversion.Node) (float32, float32) {
		return n.AttrFloat("alpha", 0.01), 0
	}},
	{"Elu", network.ActivationELU, func(n *conversion.Node) (float32, float32) {
		return n.AttrFloat("alpha", 1), 0
	}},
	{"Selu", network.ActivationSELU, func(n *conversion.Node) (float32, float32) {
		return n.AttrFloat("alpha", ops.SeluAlpha), n.AttrFloat("gamma", ops.SeluGamma)
	}},
	{"HardSigmoid", network.ActivationHARD_SIGMOID, func(n *conversion.Node) (float32, float32) {
		return n.AttrFloat("alpha", 0.2), n.AttrFloat("beta", 0.5)
	}},
	{"ThresholdedRelu", network.ActivationTHRESHOLDED_RELU, func(n *conversion.Node) (float32, float32) {
		return n.AttrFloat("alpha", 1), 0
	}},
}

// floatIn is the validator of float-only activations.
var floatIn = dtypeIn(floats...)

func init() {
	for _, a := range activationOps {
		a := a
		builtins = append(builtins, conversion.Converter{
			Target:        "onnx." + a.op,
			DynamicShapes: true,
			Validator:     floatIn,
			Description:   fmt.Sprintf("%s as Activation %v", a.op, a.typ),
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				var alpha, beta float32
				if a.params != nil {
					alpha, beta = a.params(n)
				}
				ctx.SetOutput(n, 0, impl.Activation(ctx, ctx.Input(n, 0), a.typ, alpha, beta))
				return nil
			},
		})
	}
	simple := func(op, desc string, opsetMin int64, f func(ctx *conversion.Context, n *conversion.Node) network.Tensor, v conversion.Validator) {
		builtins = append(builtins, conversion.Converter{
			Target: "onnx." + op, DynamicShapes: true, Validator: v, Description: desc, OpsetMin: opsetMin,
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				ctx.SetOutput(n, 0, f(ctx, n))
				return nil
			},
		})
	}
	simple("Relu", fmt.Sprintf("Relu as Activation %v (int32/int64: ElementWise %v with 0)", network.ActivationRELU, network.ElementWiseMAX), 0,
		func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			return impl.Relu(ctx, ctx.Input(n, 0))
		},
		dtypeIn(numeric...))
	simple("HardSwish", fmt.Sprintf("HardSwish as x * Activation %v(1/6, 0.5)", network.ActivationHARD_SIGMOID), 14,
		func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			return impl.HardSwish(ctx, ctx.Input(n, 0))
		},
		floatIn)
	simple("Mish", fmt.Sprintf("Mish as x * %v(%v(x))", network.ActivationTANH, network.ActivationSOFTPLUS), 18,
		func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			return impl.Mish(ctx, ctx.Input(n, 0))
		},
		floatIn)
	simple("Celu", fmt.Sprintf("Celu as alpha * Activation %v(x / alpha)", network.ActivationELU), 12,
		func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			return impl.Celu(ctx, ctx.Input(n, 0), n.AttrFloat("alpha", 1))
		},
		func(n *conversion.Node) error {
			if n.AttrFloat("alpha", 1) == 0 {
				return fmt.Errorf("alpha is 0")
			}
			return floatIn(n)
		})
	simple("Shrink", fmt.Sprintf("Shrink as nested Select on ElementWise %v/%v", network.ElementWiseLESS, network.ElementWiseGREATER), 9,
		func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			return impl.Shrink(ctx, ctx.Input(n, 0), float64(n.AttrFloat("bias", 0)), float64(n.AttrFloat("lambd", 0.5)))
		},
		floatIn)
	simple("PRelu", fmt.Sprintf("PRelu as max(x,0) + slope*min(x,0) with ElementWise %v/%v/%v", network.ElementWiseMAX, network.ElementWiseMIN, network.ElementWisePROD), 0,
		func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			return impl.PRelu(ctx, ctx.Input(n, 0), ctx.Input(n, 1))
		},
		dtypeIn(numeric...))
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.Gelu",
		DynamicShapes: true,
		OpsetMin:      20,
		Validator: func(n *conversion.Node) error {
			if a := n.AttrString("approximate", "none"); !knownGelu(a) {
				return fmt.Errorf("attribute approximate is %q; supported: \"none\", \"tanh\"", a)
			}
			return floatIn(n)
		},
		Description: fmt.Sprintf("Gelu as Activation %v (approximate=none) or %v (approximate=tanh)", network.ActivationGELU_ERF, network.ActivationGELU_TANH),
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			y, err := impl.Gelu(ctx, ctx.Input(n, 0), n.AttrString("approximate", "none"))
			if err != nil {
				return err
			}
			ctx.SetOutput(n, 0, y)
			return nil
		},
	})
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.Clip",
		DynamicShapes: true,
		Validator:     validateClip,
		Description: fmt.Sprintf("Clip with constant bounds as Activation %v (ints: ElementWise %v/%v with constants); run-time bounds as ElementWise %v then %v",
			network.ActivationCLIP, network.ElementWiseMAX, network.ElementWiseMIN, network.ElementWiseMAX, network.ElementWiseMIN),
		Convert: convertClip,
	})
}

func validateClip(n *conversion.Node) error {
	if err := dtypeIn(widenable...)(n); err != nil {
		return err
	}
	for i := 1; i < len(n.In) && i < 3; i++ {
		if n.In[i] != nil && n.In[i].Const != nil && n.In[i].Const.Numel() != 1 {
			return fmt.Errorf("input %d (bound) has %d elements, want a scalar", i, n.In[i].Const.Numel())
		}
	}
	return nil
}

func knownGelu(a string) bool { _, ok := impl.GeluApproximations[a]; return ok }

// convertClip: opset < 11 has attribute bounds; from 11 the bounds are
// optional inputs. Float tensors with constant bounds take one CLIP layer;
// integer tensors, and bounds computed at run time, ElementWise MAX/MIN
// with the bound tensors themselves (exact for every int64).
//
// Int8 and Uint8 tensors are clipped in Int32 and Float32 (widen) and cast
// back: exact, since the result lies between values of the input's type.
func convertClip(ctx *conversion.Context, n *conversion.Node) error {
	dt := n.In[0].DType
	x := widen(ctx, ctx.Input(n, 0))
	constBounds := (n.Input(1) == "" || n.Const(1) != nil) && (n.Input(2) == "" || n.Const(2) != nil)
	if n.HasAttr("min") || n.HasAttr("max") || (constBounds && !x.DType().IsInt()) {
		l, h, hasL, hasH := ops.ClipBounds(n.Node, []*ir.Tensor{nil, n.Const(1), n.Const(2)})
		ctx.SetOutput(n, 0, narrow(ctx, impl.ClipConst(ctx, x, l, h, hasL, hasH), dt))
		return nil
	}
	bound := func(i int) network.Tensor {
		if t := ctx.Input(n, i); t != nil {
			return widen(ctx, t)
		}
		return nil
	}
	ctx.SetOutput(n, 0, narrow(ctx, impl.ClipTensors(ctx, x, bound(1), bound(2)), dt))
	return nil
}

func init() {
	builtins = append(builtins, conversion.Converter{
		Target: "onnx.Swish", DynamicShapes: true, Validator: dtypeIn(floats...),
		Description: "Swish (opset 24) as x * Sigmoid(alpha * x): ElementWise PROD and Activation SIGMOID",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			x := ctx.Input(n, 0)
			ax := x
			if a := n.AttrFloat("alpha", 1); a != 1 {
				ax = impl.Mul(ctx, x, impl.ScalarLike(ctx, float64(a), x))
			}
			ctx.SetOutput(n, 0, impl.Mul(ctx, x, impl.Sigmoid(ctx, ax)))
			return nil
		},
	})
}

func init() {
	builtins = append(builtins, conversion.Converter{
		Target: "onnx.SwiGLU", DynamicShapes: true, Validator: dtypeIn(floats...),
		Description: "SwiGLU (opset 28) as a * Sigmoid(alpha * a) * b: ElementWise PROD and Activation SIGMOID",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			a := ctx.Input(n, 0)
			aa := a
			if alpha := n.AttrFloat("alpha", 1); alpha != 1 {
				aa = impl.Mul(ctx, a, impl.ScalarLike(ctx, float64(alpha), a))
			}
			ctx.SetOutput(n, 0, impl.Mul(ctx, impl.Mul(ctx, a, impl.Sigmoid(ctx, aa)), ctx.Input(n, 1)))
			return nil
		},
	})
}
