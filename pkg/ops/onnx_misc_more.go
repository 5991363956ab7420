package ops

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// Fallback kernels for smaller ops: the bitwise ops and BitShift (integer
// bits), BitCast (reinterpreting bytes), EyeLike, Swish, the Hann, Hamming
// and Blackman windows, Compress, ReverseSequence and Det.

func init() {
	for name, op := range map[string]kernels.BitOp{"BitwiseAnd": kernels.BitAnd, "BitwiseOr": kernels.BitOr, "BitwiseXor": kernels.BitXor} {
		op := op
		Register(Op{Key: "onnx." + name, Infer: inferBitwise, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
			return t1(kernels.Bitwise(op, in[0], in[1]))
		}})
	}
	Register(Op{Key: "onnx.BitShift", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if d := n.AttrString("direction", ""); d != "LEFT" && d != "RIGHT" {
			return nil, fmt.Errorf("direction is %q, want LEFT or RIGHT", d)
		}
		return inferBitwise(n, in)
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		op := kernels.ShiftLeft
		if n.AttrString("direction", "") == "RIGHT" {
			op = kernels.ShiftRight
		}
		return t1(kernels.Bitwise(op, in[0], in[1]))
	}})
	Register(Op{Key: "onnx.BitwiseNot", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 1); err != nil {
			return nil, err
		}
		if !in[0].DType.IsInt() {
			return nil, fmt.Errorf("input is %v, want an integer type", in[0].DType)
		}
		return out1(in[0].DType, in[0].Shape.Clone()), nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) { return t1(kernels.BitwiseNot(in[0])) }})
	Register(Op{Key: "onnx.BitCast", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 1); err != nil {
			return nil, err
		}
		to := ir.DType(n.AttrInt("to", 0))
		if !to.Supported() {
			return nil, &UnsupportedDTypeError{What: "BitCast to", DType: to}
		}
		if to.Size() != in[0].DType.Size() || to.IsLowBit() || in[0].DType.IsLowBit() {
			return nil, fmt.Errorf("BitCast from %v to %v: element sizes differ", in[0].DType, to)
		}
		return out1(to, in[0].Shape.Clone()), nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		return t1(kernels.BitCast(in[0], ir.DType(n.AttrInt("to", 0))))
	}})
	Register(Op{Key: "onnx.EyeLike", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 1); err != nil {
			return nil, err
		}
		if in[0].Shape != nil && in[0].Shape.Rank() != 2 {
			return nil, fmt.Errorf("input has rank %d, want 2", in[0].Shape.Rank())
		}
		dt := eyeDType(n, in[0].DType)
		if !dt.Supported() || dt.IsLowBit() {
			return nil, &UnsupportedDTypeError{What: "EyeLike dtype", DType: dt}
		}
		out := &ir.Value{DType: dt, Shape: in[0].Shape.Clone()}
		if d, ok := in[0].Shape.Ints(); ok && len(d) == 2 && d[0]*d[1] <= 1<<20 {
			out.Const = kernels.EyeLike(d[0], d[1], n.AttrInt("k", 0), dt) // depends on the shape alone
		}
		return []*ir.Value{out}, nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		return []*ir.Tensor{kernels.EyeLike(in[0].Shape[0], in[0].Shape[1], n.AttrInt("k", 0), eyeDType(n, in[0].DType))}, nil
	}})
	Register(Op{Key: "onnx.Swish", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 1); err != nil {
			return nil, err
		}
		if !in[0].DType.IsFloat() {
			return nil, fmt.Errorf("input is %v, want a float type", in[0].DType)
		}
		return out1(in[0].DType, in[0].Shape.Clone()), nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		a := float64(n.AttrFloat("alpha", 1))
		return t1(kernels.UnaryF32(in[0], func(x float32) float32 {
			return float32(float64(x) / (1 + math.Exp(-a*float64(x))))
		}, func(x float64) float64 { return x / (1 + math.Exp(-a*x)) }))
	}})
	for _, w := range []string{"Hann", "Hamming", "Blackman"} {
		kind := strings.ToLower(w)
		Register(Op{Key: "onnx." + w + "Window", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
			if err := needInputs(in, 1); err != nil {
				return nil, err
			}
			if !in[0].DType.IsInt() || (in[0].Shape != nil && in[0].Shape.Rank() != 0) {
				return nil, fmt.Errorf("size is %v%v, want an integer scalar", in[0].DType, in[0].Shape)
			}
			dt := ir.DType(n.AttrInt("output_datatype", int64(ir.Float32)))
			if !dt.Supported() || dt.IsLowBit() {
				return nil, &UnsupportedDTypeError{What: "window output_datatype", DType: dt}
			}
			size := ir.Sym("")
			if c := in[0].Const; c != nil {
				size = ir.D(c.Int(0))
			}
			return out1(dt, ir.Shape{size}), nil
		}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
			return t1(kernels.Window(kind, in[0].Int(0), n.AttrInt("periodic", 1) != 0, ir.DType(n.AttrInt("output_datatype", int64(ir.Float32)))))
		}})
	}
	Register(Op{Key: "onnx.Compress", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 2); err != nil {
			return nil, err
		}
		if in[1].DType != ir.Bool {
			return nil, fmt.Errorf("condition is %v, want bool", in[1].DType)
		}
		x := in[0]
		if !n.HasAttr("axis") {
			return out1(x.DType, ir.Shape{ir.Sym("")}), nil
		}
		if x.Shape == nil {
			return nil, fmt.Errorf("input rank is unknown")
		}
		ax := int(n.AttrInt("axis", 0))
		if ax < 0 {
			ax += len(x.Shape)
		}
		if ax < 0 || ax >= len(x.Shape) {
			return nil, fmt.Errorf("axis %d is out of range for rank %d", n.AttrInt("axis", 0), len(x.Shape))
		}
		s := x.Shape.Clone()
		s[ax] = ir.Sym("")
		return out1(x.DType, s), nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		ax := int(n.AttrInt("axis", 0))
		if ax < 0 {
			ax += len(in[0].Shape)
		}
		return t1(kernels.Compress(in[0], in[1], ax, !n.HasAttr("axis")))
	}})
	Register(Op{Key: "onnx.ReverseSequence", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 2); err != nil {
			return nil, err
		}
		if in[1].DType != ir.Int64 {
			return nil, fmt.Errorf("sequence_lens is %v, want int64", in[1].DType)
		}
		b, t := n.AttrInt("batch_axis", 1), n.AttrInt("time_axis", 0)
		if !((b == 0 && t == 1) || (b == 1 && t == 0)) {
			return nil, fmt.Errorf("batch_axis %d and time_axis %d must be 0 and 1 in some order", b, t)
		}
		return out1(in[0].DType, in[0].Shape.Clone()), nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		return t1(kernels.ReverseSequence(in[0], in[1], int(n.AttrInt("batch_axis", 1)), int(n.AttrInt("time_axis", 0))))
	}})
	Register(Op{Key: "onnx.Det", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 1); err != nil {
			return nil, err
		}
		x := in[0]
		if !x.DType.IsFloat() {
			return nil, fmt.Errorf("input is %v, want a float type", x.DType)
		}
		if x.Shape == nil || x.Shape.Rank() < 2 {
			return nil, fmt.Errorf("input needs rank 2 or more")
		}
		return out1(x.DType, x.Shape[:x.Shape.Rank()-2].Clone()), nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) { return t1(kernels.Det(in[0])) }})
}

func eyeDType(n *ir.Node, in ir.DType) ir.DType {
	if n.HasAttr("dtype") {
		return ir.DType(n.AttrInt("dtype", 0))
	}
	return in
}

func inferBitwise(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 2); err != nil {
		return nil, err
	}
	if in[0].DType != in[1].DType || !in[0].DType.IsInt() {
		return nil, fmt.Errorf("inputs are %v and %v, want one integer type", in[0].DType, in[1].DType)
	}
	s, err := ir.Broadcast(in[0].Shape, in[1].Shape)
	if err != nil {
		return nil, err
	}
	return out1(in[0].DType, s), nil
}

// GridSample (opsets 16-22): modes linear/bilinear, nearest, cubic/bicubic
// (2-D only), padding zeros/border/reflection, align_corners; 2-D and 3-D
// images. The converter maps 2-D images to IGridSampleLayer
// (converters/onnx/gridsample.go); the reference backend's layer runs this
// kernel.
func init() {
	Register(Op{Key: "onnx.GridSample", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 2); err != nil {
			return nil, err
		}
		x, g := in[0], in[1]
		if !x.DType.IsFloat() || !g.DType.IsFloat() {
			return nil, fmt.Errorf("input is %v and grid %v, want float types", x.DType, g.DType)
		}
		if x.Shape == nil || g.Shape == nil || x.Shape.Rank() < 3 || g.Shape.Rank() != x.Shape.Rank() {
			return nil, fmt.Errorf("input %v and grid %v: want [N, C, spatial...] and [N, out spatial..., k]", x.Shape, g.Shape)
		}
		r := x.Shape.Rank()
		s := append(ir.Shape{x.Shape[0], x.Shape[1]}, g.Shape[1:r-1]...)
		return out1(x.DType, s.Clone()), nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		return t1(kernels.GridSample(in[0], in[1], kernels.GridSampleParams{
			Mode: n.AttrString("mode", "linear"), Padding: n.AttrString("padding_mode", "zeros"), AlignCorners: n.AttrInt("align_corners", 0) != 0}))
	}})
}

// AffineGrid, CenterCropPad, NonZero and LRN.
func init() {
	Register(Op{Key: "onnx.AffineGrid", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 2); err != nil {
			return nil, err
		}
		if !in[0].DType.IsFloat() || in[1].DType != ir.Int64 {
			return nil, fmt.Errorf("theta is %v and size %v, want a float type and int64", in[0].DType, in[1].DType)
		}
		sd := in[1].ShapeData
		if c := in[1].Const; c != nil {
			sd = ir.S(c.Ints()...)
		}
		if sd == nil || (len(sd) != 4 && len(sd) != 5) {
			if in[1].Shape != nil && in[1].Shape.Rank() == 1 && in[1].Shape[0].Static() {
				k := in[1].Shape[0].Size - 2
				s := ir.Shape{ir.Sym("")}
				for i := int64(0); i < k; i++ {
					s = append(s, ir.Sym(""))
				}
				return out1(in[0].DType, append(s, ir.D(k))), nil
			}
			return nil, fmt.Errorf("size must have 4 or 5 elements of known count")
		}
		k := int64(len(sd) - 2)
		return out1(in[0].DType, append(append(ir.Shape{sd[0]}, sd[2:]...), ir.D(k))), nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		return t1(kernels.AffineGrid(in[0], in[1].Ints(), n.AttrInt("align_corners", 0) != 0))
	}})
	Register(Op{Key: "onnx.CenterCropPad", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 2); err != nil {
			return nil, err
		}
		x := in[0]
		if x.Shape == nil || !in[1].DType.IsInt() {
			return nil, fmt.Errorf("input rank must be known and shape an integer tensor")
		}
		axes, err := cropAxes(n, len(x.Shape))
		if err != nil {
			return nil, err
		}
		s := x.Shape.Clone()
		for i, a := range axes {
			s[a] = ir.Sym("")
			if c := in[1].Const; c != nil && int64(i) < c.Numel() {
				s[a] = ir.D(c.Int(i))
			}
		}
		return out1(x.DType, s), nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		axes, err := cropAxes(n, len(in[0].Shape))
		if err != nil {
			return nil, err
		}
		tgt := in[1].Ints()
		if len(tgt) != len(axes) {
			return nil, fmt.Errorf("shape has %d elements for %d axes", len(tgt), len(axes))
		}
		return t1(kernels.CenterCropPad(in[0], axes, tgt))
	}})
	Register(Op{Key: "onnx.NonZero", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 1); err != nil {
			return nil, err
		}
		if in[0].Shape == nil {
			return nil, fmt.Errorf("input rank is unknown")
		}
		return out1(ir.Int64, ir.Shape{ir.D(int64(in[0].Shape.Rank())), ir.Sym("")}), nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		return []*ir.Tensor{kernels.NonZero(in[0])}, nil
	}})
	Register(Op{Key: "onnx.LRN", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 1); err != nil {
			return nil, err
		}
		if !in[0].DType.IsFloat() || n.AttrInt("size", 0) < 1 {
			return nil, fmt.Errorf("LRN needs a float input and a positive size")
		}
		return out1(in[0].DType, in[0].Shape.Clone()), nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		return t1(kernels.LRN(in[0], n.AttrInt("size", 0), float64(n.AttrFloat("alpha", 1e-4)), float64(n.AttrFloat("beta", 0.75)), float64(n.AttrFloat("bias", 1))))
	}})
}

func cropAxes(n *ir.Node, rank int) ([]int, error) {
	var axes []int
	if a := n.AttrInts("axes", nil); a != nil {
		for _, v := range a {
			if v < 0 {
				v += int64(rank)
			}
			if v < 0 || v >= int64(rank) {
				return nil, fmt.Errorf("axis %d is out of range for rank %d", v, rank)
			}
			axes = append(axes, int(v))
		}
		return axes, nil
	}
	for i := 0; i < rank; i++ {
		axes = append(axes, i)
	}
	return axes, nil
}

// DFT (opsets 17-20): axis as an attribute (default 1) before opset 20 and
// as input 2 (default -2) from opset 20; dft_length (input 1), inverse,
// onesided.
func init() {
	Register(Op{Key: "onnx.DFT", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 1); err != nil {
			return nil, err
		}
		x := in[0]
		if !x.DType.IsFloat() || x.Shape == nil || x.Shape.Rank() < 2 {
			return nil, fmt.Errorf("input %v%v: want a float tensor of rank 2 or more", x.DType, x.Shape)
		}
		axis, ok, err := dftAxis(n, in, x.Shape.Rank())
		if err != nil {
			return nil, err
		}
		s := x.Shape.Clone()
		inverse, onesided := n.AttrInt("inverse", 0) != 0, n.AttrInt("onesided", 0) != 0
		s[len(s)-1] = ir.D(2)
		if inverse && onesided {
			s[len(s)-1] = ir.D(1)
		}
		if !ok { // axis known at run time only: every signal dim may change
			for i := 0; i < len(s)-1; i++ {
				s[i] = ir.Sym("")
			}
			return out1(x.DType, s), nil
		}
		length := int64(-1)
		if l := optVal(in, 1); l != nil {
			if l.Const == nil {
				s[axis] = ir.Sym("")
				return out1(x.DType, s), nil
			}
			length = l.Const.Int(0)
		}
		if d := x.Shape[axis]; d.Static() {
			nlen := d.Size
			if length > 0 {
				nlen = length
			} else if inverse && onesided {
				nlen = 2 * (d.Size - 1)
			}
			if onesided && !inverse {
				nlen = nlen/2 + 1
			}
			s[axis] = ir.D(nlen)
		} else {
			s[axis] = ir.Sym("")
		}
		return out1(x.DType, s), nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		vals := make([]*ir.Value, len(in))
		for i, t := range in {
			if t != nil {
				vals[i] = &ir.Value{DType: t.DType, Shape: ir.S(t.Shape...), Const: t}
			}
		}
		axis, _, err := dftAxis(n, vals, len(in[0].Shape))
		if err != nil {
			return nil, err
		}
		length := int64(-1)
		if l := optIn(in, 1); l != nil {
			length = l.Int(0)
		}
		return t1(kernels.DFT(in[0], axis, length, n.AttrInt("inverse", 0) != 0, n.AttrInt("onesided", 0) != 0))
	}})
}

// dftAxis resolves DFT's axis; ok is false when it is a runtime input.
func dftAxis(n *ir.Node, in []*ir.Value, rank int) (int, bool, error) {
	var a int64
	switch {
	case n.HasAttr("axis"):
		a = n.AttrInt("axis", 1)
	case optVal(in, 2) != nil:
		if in[2].Const == nil {
			return 0, false, nil
		}
		a = in[2].Const.Int(0)
	default:
		a = -2
		if op, ok := n.Attrs[OpsetAttr]; ok && op.I < 20 {
			a = 1
		}
	}
	if a < 0 {
		a += int64(rank)
	}
	if a < 0 || a >= int64(rank-1) {
		return 0, true, fmt.Errorf("axis %d is out of range for rank %d (the last dim holds real/imaginary parts)", a, rank)
	}
	return int(a), true, nil
}

// Unique (opset 11+): sorted (default) or in first-occurrence order, over
// the flattened input or the slices along axis; outputs Y, indices,
// inverse_indices, counts.
func init() {
	Register(Op{Key: "onnx.Unique", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 1); err != nil {
			return nil, err
		}
		x := in[0]
		if x.DType.IsLowBit() || x.Shape == nil {
			return nil, fmt.Errorf("input %v%v: rank must be known", x.DType, x.Shape)
		}
		y := ir.Shape{ir.Sym("")}
		inv := ir.Shape{ir.Sym("")}
		if n.HasAttr("axis") {
			ax, err := uniqueAxis(n, len(x.Shape))
			if err != nil {
				return nil, err
			}
			y = x.Shape.Clone()
			y[ax] = ir.Sym("")
			inv = ir.Shape{x.Shape[ax]}
		} else if d, ok := x.Shape.Ints(); ok {
			inv = ir.Shape{ir.D(ir.Numel(d))}
		}
		u := ir.Shape{ir.Sym("")}
		return []*ir.Value{{DType: x.DType, Shape: y}, {DType: ir.Int64, Shape: u}, {DType: ir.Int64, Shape: inv}, {DType: ir.Int64, Shape: u.Clone()}}, nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		ax := 0
		if n.HasAttr("axis") {
			var err error
			if ax, err = uniqueAxis(n, len(in[0].Shape)); err != nil {
				return nil, err
			}
		}
		y, f, inv, c := kernels.Unique(in[0], ax, !n.HasAttr("axis"), n.AttrInt("sorted", 1) != 0)
		return []*ir.Tensor{y, f, inv, c}, nil
	}})
}

func uniqueAxis(n *ir.Node, rank int) (int, error) {
	a := n.AttrInt("axis", 0)
	if a < 0 {
		a += int64(rank)
	}
	if a < 0 || a >= int64(rank) {
		return 0, fmt.Errorf("axis %d is out of range for rank %d", n.AttrInt("axis", 0), rank)
	}
	return int(a), nil
}

// SwiGLU (opset 28): Swish(a, alpha) * b, as its function body says.
func init() {
	Register(Op{Key: "onnx.SwiGLU", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 2); err != nil {
			return nil, err
		}
		if !in[0].DType.IsFloat() || in[0].DType != in[1].DType {
			return nil, fmt.Errorf("inputs are %v and %v, want one float type", in[0].DType, in[1].DType)
		}
		s, err := ir.Broadcast(in[0].Shape, in[1].Shape)
		if err != nil {
			return nil, err
		}
		return out1(in[0].DType, s), nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		a := float64(n.AttrFloat("alpha", 1))
		g, err := kernels.UnaryF32(in[0], func(x float32) float32 {
			return float32(float64(x) / (1 + math.Exp(-a*float64(x))))
		}, func(x float64) float64 { return x / (1 + math.Exp(-a*x)) })
		if err != nil {
			return nil, err
		}
		return t1(kernels.Binary(kernels.OpMul, g, in[1]))
	}})
}

// MaxUnpool (opsets 9-22): scatters X into zeros at the flat indices I (as
// MaxPool's Indices give them); the output shape is output_shape when given,
// else the pooling inverse (in-1)*stride + kernel - pads.
func init() {
	Register(Op{Key: "onnx.MaxUnpool", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 2); err != nil {
			return nil, err
		}
		x := in[0]
		if in[1].DType != ir.Int64 || x.Shape == nil || x.Shape.Rank() < 3 {
			return nil, fmt.Errorf("X %v and I %v: want rank >= 3 and int64 indices", x.Shape, in[1].DType)
		}
		if v := optVal(in, 2); v != nil {
			if v.Const != nil {
				return out1(x.DType, ir.S(v.Const.Ints()...)), nil
			}
			s := ir.Shape{}
			for range x.Shape {
				s = append(s, ir.Sym(""))
			}
			return out1(x.DType, s), nil
		}
		dims, ok := x.Shape.Ints()
		if !ok {
			return nil, fmt.Errorf("X %v needs a static shape without output_shape", x.Shape)
		}
		out, err := unpoolShape(n, dims)
		if err != nil {
			return nil, err
		}
		return out1(x.DType, ir.S(out...)), nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		// The indices address the default unpooled shape; an output_shape
		// then embeds that result at the origin of a larger (or smaller)
		// tensor, as ONNX's reference does.
		shape, err := unpoolShape(n, in[0].Shape)
		if err != nil {
			return nil, err
		}
		x, idx := in[0], in[1]
		if idx.Numel() != x.Numel() {
			return nil, fmt.Errorf("I has %d elements, X has %d", idx.Numel(), x.Numel())
		}
		out := ir.NewTensor(x.DType, shape)
		total, es := out.Numel(), int64(x.DType.Size())
		for i := int64(0); i < x.Numel(); i++ {
			j := idx.Int(int(i))
			if j < 0 || j >= total {
				return nil, fmt.Errorf("index %d at %d is outside the output's %d elements", j, i, total)
			}
			copy(out.Data[j*es:(j+1)*es], x.Data[i*es:(i+1)*es])
		}
		if s := optIn(in, 2); s != nil && !slices.Equal(s.Ints(), shape) {
			want := s.Ints()
			if len(want) != len(shape) {
				return nil, fmt.Errorf("output_shape %v has rank %d, X has %d", want, len(want), len(shape))
			}
			return t1(embedAtOrigin(out, want))
		}
		return []*ir.Tensor{out}, nil
	}})
}

func unpoolShape(n *ir.Node, x []int64) ([]int64, error) {
	nsp := len(x) - 2
	k := n.AttrInts("kernel_shape", nil)
	if len(k) != nsp {
		return nil, fmt.Errorf("kernel_shape %v does not have %d dims", k, nsp)
	}
	st := n.AttrInts("strides", nil)
	pads := n.AttrInts("pads", nil)
	out := append([]int64{}, x[:2]...)
	for d := 0; d < nsp; d++ {
		s := int64(1)
		if st != nil {
			s = st[d]
		}
		var pb, pe int64
		if len(pads) == 2*nsp {
			pb, pe = pads[d], pads[nsp+d]
		}
		out = append(out, (x[2+d]-1)*s+k[d]-pb-pe)
	}
	return out, nil
}

// embedAtOrigin copies t into a zero tensor of shape, element (i...) to
// (i...), dropping what falls outside.
func embedAtOrigin(t *ir.Tensor, shape []int64) (*ir.Tensor, error) {
	out := ir.NewTensor(t.DType, shape)
	es := int64(t.DType.Size())
	st, ot := kernels.Strides(t.Shape), kernels.Strides(shape)
	for i := int64(0); i < t.Numel(); i++ {
		rem, dst, ok := i, int64(0), true
		for d := range t.Shape {
			c := rem / st[d]
			rem %= st[d]
			if c >= shape[d] {
				ok = false
				break
			}
			dst += c * ot[d]
		}
		if ok {
			copy(out.Data[dst*es:(dst+1)*es], t.Data[i*es:(i+1)*es])
		}
	}
	return out, nil
}
