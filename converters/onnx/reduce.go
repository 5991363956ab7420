package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Reduce* as Reduce layers (L1, L2, SumSquare, LogSum, LogSumExp composed
// with ElementWise and Unary). Axes come from the attribute or a constant
// second input.

type reduceFn func(ctx *conversion.Context, x network.Tensor, axes []int, keep bool) network.Tensor

func direct(op network.ReduceOperation) reduceFn {
	return func(ctx *conversion.Context, x network.Tensor, axes []int, keep bool) network.Tensor {
		return impl.Reduce(ctx, x, op, axes, keep)
	}
}

// boolNumeric are numeric and Bool: ReduceMax/ReduceMin of Bool (any/all)
// reduce its 0/1 cast to Int32 and cast back, exactly (viaInt32).
var boolNumeric = append([]ir.DType{ir.Bool}, numeric...)

func viaInt32(op network.ReduceOperation) reduceFn {
	return func(ctx *conversion.Context, x network.Tensor, axes []int, keep bool) network.Tensor {
		if x.DType() != ir.Bool {
			return impl.Reduce(ctx, x, op, axes, keep)
		}
		y := impl.Reduce(ctx, ctx.Net.AddCast(x, ir.Int32), op, axes, keep)
		return ctx.Net.AddCast(y, ir.Bool)
	}
}

var reduceConverters = []struct {
	op     string
	fn     reduceFn
	dtypes []ir.DType
}{
	{"ReduceSum", direct(network.ReduceSUM), numeric},
	{"ReduceMean", direct(network.ReduceAVG), numeric},
	{"ReduceMax", viaInt32(network.ReduceMAX), boolNumeric},
	{"ReduceMin", viaInt32(network.ReduceMIN), boolNumeric},
	{"ReduceProd", direct(network.ReducePROD), numeric},
	{"ReduceL1", impl.ReduceL1, numeric},
	{"ReduceSumSquare", impl.ReduceSumSquare, numeric},
	{"ReduceL2", impl.ReduceL2, floats},
	{"ReduceLogSum", impl.ReduceLogSum, floats},
	{"ReduceLogSumExp", impl.ReduceLogSumExp, floats},
}

// reduceAxes reads a reduce node's axes; noop means the identity.
func reduceAxes(n *conversion.Node) (axes []int, noop bool, err error) {
	present := len(n.In) > 1 && n.In[1] != nil
	axes, known, noop, err := ops.ReduceAxes(n.Node, n.Const(1), present, len(n.In[0].Shape))
	if err != nil {
		return nil, false, err
	}
	if !known {
		return nil, false, fmt.Errorf("axes input must be a constant (TensorRT takes an axes mask)")
	}
	return axes, noop, nil
}

func init() {
	for _, r := range reduceConverters {
		r := r
		builtins = append(builtins, conversion.Converter{
			Target:        "onnx." + r.op,
			Priority:      conversion.Standard,
			DynamicShapes: true,
			Validator: func(n *conversion.Node) error {
				if err := dtypeIn(r.dtypes...)(&conversion.Node{Node: n.Node, In: n.In[:1]}); err != nil {
					return err
				}
				if len(n.In[0].Shape) == 0 {
					return fmt.Errorf("input is a scalar; TensorRT reduces tensors of rank >= 1")
				}
				_, _, err := reduceAxes(n)
				return err
			},
			Description: r.op + " as Reduce over a constant axes mask",
			Convert: func(ctx *conversion.Context, n *conversion.Node) error {
				axes, noop, err := reduceAxes(n)
				if err != nil {
					return err
				}
				x := ctx.Input(n, 0)
				if noop {
					ctx.SetOutput(n, 0, ctx.Net.AddIdentity(x))
					return nil
				}
				ctx.SetOutput(n, 0, r.fn(ctx, x, axes, n.AttrInt("keepdims", 1) != 0))
				return nil
			},
		})
	}
}
