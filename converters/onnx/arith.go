package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Ops TensorRT has no single ElementWise operation for: Mod, variadic Sum
// and Mean, LessOrEqual and GreaterOrEqual.

func init() {
	builtins = append(builtins,
		conversion.Converter{
			Target:        "onnx.Mod",
			DynamicShapes: true,
			OpsetMin:      10,
			Validator:     binaryArity(dtypeIn(numeric...)),
			Description: fmt.Sprintf("Mod as a - b*q: q = ElementWise %v (fmod=0) or %v (fmod=1) for ints, Unary %v / truncation of a/b for floats",
				network.ElementWiseFLOOR_DIV, network.ElementWiseDIV, network.UnaryFLOOR),
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				ctx.SetOutput(n, 0, impl.Mod(ctx, ctx.Input(n, 0), ctx.Input(n, 1), n.AttrInt("fmod", 0) != 0))
				return nil
			},
		},
		conversion.Converter{
			Target:        "onnx.Sum",
			DynamicShapes: true,
			Validator:     variadic(dtypeIn(numeric...)),
			Description:   fmt.Sprintf("Sum as a chain of ElementWise %v", network.ElementWiseSUM),
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				ctx.SetOutput(n, 0, sumInputs(ctx, n))
				return nil
			},
		},
		conversion.Converter{
			Target:        "onnx.Mean",
			DynamicShapes: true,
			Validator:     variadic(floatIn),
			Description:   fmt.Sprintf("Mean as a chain of ElementWise %v, then %v by N", network.ElementWiseSUM, network.ElementWiseDIV),
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				s := sumInputs(ctx, n)
				ctx.SetOutput(n, 0, impl.Div(ctx, s, impl.ScalarLike(ctx, float64(len(n.Inputs)), s)))
				return nil
			},
		},
		compareOrEqual("LessOrEqual", network.ElementWiseLESS),
		compareOrEqual("GreaterOrEqual", network.ElementWiseGREATER),
	)
}

// sumInputs adds the node's inputs left to right; one input is copied
// through an Identity layer.
func sumInputs(ctx *conversion.Context, n *conversion.Node) network.Tensor {
	acc := ctx.Input(n, 0)
	if len(n.Inputs) == 1 {
		return ctx.Net.AddIdentity(acc)
	}
	for i := 1; i < len(n.Inputs); i++ {
		acc = impl.Add(ctx, acc, ctx.Input(n, i))
	}
	return acc
}

// compareOrEqual is a <= b as (a < b) OR (a == b), which keeps NaN
// comparisons false (NOT(a > b) would make them true).
func compareOrEqual(op string, strict network.ElementWiseOperation) conversion.Converter {
	return conversion.Converter{
		Target:        "onnx." + op,
		DynamicShapes: true,
		Validator:     binaryArity(dtypeIn(widenable...)),
		Description:   fmt.Sprintf("%s as ElementWise %v of %v and %v", op, network.ElementWiseOR, strict, network.ElementWiseEQUAL),
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			a, b := impl.BroadcastRanks(ctx, widen(ctx, ctx.Input(n, 0)), widen(ctx, ctx.Input(n, 1)))
			lt := ctx.Net.AddElementWise(a, b, strict)
			eq := ctx.Net.AddElementWise(a, b, network.ElementWiseEQUAL)
			ctx.SetOutput(n, 0, ctx.Net.AddElementWise(lt, eq, network.ElementWiseOR))
			return nil
		},
	}
}

func binaryArity(v conversion.Validator) conversion.Validator {
	return func(n *conversion.Node) error {
		if len(n.Inputs) != 2 || n.In[0] == nil || n.In[1] == nil {
			return fmt.Errorf("needs 2 inputs, has %d", len(n.Inputs))
		}
		return v(n)
	}
}

func variadic(v conversion.Validator) conversion.Validator {
	return func(n *conversion.Node) error {
		if len(n.Inputs) == 0 {
			return fmt.Errorf("has no inputs")
		}
		for i, in := range n.In {
			if in == nil {
				return fmt.Errorf("input %d is missing", i)
			}
		}
		return v(n)
	}
}
