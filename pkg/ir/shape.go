package ir

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/trtc-dev/trtc/internal/sizes"
)

// Dim is one dimension: static (Size >= 0) or dynamic (Size == -1), in which
// case Sym names it when the model does ("batch", "s0"); two dynamic dims with
// the same non-empty Sym are equal at run time.
type Dim struct {
	Size int64
	Sym  string
}

// D is a static dim.
func D(n int64) Dim { return Dim{Size: n} }

// Sym is a dynamic dim with a name ("" for unknown).
func Sym(name string) Dim { return Dim{Size: -1, Sym: name} }

func (d Dim) Static() bool { return d.Size >= 0 }

func (d Dim) String() string {
	if d.Static() {
		return strconv.FormatInt(d.Size, 10)
	}
	if d.Sym == "" {
		return "?"
	}
	return d.Sym
}

// Same reports whether two dims are known to be equal.
func (d Dim) Same(o Dim) bool {
	if d.Static() || o.Static() {
		return d.Size == o.Size
	}
	return d.Sym != "" && d.Sym == o.Sym
}

// Shape is an ordered list of dims; a scalar has an empty shape.
type Shape []Dim

// S makes a static shape.
func S(dims ...int64) Shape {
	s := make(Shape, len(dims))
	for i, n := range dims {
		s[i] = D(n)
	}
	return s
}

func (s Shape) Rank() int { return len(s) }

// IsStatic reports whether every dim is static.
func (s Shape) IsStatic() bool {
	for _, d := range s {
		if !d.Static() {
			return false
		}
	}
	return true
}

// Ints returns the static dims, or false when any is dynamic.
func (s Shape) Ints() ([]int64, bool) {
	out := make([]int64, len(s))
	for i, d := range s {
		if !d.Static() {
			return nil, false
		}
		out[i] = d.Size
	}
	return out, true
}

// Clone returns a copy that shares nothing with s.
func (s Shape) Clone() Shape { return append(Shape(nil), s...) }

func (s Shape) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = d.String()
	}
	return "[" + strings.Join(parts, "x") + "]"
}

// Equal reports dim-by-dim sameness (see Dim.Same).
func (s Shape) Equal(o Shape) bool {
	if len(s) != len(o) {
		return false
	}
	for i := range s {
		if !s[i].Same(o[i]) && !(s[i] == o[i]) {
			return false
		}
	}
	return true
}

// ParseShape reads "1x3x224x224"; a non-numeric dim is symbolic ("Nx3").
// "" and "scalar" are the scalar shape.
func ParseShape(text string) (Shape, error) {
	if text == "" || text == "scalar" {
		return Shape{}, nil
	}
	var s Shape
	for _, p := range strings.Split(text, "x") {
		if p == "" {
			return nil, fmt.Errorf("shape %q: empty dim", text)
		}
		if n, err := strconv.ParseInt(p, 10, 64); err == nil {
			if n < 0 {
				return nil, fmt.Errorf("shape %q: negative dim %d", text, n)
			}
			s = append(s, D(n))
		} else {
			s = append(s, Sym(p))
		}
	}
	return s, nil
}

// Numel is the element count of static dims.
//
// A product of non-negative dims that overflows int64 saturates at
// math.MaxInt64 instead of wrapping to a small or negative count, so that
// size comparisons stay true; use sizes.Numel where overflow must be an
// error.
func Numel(dims []int64) int64 {
	n := int64(1)
	neg := false
	for _, d := range dims {
		if d < 0 {
			neg = true
		}
		if d == 0 && !neg {
			zero := true
			for _, e := range dims {
				zero = zero && e >= 0
			}
			if zero {
				return 0
			}
		}
	}
	for _, d := range dims {
		if neg {
			n *= d
			continue
		}
		p, ok := sizes.Mul(n, d)
		if !ok {
			return math.MaxInt64
		}
		n = p
	}
	return n
}

// Broadcast applies numpy (ONNX multidirectional, TensorRT elementwise)
// broadcasting to shapes. A static 1 yields to the other dim; a dynamic dim
// against a static n>1 becomes n (it must equal n at run time); two distinct
// dynamic dims stay dynamic.
func Broadcast(shapes ...Shape) (Shape, error) {
	rank := 0
	for _, s := range shapes {
		rank = max(rank, len(s))
	}
	out := make(Shape, rank)
	for i := range out {
		out[i] = D(1)
	}
	for _, s := range shapes {
		off := rank - len(s)
		for i, d := range s {
			o := &out[off+i]
			switch {
			case d.Static() && d.Size == 1:
			case o.Static() && o.Size == 1:
				*o = d
			case d.Static() && o.Static():
				if d.Size != o.Size {
					return nil, fmt.Errorf("cannot broadcast %s: dim %d is %d in one and %d in another", shapesString(shapes), off+i, o.Size, d.Size)
				}
			case d.Static():
				*o = d
			case o.Static():
			default:
				if o.Sym != d.Sym {
					*o = Sym("")
				}
			}
		}
	}
	return out, nil
}

func shapesString(shapes []Shape) string {
	parts := make([]string, len(shapes))
	for i, s := range shapes {
		parts[i] = s.String()
	}
	return strings.Join(parts, ", ")
}

// BroadcastInts is Broadcast for static shapes.
func BroadcastInts(shapes ...[]int64) ([]int64, error) {
	ss := make([]Shape, len(shapes))
	for i, s := range shapes {
		for _, d := range s {
			if d < 0 { // S would read it as a dynamic dim
				return nil, fmt.Errorf("negative dim %d in shape %v", d, s)
			}
		}
		ss[i] = S(s...)
	}
	out, err := Broadcast(ss...)
	if err != nil {
		return nil, err
	}
	r, ok := out.Ints()
	if !ok {
		return nil, fmt.Errorf("cannot broadcast %v to a static shape", shapes)
	}
	return r, nil
}

// NormAxis maps a possibly negative axis into [0, rank).
func NormAxis(axis int64, rank int) (int, error) {
	if axis < -int64(rank) || axis >= int64(rank) {
		if rank == 0 && (axis == 0 || axis == -1) {
			return 0, nil
		}
		return 0, fmt.Errorf("axis %d out of range for rank %d", axis, rank)
	}
	if axis < 0 {
		axis += int64(rank)
	}
	return int(axis), nil
}
