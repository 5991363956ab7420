package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// DepthToSpace (DCR and CRD modes) and SpaceToDepth on [N, C, H, W]: a
// reshape to 6-D, a transpose and a reshape back.

func init() {
	Register(Op{Key: "onnx.DepthToSpace", Infer: inferSpace(true), Run: runSpace(true), NonCompute: true})
	Register(Op{Key: "onnx.SpaceToDepth", Infer: inferSpace(false), Run: runSpace(false), NonCompute: true})
}

// SpacePlan is the 6-D view, permutation and output dims of a DepthToSpace
// (toSpace) or SpaceToDepth node for input dims [N, C, H, W].
type SpacePlan struct {
	View []int64
	Perm []int
	Out  []int64
}

// PlanSpace checks a DepthToSpace/SpaceToDepth node against input dims
// (N, H and W may be -1 for unknown; C must be known) and returns its plan.
func PlanSpace(n *ir.Node, toSpace bool, dims []int64) (SpacePlan, error) {
	b := n.AttrInt("blocksize", 0)
	if b < 1 {
		return SpacePlan{}, fmt.Errorf("blocksize %d must be >= 1", b)
	}
	if len(dims) != 4 {
		return SpacePlan{}, fmt.Errorf("input must be 4-D [N, C, H, W], got %d dims", len(dims))
	}
	N, C, H, W := dims[0], dims[1], dims[2], dims[3]
	mul := func(a, k int64) int64 {
		if a < 0 {
			return -1
		}
		return a * k
	}
	div := func(a, k int64) int64 {
		if a < 0 {
			return -1
		}
		return a / k
	}
	if toSpace {
		if C%(b*b) != 0 {
			return SpacePlan{}, fmt.Errorf("%d channels are not a multiple of blocksize² %d", C, b*b)
		}
		out := []int64{N, C / (b * b), mul(H, b), mul(W, b)}
		switch mode := n.AttrString("mode", "DCR"); mode {
		case "DCR":
			return SpacePlan{[]int64{N, b, b, C / (b * b), H, W}, []int{0, 3, 4, 1, 5, 2}, out}, nil
		case "CRD":
			return SpacePlan{[]int64{N, C / (b * b), b, b, H, W}, []int{0, 1, 4, 2, 5, 3}, out}, nil
		default:
			return SpacePlan{}, fmt.Errorf("mode %q is not DCR or CRD", mode)
		}
	}
	if (H >= 0 && H%b != 0) || (W >= 0 && W%b != 0) {
		return SpacePlan{}, fmt.Errorf("spatial dims %dx%d are not multiples of blocksize %d", H, W, b)
	}
	return SpacePlan{[]int64{N, C, div(H, b), b, div(W, b), b}, []int{0, 3, 5, 1, 2, 4}, []int64{N, C * b * b, div(H, b), div(W, b)}}, nil
}

func inferSpace(toSpace bool) func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	return func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 1); err != nil {
			return nil, err
		}
		x := in[0]
		if len(x.Shape) != 4 || !x.Shape[1].Static() {
			return nil, fmt.Errorf("input %v must be 4-D [N, C, H, W] with a static C", x.Shape)
		}
		dims := make([]int64, 4)
		for i, d := range x.Shape {
			dims[i] = -1
			if d.Static() {
				dims[i] = d.Size
			}
		}
		p, err := PlanSpace(n, toSpace, dims)
		if err != nil {
			return nil, err
		}
		out := ir.Shape{x.Shape[0], ir.D(p.Out[1])}
		for _, d := range p.Out[2:] {
			if d < 0 {
				out = append(out, ir.Sym(""))
			} else {
				out = append(out, ir.D(d))
			}
		}
		return out1(x.DType, out), nil
	}
}

func runSpace(toSpace bool) func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	return func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		p, err := PlanSpace(n, toSpace, in[0].Shape)
		if err != nil {
			return nil, err
		}
		y, err := kernels.Transpose(in[0].Reshaped(p.View), p.Perm)
		if err != nil {
			return nil, err
		}
		return []*ir.Tensor{y.Reshaped(p.Out)}, nil
	}
}
