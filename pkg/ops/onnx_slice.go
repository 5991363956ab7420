package ops

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// Slice, Split, Concat and Tile.

func init() {
	Register(Op{Key: "onnx.Slice", Infer: inferSlice, Run: runSlice, NonCompute: true})
	Register(Op{Key: "onnx.Split", Infer: inferSplit, Run: runSplit, NonCompute: true})
	Register(Op{Key: "onnx.Concat", Infer: inferConcat, Run: runConcat, NonCompute: true})
	Register(Op{Key: "onnx.Tile", Infer: inferTile, Run: runTile})
}

// ---- Slice ----

// SliceArgs are a Slice node's per-axis parameters, before clamping.
type SliceArgs struct {
	Starts, Ends, Axes, Steps []int64
}

// sliceArgs reads opset 1 attributes or opset >= 10 inputs. known is false
// when some input is not constant.
func sliceArgs(n *ir.Node, in []*ir.Value) (a SliceArgs, known bool, err error) {
	if n.HasAttr("starts") {
		a.Starts, a.Ends = n.AttrInts("starts", nil), n.AttrInts("ends", nil)
		a.Axes = n.AttrInts("axes", nil)
	} else {
		var ok [4]bool
		for i, dst := range []*[]int64{&a.Starts, &a.Ends, &a.Axes, &a.Steps} {
			ok[i] = true
			if i+1 < len(in) && in[i+1] != nil {
				*dst, ok[i] = constInts(in[i+1])
			} else if i < 2 {
				return a, false, fmt.Errorf("input %d (%s) is missing", i+1, []string{"starts", "ends"}[i])
			}
		}
		if !(ok[0] && ok[1] && ok[2] && ok[3]) {
			return a, false, nil
		}
	}
	return a, true, a.check()
}

func (a *SliceArgs) check() error {
	if len(a.Ends) != len(a.Starts) {
		return fmt.Errorf("starts %v and ends %v differ in length", a.Starts, a.Ends)
	}
	if a.Axes == nil {
		a.Axes = make([]int64, len(a.Starts))
		for i := range a.Axes {
			a.Axes[i] = int64(i)
		}
	}
	if a.Steps == nil {
		a.Steps = make([]int64, len(a.Starts))
		for i := range a.Steps {
			a.Steps[i] = 1
		}
	}
	if len(a.Axes) != len(a.Starts) || len(a.Steps) != len(a.Starts) {
		return fmt.Errorf("starts, ends, axes and steps differ in length: %d, %d, %d, %d", len(a.Starts), len(a.Ends), len(a.Axes), len(a.Steps))
	}
	for _, s := range a.Steps {
		if s == 0 {
			return fmt.Errorf("slice step is 0")
		}
	}
	return nil
}

// SliceDim clamps one axis's start and end against a dim of size dim as
// ONNX does and returns the first index, the step and the element count.
func SliceDim(start, end, step, dim int64) (first, size int64) {
	if start < 0 {
		start += dim
	}
	if end < 0 {
		end += dim
	}
	if step > 0 {
		start = min(max(start, 0), dim)
		end = min(max(end, 0), dim)
		if end <= start {
			return start, 0
		}
		return start, (end - start + step - 1) / step
	}
	start = min(max(start, 0), dim-1)
	end = min(max(end, -1), dim-1)
	if end >= start {
		return max(start, 0), 0
	}
	return start, (start - end + (-step) - 1) / (-step)
}

// SliceAll expands a's per-axis parameters into per-dim start, size and
// step for a static shape.
func SliceAll(a SliceArgs, shape []int64) (start, size, step []int64, err error) {
	rank := len(shape)
	start, size, step = make([]int64, rank), append([]int64{}, shape...), make([]int64, rank)
	for i := range step {
		step[i] = 1
	}
	axes, err := normAxes(a.Axes, rank)
	if err != nil {
		return nil, nil, nil, err
	}
	for i, ax := range axes {
		start[ax], size[ax] = SliceDim(a.Starts[i], a.Ends[i], a.Steps[i], shape[ax])
		step[ax] = a.Steps[i]
		if size[ax] == 0 {
			start[ax] = 0
		}
	}
	return start, size, step, nil
}

// bigEnd reports an end that means "to the end" for any realistic dim.
func bigEnd(e int64) bool { return e >= math.MaxInt32 }

func inferSlice(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	a, known, err := sliceArgs(n, in)
	if err != nil {
		return nil, err
	}
	s := in[0].Shape
	if !known {
		// Axes absent or constant: only those dims become unknown.
		out := s.Clone()
		var axes []int64
		if !n.HasAttr("starts") && len(in) > 3 && in[3] != nil {
			axes, _ = constInts(in[3])
		}
		if axes == nil && (len(in) <= 3 || in[3] == nil) && len(in) > 1 && in[1] != nil && len(in[1].Shape) == 1 && in[1].Shape[0].Static() {
			for i := int64(0); i < in[1].Shape[0].Size; i++ {
				axes = append(axes, i)
			}
		}
		if axes == nil {
			return out1(in[0].DType, unknownDims(len(s))), nil
		}
		ax, err := normAxes(axes, len(s))
		if err != nil {
			return nil, err
		}
		for _, x := range ax {
			out[x] = ir.Sym("")
		}
		return out1(in[0].DType, out), nil
	}
	axes, err := normAxes(a.Axes, len(s))
	if err != nil {
		return nil, err
	}
	out := s.Clone()
	for i, ax := range axes {
		d := s[ax]
		if d.Static() {
			_, size := SliceDim(a.Starts[i], a.Ends[i], a.Steps[i], d.Size)
			out[ax] = ir.D(size)
			continue
		}
		if a.Steps[i] == 1 && a.Starts[i] == 0 && bigEnd(a.Ends[i]) {
			continue // the whole dynamic dim
		}
		out[ax] = ir.Sym("")
	}
	o := &ir.Value{DType: in[0].DType, Shape: out}
	// Slicing a 1-D shape tensor slices its ShapeData.
	if sd, ok := ShapeDataOf(in[0]); ok && len(s) == 1 && in[0].Const == nil {
		first, size := SliceDim(a.Starts[0], a.Ends[0], a.Steps[0], int64(len(sd)))
		data := ir.Shape{}
		for k := int64(0); k < size; k++ {
			data = append(data, sd[first+k*a.Steps[0]])
		}
		o = shapeValue(in[0].DType, ir.S(size), data)
	}
	return []*ir.Value{o}, nil
}

func runSlice(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	var a SliceArgs
	if n.HasAttr("starts") {
		a = SliceArgs{Starts: n.AttrInts("starts", nil), Ends: n.AttrInts("ends", nil), Axes: n.AttrInts("axes", nil)}
	} else {
		if len(in) < 3 || in[1] == nil || in[2] == nil {
			return nil, fmt.Errorf("starts and ends are required")
		}
		a.Starts, a.Ends = in[1].Ints(), in[2].Ints()
		if len(in) > 3 && in[3] != nil {
			a.Axes = in[3].Ints()
		}
		if len(in) > 4 && in[4] != nil {
			a.Steps = in[4].Ints()
		}
	}
	if err := a.check(); err != nil {
		return nil, err
	}
	start, size, step, err := SliceAll(a, in[0].Shape)
	if err != nil {
		return nil, err
	}
	return t1(kernels.StridedSlice(in[0], start, size, step))
}

// ---- Split ----

// SplitSizes returns the piece sizes along a dim of size dim: the given
// split, or num_outputs pieces of ceil(dim/num) (the last smaller, opset
// 18), or k equal pieces.
// checkSplit refuses negative split sizes and ones no dim can have.
func checkSplit(split []int64) error {
	for _, v := range split {
		if v < 0 || v > 1<<48 {
			return fmt.Errorf("split %v has size %d; sizes must be between 0 and the dim", split, v)
		}
	}
	return nil
}

func SplitSizes(split []int64, haveSplit bool, numOutputs int64, k int, dim int64) ([]int64, error) {
	if haveSplit {
		if len(split) != k {
			return nil, fmt.Errorf("split %v has %d entries for %d outputs", split, len(split), k)
		}
		if err := checkSplit(split); err != nil {
			return nil, err
		}
		sum := int64(0)
		for _, v := range split {
			sum += v // no overflow: checkSplit bounds each entry
		}
		if dim >= 0 && sum != dim {
			return nil, fmt.Errorf("split %v sums to %d, but the dim is %d", split, sum, dim)
		}
		return split, nil
	}
	if numOutputs > 0 {
		if int(numOutputs) != k {
			return nil, fmt.Errorf("num_outputs is %d but the node has %d outputs", numOutputs, k)
		}
		chunk := (dim + numOutputs - 1) / numOutputs
		out := make([]int64, k)
		left := dim
		for i := range out {
			out[i] = min(chunk, left)
			left -= out[i]
		}
		return out, nil
	}
	if k == 0 || dim%int64(k) != 0 {
		return nil, fmt.Errorf("dim of %d does not split into %d equal parts", dim, k)
	}
	out := make([]int64, k)
	for i := range out {
		out[i] = dim / int64(k)
	}
	return out, nil
}

func inferSplit(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	s := in[0].Shape
	axis, err := ir.NormAxis(n.AttrInt("axis", 0), len(s))
	if err != nil {
		return nil, err
	}
	k := len(n.Outputs)
	split, have, known := intsArg(n, in, "split", 1)
	outs := make([]*ir.Value, k)
	var sizes []int64
	if known && s[axis].Static() {
		if sizes, err = SplitSizes(split, have, n.AttrInt("num_outputs", 0), k, s[axis].Size); err != nil {
			return nil, err
		}
	} else if known && have {
		if err := checkSplit(split); err != nil {
			return nil, err
		}
		sizes = split
	}
	for i := range outs {
		os := s.Clone()
		if sizes != nil && i < len(sizes) {
			os[axis] = ir.D(sizes[i])
		} else {
			os[axis] = ir.Sym("")
		}
		outs[i] = &ir.Value{DType: in[0].DType, Shape: os}
	}
	return outs, nil
}

func runSplit(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	axis, err := ir.NormAxis(n.AttrInt("axis", 0), len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	split, have := runInts(n, in, "split", 1)
	sizes, err := SplitSizes(split, have, n.AttrInt("num_outputs", 0), len(n.Outputs), in[0].Shape[axis])
	if err != nil {
		return nil, err
	}
	return kernels.SplitAxis(in[0], axis, sizes)
}

// ---- Concat ----

func inferConcat(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	dt, err := sameDType(in)
	if err != nil {
		return nil, err
	}
	rank := len(in[0].Shape)
	axis, err := ir.NormAxis(n.AttrInt("axis", 0), rank)
	if err != nil {
		return nil, err
	}
	if rank == 0 {
		return nil, fmt.Errorf("cannot concatenate scalars")
	}
	out := in[0].Shape.Clone()
	var parts ir.Shape
	for i, v := range in {
		if v == nil {
			return nil, fmt.Errorf("input %d is missing", i)
		}
		if len(v.Shape) != rank {
			return nil, fmt.Errorf("input %d has rank %d, input 0 has rank %d", i, len(v.Shape), rank)
		}
		for d := range v.Shape {
			if d == axis {
				continue
			}
			a, b := out[d], v.Shape[d]
			if a.Static() && b.Static() && a.Size != b.Size {
				return nil, fmt.Errorf("input %d has shape %v, input 0 has %v (only dim %d may differ)", i, v.Shape, in[0].Shape, axis)
			}
			if !a.Static() && b.Static() {
				out[d] = b
			}
		}
		parts = append(parts, v.Shape[axis])
	}
	out[axis] = symSum(parts)
	// Concatenating shape tensors concatenates their ShapeData.
	if rank == 1 {
		var data ir.Shape
		anyDyn := false
		for _, v := range in {
			sd, ok := ShapeDataOf(v)
			if !ok {
				data = nil
				break
			}
			anyDyn = anyDyn || v.Const == nil
			data = append(data, sd...)
		}
		if data != nil && anyDyn {
			return []*ir.Value{shapeValue(dt, out, data)}, nil
		}
	}
	return out1(dt, out), nil
}

// symSum adds dims: static when all are, a lone dynamic dim plus zeros is
// itself, otherwise unknown.
func symSum(dims ir.Shape) ir.Dim {
	s := int64(0)
	var dyn []ir.Dim
	for _, d := range dims {
		if d.Static() {
			s += d.Size
		} else {
			dyn = append(dyn, d)
		}
	}
	switch {
	case len(dyn) == 0:
		return ir.D(s)
	case len(dyn) == 1 && s == 0:
		return dyn[0]
	}
	return ir.Sym("")
}

func runConcat(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	axis, err := ir.NormAxis(n.AttrInt("axis", 0), len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	return t1(kernels.Concat(in, axis))
}

// ---- Tile ----

func inferTile(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 2); err != nil {
		return nil, err
	}
	s := in[0].Shape
	reps, ok := ShapeDataOf(in[1])
	if !ok {
		return out1(in[0].DType, unknownDims(len(s))), nil
	}
	if len(reps) != len(s) {
		return nil, fmt.Errorf("repeats has %d entries for rank %d", len(reps), len(s))
	}
	out := make(ir.Shape, len(s))
	for i, d := range s {
		switch r := reps[i]; {
		case r.Static() && r.Size < 0:
			return nil, fmt.Errorf("repeats[%d] is negative", i)
		case r.Static() && r.Size == 1:
			out[i] = d
		case r.Static() && d.Static():
			out[i] = ir.D(d.Size * r.Size)
		default:
			out[i] = symProduct(ir.Shape{d, r})
		}
	}
	return out1(in[0].DType, out), nil
}

func runTile(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	return t1(kernels.Tile(in[0], in[1].Ints()))
}
