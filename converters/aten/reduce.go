package aten

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Reductions and scans.

// reduceDims returns the normalized reduce dims of attribute name (all dims
// when absent or empty).
func reduceDims(n *conversion.Node, name string) ([]int, error) {
	rank := len(n.In[0].Shape)
	var raw []int64
	switch a := n.Attrs[name]; a.Kind {
	case ir.AttrInts:
		raw = a.Ints
	case ir.AttrInt:
		raw = []int64{a.I}
	}
	if len(raw) == 0 {
		out := make([]int, rank)
		for i := range out {
			out[i] = i
		}
		return out, nil
	}
	return impl.NormAxes(raw, rank)
}

func init() {
	for _, r := range []struct {
		key string
		op  network.ReduceOperation
		dts []ir.DType
	}{
		{"aten.mean.dim", network.ReduceAVG, floats},
		{"aten.sum.dim_IntList", network.ReduceSUM, []ir.DType{ir.Float32, ir.Float16, ir.BFloat16, ir.Int64}},
		{"aten.amax.default", network.ReduceMAX, numeric},
	} {
		r := r
		simple(r.key, fmt.Sprintf("Reduce %v", r.op), all(dtypeIn(r.dts...), func(n *conversion.Node) error {
			if len(n.In[0].Shape) == 0 {
				return fmt.Errorf("scalar input")
			}
			if n.HasAttr("dtype") && ir.DType(n.AttrInt("dtype", 0)) != n.In[0].DType {
				return fmt.Errorf("dtype conversion is not converted")
			}
			_, err := reduceDims(n, "dim")
			return err
		}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
			axes, _ := reduceDims(n, "dim")
			return impl.Reduce(ctx, ctx.Input(n, 0), r.op, axes, n.AttrInt("keepdim", 0) != 0)
		})
	}
	simple("aten.any.dim", "any as Reduce MAX over (x != 0) in int32, cast to bool", all(dtypeIn(anyDT...), func(n *conversion.Node) error {
		_, err := ir.NormAxis(n.AttrInt("dim", 0), len(n.In[0].Shape))
		return err
	}), func(ctx *conversion.Context, n *conversion.Node) network.Tensor {
		d, _ := ir.NormAxis(n.AttrInt("dim", 0), len(n.In[0].Shape))
		b := impl.Cast(ctx, asBool(ctx, n, 0), ir.Int32)
		m := impl.Reduce(ctx, b, network.ReduceMAX, []int{d}, n.AttrInt("keepdim", 0) != 0)
		return impl.Cast(ctx, m, ir.Bool)
	})
	add("aten.cumsum.default", "cumsum as Cumulative SUM (TensorRT 10.8+; before, a matrix product with a triangular constant)", all(dtypeIn(floats...), func(n *conversion.Node) error {
		if n.HasAttr("dtype") && ir.DType(n.AttrInt("dtype", 0)) != n.In[0].DType {
			return fmt.Errorf("dtype conversion is not converted")
		}
		_, err := ir.NormAxis(n.AttrInt("dim", 0), len(n.In[0].Shape))
		return err
	}), func(ctx *conversion.Context, n *conversion.Node) (network.Tensor, error) {
		d, _ := ir.NormAxis(n.AttrInt("dim", 0), len(n.In[0].Shape))
		return impl.CumSum(ctx, ctx.Input(n, 0), d, false, false)
	})
}
