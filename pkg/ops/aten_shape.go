package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// ATen shape, copy and data-movement ops.

// ATenViewShape resolves a view/reshape size list against the input shape: it
// returns the ONNX Reshape shape (with 0 = copy the input dim at the same
// position where a symbolic size names that dim, and at most one -1).
// "_sym_<arg>" gives, per position, the input dim carrying a symbolic size.
func ATenViewShape(n *ir.Node, arg string, x ir.Shape) ([]int64, error) {
	size := append([]int64{}, n.AttrInts(arg, nil)...)
	if !n.HasAttr(arg) {
		return nil, fmt.Errorf("attribute %s is missing", arg)
	}
	src := n.AttrInts("_sym_"+arg, nil)
	neg := 0
	for i, s := range size {
		if s == 0 {
			return nil, fmt.Errorf("size %v has a 0 dim; empty tensors are not supported", size)
		}
		if s >= 0 {
			continue
		}
		if i < len(src) && src[i] >= 0 && int(src[i]) < len(x) {
			d := x[src[i]]
			switch {
			case d.Static():
				size[i] = d.Size
				continue
			case int(src[i]) == i:
				size[i] = 0
				continue
			}
		}
		neg++
	}
	if neg > 1 {
		return nil, fmt.Errorf("size %v has %d dims trtc cannot resolve (symbolic sizes must come from the input's own dims)", size, neg)
	}
	return size, nil
}

func reshapeLower(arg string) lowerFunc {
	return func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0); err != nil {
			return nil, err
		}
		shape, err := ATenViewShape(n, arg, in[0].Shape)
		if err != nil {
			return nil, err
		}
		p := &plan{}
		p.out = []ref{p.add("onnx.Reshape", nil, inRef(0), p.ints(shape...))}
		return p, nil
	}
}

func identityLower(n *ir.Node, in []*ir.Value) (*plan, error) {
	if err := need(in, 0); err != nil {
		return nil, err
	}
	p := &plan{}
	p.out = []ref{p.add("onnx.Identity", nil, inRef(0))}
	return p, nil
}

func transposeLower(perm func(n *ir.Node, rank int) ([]int64, error)) lowerFunc {
	return func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0); err != nil {
			return nil, err
		}
		pm, err := perm(n, len(in[0].Shape))
		if err != nil {
			return nil, err
		}
		p := &plan{}
		p.out = []ref{p.add("onnx.Transpose", attrs("perm", pm), inRef(0))}
		return p, nil
	}
}

// ATenPerm returns the permutation of permute, transpose.int and t for rank.
func ATenPerm(n *ir.Node, rank int) ([]int64, error) {
	pm := make([]int64, rank)
	for i := range pm {
		pm[i] = int64(i)
	}
	switch n.Op {
	case "aten.permute.default":
		dims := n.AttrInts("dims", nil)
		if len(dims) != rank {
			return nil, fmt.Errorf("dims %v for rank %d", dims, rank)
		}
		seen := make([]bool, rank)
		for i, d := range dims {
			a, err := normDim(d, rank)
			if err != nil || seen[a] {
				return nil, fmt.Errorf("dims %v is not a permutation of rank %d", dims, rank)
			}
			seen[a] = true
			pm[i] = int64(a)
		}
	case "aten.transpose.int":
		if rank == 0 {
			return pm, nil
		}
		a, err := normDim(n.AttrInt("dim0", 0), rank)
		if err != nil {
			return nil, err
		}
		b, err := normDim(n.AttrInt("dim1", 0), rank)
		if err != nil {
			return nil, err
		}
		pm[a], pm[b] = pm[b], pm[a]
	case "aten.t.default":
		if rank > 2 {
			return nil, fmt.Errorf("t needs rank <= 2, got %d", rank)
		}
		if rank == 2 {
			pm[0], pm[1] = 1, 0
		}
	}
	return pm, nil
}

// ATenSqueezeDims returns the dims squeeze removes: those asked for (all when
// none) whose size is a static 1.
func ATenSqueezeDims(n *ir.Node, x ir.Shape) ([]int64, error) {
	var dims []int64
	switch {
	case n.HasAttr("dim") && n.Attrs["dim"].Kind == ir.AttrInts:
		dims = n.AttrInts("dim", nil)
	case n.HasAttr("dim"):
		dims = []int64{n.AttrInt("dim", 0)}
	default:
		for i := range x {
			dims = append(dims, int64(i))
		}
	}
	var out []int64
	for _, d := range dims {
		a, err := normDim(d, len(x))
		if err != nil {
			return nil, err
		}
		if len(x) > 0 && x[a].Static() && x[a].Size == 1 {
			out = append(out, int64(a))
		}
	}
	return out, nil
}

// ATenSliceBounds returns slice.Tensor's normalized dim, start, end and step
// (end clamped to the ONNX "to the end" sentinel when None).
func ATenSliceBounds(n *ir.Node, rank int) (dim int, start, end, step int64, err error) {
	dim, err = normDim(n.AttrInt("dim", 0), rank)
	if err != nil {
		return
	}
	start = n.AttrInt("start", 0)
	end = n.AttrInt("end", intMax)
	step = n.AttrInt("step", 1)
	if step <= 0 {
		err = fmt.Errorf("step %d must be positive", step)
	}
	return
}

// ATenSplitSizes returns the part sizes of split.Tensor / split_with_sizes
// along dim (a static dim for split.Tensor).
func ATenSplitSizes(n *ir.Node, x ir.Shape) (int, []int64, error) {
	dim, err := normDim(n.AttrInt("dim", 0), len(x))
	if err != nil {
		return 0, nil, err
	}
	if n.HasAttr("split_sizes") {
		return dim, n.AttrInts("split_sizes", nil), nil
	}
	size := n.AttrInt("split_size", 0)
	if size <= 0 {
		return 0, nil, fmt.Errorf("split_size %d must be positive", size)
	}
	if !x[dim].Static() {
		return 0, nil, fmt.Errorf("split of dynamic dim %d", dim)
	}
	var sizes []int64
	for left := x[dim].Size; left > 0; left -= size {
		sizes = append(sizes, min(size, left))
	}
	return dim, sizes, nil
}

func init() {
	registerATen("aten.view.default", true, reshapeLower("size"))
	registerATen("aten._unsafe_view.default", true, reshapeLower("size"))
	registerATen("aten.reshape.default", true, reshapeLower("shape"))
	for _, k := range []string{"aten.clone.default", "aten.alias.default", "aten.contiguous.default", "aten.detach.default", "aten.lift_fresh_copy.default"} {
		registerATen(k, true, identityLower)
	}
	registerATen("aten.dropout.default", true, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if n.AttrInt("train", 0) != 0 {
			return nil, fmt.Errorf("dropout in training mode is not supported")
		}
		return identityLower(n, in)
	})
	registerATen("aten._to_copy.default", false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0); err != nil {
			return nil, err
		}
		p := &plan{}
		if !n.HasAttr("dtype") {
			p.out = []ref{p.add("onnx.Identity", nil, inRef(0))}
			return p, nil
		}
		p.out = []ref{p.add("onnx.Cast", attrs("to", n.AttrInt("dtype", 0)), inRef(0))}
		return p, nil
	})
	for _, k := range []string{"aten.permute.default", "aten.transpose.int", "aten.t.default"} {
		registerATen(k, true, transposeLower(ATenPerm))
	}
	registerATen("aten.flatten.using_ints", true, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0); err != nil {
			return nil, err
		}
		x := in[0].Shape
		rank := max(len(x), 1)
		s, err := normDim(n.AttrInt("start_dim", 0), rank)
		if err != nil {
			return nil, err
		}
		e, err := normDim(n.AttrInt("end_dim", -1), rank)
		if err != nil {
			return nil, err
		}
		if e < s {
			return nil, fmt.Errorf("end_dim %d is before start_dim %d", e, s)
		}
		var shape []int64
		for i := 0; i < s; i++ {
			shape = append(shape, dimOrCopy(x[i]))
		}
		shape = append(shape, -1)
		for i := e + 1; i < len(x); i++ {
			shape = append(shape, dimOrCopy(x[i]))
		}
		if len(x) == 0 {
			shape = []int64{1}
		}
		p := &plan{}
		p.out = []ref{p.add("onnx.Reshape", nil, inRef(0), p.ints(shape...))}
		return p, nil
	})
	registerATen("aten.expand.default", true, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0); err != nil {
			return nil, err
		}
		size := append([]int64{}, n.AttrInts("size", nil)...)
		if len(size) < len(in[0].Shape) {
			return nil, fmt.Errorf("size %v has fewer dims than the input %v", size, in[0].Shape)
		}
		for i, s := range size {
			if s == -1 {
				size[i] = 1 // broadcasting keeps the input's dim
			}
		}
		p := &plan{}
		p.out = []ref{p.add("onnx.Expand", nil, inRef(0), p.ints(size...))}
		return p, nil
	})
	registerATen("aten.unsqueeze.default", true, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0); err != nil {
			return nil, err
		}
		d, err := normDim(n.AttrInt("dim", 0), len(in[0].Shape)+1)
		if err != nil {
			return nil, err
		}
		p := &plan{}
		p.out = []ref{p.add("onnx.Unsqueeze", nil, inRef(0), p.ints(int64(d)))}
		return p, nil
	})
	for _, k := range []string{"aten.squeeze.dims", "aten.squeeze.dim", "aten.squeeze.default"} {
		registerATen(k, true, func(n *ir.Node, in []*ir.Value) (*plan, error) {
			if err := need(in, 0); err != nil {
				return nil, err
			}
			dims, err := ATenSqueezeDims(n, in[0].Shape)
			if err != nil {
				return nil, err
			}
			p := &plan{}
			if len(dims) == 0 {
				p.out = []ref{p.add("onnx.Identity", nil, inRef(0))}
			} else {
				p.out = []ref{p.add("onnx.Squeeze", nil, inRef(0), p.ints(dims...))}
			}
			return p, nil
		})
	}
	registerATen("aten.cat.default", false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if len(in) == 0 {
			return nil, fmt.Errorf("no tensors to concatenate")
		}
		if err := need(in, 0); err != nil {
			return nil, err
		}
		dt := in[0].DType
		for _, v := range in[1:] {
			if v == nil {
				return nil, fmt.Errorf("an input is missing")
			}
			dt = PromoteTypes(dt, v.DType)
		}
		d, err := normDim(n.AttrInt("dim", 0), len(in[0].Shape))
		if err != nil {
			return nil, err
		}
		p := &plan{}
		refs := make([]ref, len(in))
		for i, v := range in {
			refs[i] = p.cast(inRef(i), v.DType, dt)
		}
		p.out = []ref{p.add("onnx.Concat", attrs("axis", d), refs...)}
		return p, nil
	})
	registerATen("aten.slice.Tensor", true, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0); err != nil {
			return nil, err
		}
		dim, start, end, step, err := ATenSliceBounds(n, len(in[0].Shape))
		if err != nil {
			return nil, err
		}
		p := &plan{}
		p.out = []ref{p.add("onnx.Slice", nil, inRef(0), p.ints(start), p.ints(end), p.ints(int64(dim)), p.ints(step))}
		return p, nil
	})
	registerATen("aten.select.int", true, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0); err != nil {
			return nil, err
		}
		dim, err := normDim(n.AttrInt("dim", 0), len(in[0].Shape))
		if err != nil {
			return nil, err
		}
		p := &plan{}
		idx := p.konst(ir.FromSlice(ir.Int64, nil, []int64{n.AttrInt("index", 0)}))
		p.out = []ref{p.add("onnx.Gather", attrs("axis", dim), inRef(0), idx)}
		return p, nil
	})
	for _, k := range []string{"aten.split.Tensor", "aten.split_with_sizes.default"} {
		registerATen(k, true, func(n *ir.Node, in []*ir.Value) (*plan, error) {
			if err := need(in, 0); err != nil {
				return nil, err
			}
			dim, sizes, err := ATenSplitSizes(n, in[0].Shape)
			if err != nil {
				return nil, err
			}
			p := &plan{}
			p.out = p.addN("onnx.Split", attrs("axis", dim), len(sizes), inRef(0), p.ints(sizes...))
			return p, nil
		})
	}
	registerATen("aten.embedding.default", false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0, 1); err != nil {
			return nil, err
		}
		p := &plan{}
		p.out = []ref{p.add("onnx.Gather", attrs("axis", 0), inRef(0), inRef(1))}
		return p, nil
	})
	registerATen("aten.index.Tensor", false, func(n *ir.Node, in []*ir.Value) (*plan, error) {
		if err := need(in, 0); err != nil {
			return nil, err
		}
		k := -1
		for i := 1; i < len(in); i++ {
			if in[i] == nil {
				continue
			}
			if k >= 0 {
				return nil, fmt.Errorf("more than one index tensor is not supported")
			}
			k = i - 1
		}
		if k < 0 {
			return nil, fmt.Errorf("no index tensor")
		}
		if dt := in[k+1].DType; !dt.IsInt() {
			return nil, fmt.Errorf("index tensor is %v; only integer indices are supported", dt)
		}
		p := &plan{}
		p.out = []ref{p.add("onnx.Gather", attrs("axis", k), inRef(0), inRef(k+1))}
		return p, nil
	})
}

func dimOrCopy(d ir.Dim) int64 {
	if d.Static() {
		return d.Size
	}
	return 0
}
