package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// RMSNormalization (opset 23) and GroupNormalization (opset 18: scale and
// bias per group; opset 21: per channel).

func init() {
	Register(Op{Key: "onnx.RMSNormalization", Infer: inferRMSNorm, Run: runRMSNorm})
	Register(Op{Key: "onnx.GroupNormalization", Infer: inferGroupNorm, Run: runGroupNorm})
}

func inferRMSNorm(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 2); err != nil {
		return nil, err
	}
	x, scale := in[0], in[1]
	if !x.DType.IsFloat() {
		return nil, fmt.Errorf("RMSNormalization needs a float input, got %v", x.DType)
	}
	if scale.DType != x.DType {
		return nil, fmt.Errorf("scale is %v, X is %v", scale.DType, x.DType)
	}
	axis, err := ir.NormAxis(n.AttrInt("axis", -1), len(x.Shape))
	if err != nil || len(x.Shape) == 0 {
		return nil, fmt.Errorf("axis %d is out of range for rank %d", n.AttrInt("axis", -1), len(x.Shape))
	}
	if len(scale.Shape) > len(x.Shape)-axis {
		return nil, fmt.Errorf("scale %v has more dims than the normalized dims %v", scale.Shape, x.Shape[axis:])
	}
	if st := n.AttrInt("stash_type", 1); st != int64(ir.Float32) {
		return nil, fmt.Errorf("stash_type %d: only 1 (float32) is supported", st)
	}
	return out1(x.DType, x.Shape.Clone()), nil
}

func runRMSNorm(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	axis, err := ir.NormAxis(n.AttrInt("axis", -1), len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	return t1(kernels.RMSNorm(in[0], axis, in[1], n.AttrFloat("epsilon", 1e-5)))
}

// GroupNormPerGroup reports whether a GroupNormalization node's scale and
// bias hold one value per group (opset 18-20) rather than per channel
// (opset 21). The node's stamped opset decides; without one, the element
// count does (the two readings only coincide when every group is one
// channel, where they mean the same).
func GroupNormPerGroup(n *ir.Node, channels, groups, scaleLen int64) (bool, error) {
	if groups < 1 || channels%groups != 0 {
		return false, fmt.Errorf("num_groups %d does not divide the %d channels", groups, channels)
	}
	want := channels
	if n.HasAttr(OpsetAttr) {
		if n.AttrInt(OpsetAttr, 21) < 21 {
			want = groups
		}
	} else if scaleLen == groups {
		want = groups
	}
	if scaleLen != want {
		what := "channel"
		if want == groups && groups != channels {
			what = "group (opset < 21)"
		}
		return false, fmt.Errorf("scale and bias have %d elements, want one per %s: %d", scaleLen, what, want)
	}
	return want == groups && groups != channels, nil
}

func inferGroupNorm(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 3); err != nil {
		return nil, err
	}
	x := in[0]
	if len(x.Shape) < 2 || !x.DType.IsFloat() {
		return nil, fmt.Errorf("GroupNormalization needs a float input of rank >= 2, got %v%v", x.DType, x.Shape)
	}
	if !n.HasAttr("num_groups") {
		return nil, fmt.Errorf("attribute num_groups is required")
	}
	g := n.AttrInt("num_groups", 0)
	for i := 1; i < 3; i++ {
		if in[i].DType != x.DType || len(in[i].Shape) != 1 {
			return nil, fmt.Errorf("input %d is %v%v, want a 1-D %v tensor", i, in[i].DType, in[i].Shape, x.DType)
		}
	}
	if in[1].Shape[0].Static() && in[2].Shape[0].Static() && in[1].Shape[0].Size != in[2].Shape[0].Size {
		return nil, fmt.Errorf("scale %v and bias %v differ in size", in[1].Shape, in[2].Shape)
	}
	if c, s := x.Shape[1], in[1].Shape[0]; c.Static() && s.Static() {
		if _, err := GroupNormPerGroup(n, c.Size, g, s.Size); err != nil {
			return nil, err
		}
	}
	if st := n.AttrInt("stash_type", 1); st != int64(ir.Float32) {
		return nil, fmt.Errorf("stash_type %d: only 1 (float32) is supported", st)
	}
	return out1(x.DType, x.Shape.Clone()), nil
}

func runGroupNorm(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	x, g := in[0], n.AttrInt("num_groups", 0)
	if len(x.Shape) < 2 {
		return nil, fmt.Errorf("GroupNormalization needs rank >= 2")
	}
	if _, err := GroupNormPerGroup(n, x.Shape[1], g, in[1].Numel()); err != nil {
		return nil, err
	}
	return t1(kernels.GroupNorm(x, g, in[1], in[2], n.AttrFloat("epsilon", 1e-5)))
}
