package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// ScatterReduction combines an update with the element it lands on.
type ScatterReduction int

const (
	ScatterNone ScatterReduction = iota
	ScatterAdd
	ScatterMul
	ScatterMax
	ScatterMin
)

// ParseScatterReduction reads ONNX's reduction attribute.
func ParseScatterReduction(s string) (ScatterReduction, error) {
	switch s {
	case "", "none":
		return ScatterNone, nil
	case "add":
		return ScatterAdd, nil
	case "mul":
		return ScatterMul, nil
	case "max":
		return ScatterMax, nil
	case "min":
		return ScatterMin, nil
	}
	return 0, fmt.Errorf("unknown reduction %q (want none, add, mul, max or min)", s)
}

// scatterInto writes update element u of updates to element o of out.
func scatterInto(out, updates *ir.Tensor, o, u int64, r ScatterReduction) {
	if r == ScatterNone {
		es := int64(out.DType.Size())
		copy(out.Data[o*es:(o+1)*es], updates.Data[u*es:(u+1)*es])
		return
	}
	a, b := out.Float(int(o)), updates.Float(int(u))
	switch r {
	case ScatterAdd:
		a += b
	case ScatterMul:
		a *= b
	case ScatterMax:
		a = math.Max(a, b)
	case ScatterMin:
		a = math.Min(a, b)
	}
	out.SetFloat(int(o), a)
}

// ScatterElements copies data and writes updates[i] at data's position i
// with its axis coordinate replaced by indices[i] (negative counts from the
// end). Later updates to one position win, or combine by r.
func ScatterElements(data, indices, updates *ir.Tensor, axis int, r ScatterReduction) (*ir.Tensor, error) {
	rank := len(data.Shape)
	if axis < 0 || axis >= rank || len(indices.Shape) != rank || !ir.S(indices.Shape...).Equal(ir.S(updates.Shape...)) {
		return nil, fmt.Errorf("scatter elements: data %v, indices %v, updates %v, axis %d", data.Shape, indices.Shape, updates.Shape, axis)
	}
	if updates.DType != data.DType {
		return nil, fmt.Errorf("scatter elements: updates are %v, data %v", updates.DType, data.DType)
	}
	idx, err := Indices(indices)
	if err != nil {
		return nil, err
	}
	out := data.Clone()
	ds := Strides(data.Shape)
	coord := make([]int64, rank)
	for u := range int64(len(idx)) {
		j, err := normIndex(idx[u], data.Shape[axis], true)
		if err != nil {
			return nil, err
		}
		o := int64(0)
		for d := range rank {
			c := coord[d]
			if d == axis {
				c = j
			} else if c >= data.Shape[d] {
				return nil, fmt.Errorf("scatter elements: indices dim %d exceeds data's %d", d, data.Shape[d])
			}
			o += c * ds[d]
		}
		scatterInto(out, updates, o, u, r)
		for d := rank - 1; d >= 0; d-- {
			if coord[d]++; coord[d] < indices.Shape[d] {
				break
			}
			coord[d] = 0
		}
	}
	return out, nil
}

// ScatterND copies data and writes each slice updates[i...] at the position
// indices[i...] (a tuple of the last dim's length) names.
func ScatterND(data, indices, updates *ir.Tensor, r ScatterReduction) (*ir.Tensor, error) {
	q := len(indices.Shape)
	if q < 1 {
		return nil, fmt.Errorf("scatter nd: indices must have rank >= 1")
	}
	k := int(indices.Shape[q-1])
	if k > len(data.Shape) {
		return nil, fmt.Errorf("scatter nd: index tuples of %d exceed data rank %d", k, len(data.Shape))
	}
	want := append(append([]int64{}, indices.Shape[:q-1]...), data.Shape[k:]...)
	if !ir.S(updates.Shape...).Equal(ir.S(want...)) {
		return nil, fmt.Errorf("scatter nd: updates are %v, want %v", updates.Shape, want)
	}
	if updates.DType != data.DType {
		return nil, fmt.Errorf("scatter nd: updates are %v, data %v", updates.DType, data.DType)
	}
	idx, err := Indices(indices)
	if err != nil {
		return nil, err
	}
	out := data.Clone()
	ds := Strides(data.Shape)
	slice := ir.Numel(data.Shape[k:])
	n := ir.Numel(indices.Shape[:q-1])
	for t := range n {
		o := int64(0)
		for d := range k {
			j, err := normIndex(idx[t*int64(k)+int64(d)], data.Shape[d], true)
			if err != nil {
				return nil, err
			}
			o += j * ds[d]
		}
		for e := range slice {
			scatterInto(out, updates, o+e, t*slice+e, r)
		}
	}
	return out, nil
}
