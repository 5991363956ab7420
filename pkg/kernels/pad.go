package kernels

import (
	"fmt"
	"github.com/trtc-dev/trtc/internal/sizes"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// PadMode is how Pad fills the border: with a constant, by reflecting
// without repeating the edge (numpy "reflect"), by repeating the edge, or by
// wrapping around.
type PadMode int

const (
	PadConstant PadMode = iota
	PadReflect
	PadEdge
	PadWrap
)

// ParsePadMode reads ONNX's mode names (constant, reflect, edge, wrap) and
// ATen's (replicate, circular).
func ParsePadMode(s string) (PadMode, error) {
	switch s {
	case "", "constant":
		return PadConstant, nil
	case "reflect":
		return PadReflect, nil
	case "edge", "replicate":
		return PadEdge, nil
	case "wrap", "circular":
		return PadWrap, nil
	}
	return 0, fmt.Errorf("unknown pad mode %q (want constant, reflect, edge or wrap)", s)
}

// PadIndex maps coordinate j of a padded dim onto [0, dim), or Skip where
// the constant fills it. Reflect and wrap repeat periodically for pads
// longer than the dim, as numpy's pad does.
func PadIndex(j, dim int64, mode PadMode) int64 {
	if j >= 0 && j < dim {
		return j
	}
	if dim == 0 || mode == PadConstant {
		return Skip
	}
	switch mode {
	case PadEdge:
		return min(max(j, 0), dim-1)
	case PadWrap:
		j %= dim
		if j < 0 {
			j += dim
		}
		return j
	}
	if dim == 1 { // reflect
		return 0
	}
	period := 2 * (dim - 1)
	j %= period
	if j < 0 {
		j += period
	}
	if j >= dim {
		j = period - j
	}
	return j
}

// Pad adds pre[d] elements before and post[d] after dim d of t; negative
// amounts crop. value (a scalar of t's dtype, nil for zero) fills the
// constant mode. Reflect, edge and wrap need a non-empty dim where they pad.
func Pad(t *ir.Tensor, pre, post []int64, mode PadMode, value *ir.Tensor) (*ir.Tensor, error) {
	rank := len(t.Shape)
	if len(pre) != rank || len(post) != rank {
		return nil, fmt.Errorf("pad: %d+%d pads for rank %d", len(pre), len(post), rank)
	}
	// Output dims first (checked), then the budget, then the index maps,
	// which are as long as the output's dims.
	outDims := make([]int64, rank)
	for d, dim := range t.Shape {
		if pre[d] > 1<<62 || post[d] > 1<<62 || pre[d] < -(1<<62) || post[d] < -(1<<62) || dim > 1<<61 {
			return nil, fmt.Errorf("pad: pads %d, %d on dim %d of size %d are past any size", pre[d], post[d], d, dim)
		}
		n := dim + pre[d] + post[d]
		if n < 0 {
			return nil, fmt.Errorf("pad: dim %d of size %d with pads %d, %d leaves a negative size", d, dim, pre[d], post[d])
		}
		if dim == 0 && mode != PadConstant && n > 0 {
			return nil, fmt.Errorf("pad: dim %d is empty; mode %v cannot pad it", d, mode)
		}
		outDims[d] = n
	}
	if _, err := sizes.Alloc("pad output", outDims, t.DType.Size(), t.DType.String()); err != nil {
		return nil, err
	}
	if ir.Numel(outDims) == 0 {
		return ir.NewTensor(t.DType, outDims), nil
	}
	maps := make([][]int64, rank)
	for d, dim := range t.Shape {
		n := outDims[d]
		m := make([]int64, n)
		for i := range m {
			m[i] = PadIndex(int64(i)-pre[d], dim, mode)
		}
		maps[d] = m
	}
	if value != nil {
		if value.Numel() != 1 {
			return nil, fmt.Errorf("pad: constant value has %d elements, want 1", value.Numel())
		}
		value = value.Reshaped(nil)
		if value.DType != t.DType {
			v, err := Cast(value, t.DType)
			if err != nil {
				return nil, err
			}
			value = v
		}
	}
	return MappedSlice(t, maps, value)
}

func (m PadMode) String() string {
	switch m {
	case PadConstant:
		return "constant"
	case PadReflect:
		return "reflect"
	case PadEdge:
		return "edge"
	case PadWrap:
		return "wrap"
	}
	return fmt.Sprintf("PadMode(%d)", int(m))
}
