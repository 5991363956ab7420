// Command scaled_swish is an example plugin that adds an op trtc does not
// know, end to end: y = x · sigmoid(alpha · x), elementwise, with a float
// attribute alpha (default 1).
//
// It defines the op under two keys, the ONNX node of domain com.acme and op
// type ScaledSwish (com.acme.ScaledSwish) and the torch.library custom op
// acme::scaled_swish as torch.export writes it (acme.scaled_swish.default),
// each with its schema, dtype and shape inference (the output has the
// input's dtype and shape, symbolic dims included) and a CPU kernel, and
// registers a converter for each built from converters/impl helpers, so the
// op compiles into engines and runs in fallback segments (--fallback-ops).
//
// Build it with the same toolchain and flags as trtc (make plugins):
//
//	go build -buildmode=plugin -trimpath -o bin/plugins/scaled_swish.so ./plugins/scaled_swish
//
// docs/custom-ops.md walks through it.
package main

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Keys of the op in its two exported forms.
const (
	onnxKey = "com.acme.ScaledSwish"
	atenKey = "acme.scaled_swish.default"
)

var floats = []ir.DType{ir.Float32, ir.Float16}

// RegisterConverters is the plugin's entry point; trtc calls it once.
func RegisterConverters(r conversion.Registrar) error {
	for _, key := range []string{onnxKey, atenKey} {
		err := r.DefineOp(ops.Def{
			Key:         key,
			Inputs:      []ops.Port{{Name: "x", DTypes: floats}},
			Outputs:     []ops.Port{{Name: "y", DTypes: floats, Rank: ops.RankOfInput(0)}},
			Attrs:       []ops.AttrSpec{{Name: "alpha", Kind: ir.AttrFloat}},
			Infer:       infer,
			Kernel:      kernel,
			Fold:        true,
			Description: "y = x·sigmoid(alpha·x), elementwise (alpha: float, default 1)",
		})
		if err != nil {
			return err
		}
		err = r.Register(conversion.Converter{
			Target:        key,
			Priority:      conversion.Standard,
			DynamicShapes: true,
			Validator:     validate,
			Convert:       convert,
			Description:   "ScaledSwish as x · Sigmoid(alpha·x) from elementwise and activation layers",
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// infer: the output is the input's dtype and shape; ir.Dim values are
// copied, so a symbolic batch dim stays the same symbol.
func infer(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	alpha := n.AttrFloat("alpha", 1)
	if math.IsNaN(float64(alpha)) || math.IsInf(float64(alpha), 0) {
		return nil, fmt.Errorf("attribute alpha is %v; it must be finite", alpha)
	}
	return []*ir.Value{{DType: in[0].DType, Shape: in[0].Shape.Clone()}}, nil
}

// kernel computes y = x·sigmoid(alpha·x) in float64 and rounds to the
// tensor's dtype.
func kernel(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	x := in[0]
	alpha := float64(n.AttrFloat("alpha", 1))
	y := ir.NewTensor(x.DType, x.Shape)
	for i := range int(x.Numel()) {
		v := x.Float(i)
		y.SetFloat(i, v/(1+math.Exp(-alpha*v)))
	}
	return []*ir.Tensor{y}, nil
}

func validate(n *conversion.Node) error {
	if len(n.In) != 1 || n.In[0] == nil || !n.In[0].DType.IsFloat() {
		return fmt.Errorf("input must be one floating-point tensor")
	}
	return nil
}

// convert emits x · Sigmoid(alpha·x).
func convert(ctx *conversion.Context, n *conversion.Node) error {
	x := ctx.Input(n, 0)
	alpha := float64(n.AttrFloat("alpha", 1))
	scaled := x
	if alpha != 1 {
		scaled = impl.Mul(ctx, impl.ScalarLike(ctx, alpha, x), x)
	}
	ctx.SetOutput(n, 0, impl.Mul(ctx, x, impl.Sigmoid(ctx, scaled)))
	return nil
}

func main() {}
