package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Binary arithmetic and comparison ops map one to one onto ElementWise.
var binaryOps = []struct {
	op     string
	ew     network.ElementWiseOperation
	dtypes []ir.DType // dtypes TensorRT supports for this operation
}{
	{"Add", network.ElementWiseSUM, numeric},
	{"Sub", network.ElementWiseSUB, numeric},
	{"Mul", network.ElementWisePROD, numeric},
	{"Div", network.ElementWiseDIV, numeric},
	{"Pow", network.ElementWisePOW, floats},
	{"Max", network.ElementWiseMAX, widenable},
	{"Min", network.ElementWiseMIN, widenable},
	{"Equal", network.ElementWiseEQUAL, widenable},
	{"Less", network.ElementWiseLESS, widenable},
	{"Greater", network.ElementWiseGREATER, widenable},
	{"And", network.ElementWiseAND, []ir.DType{ir.Bool}},
	{"Or", network.ElementWiseOR, []ir.DType{ir.Bool}},
	{"Xor", network.ElementWiseXOR, []ir.DType{ir.Bool}},
}

var (
	floats  = []ir.DType{ir.Float32, ir.Float16, ir.BFloat16}
	numeric = []ir.DType{ir.Float32, ir.Float16, ir.BFloat16, ir.Int32, ir.Int64}
	// widenable are numeric plus Int8 and Uint8, which ElementWise does not
	// take but which ops that cannot overflow (comparisons, Min, Max,
	// Clip) handle exactly in a wider type (widen).
	widenable = append(append([]ir.DType{}, numeric...), ir.Int8, ir.Uint8)
)

// widen casts an Int8 tensor to Int32 and a Uint8 one to Float32 (the
// only casts TensorRT allows from Uint8 are to Float32 and Float16): both
// hold every value exactly, so comparisons, Min, Max and Clip computed
// there and cast back (narrow) are exact. Other dtypes pass through.
func widen(ctx *conversion.Context, t network.Tensor) network.Tensor {
	switch t.DType() {
	case ir.Int8:
		return ctx.Net.AddCast(t, ir.Int32)
	case ir.Uint8:
		return ctx.Net.AddCast(t, ir.Float32)
	}
	return t
}

// narrow casts a result computed by widen's rule back to dt.
func narrow(ctx *conversion.Context, t network.Tensor, dt ir.DType) network.Tensor {
	if t.DType() == dt || t.DType() == ir.Bool {
		return t
	}
	return ctx.Net.AddCast(t, dt)
}

// dtypeIn is a validator: every present input has one of dts.
func dtypeIn(dts ...ir.DType) conversion.Validator {
	return func(n *conversion.Node) error {
		for i, v := range n.In {
			if v == nil {
				continue
			}
			ok := false
			for _, d := range dts {
				ok = ok || v.DType == d
			}
			if !ok {
				return fmt.Errorf("input %d is %v; TensorRT supports %v here", i, v.DType, dts)
			}
		}
		return nil
	}
}

func init() {
	for _, b := range binaryOps {
		ew := b.ew
		builtins = append(builtins, conversion.Converter{
			Target:        "onnx." + b.op,
			Priority:      conversion.Standard,
			DynamicShapes: true,
			Validator:     variadicOK(b.op, dtypeIn(b.dtypes...)),
			Description:   fmt.Sprintf("%s as ElementWise %v with numpy broadcasting", b.op, ew),
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				acc := widen(ctx, ctx.Input(n, 0))
				for i := 1; i < len(n.Inputs); i++ {
					acc = impl.ElementWise(ctx, acc, widen(ctx, ctx.Input(n, i)), ew)
				}
				ctx.SetOutput(n, 0, narrow(ctx, acc, n.In[0].DType))
				return nil
			},
		})
	}
}

// variadicOK wraps a validator: Max and Min take 1..N inputs, the rest 2.
func variadicOK(op string, v conversion.Validator) conversion.Validator {
	return func(n *conversion.Node) error {
		if op != "Max" && op != "Min" && len(n.Inputs) != 2 {
			return fmt.Errorf("%s needs 2 inputs, has %d", op, len(n.Inputs))
		}
		if len(n.Inputs) == 0 {
			return fmt.Errorf("%s has no inputs", op)
		}
		return v(n)
	}
}
