// Package aten holds trtc's built-in converters for ATen ops (graphs from
// torch.export), one file per op family, as Torch-TensorRT's dynamo
// converters are. Each converter is a thin adapter over converters/impl;
// the node encoding they read (tensor inputs in schema order, Scalar
// arguments as AttrFloat plus "_int_<arg>", lists as "_list_<arg>") is
// pkg/frontend/aten's, described in docs/aten.md. Register adds them all.
package aten

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// builtins collects each family file's converters (appended in init).
var builtins []conversion.Converter

// Register adds every built-in ATen converter to r.
func Register(r *conversion.Registry) {
	for _, c := range builtins {
		r.MustRegister(c)
	}
}

var (
	floats  = []ir.DType{ir.Float32, ir.Float16, ir.BFloat16}
	numeric = []ir.DType{ir.Float32, ir.Float16, ir.BFloat16, ir.Int32, ir.Int64}
	anyDT   = []ir.DType{ir.Float32, ir.Float16, ir.BFloat16, ir.Int32, ir.Int64, ir.Int8, ir.Uint8, ir.Bool}
)

// dtypeIn is a validator: every present input has one of dts.
func dtypeIn(dts ...ir.DType) conversion.Validator {
	return func(n *conversion.Node) error {
		for i, v := range n.In {
			if v != nil && !has(dts, v.DType) {
				return fmt.Errorf("input %d is %v; TensorRT supports %v here", i, v.DType, dts)
			}
		}
		return nil
	}
}

func has(dts []ir.DType, d ir.DType) bool {
	for _, x := range dts {
		if x == d {
			return true
		}
	}
	return false
}

// all combines validators.
func all(vs ...conversion.Validator) conversion.Validator {
	return func(n *conversion.Node) error {
		for _, v := range vs {
			if v == nil {
				continue
			}
			if err := v(n); err != nil {
				return err
			}
		}
		return nil
	}
}

// outputsIn is a validator: every output has one of dts.
func outputsIn(dts ...ir.DType) conversion.Validator {
	return func(n *conversion.Node) error {
		for i, v := range n.Out {
			if v != nil && !has(dts, v.DType) {
				return fmt.Errorf("output %d is %v; TensorRT supports %v here", i, v.DType, dts)
			}
		}
		return nil
	}
}

// constIn is a validator: inputs idx, when present, are constants.
func constIn(what string, idx ...int) conversion.Validator {
	return func(n *conversion.Node) error {
		for _, i := range idx {
			if i < len(n.In) && n.In[i] != nil && n.In[i].Const == nil {
				return fmt.Errorf("%s (input %d) must be a constant", what, i)
			}
		}
		return nil
	}
}

// noSecondaryOutputs is a validator: outputs past the first are unused.
func noSecondaryOutputs(n *conversion.Node) error {
	for i := 1; i < len(n.Outputs); i++ {
		if n.Outputs[i] != "" {
			return fmt.Errorf("output %d (%s) is used; TensorRT computes only the first output", i, n.Outputs[i])
		}
	}
	return nil
}

// add registers a converter producing output 0 from f.
func add(target, desc string, v conversion.Validator, f func(ctx *conversion.Context, n *conversion.Node) (network.Tensor, error)) {
	builtins = append(builtins, conversion.Converter{
		Target: target, DynamicShapes: true, Validator: v, Description: desc,
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			t, err := f(ctx, n)
			if err != nil {
				return err
			}
			ctx.SetOutput(n, 0, t)
			return nil
		},
	})
}

// simple is add for converters that cannot fail.
func simple(target, desc string, v conversion.Validator, f func(ctx *conversion.Context, n *conversion.Node) network.Tensor) {
	add(target, desc, v, func(ctx *conversion.Context, n *conversion.Node) (network.Tensor, error) {
		return f(ctx, n), nil
	})
}
