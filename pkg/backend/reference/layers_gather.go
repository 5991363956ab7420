package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Gather is IGatherLayer, with nbElementWiseDims = 0 except in ND mode,
// where the first nbElementWiseDims dims of data and indices must match and
// are paired element-wise (the index tuples index the dims after them). DEFAULT: output shape
// data[:axis] + indices + data[axis+1:]; ELEMENT: indices has data's rank
// and gives the output shape; ND: the last dim of indices (static) indexes
// data's leading dims.
//
// Index values follow IGatherLayer's documented results (NvInfer.h): "Zero
// will be stored for OOB access", and "If an axis of Data has dynamic
// length, using a negative index for it has undefined behavior". So an
// index in [-dim, 0) counts from the end of a dim that is static at build
// time; a negative index into a dim that is dynamic at build time is
// refused at run time (TensorRT leaves it undefined); any other index
// outside [0, dim) gives zeros. Converters normalize negative indices and
// never rely on either.

func init() {
	registerKind(network.KindGather, kindImpl{infer: inferGather, run: runGather})
}

func inferGather(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 2); err != nil {
		return nil, err
	}
	p := l.Params.(gatherParams)
	data, idx := in[0], in[1]
	r, q := len(data.Shape), len(idx.Shape)
	p.DynamicDims = 0
	for d, x := range data.Shape {
		if !x.Static() && d < 32 {
			p.DynamicDims |= 1 << uint(d)
		}
	}
	l.Params = p
	if idx.DType != ir.Int32 && idx.DType != ir.Int64 {
		return nil, fmt.Errorf("indices must be Int32 or Int64, got %v", idx.DType)
	}
	if r < 1 {
		return nil, fmt.Errorf("data must have rank >= 1")
	}
	switch p.Mode {
	case network.GatherDEFAULT:
		if p.Axis < 0 || p.Axis >= r {
			return nil, fmt.Errorf("axis %d out of range for rank %d", p.Axis, r)
		}
		out := append(append(append(ir.Shape{}, data.Shape[:p.Axis]...), idx.Shape...), data.Shape[p.Axis+1:]...)
		o := &ir.Value{DType: data.DType, Shape: out}
		if r == 1 && data.ShapeData != nil && idx.Const != nil && q <= 1 {
			var sd ir.Shape
			for _, j := range idx.Const.Ints() {
				if j < 0 || j >= int64(len(data.ShapeData)) {
					return nil, fmt.Errorf("index %d out of range for %d elements", j, len(data.ShapeData))
				}
				sd = append(sd, data.ShapeData[j])
			}
			o.ShapeData = append(ir.Shape{}, sd...)
		}
		return []*ir.Value{o}, nil
	case network.GatherELEMENT:
		if p.Axis < 0 || p.Axis >= r {
			return nil, fmt.Errorf("axis %d out of range for rank %d", p.Axis, r)
		}
		if q != r {
			return nil, fmt.Errorf("ELEMENT mode needs indices of the data's rank %d, got %d", r, q)
		}
		return []*ir.Value{{DType: data.DType, Shape: idx.Shape.Clone()}}, nil
	case network.GatherND:
		if q < 1 || !idx.Shape[q-1].Static() {
			return nil, fmt.Errorf("ND mode needs indices whose last dim is a build-time constant, got %v", idx.Shape)
		}
		m, b := int(idx.Shape[q-1].Size), p.NbElementWiseDims
		if b < 0 || b >= min(r, q) {
			return nil, fmt.Errorf("nbElementWiseDims %d with data rank %d and indices rank %d", b, r, q)
		}
		if b+m > r {
			return nil, fmt.Errorf("index tuples of %d exceed data rank %d after %d element-wise dims", m, r, b)
		}
		for d := 0; d < b; d++ {
			if x, y := data.Shape[d], idx.Shape[d]; x.Static() && y.Static() && x.Size != y.Size {
				return nil, fmt.Errorf("element-wise dim %d is %v in data but %v in indices", d, x, y)
			}
		}
		out := append(append(ir.Shape{}, idx.Shape[:q-1]...), data.Shape[b+m:]...)
		return []*ir.Value{{DType: data.DType, Shape: out}}, nil
	}
	return nil, fmt.Errorf("unknown GatherMode %d", p.Mode)
}

func runGather(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(gatherParams)
	data := in[0]
	idx, oob, err := gatherIndices(p, data.Shape, in[1])
	if err != nil {
		return nil, err
	}
	var out *ir.Tensor
	switch p.Mode {
	case network.GatherDEFAULT:
		out, err = kernels.Gather(data, idx, p.Axis, false)
	case network.GatherELEMENT:
		out, err = kernels.GatherElements(data, idx, p.Axis, false)
	case network.GatherND:
		out, err = kernels.GatherND(data, idx, p.NbElementWiseDims, false)
	default:
		err = fmt.Errorf("unknown GatherMode %d", p.Mode)
	}
	if err != nil {
		return nil, err
	}
	if oob == nil {
		return []*ir.Tensor{out}, nil
	}
	// Zero what each out-of-bounds index (or ND tuple) would have read.
	es := int64(out.DType.Size())
	var block, period, count int64 // out element e of index j: e = (o*count + j)*block + k
	switch p.Mode {
	case network.GatherDEFAULT:
		block = ir.Numel(data.Shape[p.Axis+1:])
		count = int64(len(oob))
	case network.GatherELEMENT:
		block, count = 1, int64(len(oob))
	case network.GatherND:
		block, count = ir.Numel(out.Shape)/int64(max(len(oob), 1)), int64(len(oob))
	}
	period = count * block
	for e := int64(0); e < out.Numel(); e++ {
		if period > 0 && oob[(e%period)/block] {
			clear(out.Data[e*es : (e+1)*es])
		}
	}
	return []*ir.Tensor{out}, nil
}

// gatherIndices applies TensorRT's index rules (see the top of this file):
// it returns Int64 indices in bounds, with out-of-bounds ones replaced by 0,
// and, when any was out of bounds, which index (ND: which tuple) was.
func gatherIndices(p gatherParams, shape []int64, indices *ir.Tensor) (*ir.Tensor, []bool, error) {
	raw := indices.Ints()
	fixed := make([]int64, len(raw))
	dimOf := func(i int) int { return p.Axis }
	nTuple, m := len(raw), 1
	if p.Mode == network.GatherND {
		m = int(indices.Shape[len(indices.Shape)-1])
		if m > 0 {
			nTuple = len(raw) / m
		}
		dimOf = func(i int) int { return p.NbElementWiseDims + i%m }
	}
	var oob []bool
	for i, v := range raw {
		d := dimOf(i)
		n := shape[d]
		if v < 0 && v >= -n {
			if d < 32 && p.DynamicDims&(1<<uint(d)) != 0 {
				return nil, nil, fmt.Errorf("negative index %d into dim %d, which is dynamic at build time: TensorRT leaves this undefined (IGatherLayer)", v, d)
			}
			v += n
		}
		if v < 0 || v >= n {
			if oob == nil {
				oob = make([]bool, nTuple)
			}
			oob[i/m] = true
			v = 0
		}
		fixed[i] = v
	}
	return ir.FromSlice(ir.Int64, indices.Shape, fixed), oob, nil
}
