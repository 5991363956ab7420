package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// ATen factories (full, zeros, ones, *_like, arange, scalar_tensor),
// selection (where, masked_fill) and padding/resizing.

// ATenFillDType is the dtype of a factory: its dtype attribute, else like's
// dtype (for *_like), else int64 for an int fill value and float32
// otherwise.
func ATenFillDType(n *ir.Node, like *ir.Value, isInt bool) ir.DType {
	switch {
	case n.HasAttr("dtype"):
		return ir.DType(n.AttrInt("dtype", 0))
	case like != nil:
		return like.DType
	case isInt:
		return ir.Int64
	}
	return ir.Float32
}

func atenFillValue(n *ir.Node) (float64, bool) {
	switch n.Op {
	case "aten.zeros.default", "aten.zeros_like.default":
		return 0, false
	case "aten.ones.default", "aten.ones_like.default":
		return 1, false
	}
	v, isInt, _ := ScalarAttr(n, "fill_value")
	return v, isInt
}

func fullLower(n *ir.Node, in []*ir.Value) (*plan, error) {
	v, isInt := atenFillValue(n)
	dt := ATenFillDType(n, nil, isInt)
	size := n.AttrInts("size", nil)
	if n.HasAttr("_sym_size") {
		return nil, fmt.Errorf("symbolic sizes are not supported for %s", n.Op)
	}
	p := &plan{}
	p.out = []ref{p.add("onnx.ConstantOfShape", attrs("value", ir.FromSlice(ir.Float64, []int64{1}, []float64{v})), p.ints(size...))}
	p.out[0] = p.cast(p.out[0], ir.Float64, dt)
	return p, nil
}

func fullLikeLower(n *ir.Node, in []*ir.Value) (*plan, error) {
	if err := need(in, 0); err != nil {
		return nil, err
	}
	v, isInt := atenFillValue(n)
	dt := ATenFillDType(n, in[0], isInt)
	p := &plan{}
	shape := p.add("onnx.Shape", nil, inRef(0))
	y := p.add("onnx.ConstantOfShape", attrs("value", ir.FromSlice(ir.Float64, []int64{1}, []float64{v})), shape)
	p.out = []ref{p.cast(y, ir.Float64, dt)}
	return p, nil
}

func arangeLower(n *ir.Node, in []*ir.Value) (*plan, error) {
	start, sInt, ok := ScalarAttr(n, "start")
	if !ok {
		start, sInt = 0, true
	}
	end, eInt, ok := ScalarAttr(n, "end")
	if !ok {
		return nil, fmt.Errorf("end is missing")
	}
	step, stInt, ok := ScalarAttr(n, "step")
	if !ok {
		step, stInt = 1, true
	}
	if step == 0 {
		return nil, fmt.Errorf("step is 0")
	}
	dt := ATenFillDType(n, nil, sInt && eInt && stInt)
	p := &plan{}
	cdt := dt
	if !dt.IsFloat() && dt != ir.Int32 {
		cdt = ir.Int64
	}
	y := p.add("onnx.Range", nil, p.scalar(cdt, start), p.scalar(cdt, end), p.scalar(cdt, step))
	p.out = []ref{p.cast(y, cdt, dt)}
	return p, nil
}

func init() {
	for _, k := range []string{"aten.full.default", "aten.zeros.default", "aten.ones.default"} {
		registerATen(k, true, fullLower)
	}
	for _, k := range []string{"aten.full_like.default", "aten.zeros_like.default", "aten.ones_like.default"} {
		registerATen(k, true, fullLikeLower)
	}
	for _, k := range []string{"aten.arange.default", "aten.arange.start", "aten.arange.start_step"} {
		registerATen(k, true, arangeLower)
	}
	registerATen("aten.scalar_tensor.default", true, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		v, _, ok := ScalarAttr(n, "s")
		if !ok {
			return nil, fmt.Errorf("s is missing")
		}
		dt := ATenFillDType(n, nil, false)
		p := &plan{}
		p.out = []ref{p.add("onnx.Identity", nil, p.scalar(dt, v))}
		return p, nil
	})
	registerATen("aten.where.self", false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0); err != nil {
			return nil, err
		}
		p := &plan{}
		shifted := append([]*ir.Value{}, in[1:]...)
		// Operands are inputs 1 and 2: reuse the binary promotion on them.
		sub := &plan{}
		a, b, dt, err := binaryOperands(sub, n, shifted, "self", "other")
		if err != nil {
			return nil, err
		}
		_ = dt
		p.consts = sub.consts
		remap := func(r ref) ref {
			if r.kind == 'i' {
				r.i++
			}
			return r
		}
		for _, s := range sub.steps {
			for i := range s.in {
				s.in[i] = remap(s.in[i])
			}
			p.steps = append(p.steps, s)
		}
		cond := toBool(p, inRef(0), in[0].DType)
		p.out = []ref{p.add("onnx.Where", nil, cond, remap(a), remap(b))}
		return p, nil
	})
	for _, k := range []string{"aten.masked_fill.Scalar", "aten.masked_fill.Tensor"} {
		registerATen(k, false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
			if err := need(in, 0, 1); err != nil {
				return nil, err
			}
			p := &plan{}
			dt := in[0].DType
			var v ref
			if len(in) > 2 && in[2] != nil {
				v = p.cast(inRef(2), in[2].DType, dt)
			} else {
				val, _, ok := ScalarAttr(n, "value")
				if !ok {
					return nil, fmt.Errorf("value is missing")
				}
				v = p.scalar(dt, val)
			}
			p.out = []ref{p.add("onnx.Where", nil, toBool(p, inRef(1), in[1].DType), v, inRef(0))}
			return p, nil
		})
	}
	Register(Op{Key: "aten.constant_pad_nd.default", Infer: inferATenPad, Run: runATenPad})
	Register(Op{Key: "aten.upsample_nearest2d.default", Infer: inferUpsample, Run: runUpsample})
	Register(Op{Key: "aten.upsample_nearest2d.vec", Infer: inferUpsample, Run: runUpsample})
}

// ATenPads returns constant_pad_nd's per-dim (begin, end) pads for rank:
// the pad list runs from the last dim backwards.
func ATenPads(n *ir.Node, rank int) (begin, end []int64, err error) {
	pad := n.AttrInts("pad", nil)
	if len(pad)%2 != 0 || len(pad)/2 > rank {
		return nil, nil, fmt.Errorf("pad %v for rank %d", pad, rank)
	}
	begin, end = make([]int64, rank), make([]int64, rank)
	for i := 0; i < len(pad)/2; i++ {
		d := rank - 1 - i
		begin[d], end[d] = pad[2*i], pad[2*i+1]
		if begin[d] < 0 || end[d] < 0 {
			return nil, nil, fmt.Errorf("negative pad %v is not supported", pad)
		}
	}
	return begin, end, nil
}

func inferATenPad(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	b, e, err := ATenPads(n, len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	s := in[0].Shape.Clone()
	for i := range s {
		if s[i].Static() {
			s[i].Size += b[i] + e[i]
		} else if b[i]+e[i] != 0 {
			s[i] = ir.Sym("")
		}
	}
	return out1(in[0].DType, s), nil
}

func runATenPad(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	x := in[0]
	b, e, err := ATenPads(n, len(x.Shape))
	if err != nil {
		return nil, err
	}
	v, _, _ := ScalarAttr(n, "value")
	return t1(kernels.Pad(x, b, e, kernels.PadConstant, ir.Scalar(x.DType, v)))
}

// ATenUpsampleSize returns upsample_nearest2d's output H and W from
// output_size, or from the input and scale factors.
func ATenUpsampleSize(n *ir.Node, x ir.Shape) ([]int64, error) {
	if len(x) != 4 {
		return nil, fmt.Errorf("input %v, want rank 4", x)
	}
	if o := n.AttrInts("output_size", nil); len(o) == 2 {
		return o, nil
	}
	var sc []float32
	switch {
	case n.HasAttr("scale_factors"):
		sc = n.AttrFloats("scale_factors", nil)
	case n.HasAttr("scales_h") && n.HasAttr("scales_w"):
		sc = []float32{n.AttrFloat("scales_h", 0), n.AttrFloat("scales_w", 0)}
	}
	if len(sc) != 2 || !x[2].Static() || !x[3].Static() {
		return nil, fmt.Errorf("needs output_size or two scale factors with static input H and W")
	}
	return []int64{int64(float64(x[2].Size) * float64(sc[0])), int64(float64(x[3].Size) * float64(sc[1]))}, nil
}

func inferUpsample(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 1); err != nil {
		return nil, err
	}
	hw, err := ATenUpsampleSize(n, in[0].Shape)
	if err != nil {
		return nil, err
	}
	s := in[0].Shape.Clone()
	s[2], s[3] = ir.D(hw[0]), ir.D(hw[1])
	return out1(in[0].DType, s), nil
}

// runUpsample: PyTorch's nearest rule, src = floor(dst * in / out).
func runUpsample(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	x := in[0]
	hw, err := ATenUpsampleSize(n, ir.S(x.Shape...))
	if err != nil {
		return nil, err
	}
	maps := make([][]int64, 4)
	for d := 0; d < 2; d++ {
		maps[d] = make([]int64, x.Shape[d])
		for i := range maps[d] {
			maps[d][i] = int64(i)
		}
	}
	for d := 2; d < 4; d++ {
		out := hw[d-2]
		maps[d] = make([]int64, out)
		scale := float32(x.Shape[d]) / float32(out)
		if sc := n.AttrFloats("scale_factors", nil); len(sc) == 2 && sc[d-2] > 0 {
			scale = 1 / sc[d-2]
		}
		for i := range maps[d] {
			maps[d][i] = min(int64(float32(i)*scale), x.Shape[d]-1)
		}
	}
	return t1(kernels.MappedSlice(x, maps, nil))
}
