package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// OneHot is IOneHotLayer (NvInfer.h): Int32 indices, values [off_value,
// on_value], a 0-D build-time constant depth; the output, of the values'
// dtype, has rank(indices)+1 dims, the new one of size depth at axis, and
// holds on_value where its index along axis equals the index and off_value
// elsewhere. TensorRT documents no result for an index outside [0, depth),
// so this backend refuses one at run time; converters map such indices
// to an extra class they slice away.

type oneHotParams struct{ Axis int }

func init() {
	registerKind(network.KindOneHot, kindImpl{infer: inferOneHot, run: runOneHot})
}

func oneHotAxis(axis, rank int) (int, error) {
	if axis < -rank-1 || axis > rank {
		return 0, fmt.Errorf("axis %d outside [%d, %d]", axis, -rank-1, rank)
	}
	if axis < 0 {
		axis += rank + 1
	}
	return axis, nil
}

func inferOneHot(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 3); err != nil {
		return nil, err
	}
	idx, vals, depth := in[0], in[1], in[2]
	axis, err := oneHotAxis(l.Params.(oneHotParams).Axis, len(idx.Shape))
	if err != nil {
		return nil, err
	}
	if depth.Const == nil || depth.Const.Numel() != 1 || depth.Const.Int(0) < 1 {
		return nil, fmt.Errorf("depth must be a positive build-time constant")
	}
	out := append(append(append(ir.Shape{}, idx.Shape[:axis]...), ir.D(depth.Const.Int(0))), idx.Shape[axis:]...)
	return []*ir.Value{{DType: vals.DType, Shape: out}}, nil
}

func runOneHot(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	idx, vals := in[0], in[1]
	depth := in[2].Int(0)
	axis, err := oneHotAxis(l.Params.(oneHotParams).Axis, len(idx.Shape))
	if err != nil {
		return nil, err
	}
	shape := append(append(append([]int64{}, idx.Shape[:axis]...), depth), idx.Shape[axis:]...)
	out := ir.NewTensor(vals.DType, shape)
	es := int64(vals.DType.Size())
	off, on := vals.Data[:es], vals.Data[es:2*es]
	inner := ir.Numel(idx.Shape[axis:])
	for e := int64(0); e < out.Numel(); e++ {
		copy(out.Data[e*es:(e+1)*es], off)
	}
	for i, v := range idx.Ints() {
		if v < 0 || v >= depth {
			return nil, fmt.Errorf("one-hot index %d outside [0, %d): TensorRT documents no result for it (IOneHotLayer)", v, depth)
		}
		o, r := int64(i)/inner, int64(i)%inner
		e := (o*depth+v)*inner + r
		copy(out.Data[e*es:(e+1)*es], on)
	}
	return []*ir.Tensor{out}, nil
}
