package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// DFT with a build-time length as one MatrixMultiply by a constant matrix.
// A DFT is linear in the input's real and imaginary parts, so with the
// signal length m along axis static and dft_length and axis constants, the
// whole op (zero padding or truncation to dft_length, inverse with its 1/n,
// onesided output, and the inverse-onesided rebuild of the spectrum by
// conjugate symmetry) is a matrix W [m*ch, outLen*och] (ch, och: 1 for
// real, 2 for complex), which the converter takes from the CPU kernel run
// on the unit vectors, so the engine computes exactly the kernel's
// definition. The input's axis is moved next to its last dim and the two
// merged, multiplied by W, split and moved back.

// dftMaxWeights bounds W's element count (a 4096-point complex DFT).
const dftMaxWeights = 4096 * 2 * 4096 * 2

type dftSpec struct {
	axis              int
	length            int64 // 0: the signal length
	inverse, onesided bool
}

func dftSpecOf(n *conversion.Node) (dftSpec, error) {
	x := n.In[0]
	r := len(x.Shape)
	s := dftSpec{inverse: n.AttrInt("inverse", 0) != 0, onesided: n.AttrInt("onesided", 0) != 0}
	var a int64
	switch {
	case n.HasAttr("axis"):
		a = n.AttrInt("axis", 1)
	case len(n.In) > 2 && n.In[2] != nil:
		c := n.Const(2)
		if c == nil || c.Numel() != 1 {
			return s, fmt.Errorf("axis (input 2) must be a constant scalar: the DFT matrix is built at build time")
		}
		a = c.Int(0)
	case n.Opset >= 20:
		a = -2
	default:
		a = 1
	}
	if a < 0 {
		a += int64(r)
	}
	if a < 0 || a >= int64(r-1) {
		return s, fmt.Errorf("axis %d is out of range for rank %d (the last dim holds real/imaginary parts)", a, r)
	}
	s.axis = int(a)
	if len(n.In) > 1 && n.In[1] != nil {
		c := n.Const(1)
		if c == nil || c.Numel() != 1 {
			return s, fmt.Errorf("dft_length (input 1) must be a constant: the DFT matrix is built at build time")
		}
		if s.length = c.Int(0); s.length < 1 {
			return s, fmt.Errorf("dft_length %d is not positive", s.length)
		}
	}
	return s, nil
}

// dftMatrix is W: row j*ch+c is the output for the unit input at sample j,
// part c (real, imaginary); column f*och+d is output sample f, part d.
func dftMatrix(dt ir.DType, m, ch int64, s dftSpec) (*ir.Tensor, int64, int64, error) {
	basis := ir.NewTensor(ir.Float64, []int64{m * ch, m, ch})
	for j := int64(0); j < m; j++ {
		for c := int64(0); c < ch; c++ {
			basis.SetFloat(int(((j*ch+c)*m+j)*ch+c), 1)
		}
	}
	y, err := kernels.DFT(basis, 1, s.length, s.inverse, s.onesided)
	if err != nil {
		return nil, 0, 0, err
	}
	outLen, och := y.Shape[1], y.Shape[2]
	w := ir.NewTensor(dt, []int64{m * ch, outLen * och})
	for i := 0; i < int(y.Numel()); i++ {
		w.SetFloat(i, y.Float(i))
	}
	return w, outLen, och, nil
}

func init() {
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.DFT",
		Priority:      conversion.Standard,
		DynamicShapes: true,
		Validator: func(n *conversion.Node) error {
			if err := dtypeIn(floats...)(&conversion.Node{Node: n.Node, In: n.In[:1]}); err != nil {
				return err
			}
			x := n.In[0]
			r := len(x.Shape)
			if r < 2 || !x.Shape[r-1].Static() || (x.Shape[r-1].Size != 1 && x.Shape[r-1].Size != 2) {
				return fmt.Errorf("input %v: the last dim must be 1 (real) or 2 (complex)", x.Shape)
			}
			s, err := dftSpecOf(n)
			if err != nil {
				return err
			}
			m := x.Shape[s.axis]
			if !m.Static() {
				return fmt.Errorf("the signal dim %d is dynamic; the DFT matrix needs its length at build time", s.axis)
			}
			n2 := m.Size
			if s.length > 0 {
				n2 = s.length
			}
			if w := m.Size * 2 * n2 * 2; w > dftMaxWeights {
				return fmt.Errorf("a %d-point DFT of %d samples needs a %d-element matrix, more than the %d this converter builds", n2, m.Size, w, dftMaxWeights)
			}
			return nil
		},
		Description: "DFT as a MatrixMultiply by a constant DFT matrix (build-time length and axis)",
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			s, err := dftSpecOf(n)
			if err != nil {
				return err
			}
			x := ctx.Input(n, 0)
			shape := x.Shape()
			r := len(shape)
			m, ch := shape[s.axis].Size, shape[r-1].Size
			w, outLen, och, err := dftMatrix(x.DType(), m, ch, s)
			if err != nil {
				return err
			}
			// perm moves axis next to the last dim: [rest..., axis, last].
			var perm []int
			for i := 0; i < r-1; i++ {
				if i != s.axis {
					perm = append(perm, i)
				}
			}
			perm = append(perm, s.axis, r-1)
			t := impl.Transpose(ctx, x, perm)
			merge := make([]impl.DimSrc, 0, r-1)
			for i := 0; i < r-2; i++ {
				merge = append(merge, impl.FromIn(i))
			}
			t = impl.ReshapeSpec(ctx, t, append(merge, impl.Const(m*ch)))
			t = impl.MatMul(ctx, t, ctx.Net.AddConstant(w))
			t = impl.ReshapeSpec(ctx, t, append(merge, impl.Const(outLen), impl.Const(och)))
			inv := make([]int, r)
			for i, p := range perm {
				inv[p] = i
			}
			ctx.SetOutput(n, 0, impl.Transpose(ctx, t, inv))
			return nil
		},
	})
}
