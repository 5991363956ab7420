package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Cast converts t to dt. Float to integer truncates toward zero; to Bool is
// x != 0; NaN to integer is 0.
func Cast(t *ir.Tensor, dt ir.DType) (*ir.Tensor, error) {
	if !dt.Supported() {
		return nil, fmt.Errorf("cast to %v is not supported", dt)
	}
	if t.DType == dt {
		return t, nil
	}
	if dt == ir.Float32 {
		return ToFloat32(t), nil
	}
	if t.DType == ir.Float32 && (dt == ir.Float16 || dt == ir.BFloat16) {
		return FromFloat32(t, dt), nil
	}
	out := ir.NewTensor(dt, t.Shape)
	n := int(t.Numel())
	if t.DType == ir.Int64 && dt == ir.Int32 {
		src, dst := ir.View[int64](t), ir.View[int32](out)
		for i := range dst {
			dst[i] = int32(src[i])
		}
		return out, nil
	}
	if t.DType == ir.Int32 && dt == ir.Int64 {
		src, dst := ir.View[int32](t), ir.View[int64](out)
		for i := range dst {
			dst[i] = int64(src[i])
		}
		return out, nil
	}
	for i := 0; i < n; i++ {
		v := t.Float(i)
		if dt.IsInt() && math.IsNaN(v) {
			v = 0
		}
		if (t.DType == ir.Int64 || t.DType == ir.Uint64) && dt.IsInt() {
			out.SetFloat(i, 0)
			setInt(out, i, t.Int(i))
			continue
		}
		out.SetFloat(i, v)
	}
	return out, nil
}

// setInt writes an integer exactly (no float64 rounding of large int64).
func setInt(t *ir.Tensor, i int, v int64) {
	switch t.DType {
	case ir.Int64:
		ir.View[int64](t)[i] = v
	case ir.Uint64:
		ir.View[uint64](t)[i] = uint64(v)
	default:
		t.SetFloat(i, float64(v))
	}
}
