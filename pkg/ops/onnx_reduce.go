package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// Reduce* ops and ArgMax/ArgMin. Axes come from the "axes" attribute (before
// opset 18, ReduceSum before 13) or else from the optional second input;
// none means every axis, unless noop_with_empty_axes makes it the identity.

// ReduceOps maps the ONNX reduce op types to kernels.
var ReduceOps = map[string]kernels.ReduceOp{
	"ReduceSum": kernels.ReduceSum, "ReduceMean": kernels.ReduceMean,
	"ReduceMax": kernels.ReduceMax, "ReduceMin": kernels.ReduceMin,
	"ReduceProd": kernels.ReduceProd, "ReduceL1": kernels.ReduceL1,
	"ReduceL2": kernels.ReduceL2, "ReduceSumSquare": kernels.ReduceSumSquare,
	"ReduceLogSum": kernels.ReduceLogSum, "ReduceLogSumExp": kernels.ReduceLogSumExp,
}

func init() {
	for name, k := range ReduceOps {
		Register(Op{Key: "onnx." + name, Infer: inferReduce, Run: runReduce(k)})
	}
	Register(Op{Key: "onnx.ArgMax", Infer: inferArg, Run: runArg(true)})
	Register(Op{Key: "onnx.ArgMin", Infer: inferArg, Run: runArg(false)})
}

// ReduceAxes returns a reduce node's axes, normalized and sorted, for an
// input of rank rank: from the attribute, else from the constant axes input
// (axesIn, nil when absent). known is false when the axes input is not a
// constant. noop is true when the node is the identity (no axes and
// noop_with_empty_axes).
func ReduceAxes(n *ir.Node, axesIn *ir.Tensor, axesPresent bool, rank int) (axes []int, known, noop bool, err error) {
	var raw []int64
	switch {
	case n.HasAttr("axes"):
		raw = n.AttrInts("axes", nil)
	case axesPresent && axesIn == nil:
		return nil, false, false, nil
	case axesIn != nil:
		raw = axesIn.Ints()
	}
	if len(raw) == 0 {
		if n.AttrInt("noop_with_empty_axes", 0) != 0 {
			return nil, true, true, nil
		}
		all := make([]int, rank)
		for i := range all {
			all[i] = i
		}
		return all, true, false, nil
	}
	axes, err = kernels.SortedAxes(raw, rank)
	return axes, true, false, err
}

func inferReduce(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	var axesT *ir.Tensor
	present := len(in) > 1 && in[1] != nil
	if present {
		axesT = in[1].Const
		if in[1].DType != ir.Int64 {
			return nil, fmt.Errorf("axes input must be int64, got %v", in[1].DType)
		}
	}
	if x.DType == ir.Bool && n.Op != "onnx.ReduceMax" && n.Op != "onnx.ReduceMin" {
		return nil, fmt.Errorf("%s of bool is not supported", n.OpType())
	}
	axes, known, noop, err := ReduceAxes(n, axesT, present, len(x.Shape))
	if err != nil {
		return nil, err
	}
	keep := n.AttrInt("keepdims", 1) != 0
	if noop {
		return out1(x.DType, x.Shape.Clone()), nil
	}
	if !known {
		if keep {
			s := make(ir.Shape, len(x.Shape))
			for i := range s {
				s[i] = ir.Sym("")
			}
			return out1(x.DType, s), nil
		}
		k := in[1].Shape
		if len(k) != 1 || !k[0].Static() {
			return nil, fmt.Errorf("axes input %v must be 1-D of static length when keepdims=0", k)
		}
		s := make(ir.Shape, max(0, len(x.Shape)-int(k[0].Size)))
		for i := range s {
			s[i] = ir.Sym("")
		}
		return out1(x.DType, s), nil
	}
	return out1(x.DType, ReducedShape(x.Shape, axes, keep)), nil
}

// ReducedShape drops (or sets to 1 with keep) the sorted axes of s.
func ReducedShape(s ir.Shape, axes []int, keep bool) ir.Shape {
	out := ir.Shape{}
	j := 0
	for d, dim := range s {
		if j < len(axes) && axes[j] == d {
			j++
			if keep {
				out = append(out, ir.D(1))
			}
			continue
		}
		out = append(out, dim)
	}
	return out
}

func runReduce(op kernels.ReduceOp) func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	return func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		x := in[0]
		var axesT *ir.Tensor
		if len(in) > 1 {
			axesT = in[1]
		}
		axes, _, noop, err := ReduceAxes(n, axesT, axesT != nil, len(x.Shape))
		if err != nil {
			return nil, err
		}
		if noop {
			return []*ir.Tensor{x}, nil
		}
		return t1(kernels.Reduce(x, op, axes, n.AttrInt("keepdims", 1) != 0))
	}
}

func inferArg(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	axis, err := ir.NormAxis(n.AttrInt("axis", 0), len(x.Shape))
	if err != nil {
		return nil, err
	}
	return out1(ir.Int64, ReducedShape(x.Shape, []int{axis}, n.AttrInt("keepdims", 1) != 0)), nil
}

func runArg(isMax bool) func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	return func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		axis, err := ir.NormAxis(n.AttrInt("axis", 0), len(in[0].Shape))
		if err != nil {
			return nil, err
		}
		return t1(kernels.ArgReduce(in[0], axis, isMax, n.AttrInt("keepdims", 1) != 0, n.AttrInt("select_last_index", 0) != 0))
	}
}
