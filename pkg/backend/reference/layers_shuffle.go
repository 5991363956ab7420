package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Shuffle: first transpose, reshape (static dims, or a shape tensor), second
// transpose, as IShuffleLayer.

func init() {
	registerKind(network.KindShuffle, kindImpl{infer: inferShuffle, run: runShuffle})
}

func permuteShape(s ir.Shape, perm []int) (ir.Shape, error) {
	if perm == nil {
		return s, nil
	}
	if len(perm) != len(s) {
		return nil, fmt.Errorf("transpose %v has %d entries for rank %d", perm, len(perm), len(s))
	}
	seen := make([]bool, len(s))
	out := make(ir.Shape, len(s))
	for i, p := range perm {
		if p < 0 || p >= len(s) || seen[p] {
			return nil, fmt.Errorf("transpose %v is not a permutation", perm)
		}
		seen[p] = true
		out[i] = s[p]
	}
	return out, nil
}

// reshapeDims resolves reshape dims against an input shape: 0 copies the
// input dim when zeroIsPlaceholder, one -1 is inferred.
func reshapeDims(in ir.Shape, dims ir.Shape, zeroIsPlaceholder bool) (ir.Shape, error) {
	out := make(ir.Shape, len(dims))
	infer := -1
	known := int64(1)
	allStatic := in.IsStatic()
	for i, d := range dims {
		switch {
		case d.Static() && d.Size == 0 && zeroIsPlaceholder:
			if i >= len(in) {
				return nil, fmt.Errorf("reshape dim %d is 0 (copy) but the input has rank %d", i, len(in))
			}
			out[i] = in[i]
		case d.Size == -1 && d.Sym == "" && infer < 0:
			// A -1 (ir.S(-1) is an unnamed dynamic dim), or a value
			// unknown at build time: either way inference gives the
			// only value that fits.
			infer = i
			continue
		case d.Size == -1 && d.Sym == "":
			// A second one: unknown until run time, where a literal
			// second -1 fails the element-count check.
			out[i] = d
		case d.Size < -1:
			return nil, fmt.Errorf("reshape dim %d is %d", i, d.Size)
		default:
			out[i] = d
		}
		if out[i].Static() {
			known *= out[i].Size
		}
	}
	total, totalOK := int64(1), allStatic
	for _, d := range in {
		if d.Static() {
			total *= d.Size
		}
	}
	outStatic := true
	for i, d := range out {
		if i != infer && !d.Static() {
			outStatic = false
		}
	}
	if infer >= 0 {
		if totalOK && outStatic {
			if known == 0 || total%known != 0 {
				return nil, fmt.Errorf("cannot reshape %v to %v", in, dims)
			}
			out[infer] = ir.D(total / known)
		} else {
			out[infer] = ir.Sym("")
		}
	} else if totalOK && out.IsStatic() && known != total {
		return nil, fmt.Errorf("cannot reshape %v (%d elements) to %v (%d elements)", in, total, out, known)
	}
	return out, nil
}

func inferShuffle(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	if err := need(in, 1); err != nil {
		return nil, err
	}
	p := l.Params.(shuffleParams)
	s, err := permuteShape(in[0].Shape, p.FirstTranspose)
	if err != nil {
		return nil, fmt.Errorf("first transpose: %w", err)
	}
	switch {
	case p.DynamicReshape:
		if len(in) < 2 || in[1] == nil {
			return nil, fmt.Errorf("reshape tensor is missing")
		}
		rt := in[1]
		if rt.DType != ir.Int64 && rt.DType != ir.Int32 || len(rt.Shape) != 1 || !rt.Shape[0].Static() {
			return nil, fmt.Errorf("reshape tensor must be a 1-D int tensor of static length, got %v%v", rt.DType, rt.Shape)
		}
		dims := rt.ShapeData
		if dims == nil {
			dims = make(ir.Shape, rt.Shape[0].Size)
			for i := range dims {
				dims[i] = ir.Sym("")
			}
		}
		if s, err = reshapeDims(s, dims, p.ZeroIsPlaceholder); err != nil {
			return nil, err
		}
	case p.StaticReshape:
		if s, err = reshapeDims(s, ir.S(p.Reshape...), p.ZeroIsPlaceholder); err != nil {
			return nil, err
		}
	}
	if s, err = permuteShape(s, p.SecondTranspose); err != nil {
		return nil, fmt.Errorf("second transpose: %w", err)
	}
	return []*ir.Value{{DType: in[0].DType, Shape: s}}, nil
}

func runShuffle(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(shuffleParams)
	t := in[0]
	var err error
	if p.FirstTranspose != nil {
		if t, err = kernels.Transpose(t, p.FirstTranspose); err != nil {
			return nil, err
		}
	}
	var dims ir.Shape
	switch {
	case p.DynamicReshape:
		dims = ir.S(in[1].Ints()...)
	case p.StaticReshape:
		dims = ir.S(p.Reshape...)
	}
	if dims != nil {
		s, err := reshapeDims(ir.S(t.Shape...), dims, p.ZeroIsPlaceholder)
		if err != nil {
			return nil, err
		}
		ints, ok := s.Ints()
		if !ok || ir.Numel(ints) != t.Numel() {
			return nil, fmt.Errorf("cannot reshape %v to %v", ir.S(t.Shape...), dims)
		}
		t = t.Reshaped(ints)
	}
	if p.SecondTranspose != nil {
		if t, err = kernels.Transpose(t, p.SecondTranspose); err != nil {
			return nil, err
		}
	}
	return []*ir.Tensor{t}, nil
}
