package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// RandomUniform, RandomNormal and their Like forms as IFillLayer
// kRANDOM_UNIFORM (alpha low, beta high) and kRANDOM_NORMAL (alpha mean,
// beta scale). TensorRT's random fill takes no seed, so a node with a seed
// attribute (which promises the same values on every run) stays on the
// seeded CPU kernel; its outputs are float32 or float16 only. Bernoulli
// (unseeded, float32/float16 probabilities) is a uniform fill compared with
// p: u < p is 1 with probability p. Multinomial has no TensorRT layer (see
// coverage_test.go).

func init() {
	for _, name := range []string{"RandomUniform", "RandomNormal", "RandomUniformLike", "RandomNormalLike"} {
		builtins = append(builtins, conversion.Converter{
			Target: "onnx." + name, Priority: conversion.Standard, DynamicShapes: true,
			Validator: validateRandom, Convert: convRandom,
			Description: "Fill RANDOM_UNIFORM / RANDOM_NORMAL (unseeded; float32, float16)",
		})
	}
	builtins = append(builtins, conversion.Converter{
		Target: "onnx.Bernoulli", Priority: conversion.Standard, DynamicShapes: true,
		Validator: validateBernoulli, Convert: convBernoulli,
		Description: "Fill RANDOM_UNIFORM in [0, 1), ElementWise LESS than p, Cast (unseeded)",
	})
}

func validateBernoulli(n *conversion.Node) error {
	if n.HasAttr("seed") {
		return fmt.Errorf("a seed is set: TensorRT's random fill takes no seed, so the seeded CPU kernel keeps the values repeatable")
	}
	if dt := n.In[0].DType; dt != ir.Float32 && dt != ir.Float16 {
		return fmt.Errorf("probabilities are %v; TensorRT's random fill makes float32 and float16", dt)
	}
	switch n.Out[0].DType {
	case ir.Float32, ir.Float16, ir.Int32, ir.Int64, ir.Int8, ir.Uint8, ir.Bool:
		return nil
	}
	return fmt.Errorf("output is %v, which TensorRT's Cast does not make", n.Out[0].DType)
}

func convBernoulli(ctx *conversion.Context, n *conversion.Node) error {
	p := ctx.Input(n, 0)
	fp := network.FillParams{Op: network.FillRANDOM_UNIFORM, DType: n.In[0].DType, Alpha: 0, Beta: 1}
	if dims, ok := n.In[0].Shape.Ints(); ok {
		fp.Dims = dims
	} else {
		fp.DimsT = impl.ShapeOf(ctx, p)
	}
	hit := ctx.Net.AddElementWise(ctx.Net.AddFill(fp), p, network.ElementWiseLESS)
	ctx.SetOutput(n, 0, impl.Cast(ctx, hit, n.Out[0].DType))
	return nil
}

func validateRandom(n *conversion.Node) error {
	if n.HasAttr("seed") {
		return fmt.Errorf("a seed is set: TensorRT's random fill takes no seed, so the seeded CPU kernel keeps the values repeatable")
	}
	if dt := n.Out[0].DType; dt != ir.Float32 && dt != ir.Float16 {
		return fmt.Errorf("output is %v; TensorRT's random fill makes float32 and float16", dt)
	}
	return nil
}

func convRandom(ctx *conversion.Context, n *conversion.Node) error {
	p := network.FillParams{Op: network.FillRANDOM_UNIFORM, DType: n.Out[0].DType}
	attr := func(name string, def float64) float64 {
		if v, _, ok := ops.ScalarAttr(n.Node, name); ok {
			return v
		}
		return def
	}
	if op := n.OpType(); op == "RandomNormal" || op == "RandomNormalLike" {
		p.Op, p.Alpha, p.Beta = network.FillRANDOM_NORMAL, attr("mean", 0), attr("scale", 1)
	} else {
		p.Alpha, p.Beta = attr("low", 0), attr("high", 1)
	}
	if dims, ok := n.Out[0].Shape.Ints(); ok {
		p.Dims = dims
	} else {
		p.DimsT = impl.ShapeOf(ctx, ctx.Input(n, 0))
	}
	ctx.SetOutput(n, 0, ctx.Net.AddFill(p))
	return nil
}
