package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// BatchNormalization (inference and training forms), LayerNormalization
// (with its optional Mean and InvStdDev outputs) and InstanceNormalization.

func init() {
	Register(Op{Key: "onnx.BatchNormalization", Infer: inferBatchNorm, Run: runBatchNorm})
	Register(Op{Key: "onnx.LayerNormalization", Infer: inferLayerNorm, Run: runLayerNorm})
	Register(Op{Key: "onnx.InstanceNormalization", Infer: inferInstanceNorm, Run: runInstanceNorm})
}

// channelParams checks that inputs [from, to) are 1-D with C elements.
func channelParams(in []*ir.Value, from, to int, c ir.Dim) error {
	for i := from; i < to && i < len(in); i++ {
		v := in[i]
		if v == nil {
			return fmt.Errorf("input %d is missing", i)
		}
		if len(v.Shape) != 1 || (c.Static() && v.Shape[0].Static() && v.Shape[0].Size != c.Size) {
			return fmt.Errorf("input %d has shape %v, want [%v] (one per channel)", i, v.Shape, c)
		}
	}
	return nil
}

func inferBatchNorm(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 5); err != nil {
		return nil, err
	}
	x := in[0]
	if len(x.Shape) < 2 {
		return nil, fmt.Errorf("BatchNormalization needs rank >= 2, got %v", x.Shape)
	}
	if !x.DType.IsFloat() {
		return nil, fmt.Errorf("BatchNormalization needs a float input, got %v", x.DType)
	}
	if err := channelParams(in, 1, 5, x.Shape[1]); err != nil {
		return nil, err
	}
	outs := out1(x.DType, x.Shape.Clone())
	for i := 3; i < 5; i++ { // running mean and var (training mode)
		outs = append(outs, &ir.Value{DType: in[i].DType, Shape: in[i].Shape.Clone()})
	}
	return outs, nil
}

func runBatchNorm(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	x, eps := in[0], n.AttrFloat("epsilon", 1e-5)
	if n.AttrInt("training_mode", 0) == 0 {
		return t1(kernels.BatchNorm(x, in[1], in[2], in[3], in[4], eps))
	}
	// Training: normalize with the batch statistics (population variance)
	// and blend them into the running ones with momentum.
	axes := []int{0}
	for d := 2; d < len(x.Shape); d++ {
		axes = append(axes, d)
	}
	mean, err := kernels.Reduce(x, kernels.ReduceMean, axes, false)
	if err != nil {
		return nil, err
	}
	meanK, _ := kernels.Reduce(x, kernels.ReduceMean, axes, true)
	diff, err := kernels.Binary(kernels.OpSub, x, meanK)
	if err != nil {
		return nil, err
	}
	sq, _ := kernels.Binary(kernels.OpMul, diff, diff)
	variance, err := kernels.Reduce(sq, kernels.ReduceMean, axes, false)
	if err != nil {
		return nil, err
	}
	y, err := kernels.BatchNorm(x, in[1], in[2], mean, variance, eps)
	if err != nil {
		return nil, err
	}
	mom := float64(n.AttrFloat("momentum", 0.9))
	blend := func(run, batch *ir.Tensor) *ir.Tensor {
		out := ir.NewTensor(run.DType, run.Shape)
		for i := 0; i < int(out.Numel()); i++ {
			out.SetFloat(i, run.Float(i)*mom+batch.Float(i)*(1-mom))
		}
		return out
	}
	return []*ir.Tensor{y, blend(in[3], mean), blend(in[4], variance)}, nil
}

func inferLayerNorm(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if !x.DType.IsFloat() {
		return nil, fmt.Errorf("LayerNormalization needs a float input, got %v", x.DType)
	}
	axis, err := ir.NormAxis(n.AttrInt("axis", -1), len(x.Shape))
	if err != nil || len(x.Shape) == 0 {
		return nil, fmt.Errorf("axis %d is out of range for rank %d", n.AttrInt("axis", -1), len(x.Shape))
	}
	for i := 1; i < 3 && i < len(in); i++ {
		if in[i] == nil {
			continue
		}
		if in[i].DType != x.DType {
			return nil, fmt.Errorf("input %d is %v, X is %v", i, in[i].DType, x.DType)
		}
		if len(in[i].Shape) > len(x.Shape)-axis {
			return nil, fmt.Errorf("input %d %v has more dims than the normalized dims %v", i, in[i].Shape, x.Shape[axis:])
		}
	}
	stat := x.Shape[:axis].Clone()
	for range x.Shape[axis:] {
		stat = append(stat, ir.D(1))
	}
	stash := ir.Float32
	if st := n.AttrInt("stash_type", 1); st != 1 {
		stash = ir.DType(st)
	}
	return []*ir.Value{{DType: x.DType, Shape: x.Shape.Clone()}, {DType: stash, Shape: stat}, {DType: stash, Shape: stat.Clone()}}, nil
}

func runLayerNorm(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	x := in[0]
	axis, err := ir.NormAxis(n.AttrInt("axis", -1), len(x.Shape))
	if err != nil {
		return nil, err
	}
	var scale, bias *ir.Tensor
	if len(in) > 1 {
		scale = in[1]
	}
	if len(in) > 2 {
		bias = in[2]
	}
	y, mean, inv, err := kernels.LayerNorm(x, axis, scale, bias, n.AttrFloat("epsilon", 1e-5))
	if err != nil {
		return nil, err
	}
	if st := ir.DType(n.AttrInt("stash_type", 1)); st != ir.Float32 {
		if mean, err = kernels.Cast(mean, st); err != nil {
			return nil, err
		}
		if inv, err = kernels.Cast(inv, st); err != nil {
			return nil, err
		}
	}
	return []*ir.Tensor{y, mean, inv}, nil
}

func inferInstanceNorm(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 3); err != nil {
		return nil, err
	}
	x := in[0]
	if len(x.Shape) < 3 || !x.DType.IsFloat() {
		return nil, fmt.Errorf("InstanceNormalization needs a float input of rank >= 3, got %v%v", x.DType, x.Shape)
	}
	if err := channelParams(in, 1, 3, x.Shape[1]); err != nil {
		return nil, err
	}
	return out1(x.DType, x.Shape.Clone()), nil
}

func runInstanceNorm(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	x := in[0]
	rank := len(x.Shape)
	axes := make([]int, 0, rank-2)
	shape := []int64{1, x.Shape[1]}
	for d := 2; d < rank; d++ {
		axes = append(axes, d)
		shape = append(shape, 1)
	}
	return t1(kernels.Normalize(x, axes, in[1].Reshaped(shape), in[2].Reshaped(shape), n.AttrFloat("epsilon", 1e-5)))
}
