package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// AffineGrid with a build-time size as one MatrixMultiply: the base grid B
// [1, D*H*W, k+1] (normalized x, y(, z) of each output point, then 1;
// align_corners picks corner centers or edges) is a constant, and the grid
// is B times theta [N, k, k+1] transposed, reshaped to [N, (D,) H, W, k].

func affineGridSize(n *conversion.Node) ([]int64, error) {
	s := n.Const(1)
	if s == nil {
		return nil, fmt.Errorf("size (input 1) must be a constant: it sizes the grid")
	}
	size := s.Ints()
	k := len(size) - 2
	if k != 2 && k != 3 {
		return nil, fmt.Errorf("size %v: want [N, C, H, W] or [N, C, D, H, W]", size)
	}
	th := n.In[0].Shape
	if len(th) != 3 || !th[1].Static() || !th[2].Static() || th[1].Size != int64(k) || th[2].Size != int64(k+1) {
		return nil, fmt.Errorf("theta %v: want [N, %d, %d] for size %v", th, k, k+1, size)
	}
	for _, d := range size[2:] {
		if d < 1 {
			return nil, fmt.Errorf("size %v has an empty spatial dim", size)
		}
	}
	if cnt := ir.Numel(size[2:]); cnt*int64(k+1) > constOpMaxElems {
		return nil, fmt.Errorf("size %v needs a base grid of more than %d elements", size, constOpMaxElems)
	}
	return size, nil
}

// affineBase is the base grid [1, points, k+1] of size's spatial dims.
func affineBase(dt ir.DType, sp []int64, align bool) *ir.Tensor {
	k := len(sp)
	cnt := ir.Numel(sp)
	b := ir.NewTensor(dt, []int64{1, cnt, int64(k + 1)})
	coord := func(i, l int64) float64 {
		switch {
		case l <= 1:
			return 0
		case align:
			return -1 + 2*float64(i)/float64(l-1)
		}
		return (2*float64(i)+1)/float64(l) - 1
	}
	idx := make([]int64, k)
	for p := int64(0); p < cnt; p++ {
		rem := p
		for d := k - 1; d >= 0; d-- {
			idx[d], rem = rem%sp[d], rem/sp[d]
		}
		for j := 0; j < k; j++ { // innermost first: x (W), y (H), z (D)
			b.SetFloat(int(p)*(k+1)+j, coord(idx[k-1-j], sp[k-1-j]))
		}
		b.SetFloat(int(p)*(k+1)+k, 1)
	}
	return b
}

func init() {
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.AffineGrid",
		Priority:      conversion.Standard,
		DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			if err := dtypeIn(floats...)(&conversion.Node{Node: n.Node, In: n.In[:1]}); err != nil {
				return err
			}
			_, err := affineGridSize(n)
			return err
		},
		Description: "AffineGrid as a MatrixMultiply of a constant base grid by theta transposed",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			size, err := affineGridSize(n)
			if err != nil {
				return err
			}
			theta := ctx.Input(n, 0)
			sp := size[2:]
			base := ctx.Net.AddConstant(affineBase(theta.DType(), sp, n.AttrInt("align_corners", 0) != 0))
			g := ctx.Net.AddMatrixMultiply(base, network.MatrixNONE, theta, network.MatrixTRANSPOSE)
			spec := []impl.DimSrc{impl.FromIn(0)}
			for _, d := range sp {
				spec = append(spec, impl.Const(d))
			}
			ctx.SetOutput(n, 0, impl.ReshapeSpec(ctx, g, append(spec, impl.Const(int64(len(sp))))))
			return nil
		},
	})
}
