package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// Shape ops: Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Expand, Shape,
// Size, Identity. Their Infer functions track ShapeData, the elements of
// small integer tensors computed from shapes, so that a dynamic batch dim
// flows through the Shape -> Gather -> Concat -> Reshape chains that
// exporters write; a fully static ShapeData becomes a Const, which folds.

func init() {
	Register(Op{Key: "onnx.Reshape", Infer: inferReshape, Run: runReshape, NonCompute: true})
	Register(Op{Key: "onnx.Flatten", Infer: inferFlatten, Run: runFlatten, NonCompute: true})
	Register(Op{Key: "onnx.Transpose", Infer: inferTranspose, Run: runTranspose, NonCompute: true})
	Register(Op{Key: "onnx.Squeeze", Infer: inferSqueeze, Run: runSqueeze, NonCompute: true})
	Register(Op{Key: "onnx.Unsqueeze", Infer: inferUnsqueeze, Run: runUnsqueeze, NonCompute: true})
	Register(Op{Key: "onnx.Expand", Infer: inferExpand, Run: runExpand, NonCompute: true})
	Register(Op{Key: "onnx.Shape", Infer: inferShape, Run: runShape, NonCompute: true})
	Register(Op{Key: "onnx.Size", Infer: inferSize, Run: runSize, NonCompute: true})
	Register(Op{Key: "onnx.Identity", Infer: inferIdentity, Run: runIdentity, NonCompute: true})
}

// ---- ShapeData helpers ----

// ShapeDataOf returns the elements of a small integer tensor as dims: its
// tracked ShapeData, or its constant value. ok is false when neither is
// known.
func ShapeDataOf(v *ir.Value) (ir.Shape, bool) {
	if v == nil {
		return nil, false
	}
	if v.ShapeData != nil && len(v.Shape) <= 1 {
		return v.ShapeData, true
	}
	if v.Const != nil && (v.Const.DType == ir.Int64 || v.Const.DType == ir.Int32) && len(v.Const.Shape) <= 1 {
		return ir.S(v.Const.Ints()...), true
	}
	return nil, false
}

// constInts returns a constant integer input's values.
func constInts(v *ir.Value) ([]int64, bool) {
	if v == nil || v.Const == nil {
		return nil, false
	}
	if !v.Const.DType.IsInt() {
		return nil, false
	}
	return v.Const.Ints(), true
}

// shapeValue makes an integer output of dtype dt and shape s carrying data
// as ShapeData; when every element is static it is also the output's Const.
func shapeValue(dt ir.DType, s ir.Shape, data ir.Shape) *ir.Value {
	v := &ir.Value{DType: dt, Shape: s}
	if data == nil || (dt != ir.Int64 && dt != ir.Int32) || len(s) > 1 {
		return v
	}
	v.ShapeData = data
	if ints, ok := data.Ints(); ok {
		dims, _ := s.Ints()
		if ir.Numel(dims) == int64(len(ints)) {
			t := ir.NewTensor(dt, dims)
			for i, x := range ints {
				if dt == ir.Int64 {
					ir.View[int64](t)[i] = x
				} else {
					ir.View[int32](t)[i] = int32(x)
				}
			}
			v.Const = t
		}
	}
	return v
}

// intsArg reads an ints attribute when the node has it, else a constant
// integer input (the attribute became an input in a later opset). present
// is false when neither is given; known is false when the input exists but
// is not constant.
func intsArg(n *ir.Node, in []*ir.Value, attr string, idx int) (vals []int64, present, known bool) {
	if a, ok := n.Attrs[attr]; ok {
		return a.Ints, true, true
	}
	if idx < len(in) && in[idx] != nil {
		v, ok := constInts(in[idx])
		return v, true, ok
	}
	return nil, false, true
}

// runInts reads an ints attribute, else an integer input tensor.
func runInts(n *ir.Node, in []*ir.Tensor, attr string, idx int) ([]int64, bool) {
	if a, ok := n.Attrs[attr]; ok {
		return a.Ints, true
	}
	if idx < len(in) && in[idx] != nil {
		return in[idx].Ints(), true
	}
	return nil, false
}

// symProduct multiplies dims: static when all are static; one dynamic dim
// times 1s stays that dim; otherwise unknown.
func symProduct(dims ir.Shape) ir.Dim {
	p := int64(1)
	var dyn []ir.Dim
	for _, d := range dims {
		if d.Static() {
			p *= d.Size
		} else {
			dyn = append(dyn, d)
		}
	}
	switch {
	case len(dyn) == 0:
		return ir.D(p)
	case p == 0:
		return ir.D(0)
	case len(dyn) == 1 && p == 1:
		return dyn[0]
	}
	return ir.Sym("")
}

// normAxes normalizes axes against rank, rejecting duplicates.
func normAxes(axes []int64, rank int) ([]int, error) {
	out := make([]int, len(axes))
	seen := map[int]bool{}
	for i, a := range axes {
		ax, err := ir.NormAxis(a, rank)
		if err != nil {
			return nil, err
		}
		if seen[ax] {
			return nil, fmt.Errorf("axis %d is repeated in %v", a, axes)
		}
		seen[ax] = true
		out[i] = ax
	}
	return out, nil
}

// ---- Reshape ----

// ReshapeShape resolves ONNX Reshape dims against an input shape: 0 copies
// the input dim (unless allowZero), one -1 is inferred. Dynamic dims cancel
// by symbol, so [N, 3, 4] -> [N, -1] gives [N, 12]. In dims, an unnamed
// dynamic dim is either a -1 or a value unknown at build time; a lone one is
// inferred (an unknown value must equal what inference gives), several stay
// unknown.
func ReshapeShape(in ir.Shape, dims ir.Shape, allowZero bool) (ir.Shape, error) {
	out := make(ir.Shape, len(dims))
	infer, anon := -1, 0
	for _, d := range dims {
		if !d.Static() && d.Sym == "" {
			anon++
		}
	}
	for i, d := range dims {
		switch {
		case d.Static() && d.Size == 0 && !allowZero:
			if i >= len(in) {
				return nil, fmt.Errorf("shape[%d] is 0 (copy) but the input has rank %d", i, len(in))
			}
			out[i] = in[i]
		case !d.Static() && d.Sym == "" && anon == 1:
			infer = i
		case !d.Static() && d.Size < -1:
			return nil, fmt.Errorf("shape[%d] is %d", i, d.Size)
		default:
			out[i] = d
		}
	}
	// Cancel symbols that appear on both sides, then compare the rest.
	rest := in.Clone()
	inKnown, outKnown := int64(1), int64(1)
	inDyn, outDyn := 0, 0
	for i, d := range out {
		if i == infer {
			continue
		}
		if d.Static() {
			outKnown *= d.Size
			continue
		}
		matched := false
		for j, r := range rest {
			if !r.Static() && r.Sym != "" && r.Sym == d.Sym {
				rest[j] = ir.D(1)
				matched = true
				break
			}
		}
		if !matched {
			outDyn++
		}
	}
	for _, r := range rest {
		if r.Static() {
			inKnown *= r.Size
		} else {
			inDyn++
		}
	}
	if infer >= 0 {
		switch {
		case inDyn == 0 && outDyn == 0:
			if outKnown == 0 || inKnown%outKnown != 0 {
				return nil, fmt.Errorf("cannot reshape %v to %v", in, dims)
			}
			out[infer] = ir.D(inKnown / outKnown)
		case inDyn == 1 && outDyn == 0 && outKnown == inKnown:
			for _, r := range rest {
				if !r.Static() {
					out[infer] = r
				}
			}
		default:
			out[infer] = ir.Sym("")
		}
	} else if inDyn == 0 && outDyn == 0 && inKnown != outKnown {
		return nil, fmt.Errorf("cannot reshape %v (%d elements) to %v (%d elements)", in, inKnown, out, outKnown)
	}
	return out, nil
}

// ReshapeInts is ReshapeShape for concrete shapes, where -1 is literal.
func ReshapeInts(in, dims []int64, allowZero bool) ([]int64, error) {
	out := make([]int64, len(dims))
	infer := -1
	known := int64(1)
	for i, d := range dims {
		switch {
		case d == 0 && !allowZero:
			if i >= len(in) {
				return nil, fmt.Errorf("shape[%d] is 0 (copy) but the input has rank %d", i, len(in))
			}
			out[i] = in[i]
		case d == -1:
			if infer >= 0 {
				return nil, fmt.Errorf("shape %v has more than one -1", dims)
			}
			infer = i
			continue
		case d < -1:
			return nil, fmt.Errorf("shape[%d] is %d", i, d)
		default:
			out[i] = d
		}
		known *= out[i]
	}
	total := ir.Numel(in)
	if infer >= 0 {
		if known == 0 || total%known != 0 {
			return nil, fmt.Errorf("cannot reshape %v to %v", ir.S(in...), dims)
		}
		out[infer] = total / known
	} else if known != total {
		return nil, fmt.Errorf("cannot reshape %v (%d elements) to %v", ir.S(in...), total, dims)
	}
	return out, nil
}

func inferReshape(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	var dims ir.Shape
	if a, ok := n.Attrs["shape"]; ok { // opset 1-4
		if err := needInputs(in, 1); err != nil {
			return nil, err
		}
		dims = ir.S(a.Ints...)
	} else {
		if err := needInputs(in, 2); err != nil {
			return nil, err
		}
		st := in[1]
		if !st.DType.IsInt() || len(st.Shape) != 1 {
			return nil, fmt.Errorf("shape input must be a 1-D int64 tensor, got %v%v", st.DType, st.Shape)
		}
		var ok bool
		if dims, ok = ShapeDataOf(st); !ok {
			if !st.Shape[0].Static() {
				return nil, fmt.Errorf("shape input has unknown length; the output rank cannot be inferred")
			}
			return out1(in[0].DType, unknownDims(int(st.Shape[0].Size))), nil
		}
	}
	s, err := ReshapeShape(in[0].Shape, dims, n.AttrInt("allowzero", 0) == 1)
	if err != nil {
		return nil, err
	}
	o := &ir.Value{DType: in[0].DType, Shape: s}
	if sd, ok := ShapeDataOf(in[0]); ok && len(s) <= 1 && in[0].Const == nil {
		o = shapeValue(in[0].DType, s, sd)
	}
	return []*ir.Value{o}, nil
}

// staticLen is the element count of a 1-D (or scalar) value of static length.
func staticLen(v *ir.Value) (int64, bool) {
	switch {
	case len(v.Shape) == 0:
		return 1, true
	case len(v.Shape) == 1 && v.Shape[0].Static():
		return v.Shape[0].Size, true
	}
	return 0, false
}

func unknownDims(rank int) ir.Shape {
	s := make(ir.Shape, rank)
	for i := range s {
		s[i] = ir.Sym("")
	}
	return s
}

func runReshape(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	dims, ok := runInts(n, in, "shape", 1)
	if !ok {
		return nil, fmt.Errorf("shape is missing")
	}
	ints, err := ReshapeInts(in[0].Shape, dims, n.AttrInt("allowzero", 0) == 1)
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{in[0].Reshaped(ints)}, nil
}

// ---- Flatten ----

func flattenAxis(n *ir.Node, rank int) (int, error) {
	axis := n.AttrInt("axis", 1)
	if axis < -int64(rank) || axis > int64(rank) {
		return 0, fmt.Errorf("axis %d out of range for rank %d", axis, rank)
	}
	if axis < 0 {
		axis += int64(rank)
	}
	return int(axis), nil
}

func inferFlatten(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	s := in[0].Shape
	axis, err := flattenAxis(n, len(s))
	if err != nil {
		return nil, err
	}
	return out1(in[0].DType, ir.Shape{symProduct(s[:axis]), symProduct(s[axis:])}), nil
}

func runFlatten(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	axis, err := flattenAxis(n, len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	a := ir.Numel(in[0].Shape[:axis])
	return []*ir.Tensor{in[0].Reshaped([]int64{a, ir.Numel(in[0].Shape[axis:])})}, nil
}

// ---- Transpose ----

func transposePerm(n *ir.Node, rank int) ([]int, error) {
	p, ok := n.Attrs["perm"]
	perm := make([]int, rank)
	if !ok {
		for i := range perm {
			perm[i] = rank - 1 - i
		}
		return perm, nil
	}
	if len(p.Ints) != rank {
		return nil, fmt.Errorf("perm %v has %d entries for rank %d", p.Ints, len(p.Ints), rank)
	}
	seen := make([]bool, rank)
	for i, x := range p.Ints {
		ax, err := ir.NormAxis(x, rank)
		if err != nil || seen[ax] {
			return nil, fmt.Errorf("perm %v is not a permutation of rank %d", p.Ints, rank)
		}
		seen[ax] = true
		perm[i] = ax
	}
	return perm, nil
}

func inferTranspose(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	perm, err := transposePerm(n, len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	s := make(ir.Shape, len(perm))
	for i, p := range perm {
		s[i] = in[0].Shape[p]
	}
	return out1(in[0].DType, s), nil
}

func runTranspose(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	perm, err := transposePerm(n, len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	return t1(kernels.Transpose(in[0], perm))
}

// ---- Squeeze / Unsqueeze ----

// SqueezeAxes returns the axes Squeeze removes: the given ones (checked to
// be 1 where static), or every static 1 when none are given.
func SqueezeAxes(s ir.Shape, axes []int64, given bool) ([]int, error) {
	if !given {
		var out []int
		for i, d := range s {
			if d.Static() && d.Size == 1 {
				out = append(out, i)
			}
		}
		return out, nil
	}
	ax, err := normAxes(axes, len(s))
	if err != nil {
		return nil, err
	}
	for _, a := range ax {
		if s[a].Static() && s[a].Size != 1 {
			return nil, fmt.Errorf("cannot squeeze dim %d of size %d", a, s[a].Size)
		}
	}
	return ax, nil
}

func squeezed(s ir.Shape, axes []int) ir.Shape {
	drop := map[int]bool{}
	for _, a := range axes {
		drop[a] = true
	}
	out := ir.Shape{}
	for i, d := range s {
		if !drop[i] {
			out = append(out, d)
		}
	}
	return out
}

func inferSqueeze(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	axes, given, known := intsArg(n, in, "axes", 1)
	if !known {
		// The rank still follows from the number of axes.
		if k, ok := staticLen(in[1]); ok && int(k) <= len(in[0].Shape) {
			return out1(in[0].DType, unknownDims(len(in[0].Shape)-int(k))), nil
		}
		return nil, fmt.Errorf("axes input is not a constant; the output rank cannot be inferred")
	}
	ax, err := SqueezeAxes(in[0].Shape, axes, given)
	if err != nil {
		return nil, err
	}
	s := squeezed(in[0].Shape, ax)
	return []*ir.Value{passShapeData(in[0], s)}, nil
}

// passShapeData keeps ShapeData through ops that only change the shape of a
// small integer tensor (Squeeze, Unsqueeze, Identity).
func passShapeData(v *ir.Value, s ir.Shape) *ir.Value {
	if sd, ok := ShapeDataOf(v); ok && v.Const == nil && len(s) <= 1 {
		return shapeValue(v.DType, s, sd)
	}
	return &ir.Value{DType: v.DType, Shape: s}
}

func runSqueeze(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	axes, given := runInts(n, in, "axes", 1)
	ax, err := SqueezeAxes(ir.S(in[0].Shape...), axes, given)
	if err != nil {
		return nil, err
	}
	s, _ := squeezed(ir.S(in[0].Shape...), ax).Ints()
	return []*ir.Tensor{in[0].Reshaped(s)}, nil
}

// Unsqueezed inserts 1s at axes, which index the output.
func Unsqueezed(s ir.Shape, axes []int64) (ir.Shape, error) {
	rank := len(s) + len(axes)
	ax, err := normAxes(axes, rank)
	if err != nil {
		return nil, err
	}
	ins := make([]bool, rank)
	for _, a := range ax {
		ins[a] = true
	}
	out := make(ir.Shape, rank)
	j := 0
	for i := range out {
		if ins[i] {
			out[i] = ir.D(1)
		} else {
			out[i] = s[j]
			j++
		}
	}
	return out, nil
}

func inferUnsqueeze(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	axes, given, known := intsArg(n, in, "axes", 1)
	if !given {
		return nil, fmt.Errorf("axes are missing")
	}
	if !known {
		if k, ok := staticLen(in[1]); ok {
			return out1(in[0].DType, unknownDims(len(in[0].Shape)+int(k))), nil
		}
		return nil, fmt.Errorf("axes input is not a constant; the output rank cannot be inferred")
	}
	s, err := Unsqueezed(in[0].Shape, axes)
	if err != nil {
		return nil, err
	}
	return []*ir.Value{passShapeData(in[0], s)}, nil
}

func runUnsqueeze(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	axes, ok := runInts(n, in, "axes", 1)
	if !ok {
		return nil, fmt.Errorf("axes are missing")
	}
	s, err := Unsqueezed(ir.S(in[0].Shape...), axes)
	if err != nil {
		return nil, err
	}
	ints, _ := s.Ints()
	return []*ir.Tensor{in[0].Reshaped(ints)}, nil
}

// ---- Expand ----

func inferExpand(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 2); err != nil {
		return nil, err
	}
	st := in[1]
	if !st.DType.IsInt() || len(st.Shape) != 1 {
		return nil, fmt.Errorf("shape input must be a 1-D int64 tensor, got %v%v", st.DType, st.Shape)
	}
	dims, ok := ShapeDataOf(st)
	if !ok {
		if !st.Shape[0].Static() {
			return nil, fmt.Errorf("shape input has unknown length; the output rank cannot be inferred")
		}
		dims = unknownDims(int(st.Shape[0].Size))
		// An unknown target dim against a static input dim n > 1 must be
		// 1 or n: the output is n. Against 1 or a dynamic dim: unknown.
	}
	s, err := ExpandShape(in[0].Shape, dims)
	if err != nil {
		return nil, err
	}
	return out1(in[0].DType, s), nil
}

// ExpandShape is ONNX Expand's bidirectional broadcast of a shape with a
// target shape; an unknown target dim against a static input dim n > 1
// gives n, against anything else an unknown dim.
func ExpandShape(s, target ir.Shape) (ir.Shape, error) {
	rank := max(len(s), len(target))
	out := make(ir.Shape, rank)
	for i := range out {
		a, b := ir.D(1), ir.D(1)
		if j := i - (rank - len(s)); j >= 0 {
			a = s[j]
		}
		if j := i - (rank - len(target)); j >= 0 {
			b = target[j]
		}
		if b.Static() && b.Size < 0 {
			return nil, fmt.Errorf("expand target %v has a negative dim", target)
		}
		if !b.Static() && b.Sym == "" {
			if a.Static() && a.Size != 1 {
				out[i] = a
			} else {
				out[i] = ir.Sym("")
			}
			continue
		}
		d, err := ir.Broadcast(ir.Shape{a}, ir.Shape{b})
		if err != nil {
			return nil, fmt.Errorf("cannot expand %v to %v: %w", s, target, err)
		}
		out[i] = d[0]
	}
	return out, nil
}

func runExpand(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	s, err := ir.BroadcastInts(in[0].Shape, in[1].Ints())
	if err != nil {
		return nil, err
	}
	return t1(kernels.ExpandTo(in[0], s))
}

// ---- Shape / Size / Identity ----

// shapeRange is Shape's [start, end) after ONNX clamping (opset 15).
func shapeRange(n *ir.Node, rank int) (int, int) {
	r := int64(rank)
	clamp := func(x int64) int {
		if x < 0 {
			x += r
		}
		return int(min(max(x, 0), r))
	}
	start := clamp(n.AttrInt("start", 0))
	end := clamp(n.AttrInt("end", r))
	return start, max(start, end)
}

func inferShape(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	start, end := shapeRange(n, len(in[0].Shape))
	data := in[0].Shape[start:end].Clone()
	if data == nil {
		data = ir.Shape{}
	}
	return []*ir.Value{shapeValue(ir.Int64, ir.S(int64(end-start)), data)}, nil
}

func runShape(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	start, end := shapeRange(n, len(in[0].Shape))
	return []*ir.Tensor{ir.FromSlice(ir.Int64, []int64{int64(end - start)}, in[0].Shape[start:end])}, nil
}

func inferSize(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	return []*ir.Value{shapeValue(ir.Int64, ir.Shape{}, ir.Shape{symProduct(in[0].Shape)})}, nil
}

func runSize(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	return []*ir.Tensor{ir.FromSlice(ir.Int64, nil, []int64{in[0].Numel()})}, nil
}

func inferIdentity(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	v := &ir.Value{DType: in[0].DType, Shape: in[0].Shape.Clone(), Const: in[0].Const, ShapeData: in[0].ShapeData}
	return []*ir.Value{v}, nil
}

func runIdentity(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	return []*ir.Tensor{in[0]}, nil
}
