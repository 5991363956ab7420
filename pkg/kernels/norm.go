package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// rowStats computes each row's mean and 1/sqrt(var+eps) (two-pass, in
// float64) of x viewed as [rows, n] (float32 or float64 data via f).
func rowStats[T float](x []T, rows, n int, eps float64, mean, inv []float64) {
	for r := 0; r < rows; r++ {
		row := x[r*n : (r+1)*n]
		var s float64
		for _, v := range row {
			s += float64(v)
		}
		m := s / float64(n)
		var q float64
		for _, v := range row {
			d := float64(v) - m
			q += d * d
		}
		mean[r] = m
		inv[r] = 1 / math.Sqrt(q/float64(n)+eps)
	}
}

// LayerNorm normalizes x over dims [axis, rank) and applies scale and bias
// (each broadcastable to those dims; bias may be nil). It also returns the
// mean and 1/sqrt(var+eps) as float32 tensors of shape dims[:axis] followed
// by ones (ONNX LayerNormalization's Mean and InvStdDev).
func LayerNorm(x *ir.Tensor, axis int, scale, bias *ir.Tensor, eps float32) (y, mean, invStd *ir.Tensor, err error) {
	rank := len(x.Shape)
	if axis < 0 || axis >= rank {
		return nil, nil, nil, fmt.Errorf("layer norm axis %d out of range for rank %d", axis, rank)
	}
	norm := x.Shape[axis:]
	rows, n := int(ir.Numel(x.Shape[:axis])), int(ir.Numel(norm))
	statShape := append([]int64{}, x.Shape[:axis]...)
	for range norm {
		statShape = append(statShape, 1)
	}
	orig := x.DType
	if orig == ir.Float16 || orig == ir.BFloat16 {
		x = ToFloat32(x)
	}
	if !x.DType.IsFloat() {
		return nil, nil, nil, fmt.Errorf("layer norm of %v is not supported", orig)
	}
	expand := func(t *ir.Tensor) ([]float64, error) {
		if t == nil {
			return nil, nil
		}
		e, err := ExpandTo(t, norm)
		if err != nil {
			return nil, fmt.Errorf("scale/bias %v does not broadcast to the normalized dims %v", ir.S(t.Shape...), ir.S(norm...))
		}
		if !ir.S(e.Shape...).Equal(ir.S(norm...)) {
			return nil, fmt.Errorf("scale/bias %v is larger than the normalized dims %v", ir.S(t.Shape...), ir.S(norm...))
		}
		return e.Floats(), nil
	}
	sc, err := expand(scale)
	if err != nil {
		return nil, nil, nil, err
	}
	bi, err := expand(bias)
	if err != nil {
		return nil, nil, nil, err
	}
	m, inv := make([]float64, rows), make([]float64, rows)
	y = ir.NewTensor(x.DType, x.Shape)
	switch x.DType {
	case ir.Float32:
		xs, ys := ir.View[float32](x), ir.View[float32](y)
		rowStats(xs, rows, n, float64(eps), m, inv)
		layerNormApply(xs, ys, rows, n, m, inv, sc, bi)
	case ir.Float64:
		xs, ys := ir.View[float64](x), ir.View[float64](y)
		rowStats(xs, rows, n, float64(eps), m, inv)
		layerNormApply(xs, ys, rows, n, m, inv, sc, bi)
	}
	mean, invStd = ir.NewTensor(ir.Float32, statShape), ir.NewTensor(ir.Float32, statShape)
	mv, iv := ir.View[float32](mean), ir.View[float32](invStd)
	for r := range m {
		mv[r], iv[r] = float32(m[r]), float32(inv[r])
	}
	if orig != x.DType {
		y = FromFloat32(y, orig)
	}
	return y, mean, invStd, nil
}

func layerNormApply[T float](x, y []T, rows, n int, m, inv, sc, bi []float64) {
	for r := 0; r < rows; r++ {
		src, dst := x[r*n:(r+1)*n], y[r*n:(r+1)*n]
		mr, ir := m[r], inv[r]
		for j, v := range src {
			z := (float64(v) - mr) * ir
			if sc != nil {
				z *= sc[j]
			}
			if bi != nil {
				z += bi[j]
			}
			dst[j] = T(z)
		}
	}
}

// Normalize is TensorRT's INormalizationLayer: x is normalized to zero mean
// and unit variance over the axes (per index of the other dims), then
// multiplied by scale and offset by bias, which broadcast against x with
// equal rank. Axes in any order; they are moved last for the statistics.
func Normalize(x *ir.Tensor, axes []int, scale, bias *ir.Tensor, eps float32) (*ir.Tensor, error) {
	rank := len(x.Shape)
	red := make([]bool, rank)
	for _, a := range axes {
		if a < 0 || a >= rank {
			return nil, fmt.Errorf("normalization axis %d out of range for rank %d", a, rank)
		}
		red[a] = true
	}
	var perm []int
	for d := 0; d < rank; d++ {
		if !red[d] {
			perm = append(perm, d)
		}
	}
	k := len(perm)
	for d := 0; d < rank; d++ {
		if red[d] {
			perm = append(perm, d)
		}
	}
	orig := x.DType
	if orig == ir.Float16 || orig == ir.BFloat16 {
		x = ToFloat32(x)
	}
	if !x.DType.IsFloat() {
		return nil, fmt.Errorf("normalization of %v is not supported", orig)
	}
	xt, err := Transpose(x, perm)
	if err != nil {
		return nil, err
	}
	rows := int(ir.Numel(xt.Shape[:k]))
	n := int(ir.Numel(xt.Shape[k:]))
	yt := ir.NewTensor(x.DType, xt.Shape)
	m, inv := make([]float64, rows), make([]float64, rows)
	switch x.DType {
	case ir.Float32:
		rowStats(ir.View[float32](xt), rows, n, float64(eps), m, inv)
		layerNormApply(ir.View[float32](xt), ir.View[float32](yt), rows, n, m, inv, nil, nil)
	case ir.Float64:
		rowStats(ir.View[float64](xt), rows, n, float64(eps), m, inv)
		layerNormApply(ir.View[float64](xt), ir.View[float64](yt), rows, n, m, inv, nil, nil)
	}
	back := make([]int, rank)
	for i, p := range perm {
		back[p] = i
	}
	y, err := Transpose(yt, back)
	if err != nil {
		return nil, err
	}
	for _, t := range []struct {
		w  *ir.Tensor
		op BinaryOp
	}{{scale, OpMul}, {bias, OpAdd}} {
		if t.w == nil {
			continue
		}
		w := t.w
		if w.DType != y.DType {
			w = ToFloat32(w)
			if y.DType == ir.Float64 {
				if w, err = Cast(t.w, ir.Float64); err != nil {
					return nil, err
				}
			}
		}
		if y, err = Binary(t.op, y, w); err != nil {
			return nil, err
		}
	}
	if orig != y.DType {
		y = FromFloat32(y, orig)
	}
	return y, nil
}

// BatchNorm is inference batch normalization of x [N, C, ...] with
// per-channel scale, bias, mean and var (each [C]):
// y = (x - mean) / sqrt(var + eps) * scale + bias.
func BatchNorm(x, scale, bias, mean, variance *ir.Tensor, eps float32) (*ir.Tensor, error) {
	if len(x.Shape) < 2 {
		return nil, fmt.Errorf("batch norm needs rank >= 2, got %v", ir.S(x.Shape...))
	}
	C := x.Shape[1]
	for i, t := range []*ir.Tensor{scale, bias, mean, variance} {
		if t == nil || t.Numel() != C {
			return nil, fmt.Errorf("batch norm input %d must have %d elements", i+1, C)
		}
	}
	a, b := make([]float64, C), make([]float64, C)
	for c := 0; c < int(C); c++ {
		a[c] = scale.Float(c) / math.Sqrt(variance.Float(c)+float64(eps))
		b[c] = bias.Float(c) - mean.Float(c)*a[c]
	}
	orig := x.DType
	if orig == ir.Float16 || orig == ir.BFloat16 {
		x = ToFloat32(x)
	}
	inner := int(ir.Numel(x.Shape[2:]))
	planes := int(x.Shape[0] * C)
	y := ir.NewTensor(x.DType, x.Shape)
	switch x.DType {
	case ir.Float32:
		affinePlanes(ir.View[float32](x), ir.View[float32](y), planes, int(C), inner, a, b)
	case ir.Float64:
		affinePlanes(ir.View[float64](x), ir.View[float64](y), planes, int(C), inner, a, b)
	default:
		return nil, fmt.Errorf("batch norm of %v is not supported", orig)
	}
	if orig != y.DType {
		y = FromFloat32(y, orig)
	}
	return y, nil
}

func affinePlanes[T float](x, y []T, planes, C, inner int, a, b []float64) {
	for p := 0; p < planes; p++ {
		ac, bc := T(a[p%C]), T(b[p%C])
		src, dst := x[p*inner:(p+1)*inner], y[p*inner:(p+1)*inner]
		for i, v := range src {
			dst[i] = v*ac + bc
		}
	}
}
