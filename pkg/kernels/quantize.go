package kernels

import (
	"fmt"
	"math"
	"slices"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// QuantParams describes how a scale (and zero point) tensor maps onto the
// elements of the quantized tensor, as QuantizeLinear and DequantizeLinear
// define it: per tensor (a scalar or one-element scale), per axis (a 1-D
// scale as long as the axis), or blocked (a scale of the data's rank whose
// axis dim is ceil(dim/BlockSize) and whose other dims equal the data's).
type QuantParams struct {
	Axis      int // normalized, in [0, rank)
	BlockSize int // 0 unless blocked
}

// ScaleIndex returns, for a data shape and a scale shape, a function from
// flat data index to flat scale index, or an error naming the mismatch.
func (p QuantParams) ScaleIndex(data, scale []int64) (func(i int) int, error) {
	if ir.Numel(scale) == 1 && (len(scale) == 0 || p.BlockSize == 0) {
		return func(int) int { return 0 }, nil
	}
	if p.Axis < 0 || p.Axis >= len(data) {
		return nil, fmt.Errorf("axis %d is out of range for rank %d", p.Axis, len(data))
	}
	outer := int(ir.Numel(data[:p.Axis]))
	dim := int(data[p.Axis])
	inner := int(ir.Numel(data[p.Axis+1:]))
	_ = outer
	if p.BlockSize <= 0 {
		if len(scale) != 1 || scale[0] != int64(dim) {
			return nil, fmt.Errorf("per-axis scale has shape %v, want [%d] (dim %d of %v)", scale, dim, p.Axis, data)
		}
		return func(i int) int { return i / inner % dim }, nil
	}
	if len(scale) != len(data) {
		return nil, fmt.Errorf("blocked scale has rank %d, data has rank %d", len(scale), len(data))
	}
	nb := (dim + p.BlockSize - 1) / p.BlockSize
	for d := range data {
		want := data[d]
		if d == p.Axis {
			want = int64(nb)
		}
		if scale[d] != want {
			return nil, fmt.Errorf("blocked scale has shape %v, want dim %d to be %d (block size %d over %v)", scale, d, want, p.BlockSize, data)
		}
	}
	bs := p.BlockSize
	return func(i int) int {
		in := i % inner
		a := i / inner % dim
		o := i / inner / dim
		return (o*nb+a/bs)*inner + in
	}, nil
}

// QuantizeLinear computes y = saturate(round(x / scale) + zero point) into
// dt, rounding half to even. x and scale are float types (x / scale is
// computed in float32, as ONNX's reference and ONNX Runtime do); zp is nil
// or of dt. For the float8 and float4 targets y = cast(x / scale) with the
// saturate rule of Cast (the zero point must be 0); for integer targets
// the result is clamped to dt's range.
func QuantizeLinear(x, scale, zp *ir.Tensor, p QuantParams, dt ir.DType, saturate bool) (*ir.Tensor, error) {
	idx, err := p.ScaleIndex(x.Shape, scale.Shape)
	if err != nil {
		return nil, err
	}
	if zp != nil && !slices.Equal(zp.Shape, scale.Shape) && ir.Numel(zp.Shape) != ir.Numel(scale.Shape) {
		return nil, fmt.Errorf("zero point has shape %v, scale has %v", zp.Shape, scale.Shape)
	}
	lo, hi, isInt := quantRange(dt)
	out := ir.NewTensor(dt, x.Shape)
	xf := ir.View[float32](ToFloat32(x))
	sf := ir.View[float32](ToFloat32(scale))
	for i, v := range xf {
		s := idx(i)
		q := v / sf[s]
		if !isInt {
			if zp != nil && zp.Float(s) != 0 {
				q += float32(zp.Float(s))
			}
			out.Data[i] = ir.Float64ToLowBit(dt, float64(q), saturate, ir.RoundNearest)
			continue
		}
		r := math.RoundToEven(float64(q))
		if zp != nil {
			r += float64(zp.Int(s))
		}
		r = math.Max(lo, math.Min(hi, r))
		if math.IsNaN(r) {
			r = 0
		}
		setQuantInt(out, i, int64(r))
	}
	return out, nil
}

// DequantizeLinear computes y = (x - zero point) * scale in float32 and
// returns it in dt (the scale's float type unless output_dtype says
// otherwise). x is an integer or low-bit type.
func DequantizeLinear(x, scale, zp *ir.Tensor, p QuantParams, dt ir.DType) (*ir.Tensor, error) {
	idx, err := p.ScaleIndex(x.Shape, scale.Shape)
	if err != nil {
		return nil, err
	}
	if zp != nil && ir.Numel(zp.Shape) != ir.Numel(scale.Shape) {
		return nil, fmt.Errorf("zero point has shape %v, scale has %v", zp.Shape, scale.Shape)
	}
	out := ir.NewTensor(ir.Float32, x.Shape)
	o := ir.View[float32](out)
	sf := ir.View[float32](ToFloat32(scale))
	intX := x.DType.IsInt() || x.DType == ir.Int4 || x.DType == ir.Uint4 || x.DType == ir.Int2 || x.DType == ir.Uint2
	for i := range o {
		s := idx(i)
		if intX {
			v := x.Int(i)
			if zp != nil {
				v -= zp.Int(s)
			}
			o[i] = float32(v) * sf[s]
			continue
		}
		v := float32(x.Float(i))
		if zp != nil {
			v -= float32(zp.Float(s))
		}
		o[i] = v * sf[s]
	}
	return Cast(out, dt)
}

// quantRange is the integer range of a quantized dtype; isInt is false for
// the float8 and float4 types.
func quantRange(dt ir.DType) (lo, hi float64, isInt bool) {
	if dt == ir.Uint32 || dt == ir.Int64 || dt == ir.Uint64 {
		return 0, 0, false // not a quantized type
	}
	return ir.IntLimits(dt)
}

// setQuantInt stores an in-range integer into element i of an integer tensor.
func setQuantInt(t *ir.Tensor, i int, v int64) {
	switch t.DType {
	case ir.Int8, ir.Int4, ir.Int2:
		ir.View[int8](t)[i] = int8(v)
	case ir.Uint8, ir.Uint4, ir.Uint2:
		ir.View[uint8](t)[i] = uint8(v)
	case ir.Int16:
		ir.View[int16](t)[i] = int16(v)
	case ir.Uint16:
		ir.View[uint16](t)[i] = uint16(v)
	case ir.Int32:
		ir.View[int32](t)[i] = int32(v)
	default:
		t.SetFloat(i, float64(v))
	}
}

// DynamicQuantizeLinear quantizes x (float32) to uint8 with a scale and zero
// point computed from its range, which is widened to include 0:
// scale = (max - min) / 255, zero point = saturate(round(-min / scale)).
func DynamicQuantizeLinear(x *ir.Tensor) (y, scale, zp *ir.Tensor) {
	xf := ir.View[float32](ToFloat32(x))
	mn, mx := float32(0), float32(0)
	for _, v := range xf {
		mn = min(mn, v)
		mx = max(mx, v)
	}
	s := (mx - mn) / 255
	z := float64(0)
	if s != 0 {
		z = math.Max(0, math.Min(255, math.RoundToEven(float64(-mn/s))))
	}
	y = ir.NewTensor(ir.Uint8, x.Shape)
	yv := ir.View[uint8](y)
	for i, v := range xf {
		q := z
		if s != 0 {
			q = math.RoundToEven(float64(v/s)) + z
		}
		yv[i] = uint8(math.Max(0, math.Min(255, q)))
	}
	return y, ir.FromSlice(ir.Float32, nil, []float32{s}), ir.FromSlice(ir.Uint8, nil, []uint8{uint8(z)})
}
