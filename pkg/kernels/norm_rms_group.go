package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// RMSNorm is ONNX RMSNormalization: x is divided by the root mean square of
// its dims [axis, rank) (plus eps inside the root) and multiplied by scale,
// which broadcasts to those dims. Statistics are kept in float64; float16
// and bfloat16 are computed in float32.
func RMSNorm(x *ir.Tensor, axis int, scale *ir.Tensor, eps float32) (*ir.Tensor, error) {
	rank := len(x.Shape)
	if axis < 0 || axis >= rank {
		return nil, fmt.Errorf("RMS norm axis %d out of range for rank %d", axis, rank)
	}
	norm := x.Shape[axis:]
	rows, n := int(ir.Numel(x.Shape[:axis])), int(ir.Numel(norm))
	orig := x.DType
	if orig == ir.Float16 || orig == ir.BFloat16 {
		x = ToFloat32(x)
	}
	if !x.DType.IsFloat() {
		return nil, fmt.Errorf("RMS norm of %v is not supported", orig)
	}
	var sc []float64
	if scale != nil {
		e, err := ExpandTo(scale, norm)
		if err != nil || !ir.S(e.Shape...).Equal(ir.S(norm...)) {
			return nil, fmt.Errorf("scale %v does not broadcast to the normalized dims %v", ir.S(scale.Shape...), ir.S(norm...))
		}
		sc = e.Floats()
	}
	y := ir.NewTensor(x.DType, x.Shape)
	switch x.DType {
	case ir.Float32:
		rmsNormRows(ir.View[float32](x), ir.View[float32](y), rows, n, float64(eps), sc)
	case ir.Float64:
		rmsNormRows(ir.View[float64](x), ir.View[float64](y), rows, n, float64(eps), sc)
	}
	if orig != y.DType {
		y = FromFloat32(y, orig)
	}
	return y, nil
}

func rmsNormRows[T float](x, y []T, rows, n int, eps float64, sc []float64) {
	for r := 0; r < rows; r++ {
		src, dst := x[r*n:(r+1)*n], y[r*n:(r+1)*n]
		var q float64
		for _, v := range src {
			q += float64(v) * float64(v)
		}
		inv := 1 / math.Sqrt(q/float64(n)+eps)
		for j, v := range src {
			z := float64(v) * inv
			if sc != nil {
				z *= sc[j]
			}
			dst[j] = T(z)
		}
	}
}

// GroupNorm is ONNX GroupNormalization: x [N, C, ...] is split into groups
// of C/groups channels, each (image, group) normalized to zero mean and unit
// variance over its channels and spatial dims, then scaled and shifted per
// channel (scale and bias have C elements) or, as in opset 18, per group
// (groups elements).
func GroupNorm(x *ir.Tensor, groups int64, scale, bias *ir.Tensor, eps float32) (*ir.Tensor, error) {
	if len(x.Shape) < 2 {
		return nil, fmt.Errorf("group norm needs rank >= 2, got %v", ir.S(x.Shape...))
	}
	N, C := x.Shape[0], x.Shape[1]
	if groups < 1 || C%groups != 0 {
		return nil, fmt.Errorf("group norm: %d channels do not split into %d groups", C, groups)
	}
	if scale == nil || bias == nil || scale.Numel() != bias.Numel() || (scale.Numel() != C && scale.Numel() != groups) {
		return nil, fmt.Errorf("group norm: scale and bias must both have %d (per channel) or %d (per group) elements", C, groups)
	}
	perGroup := scale.Numel() != C
	orig := x.DType
	if orig == ir.Float16 || orig == ir.BFloat16 {
		x = ToFloat32(x)
	}
	if !x.DType.IsFloat() {
		return nil, fmt.Errorf("group norm of %v is not supported", orig)
	}
	cg, inner := int(C/groups), int(ir.Numel(x.Shape[2:]))
	rows, n := int(N*groups), cg*inner
	m, inv := make([]float64, rows), make([]float64, rows)
	// Per (image, channel) affine: y = x*a + b.
	a, b := make([]float64, N*C), make([]float64, N*C)
	fill := func() {
		for r := 0; r < rows; r++ {
			g := r % int(groups)
			for j := 0; j < cg; j++ {
				c := g*cg + j
				pi := c
				if perGroup {
					pi = g
				}
				s := scale.Float(pi) * inv[r]
				a[r*cg+j] = s
				b[r*cg+j] = bias.Float(pi) - m[r]*s
			}
		}
	}
	y := ir.NewTensor(x.DType, x.Shape)
	switch x.DType {
	case ir.Float32:
		rowStats(ir.View[float32](x), rows, n, float64(eps), m, inv)
		fill()
		affinePlanesPer(ir.View[float32](x), ir.View[float32](y), int(N*C), inner, a, b)
	case ir.Float64:
		rowStats(ir.View[float64](x), rows, n, float64(eps), m, inv)
		fill()
		affinePlanesPer(ir.View[float64](x), ir.View[float64](y), int(N*C), inner, a, b)
	}
	if orig != y.DType {
		y = FromFloat32(y, orig)
	}
	return y, nil
}

// affinePlanesPer applies y = x*a[p] + b[p] to each of planes planes.
func affinePlanesPer[T float](x, y []T, planes, inner int, a, b []float64) {
	for p := 0; p < planes; p++ {
		ap, bp := a[p], b[p]
		src, dst := x[p*inner:(p+1)*inner], y[p*inner:(p+1)*inner]
		for i, v := range src {
			dst[i] = T(float64(v)*ap + bp)
		}
	}
}
