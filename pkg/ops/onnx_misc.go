package ops

import (
	"fmt"
	"math/rand"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// Constant, ConstantOfShape, Trilu, Range, Dropout, CumSum and TopK.

func init() {
	Register(Op{Key: "onnx.Constant", Infer: inferConstant, Run: runConstant, NonCompute: true})
	Register(Op{Key: "onnx.ConstantOfShape", Infer: inferConstantOfShape, Run: runConstantOfShape, NonCompute: true})
	Register(Op{Key: "onnx.Trilu", Infer: inferTrilu, Run: runTrilu})
	Register(Op{Key: "onnx.Range", Infer: inferRange, Run: runRange})
	Register(Op{Key: "onnx.Dropout", Infer: inferDropout, Run: runDropout, NonCompute: true})
	Register(Op{Key: "onnx.CumSum", Infer: inferCumSum, Run: runCumulative(kernels.CumSum)})
	// CumProd (opset 26) has CumSum's inputs and attributes.
	Register(Op{Key: "onnx.CumProd", Infer: inferCumSum, Run: runCumulative(kernels.CumProd)})
	Register(Op{Key: "onnx.TopK", Infer: inferTopK, Run: runTopK})
}

// ---- Constant ----

// ConstantValue returns the tensor a Constant node defines.
func ConstantValue(n *ir.Node) (*ir.Tensor, error) {
	var t *ir.Tensor
	set := 0
	for name, a := range n.Attrs {
		switch name {
		case "value":
			t = a.T
		case "value_float":
			t = ir.FromSlice(ir.Float32, nil, []float32{a.F})
		case "value_floats":
			t = ir.FromSlice(ir.Float32, []int64{int64(len(a.Floats))}, a.Floats)
		case "value_int":
			t = ir.FromSlice(ir.Int64, nil, []int64{a.I})
		case "value_ints":
			t = ir.FromSlice(ir.Int64, []int64{int64(len(a.Ints))}, a.Ints)
		case "value_string", "value_strings":
			return nil, fmt.Errorf("Constant attribute %s: string constants are not supported (trtc holds numeric tensors only)", name)
		case "sparse_value":
			return nil, fmt.Errorf("Constant attribute %s: sparse constants are not supported", name)
		default:
			continue
		}
		set++
	}
	if set != 1 || t == nil {
		return nil, fmt.Errorf("Constant needs exactly one value attribute, has %d", set)
	}
	return t, nil
}

func inferConstant(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	t, err := ConstantValue(n)
	if err != nil {
		return nil, err
	}
	v := &ir.Value{DType: t.DType, Shape: ir.S(t.Shape...), Const: t}
	if sd, ok := ShapeDataOf(v); ok && t.Numel() <= 64 {
		v.ShapeData = sd
	}
	return []*ir.Value{v}, nil
}

func runConstant(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	t, err := ConstantValue(n)
	return t1(t, err)
}

// ---- ConstantOfShape ----

func fillValue(n *ir.Node) (*ir.Tensor, error) {
	a, ok := n.Attrs["value"]
	if !ok || a.T == nil {
		return ir.Scalar(ir.Float32, 0), nil
	}
	if a.T.Numel() != 1 {
		return nil, fmt.Errorf("value must hold one element, has %d", a.T.Numel())
	}
	return a.T, nil
}

func inferConstantOfShape(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	f, err := fillValue(n)
	if err != nil {
		return nil, err
	}
	if !f.DType.Supported() {
		return nil, fmt.Errorf("value dtype %v is not supported", f.DType)
	}
	if len(in[0].Shape) != 1 || !in[0].Shape[0].Static() {
		return nil, fmt.Errorf("input must be a 1-D shape tensor of static length, got %v", in[0].Shape)
	}
	dims, ok := ShapeDataOf(in[0])
	if !ok {
		dims = unknownDims(int(in[0].Shape[0].Size))
	}
	for _, d := range dims {
		if d.Static() && d.Size < 0 {
			return nil, fmt.Errorf("shape %v has a negative dim", dims)
		}
	}
	return out1(f.DType, dims.Clone()), nil
}

func runConstantOfShape(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	f, err := fillValue(n)
	if err != nil {
		return nil, err
	}
	dims := in[0].Ints()
	for _, d := range dims {
		if d < 0 {
			return nil, fmt.Errorf("shape %v has a negative dim", dims)
		}
	}
	return t1(kernels.ExpandTo(f.Reshaped(nil), dims))
}

// ---- Trilu ----

func inferTrilu(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	if len(in[0].Shape) < 2 {
		return nil, fmt.Errorf("input must have rank >= 2, has %d", len(in[0].Shape))
	}
	if len(in) > 1 && in[1] != nil && (!in[1].DType.IsInt() || len(in[1].Shape) > 1) {
		return nil, fmt.Errorf("k must be an int64 scalar, got %v%v", in[1].DType, in[1].Shape)
	}
	return out1(in[0].DType, in[0].Shape.Clone()), nil
}

func runTrilu(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	k := int64(0)
	if len(in) > 1 && in[1] != nil {
		k = in[1].Int(0)
	}
	return t1(kernels.Trilu(in[0], k, n.AttrInt("upper", 1) == 1))
}

// ---- Range ----

func inferRange(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 3); err != nil {
		return nil, err
	}
	dt, err := sameDType(in)
	if err != nil {
		return nil, err
	}
	for i, v := range in[:3] {
		if !(len(v.Shape) == 0 || len(v.Shape) == 1 && v.Shape[0].Static() && v.Shape[0].Size == 1) {
			return nil, fmt.Errorf("input %d must be a scalar, has shape %v", i, v.Shape)
		}
	}
	if in[0].Const != nil && in[1].Const != nil && in[2].Const != nil {
		// Count the elements, never make them: folding decides whether
		// the output is small enough to compute at compile time.
		n, err := kernels.RangeCount(in[0].Const, in[1].Const, in[2].Const)
		if err != nil {
			return nil, err
		}
		return out1(dt, ir.S(n)), nil
	}
	// Range(0, n, 1) over a shape value n has n elements.
	if s, ok := constInts(in[0]); ok && s[0] == 0 {
		if d, ok := constInts(in[2]); ok && d[0] == 1 {
			if sd, ok := ShapeDataOf(in[1]); ok && len(sd) == 1 {
				return out1(dt, ir.Shape{sd[0]}), nil
			}
		}
	}
	return out1(dt, ir.Shape{ir.Sym("")}), nil
}

func runRange(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	return t1(kernels.Range(in[0], in[1], in[2]))
}

// ---- Dropout ----

// DropoutTraining reports whether a Dropout node drops anything: opset 12+
// training_mode input true (when constant; unknown counts as true), or
// opset < 7 is_test=0.
func DropoutTraining(n *ir.Node, in []*ir.Value) bool {
	if len(in) > 2 && in[2] != nil {
		if in[2].Const == nil {
			return true
		}
		return in[2].Const.Float(0) != 0
	}
	return n.HasAttr("is_test") && n.AttrInt("is_test", 0) == 0
}

func inferDropout(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	outs := []*ir.Value{{DType: in[0].DType, Shape: in[0].Shape.Clone()}}
	if len(n.Outputs) > 1 {
		outs = append(outs, &ir.Value{DType: ir.Bool, Shape: in[0].Shape.Clone()})
	}
	return outs, nil
}

func runDropout(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	x := in[0]
	training := false
	if len(in) > 2 && in[2] != nil {
		training = in[2].Float(0) != 0
	} else if n.HasAttr("is_test") {
		training = n.AttrInt("is_test", 0) == 0
	}
	ratio := float64(n.AttrFloat("ratio", 0.5))
	if len(in) > 1 && in[1] != nil {
		ratio = in[1].Float(0)
	}
	mask := ir.NewTensor(ir.Bool, x.Shape)
	m := ir.View[uint8](mask)
	for i := range m {
		m[i] = 1
	}
	out := x
	if training && ratio > 0 {
		if ratio >= 1 {
			return nil, fmt.Errorf("dropout ratio %g must be below 1", ratio)
		}
		// Random as ONNX specifies it: drop with probability ratio, scale
		// the rest by 1/(1-ratio). The seed attribute makes it repeatable.
		rng := rand.New(rand.NewSource(n.AttrInt("seed", 0)))
		scale := ir.NewTensor(x.DType, x.Shape)
		for i := range m {
			if rng.Float64() < ratio {
				m[i] = 0
			} else {
				scale.SetFloat(i, 1/(1-ratio))
			}
		}
		var err error
		if out, err = kernels.Binary(kernels.OpMul, x, scale); err != nil {
			return nil, err
		}
	}
	res := []*ir.Tensor{out}
	if len(n.Outputs) > 1 {
		res = append(res, mask)
	}
	return res, nil
}

// ---- CumSum ----

func inferCumSum(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 2); err != nil {
		return nil, err
	}
	if !in[1].DType.IsInt() || len(in[1].Shape) > 1 {
		return nil, fmt.Errorf("axis must be an int scalar, got %v%v", in[1].DType, in[1].Shape)
	}
	if a, ok := constInts(in[1]); ok && len(a) == 1 {
		if _, err := ir.NormAxis(a[0], len(in[0].Shape)); err != nil {
			return nil, err
		}
	}
	return out1(in[0].DType, in[0].Shape.Clone()), nil
}

// runCumulative is CumSum's or CumProd's kernel: a scalar axis input and
// the exclusive and reverse attributes.
func runCumulative(op kernels.CumOp) func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	return func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		if in[1].Numel() != 1 {
			return nil, fmt.Errorf("axis must hold one element")
		}
		axis, err := ir.NormAxis(in[1].Int(0), len(in[0].Shape))
		if err != nil {
			return nil, err
		}
		return t1(kernels.Cumulative(in[0], axis, op, n.AttrInt("exclusive", 0) == 1, n.AttrInt("reverse", 0) == 1))
	}
}

// ---- TopK ----

func inferTopK(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	s := in[0].Shape
	axis, err := ir.NormAxis(n.AttrInt("axis", -1), len(s))
	if err != nil || len(s) == 0 {
		return nil, fmt.Errorf("axis %d out of range for rank %d", n.AttrInt("axis", -1), len(s))
	}
	out := s.Clone()
	out[axis] = ir.Sym("")
	if n.HasAttr("k") {
		out[axis] = ir.D(n.AttrInt("k", 0))
	} else if len(in) > 1 && in[1] != nil {
		if k, ok := ShapeDataOf(in[1]); ok && len(k) == 1 {
			out[axis] = k[0]
		}
	} else {
		return nil, fmt.Errorf("k is missing")
	}
	if out[axis].Static() && s[axis].Static() && (out[axis].Size < 0 || out[axis].Size > s[axis].Size) {
		return nil, fmt.Errorf("k=%d but axis %d has %d elements", out[axis].Size, axis, s[axis].Size)
	}
	return []*ir.Value{{DType: in[0].DType, Shape: out}, {DType: ir.Int64, Shape: out.Clone()}}, nil
}

func runTopK(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	axis, err := ir.NormAxis(n.AttrInt("axis", -1), len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	k := n.AttrInt("k", 0)
	if !n.HasAttr("k") {
		if len(in) < 2 || in[1] == nil || in[1].Numel() != 1 {
			return nil, fmt.Errorf("k must be a 1-element tensor")
		}
		k = in[1].Int(0)
	}
	v, i, err := kernels.TopK(in[0], axis, k, n.AttrInt("largest", 1) == 1)
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{v, i}, nil
}
