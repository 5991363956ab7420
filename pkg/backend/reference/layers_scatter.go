package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Scatter is IScatterLayer: data, indices (Int32/Int64) and updates; the
// output is data with updates written at the indexed positions. Two
// writes to the same output element are undefined in TensorRT ("Writes to
// the same output element cause undefined behavior.", NvInfer.h
// IScatterLayer), so this backend refuses them at run time rather than
// pick a winner; converters offer Scatter only where ONNX leaves duplicates
// undefined too (reduction none). ELEMENT: indices and updates have data's
// rank and index along axis. ND: the last dim of indices (static) indexes
// data's leading dims; updates are indices.shape[:-1] + data.shape[m:].
// Indices must lie in [0, dim): the converter normalizes negative ones.

func init() {
	registerKind(network.KindScatter, kindImpl{infer: inferScatter, run: runScatter})
}

type scatterParams struct {
	Mode network.ScatterMode
	Axis int
}

func inferScatter(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 3); err != nil {
		return nil, err
	}
	p := l.Params.(scatterParams)
	data, idx, upd := in[0], in[1], in[2]
	r, q := len(data.Shape), len(idx.Shape)
	if idx.DType != ir.Int32 && idx.DType != ir.Int64 {
		return nil, fmt.Errorf("indices must be Int32 or Int64, got %v", idx.DType)
	}
	if upd.DType != data.DType {
		return nil, fmt.Errorf("updates are %v, data is %v", upd.DType, data.DType)
	}
	if r < 1 {
		return nil, fmt.Errorf("data must have rank >= 1")
	}
	var want ir.Shape
	switch p.Mode {
	case network.ScatterELEMENT:
		if p.Axis < 0 || p.Axis >= r {
			return nil, fmt.Errorf("axis %d out of range for rank %d", p.Axis, r)
		}
		if q != r {
			return nil, fmt.Errorf("ELEMENT mode needs indices of the data's rank %d, got %d", r, q)
		}
		want = idx.Shape
	case network.ScatterND:
		if q < 1 || !idx.Shape[q-1].Static() {
			return nil, fmt.Errorf("ND mode needs indices whose last dim is a build-time constant, got %v", idx.Shape)
		}
		m := int(idx.Shape[q-1].Size)
		if m > r {
			return nil, fmt.Errorf("index tuples of %d exceed data rank %d", m, r)
		}
		want = append(append(ir.Shape{}, idx.Shape[:q-1]...), data.Shape[m:]...)
	default:
		return nil, fmt.Errorf("unknown ScatterMode %d", p.Mode)
	}
	if len(upd.Shape) != len(want) {
		return nil, fmt.Errorf("updates %v do not have the shape %v", upd.Shape, want)
	}
	for d := range want {
		if a, b := upd.Shape[d], want[d]; a.Static() && b.Static() && a.Size != b.Size {
			return nil, fmt.Errorf("updates %v do not have the shape %v", upd.Shape, want)
		}
	}
	return []*ir.Value{{DType: data.DType, Shape: data.Shape.Clone()}}, nil
}

func runScatter(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(scatterParams)
	data, idx, upd := in[0], in[1], in[2]
	// TensorRT does not define negative or out-of-range indices; refuse
	// them rather than let the kernel wrap them as ONNX does.
	var bound func(i int) int64
	switch p.Mode {
	case network.ScatterELEMENT:
		bound = func(int) int64 { return data.Shape[p.Axis] }
	case network.ScatterND:
		m := int(idx.Shape[len(idx.Shape)-1])
		bound = func(i int) int64 { return data.Shape[i%m] }
	default:
		return nil, fmt.Errorf("unknown ScatterMode %d", p.Mode)
	}
	for i, v := range idx.Ints() {
		if v < 0 || v >= bound(i) {
			return nil, fmt.Errorf("scatter index %d out of range [0, %d)", v, bound(i))
		}
	}
	if err := scatterDuplicates(p, data.Shape, idx); err != nil {
		return nil, err
	}
	if p.Mode == network.ScatterELEMENT {
		return one1(kernels.ScatterElements(data, idx, upd, p.Axis, kernels.ScatterNone))
	}
	return one1(kernels.ScatterND(data, idx, upd, kernels.ScatterNone))
}

// scatterDuplicates refuses indices that write one output element twice.
func scatterDuplicates(p scatterParams, shape []int64, idx *ir.Tensor) error {
	vals := idx.Ints()
	seen := map[int64]bool{}
	var key func(i int) (int64, bool)
	switch p.Mode {
	case network.ScatterELEMENT:
		// Element J of indices writes J with J[axis] replaced.
		ishape := idx.Shape
		coord := make([]int64, len(ishape))
		key = func(i int) (int64, bool) {
			rem := int64(i)
			for d := len(ishape) - 1; d >= 0; d-- {
				coord[d] = rem % ishape[d]
				rem /= ishape[d]
			}
			coord[p.Axis] = vals[i]
			flat := int64(0)
			for d := range shape {
				flat = flat*shape[d] + coord[d]
			}
			return flat, true
		}
	default:
		m := int(idx.Shape[len(idx.Shape)-1])
		key = func(i int) (int64, bool) {
			if i%m != 0 {
				return 0, false
			}
			flat := int64(0)
			for d := 0; d < m; d++ {
				flat = flat*shape[d] + vals[i+d]
			}
			return flat, true
		}
	}
	for i := range vals {
		if k, ok := key(i); ok {
			if seen[k] {
				return fmt.Errorf("scatter indices write one output element twice (index %d): TensorRT leaves this undefined (IScatterLayer)", i)
			}
			seen[k] = true
		}
	}
	return nil
}
