package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// RandomUniform, RandomNormal, RandomUniformLike, RandomNormalLike,
// Bernoulli and Multinomial (opsets 1-22, 15 for Bernoulli, 7 for
// Multinomial): seeded draws (the seed attribute, a float) repeat on every
// run, unseeded ones differ; see kernels.NewRNG. None is constant-folded.

func randomOut(n *ir.Node, def ir.DType) (ir.DType, error) {
	dt := def
	if n.HasAttr("dtype") {
		dt = ir.DType(n.AttrInt("dtype", 0))
	}
	if !dt.Supported() {
		return 0, &UnsupportedDTypeError{What: "dtype", DType: dt}
	}
	return dt, nil
}

func init() {
	seedOf := func(n *ir.Node) (float64, bool) {
		a, ok := n.Attrs["seed"]
		if !ok {
			return 0, false
		}
		if a.Kind == ir.AttrInt {
			return float64(a.I), true
		}
		return float64(a.F), true
	}
	draw := func(n *ir.Node, dt ir.DType, dims []int64) (*ir.Tensor, error) {
		r := kernels.NewRNG(seedOf(n))
		if n.OpType() == "RandomNormal" || n.OpType() == "RandomNormalLike" {
			return kernels.RandomNormal(r, dt, dims, floatAttr(n, "mean", 0), floatAttr(n, "scale", 1))
		}
		return kernels.RandomUniform(r, dt, dims, floatAttr(n, "low", 0), floatAttr(n, "high", 1))
	}
	for _, name := range []string{"RandomUniform", "RandomNormal"} {
		Register(Op{Key: "onnx." + name, NoFold: true, Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
			dt, err := randomOut(n, ir.Float32)
			if err != nil {
				return nil, err
			}
			if !n.HasAttr("shape") {
				return nil, fmt.Errorf("the shape attribute is missing")
			}
			shape := n.AttrInts("shape", nil)
			for _, d := range shape {
				if d < 0 {
					return nil, fmt.Errorf("shape %v has a negative dim", shape)
				}
			}
			if _, err := ir.ByteSize("shape", dt, shape); err != nil {
				return nil, err
			}
			if !dt.IsFloat() {
				return nil, fmt.Errorf("dtype %v: want a float type", dt)
			}
			return out1(dt, ir.S(shape...)), nil
		}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
			dt, _ := randomOut(n, ir.Float32)
			return t1(draw(n, dt, n.AttrInts("shape", nil)))
		}})
		Register(Op{Key: "onnx." + name + "Like", NoFold: true, Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
			if err := needInputs(in, 1); err != nil {
				return nil, err
			}
			dt, err := randomOut(n, in[0].DType)
			if err != nil {
				return nil, err
			}
			if !dt.IsFloat() {
				return nil, fmt.Errorf("dtype %v: want a float type", dt)
			}
			return out1(dt, in[0].Shape.Clone()), nil
		}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
			dt, _ := randomOut(n, in[0].DType)
			return t1(draw(n, dt, in[0].Shape))
		}})
	}
	Register(Op{Key: "onnx.Bernoulli", NoFold: true, Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 1); err != nil {
			return nil, err
		}
		if !in[0].DType.IsFloat() {
			return nil, fmt.Errorf("input is %v, want a float type", in[0].DType)
		}
		dt, err := randomOut(n, in[0].DType)
		if err != nil {
			return nil, err
		}
		if !dt.IsFloat() && !dt.IsInt() && dt != ir.Bool {
			return nil, fmt.Errorf("dtype %v: want a number or bool type", dt)
		}
		return out1(dt, in[0].Shape.Clone()), nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		dt, _ := randomOut(n, in[0].DType)
		return t1(kernels.Bernoulli(kernels.NewRNG(seedOf(n)), in[0], dt))
	}})
	Register(Op{Key: "onnx.Multinomial", NoFold: true, Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 1); err != nil {
			return nil, err
		}
		if !in[0].DType.IsFloat() || in[0].Shape.Rank() != 2 {
			return nil, fmt.Errorf("input is %v%v, want a float [batch, classes] tensor", in[0].DType, in[0].Shape)
		}
		dt, err := randomOut(n, ir.Int32)
		if err != nil {
			return nil, err
		}
		if dt != ir.Int32 && dt != ir.Int64 {
			return nil, fmt.Errorf("dtype %v: want int32 or int64", dt)
		}
		s := n.AttrInt("sample_size", 1)
		if s < 0 || s > 1<<31 {
			return nil, fmt.Errorf("sample_size %d is out of range", s)
		}
		return out1(dt, ir.Shape{in[0].Shape[0], ir.D(s)}), nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		dt, _ := randomOut(n, ir.Int32)
		return t1(kernels.Multinomial(kernels.NewRNG(seedOf(n)), in[0], n.AttrInt("sample_size", 1), dt))
	}})
}

// floatAttr reads a float attribute (or an int one) with a default.
func floatAttr(n *ir.Node, name string, def float64) float64 {
	if v, _, ok := ScalarAttr(n, name); ok {
		return v
	}
	return def
}
