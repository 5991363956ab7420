package impl

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Shuffle helpers. They work with dynamic dims: static target shapes use
// reshape's zero placeholder where a dynamic dim stays in place, and shape
// tensors (Shape -> Gather -> Concatenation) otherwise.

// Reshape reshapes x to dims with TensorRT's rules: 0 copies the input dim
// at that position, one -1 is inferred.
func Reshape(ctx *conversion.Context, x network.Tensor, dims []int64) network.Tensor {
	return ctx.Net.AddShuffle(x, network.ShuffleParams{Reshape: dims, ZeroIsPlaceholder: true})
}

// ReshapeT reshapes x to a run-time shape tensor; zeroCopies makes 0 entries
// copy input dims (ONNX Reshape without allowzero).
func ReshapeT(ctx *conversion.Context, x, shape network.Tensor, zeroCopies bool) network.Tensor {
	return ctx.Net.AddShuffle(x, network.ShuffleParams{ReshapeTensor: shape, ZeroIsPlaceholder: zeroCopies})
}

// ReshapeSpec reshapes x to dims that copy x's dims or are constants. It
// emits one static Shuffle when every dynamic dim keeps its position (zero
// placeholder) and a shape tensor otherwise.
func ReshapeSpec(ctx *conversion.Context, x network.Tensor, spec []DimSrc) network.Tensor {
	s := x.Shape()
	dims := make([]int64, len(spec))
	placeholder := true
	hasZero := false
	for i, d := range spec {
		switch {
		case isConst(d):
			dims[i] = d.Val
			hasZero = hasZero || d.Val == 0
		case s[d.In].Static():
			dims[i] = s[d.In].Size
			hasZero = hasZero || dims[i] == 0
		case d.In == i:
			dims[i] = 0
		default:
			placeholder = false
		}
	}
	if placeholder && !hasZero {
		return Reshape(ctx, x, dims)
	}
	if placeholder && x.Shape().IsStatic() {
		return ctx.Net.AddShuffle(x, network.ShuffleParams{Reshape: dims})
	}
	return ReshapeT(ctx, x, ShapeFrom(ctx, x, spec), false)
}

// ReshapeScalar reshapes a one-element tensor to rank 0. It uses an empty
// shape tensor, since an empty static Reshape reads as "no reshape".
func ReshapeScalar(ctx *conversion.Context, x network.Tensor) network.Tensor {
	return ReshapeT(ctx, x, ConstInts(ctx, []int64{}), false)
}

// Transpose permutes x's dims: output dim i is input dim perm[i].
func Transpose(ctx *conversion.Context, x network.Tensor, perm []int) network.Tensor {
	return ctx.Net.AddShuffle(x, network.ShuffleParams{FirstTranspose: perm})
}

// Unsqueeze inserts dims of size 1 at axes (indices into the output, in
// [0, rank+len(axes))).
func Unsqueeze(ctx *conversion.Context, x network.Tensor, axes []int) network.Tensor {
	rank := len(x.Shape()) + len(axes)
	ins := make([]bool, rank)
	for _, a := range axes {
		if a < 0 || a >= rank || ins[a] {
			ctx.Net.AddShuffle(x, network.ShuffleParams{Reshape: []int64{-2}}) // records the error
			return x
		}
		ins[a] = true
	}
	spec := make([]DimSrc, 0, rank)
	j := 0
	for i := 0; i < rank; i++ {
		if ins[i] {
			spec = append(spec, Const(1))
		} else {
			spec = append(spec, FromIn(j))
			j++
		}
	}
	return ReshapeSpec(ctx, x, spec)
}

// Squeeze removes the given axes of x (in [0, rank)); they must be 1 at run
// time.
func Squeeze(ctx *conversion.Context, x network.Tensor, axes []int) network.Tensor {
	drop := map[int]bool{}
	for _, a := range axes {
		drop[a] = true
	}
	var spec []DimSrc
	for i := range x.Shape() {
		if !drop[i] {
			spec = append(spec, FromIn(i))
		}
	}
	if spec == nil {
		return ReshapeScalar(ctx, x)
	}
	return ReshapeSpec(ctx, x, spec)
}

// Flatten reshapes x to 2-D: [prod(dims[:axis]), prod(dims[axis:])].
func Flatten(ctx *conversion.Context, x network.Tensor, axis int) network.Tensor {
	s := x.Shape()
	if axis < 0 || axis > len(s) {
		ctx.Net.AddShuffle(x, network.ShuffleParams{Reshape: []int64{-2}})
		return x
	}
	lead, trail := s[:axis], s[axis:]
	switch {
	case lead.IsStatic():
		return Reshape(ctx, x, []int64{prod(dimsOf(lead)), -1})
	case trail.IsStatic():
		return Reshape(ctx, x, []int64{-1, prod(dimsOf(trail))})
	}
	// Both sides dynamic: multiply the leading dims at run time.
	p := Dim(ctx, x, 0)
	for i := 1; i < axis; i++ {
		p = ctx.Net.AddElementWise(p, Dim(ctx, x, i), network.ElementWisePROD)
	}
	return ReshapeT(ctx, x, ShapeTensor(ctx, p, ConstInts(ctx, []int64{-1})), false)
}

func prod(v []int64) int64 {
	p := int64(1)
	for _, x := range v {
		p *= x
	}
	return p
}

// NormAxes maps possibly negative axes into [0, rank).
func NormAxes(axes []int64, rank int) ([]int, error) {
	out := make([]int, len(axes))
	seen := map[int]bool{}
	for i, a := range axes {
		if a < -int64(rank) || a >= int64(rank) {
			return nil, fmt.Errorf("axis %d out of range for rank %d", a, rank)
		}
		if a < 0 {
			a += int64(rank)
		}
		if seen[int(a)] {
			return nil, fmt.Errorf("axis %d repeated", a)
		}
		seen[int(a)] = true
		out[i] = int(a)
	}
	return out, nil
}

// BlockShuffle reshapes x to view, permutes it by perm and reshapes it to
// out (DepthToSpace, SpaceToDepth, pixel shuffles). A 0 in view or out
// copies the input's dim there (its batch dim, which perm keeps first).
func BlockShuffle(ctx *conversion.Context, x network.Tensor, view []int64, perm []int, out []int64) network.Tensor {
	y := ctx.Net.AddShuffle(x, network.ShuffleParams{Reshape: view, ZeroIsPlaceholder: true, SecondTranspose: perm})
	return ctx.Net.AddShuffle(y, network.ShuffleParams{Reshape: out, ZeroIsPlaceholder: true})
}
