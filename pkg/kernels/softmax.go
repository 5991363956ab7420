package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// SoftmaxMode selects Softmax, LogSoftmax or Hardmax.
type SoftmaxMode int

const (
	SoftmaxPlain SoftmaxMode = iota
	SoftmaxLog
	SoftmaxHard
)

// Softmax normalizes x along axis (the max-shifted form). With flatten, x is
// viewed as 2-D [prod(dims[:axis]), prod(dims[axis:])] and normalized along
// its second dim, as ONNX Softmax before opset 13 does. Hardmax sets the
// first maximum to 1 and the rest to 0. Floats only; float16 and bfloat16
// are computed in float32.
func Softmax(x *ir.Tensor, axis int, mode SoftmaxMode, flatten bool) (*ir.Tensor, error) {
	rank := len(x.Shape)
	if rank == 0 {
		x = x.Reshaped([]int64{1})
		r, err := Softmax(x, 0, mode, flatten)
		if err != nil {
			return nil, err
		}
		return r.Reshaped(nil), nil
	}
	if axis < 0 || axis >= rank {
		return nil, fmt.Errorf("softmax axis %d out of range for rank %d", axis, rank)
	}
	outer := int(ir.Numel(x.Shape[:axis]))
	n, inner := int(x.Shape[axis]), int(ir.Numel(x.Shape[axis+1:]))
	if flatten {
		n, inner = int(ir.Numel(x.Shape[axis:])), 1
	}
	switch x.DType {
	case ir.Float16, ir.BFloat16:
		r, err := Softmax(ToFloat32(x), axis, mode, flatten)
		if err != nil {
			return nil, err
		}
		return FromFloat32(r, x.DType), nil
	case ir.Float32:
		out := ir.NewTensor(x.DType, x.Shape)
		softmaxT(ir.View[float32](x), ir.View[float32](out), outer, n, inner, mode)
		return out, nil
	case ir.Float64:
		out := ir.NewTensor(x.DType, x.Shape)
		softmaxT(ir.View[float64](x), ir.View[float64](out), outer, n, inner, mode)
		return out, nil
	}
	return nil, fmt.Errorf("softmax of %v is not supported", x.DType)
}

// softmaxT works on [outer, n, inner]; vectors of length inner carry the
// running max and sum, so every pass reads x with unit stride.
func softmaxT[T float](x, out []T, outer, n, inner int, mode SoftmaxMode) {
	// Rows along the last axis (inner 1, the common case) keep their
	// running max and sum on the stack.
	var mxA, sumA [16]T
	mx, sum := mxA[:0], sumA[:0]
	if inner <= len(mxA) {
		mx, sum = mxA[:inner], sumA[:inner]
	} else {
		mx, sum = make([]T, inner), make([]T, inner)
	}
	var first []int
	if mode == SoftmaxHard {
		first = make([]int, inner)
	}
	for o := 0; o < outer; o++ {
		base := o * n * inner
		for j := range mx {
			mx[j] = T(math.Inf(-1))
			sum[j] = 0
		}
		for i := 0; i < n; i++ {
			row := x[base+i*inner : base+(i+1)*inner]
			for j, v := range row {
				if v > mx[j] || (v != v && mx[j] == mx[j]) {
					mx[j] = v
					if mode == SoftmaxHard {
						first[j] = i
					}
				}
			}
		}
		if mode == SoftmaxHard {
			for i := 0; i < n; i++ {
				row := out[base+i*inner : base+(i+1)*inner]
				for j := range row {
					if first[j] == i {
						row[j] = 1
					} else {
						row[j] = 0
					}
				}
			}
			continue
		}
		for i := 0; i < n; i++ {
			src := x[base+i*inner : base+(i+1)*inner]
			dst := out[base+i*inner : base+(i+1)*inner]
			for j, v := range src {
				e := T(math.Exp(float64(v - mx[j])))
				sum[j] += e
				if mode == SoftmaxPlain {
					dst[j] = e
				}
			}
		}
		if mode == SoftmaxLog {
			for j := range sum {
				sum[j] = T(math.Log(float64(sum[j])))
			}
			for i := 0; i < n; i++ {
				src := x[base+i*inner : base+(i+1)*inner]
				dst := out[base+i*inner : base+(i+1)*inner]
				for j, v := range src {
					dst[j] = v - mx[j] - sum[j]
				}
			}
			continue
		}
		for j := range sum {
			sum[j] = 1 / sum[j]
		}
		for i := 0; i < n; i++ {
			dst := out[base+i*inner : base+(i+1)*inner]
			for j := range dst {
				dst[j] *= sum[j]
			}
		}
	}
}
