package kernels

import (
	"fmt"
	"math"
	"sort"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// ReduceOp is a reduction.
type ReduceOp int

const (
	ReduceSum ReduceOp = iota
	ReduceProd
	ReduceMax
	ReduceMin
	ReduceMean
	ReduceL1
	ReduceL2
	ReduceSumSquare
	ReduceLogSum
	ReduceLogSumExp
)

// Reduce reduces x over axes (each in [0, rank), any order, duplicates
// ignored). An empty reduction gives the op's identity (0, 1, -inf for Max
// and the log forms, +inf for Min, NaN for Mean of floats). Contiguous axes
// are reduced in place as [outer, R, inner]; other sets are transposed to
// the end first. Float16 and BFloat16 are computed in float32; Bool works
// with Max and Min.
func Reduce(x *ir.Tensor, op ReduceOp, axes []int, keepDims bool) (*ir.Tensor, error) {
	rank := len(x.Shape)
	red := make([]bool, rank)
	for _, a := range axes {
		if a < 0 || a >= rank {
			return nil, fmt.Errorf("reduce axis %d out of range for rank %d", a, rank)
		}
		red[a] = true
	}
	var outShape, keptShape []int64
	var sorted []int
	for d := 0; d < rank; d++ {
		if red[d] {
			sorted = append(sorted, d)
			if keepDims {
				outShape = append(outShape, 1)
			}
			continue
		}
		outShape = append(outShape, x.Shape[d])
		keptShape = append(keptShape, x.Shape[d])
	}
	if x.DType == ir.Float16 || x.DType == ir.BFloat16 {
		r, err := Reduce(ToFloat32(x), op, axes, keepDims)
		if err != nil {
			return nil, err
		}
		return FromFloat32(r, x.DType), nil
	}
	if x.DType == ir.Bool && op != ReduceMax && op != ReduceMin {
		return nil, fmt.Errorf("reduce op %d of bool is not supported", op)
	}
	if !x.DType.IsFloat() && (op == ReduceL2 || op == ReduceLogSum || op == ReduceLogSumExp) {
		return nil, fmt.Errorf("reduce op %d of %v is not supported", op, x.DType)
	}
	// Contiguous block [lo, hi] of reduced axes, else transpose them last.
	src := x
	outer, R, inner := int64(1), int64(1), int64(1)
	contiguous := len(sorted) == 0 || sorted[len(sorted)-1]-sorted[0] == len(sorted)-1
	if contiguous && len(sorted) > 0 {
		lo, hi := sorted[0], sorted[len(sorted)-1]
		outer, R, inner = ir.Numel(x.Shape[:lo]), ir.Numel(x.Shape[lo:hi+1]), ir.Numel(x.Shape[hi+1:])
	} else if len(sorted) > 0 {
		perm := make([]int, 0, rank)
		for d := 0; d < rank; d++ {
			if !red[d] {
				perm = append(perm, d)
			}
		}
		perm = append(perm, sorted...)
		var err error
		if src, err = Transpose(x, perm); err != nil {
			return nil, err
		}
		outer, R = ir.Numel(keptShape), ir.Numel(x.Shape)/max(1, ir.Numel(keptShape))
		if ir.Numel(keptShape) == 0 {
			R = 0
			for _, a := range sorted {
				R = max(R, 1) * x.Shape[a]
			}
		}
	} else {
		outer = x.Numel()
	}
	out := ir.NewTensor(x.DType, outShape)
	o, r, in := int(outer), int(R), int(inner)
	switch x.DType {
	case ir.Float32:
		reduceFloat(ir.View[float32](src), ir.View[float32](out), o, r, in, op)
	case ir.Float64:
		reduceFloat(ir.View[float64](src), ir.View[float64](out), o, r, in, op)
	case ir.Int32:
		reduceCore(ir.View[int32](src), ir.View[int32](out), o, r, in, op, math.MinInt32, math.MaxInt32)
	case ir.Int64:
		reduceCore(ir.View[int64](src), ir.View[int64](out), o, r, in, op, math.MinInt64, math.MaxInt64)
	case ir.Int8:
		reduceCore(ir.View[int8](src), ir.View[int8](out), o, r, in, op, math.MinInt8, math.MaxInt8)
	case ir.Uint8, ir.Bool:
		reduceCore(ir.View[uint8](src), ir.View[uint8](out), o, r, in, op, 0, math.MaxUint8)
	case ir.Uint32:
		reduceCore(ir.View[uint32](src), ir.View[uint32](out), o, r, in, op, 0, math.MaxUint32)
	case ir.Uint64:
		reduceCore(ir.View[uint64](src), ir.View[uint64](out), o, r, in, op, 0, math.MaxUint64)
	default:
		return nil, fmt.Errorf("reduce of %v is not supported", x.DType)
	}
	return out, nil
}

// SortedAxes normalizes possibly negative axes against rank and sorts them.
func SortedAxes(axes []int64, rank int) ([]int, error) {
	seen := map[int]bool{}
	var out []int
	for _, a := range axes {
		n, err := ir.NormAxis(a, rank)
		if err != nil {
			return nil, err
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out, nil
}

func reduceFloat[T float](x, out []T, outer, R, inner int, op ReduceOp) {
	if op == ReduceLogSumExp {
		// max-shifted: log(sum(exp(x - m))) + m
		m := make([]T, len(out))
		reduceCore(x, m, outer, R, inner, ReduceMax, T(math.Inf(-1)), T(math.Inf(1)))
		for o := 0; o < outer; o++ {
			mo := m[o*inner : (o+1)*inner]
			dst := out[o*inner : (o+1)*inner]
			clear(dst)
			for r := 0; r < R; r++ {
				src := x[(o*R+r)*inner : (o*R+r+1)*inner]
				for j, v := range src {
					if !math.IsInf(float64(mo[j]), 0) {
						dst[j] += T(math.Exp(float64(v - mo[j])))
					}
				}
			}
			for j := range dst {
				if math.IsInf(float64(mo[j]), 0) {
					dst[j] = mo[j]
					continue
				}
				dst[j] = T(math.Log(float64(dst[j]))) + mo[j]
			}
		}
		return
	}
	reduceCore(x, out, outer, R, inner, op, T(math.Inf(-1)), T(math.Inf(1)))
	switch op {
	case ReduceL2:
		for i, v := range out {
			out[i] = T(math.Sqrt(float64(v)))
		}
	case ReduceLogSum:
		for i, v := range out {
			out[i] = T(math.Log(float64(v)))
		}
	}
}

// reduceCore reduces x viewed as [outer, R, inner] into out [outer, inner]
// for Sum, Prod, Max, Min, Mean, L1, SumSquare (and the sums under L2 and
// LogSum). lowest and highest are the identities of Max and Min.
func reduceCore[T number](x, out []T, outer, R, inner int, op ReduceOp, lowest, highest T) {
	var init T
	switch op {
	case ReduceProd:
		init = 1
	case ReduceMax:
		init = lowest
	case ReduceMin:
		init = highest
	}
	// An empty output: no loop over the reduced and outer dims, which can
	// be huge beside the empty one (a [2^32, 0] input). Otherwise the work
	// is bounded by the input and output sizes.
	if len(out) == 0 {
		return
	}
	for o := 0; o < outer; o++ {
		dst := out[o*inner : (o+1)*inner]
		for j := range dst {
			dst[j] = init
		}
		base := o * R * inner
		if inner == 1 {
			row := x[base : base+R]
			s := init
			switch op {
			case ReduceSum, ReduceMean, ReduceLogSum:
				for _, v := range row {
					s += v
				}
			case ReduceProd:
				for _, v := range row {
					s *= v
				}
			case ReduceMax:
				for _, v := range row {
					if v > s || v != v {
						s = v
						if v != v {
							break
						}
					}
				}
			case ReduceMin:
				for _, v := range row {
					if v < s || v != v {
						s = v
						if v != v {
							break
						}
					}
				}
			case ReduceL1:
				for _, v := range row {
					if v < 0 {
						v = -v
					}
					s += v
				}
			case ReduceL2, ReduceSumSquare:
				for _, v := range row {
					s += v * v
				}
			}
			dst[0] = s
		} else {
			for r := 0; r < R; r++ {
				src := x[base+r*inner : base+(r+1)*inner]
				switch op {
				case ReduceSum, ReduceMean, ReduceLogSum:
					for j, v := range src {
						dst[j] += v
					}
				case ReduceProd:
					for j, v := range src {
						dst[j] *= v
					}
				case ReduceMax:
					for j, v := range src {
						if v > dst[j] || (v != v && dst[j] == dst[j]) {
							dst[j] = v
						}
					}
				case ReduceMin:
					for j, v := range src {
						if v < dst[j] || (v != v && dst[j] == dst[j]) {
							dst[j] = v
						}
					}
				case ReduceL1:
					for j, v := range src {
						if v < 0 {
							v = -v
						}
						dst[j] += v
					}
				case ReduceL2, ReduceSumSquare:
					for j, v := range src {
						dst[j] += v * v
					}
				}
			}
		}
		if op == ReduceMean {
			if R == 0 {
				for j := range dst {
					dst[j] = div(dst[j]*0, T(R)) // NaN for floats, 0 for ints
				}
				continue
			}
			for j := range dst {
				dst[j] /= T(R)
			}
		}
	}
}

// ArgReduce returns the int64 index of the max (or min) along axis: the first
// occurrence, or the last when lastIndex.
func ArgReduce(x *ir.Tensor, axis int, isMax, keepDims, lastIndex bool) (*ir.Tensor, error) {
	rank := len(x.Shape)
	if axis < 0 || axis >= rank {
		return nil, fmt.Errorf("axis %d out of range for rank %d", axis, rank)
	}
	if x.DType == ir.Float16 || x.DType == ir.BFloat16 {
		x = ToFloat32(x)
	}
	outer, n, inner := int(ir.Numel(x.Shape[:axis])), int(x.Shape[axis]), int(ir.Numel(x.Shape[axis+1:]))
	var shape []int64
	for d, s := range x.Shape {
		if d == axis {
			if keepDims {
				shape = append(shape, 1)
			}
			continue
		}
		shape = append(shape, s)
	}
	out := ir.NewTensor(ir.Int64, shape)
	o := ir.View[int64](out)
	switch x.DType {
	case ir.Float32:
		argT(ir.View[float32](x), o, outer, n, inner, isMax, lastIndex)
	case ir.Float64:
		argT(ir.View[float64](x), o, outer, n, inner, isMax, lastIndex)
	case ir.Int32:
		argT(ir.View[int32](x), o, outer, n, inner, isMax, lastIndex)
	case ir.Int64:
		argT(ir.View[int64](x), o, outer, n, inner, isMax, lastIndex)
	case ir.Int8:
		argT(ir.View[int8](x), o, outer, n, inner, isMax, lastIndex)
	case ir.Uint8, ir.Bool:
		argT(ir.View[uint8](x), o, outer, n, inner, isMax, lastIndex)
	default:
		return nil, fmt.Errorf("arg reduce of %v is not supported", x.DType)
	}
	return out, nil
}

func argT[T number](x []T, out []int64, outer, n, inner int, isMax, last bool) {
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			best, bi := T(0), int64(0)
			for i := 0; i < n; i++ {
				v := x[(o*n+i)*inner+j]
				better := i == 0
				if !better {
					if isMax {
						better = v > best || (last && v == best)
					} else {
						better = v < best || (last && v == best)
					}
				}
				if better {
					best, bi = v, int64(i)
				}
			}
			out[o*inner+j] = bi
		}
	}
}
