package reference

import (
	"fmt"
	"github.com/trtc-dev/trtc/internal/sizes"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Slice is ISliceLayer: output element i of dim d reads input index
// start[d] + i*stride[d]; out-of-range indices follow the SampleMode
// (STRICT_BOUNDS: error; WRAP: modulo; CLAMP: nearest edge; FILL: the fill
// value, 0 by default; REFLECT: mirrored without repeating the edge). Start,
// size and stride are static or 1-D Int32/Int64 tensors (inputs 1..3); with
// an axes tensor (input 5, a build-time constant) they name only those dims.
// Inputs: x, start, size, stride, fill, axes.

func init() {
	registerKind(network.KindSlice, kindImpl{infer: inferSlice, run: runSlice})
}

// sliceAxes returns the dims the parameters refer to.
func sliceAxes(axes *ir.Tensor, rank int) ([]int, error) {
	if axes == nil {
		out := make([]int, rank)
		for i := range out {
			out[i] = i
		}
		return out, nil
	}
	if len(axes.Shape) != 1 {
		return nil, fmt.Errorf("axes must be 1-D, got %v", axes)
	}
	seen := map[int]bool{}
	var out []int
	for _, a := range axes.Ints() {
		ax, err := ir.NormAxis(a, rank)
		if err != nil || seen[ax] {
			return nil, fmt.Errorf("axes %v are not distinct axes of rank %d", axes.Ints(), rank)
		}
		seen[ax] = true
		out = append(out, ax)
	}
	return out, nil
}

func checkParamTensor(v *ir.Value, n int, what string) error {
	if v == nil {
		return nil
	}
	if v.DType != ir.Int32 && v.DType != ir.Int64 || len(v.Shape) != 1 {
		return fmt.Errorf("%s must be a 1-D Int32/Int64 tensor, got %v%v", what, v.DType, v.Shape)
	}
	if v.Shape[0].Static() && v.Shape[0].Size != int64(n) {
		return fmt.Errorf("%s has %d entries, slice has %d axes", what, v.Shape[0].Size, n)
	}
	return nil
}

func inferSlice(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 1); err != nil {
		return nil, err
	}
	p := l.Params.(network.SliceParams)
	x := in[0]
	rank := len(x.Shape)
	get := func(i int) *ir.Value {
		if i < len(in) {
			return in[i]
		}
		return nil
	}
	var axesT *ir.Tensor
	if a := get(5); a != nil {
		if a.Const == nil {
			return nil, fmt.Errorf("axes must be a build-time constant")
		}
		axesT = a.Const
	}
	axes, err := sliceAxes(axesT, rank)
	if err != nil {
		return nil, err
	}
	n := len(axes)
	for i, what := range []string{"start", "size", "stride"} {
		if err := checkParamTensor(get(i+1), n, what); err != nil {
			return nil, err
		}
	}
	if get(1) == nil && p.Start != nil && len(p.Start) != n || get(2) == nil && len(p.Size) != n || get(3) == nil && p.Stride != nil && len(p.Stride) != n {
		return nil, fmt.Errorf("start %v, size %v and stride %v need %d entries", p.Start, p.Size, p.Stride, n)
	}
	if p.Mode < network.SampleSTRICT_BOUNDS || p.Mode > network.SampleREFLECT {
		return nil, fmt.Errorf("unknown SampleMode %d", p.Mode)
	}
	if f := get(4); f != nil {
		if p.Mode != network.SampleFILL {
			return nil, fmt.Errorf("a fill value needs SampleMode FILL")
		}
		if f.DType != x.DType || len(f.Shape) != 0 {
			return nil, fmt.Errorf("fill value must be a 0-D %v tensor, got %v%v", x.DType, f.DType, f.Shape)
		}
	}
	out := x.Shape.Clone()
	var sizes ir.Shape
	if s := get(2); s != nil {
		if s.ShapeData != nil {
			sizes = s.ShapeData
		} else {
			sizes = make(ir.Shape, n)
			for i := range sizes {
				sizes[i] = ir.Sym("")
			}
		}
	} else {
		sizes = ir.S(p.Size...)
	}
	for i, ax := range axes {
		if sizes[i].Static() && sizes[i].Size < 0 {
			return nil, fmt.Errorf("size %v is negative", sizes)
		}
		out[ax] = sizes[i]
	}
	o := &ir.Value{DType: x.DType, Shape: out}
	// Slicing the ShapeData of a 1-D shape tensor with static parameters.
	if rank == 1 && x.ShapeData != nil && get(1) == nil && get(2) == nil && get(3) == nil && p.Mode == network.SampleSTRICT_BOUNDS {
		start, stride := int64(0), int64(1)
		if p.Start != nil {
			start = p.Start[0]
		}
		if p.Stride != nil {
			stride = p.Stride[0]
		}
		var data ir.Shape
		for i := int64(0); i < p.Size[0]; i++ {
			j := start + i*stride
			if j < 0 || j >= int64(len(x.ShapeData)) {
				data = nil
				break
			}
			data = append(data, x.ShapeData[j])
		}
		if data != nil || p.Size[0] == 0 {
			o.ShapeData = append(ir.Shape{}, data...)
		}
	}
	return []*ir.Value{o}, nil
}

func runSlice(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(network.SliceParams)
	x := in[0]
	rank := len(x.Shape)
	get := func(i int) *ir.Tensor {
		if i < len(in) {
			return in[i]
		}
		return nil
	}
	axes, err := sliceAxes(get(5), rank)
	if err != nil {
		return nil, err
	}
	n := len(axes)
	param := func(i int, static []int64, def int64) ([]int64, error) {
		if t := get(i); t != nil {
			v := t.Ints()
			if len(v) != n {
				return nil, fmt.Errorf("parameter %d has %d entries, slice has %d axes", i, len(v), n)
			}
			return v, nil
		}
		if static == nil {
			v := make([]int64, n)
			for k := range v {
				v[k] = def
			}
			return v, nil
		}
		return static, nil
	}
	st, err := param(1, p.Start, 0)
	if err != nil {
		return nil, err
	}
	sz, err := param(2, p.Size, 0)
	if err != nil {
		return nil, err
	}
	sd, err := param(3, p.Stride, 1)
	if err != nil {
		return nil, err
	}
	start, size, stride := make([]int64, rank), append([]int64{}, x.Shape...), make([]int64, rank)
	for i := range stride {
		stride[i] = 1
	}
	for i, ax := range axes {
		if sz[i] < 0 {
			return nil, fmt.Errorf("size %v is negative", sz)
		}
		start[ax], size[ax], stride[ax] = st[i], sz[i], sd[i]
	}
	if p.Mode == network.SampleSTRICT_BOUNDS {
		out, err := kernels.StridedSlice(x, start, size, stride)
		if err != nil {
			return nil, err
		}
		return []*ir.Tensor{out}, nil
	}
	// The index maps are as long as the output's dims: check the output
	// against the memory budget before making them.
	if _, err := sizes.Alloc("slice output", size, x.DType.Size(), x.DType.String()); err != nil {
		return nil, err
	}
	// An empty output needs no maps (a map as long as a huge dim beside a
	// zero one would be allocated for nothing).
	if ir.Numel(size) == 0 {
		return []*ir.Tensor{ir.NewTensor(x.DType, size)}, nil
	}
	maps := make([][]int64, rank)
	for d := range maps {
		m := make([]int64, size[d])
		dim := x.Shape[d]
		for i := range m {
			m[i] = sampleIndex(start[d]+int64(i)*stride[d], dim, p.Mode)
		}
		maps[d] = m
	}
	out, err := kernels.MappedSlice(x, maps, get(4))
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{out}, nil
}

// sampleModes maps TensorRT's out-of-bounds sample modes onto the pad
// kernel's, which index the same way (REFLECT and WRAP repeat periodically).
var sampleModes = map[network.SampleMode]kernels.PadMode{
	network.SampleFILL: kernels.PadConstant, network.SampleCLAMP: kernels.PadEdge,
	network.SampleWRAP: kernels.PadWrap, network.SampleREFLECT: kernels.PadReflect,
}

// sampleIndex maps a coordinate into [0, dim) by mode, or kernels.Skip.
func sampleIndex(j, dim int64, mode network.SampleMode) int64 {
	return kernels.PadIndex(j, dim, sampleModes[mode])
}
