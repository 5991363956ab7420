package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// MatMulInteger, ConvInteger (int32 outputs) and QLinearMatMul,
// QLinearConv (requantized outputs), with scalar or per-row/per-column
// (MatMul) and per-output-channel (Conv weights) scales and zero points.
// Fallback kernels only (ONNX Runtime's contrib-style integer ops; a QDQ
// graph is the form TensorRT takes).

func init() {
	Register(Op{Key: "onnx.MatMulInteger", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		return inferQMatMul(in, 0, 1, ir.Int32)
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		acc, err := qmatmul(in[0], optIn(in, 2), in[1], optIn(in, 3))
		if err != nil {
			return nil, err
		}
		return []*ir.Tensor{kernels.ToInt32(acc)}, nil
	}})
	Register(Op{Key: "onnx.QLinearMatMul", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 8); err != nil {
			return nil, err
		}
		return inferQMatMul(in, 0, 3, in[7].DType)
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		acc, err := qmatmul(in[0], in[2], in[3], in[5])
		if err != nil {
			return nil, err
		}
		as, bs, ys := in[1], in[4], float32(in[6].Float(0))
		cols := int(acc.Shape[len(acc.Shape)-1])
		rows := int(acc.Shape[len(acc.Shape)-2])
		scale := func(i int) float32 {
			r, c := i/cols%rows, i%cols
			a := float32(as.Float(min(r, int(as.Numel())-1)))
			b := float32(bs.Float(min(c, int(bs.Numel())-1)))
			return a * b / ys
		}
		return t1(kernels.Requantize(acc, scale, in[7], in[7].DType))
	}})
	Register(Op{Key: "onnx.ConvInteger", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		return inferQConv(n, in, 0, 1, ir.Int32)
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		acc, err := qconv(n, in[0], optIn(in, 2), in[1], optIn(in, 3), nil)
		if err != nil {
			return nil, err
		}
		return []*ir.Tensor{kernels.ToInt32(acc)}, nil
	}})
	Register(Op{Key: "onnx.QLinearConv", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 8); err != nil {
			return nil, err
		}
		return inferQConv(n, in, 0, 3, in[7].DType)
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		acc, err := qconv(n, in[0], in[2], in[3], in[5], optIn(in, 8))
		if err != nil {
			return nil, err
		}
		xs, ws, ys := float32(in[1].Float(0)), in[4], float32(in[6].Float(0))
		inner := int(ir.Numel(acc.Shape[2:]))
		m := int(acc.Shape[1])
		scale := func(i int) float32 {
			c := i / inner % m
			return xs * float32(ws.Float(min(c, int(ws.Numel())-1))) / ys
		}
		return t1(kernels.Requantize(acc, scale, in[7], in[7].DType))
	}})
}

func qmatmul(a, azp, b, bzp *ir.Tensor) (*ir.Tensor, error) {
	if len(a.Shape) < 2 || len(b.Shape) < 2 {
		return nil, fmt.Errorf("integer MatMul needs inputs of rank 2 or more, have %v and %v", a.Shape, b.Shape)
	}
	af, err := kernels.MinusZeroPoint(a, azp, len(a.Shape)-2)
	if err != nil {
		return nil, fmt.Errorf("A: %w", err)
	}
	bf, err := kernels.MinusZeroPoint(b, bzp, len(b.Shape)-1)
	if err != nil {
		return nil, fmt.Errorf("B: %w", err)
	}
	return kernels.MatMul(af, false, bf, false)
}

func qconv(n *ir.Node, x, xzp, w, wzp, bias *ir.Tensor) (*ir.Tensor, error) {
	xf, err := kernels.MinusZeroPoint(x, xzp, 1)
	if err != nil {
		return nil, fmt.Errorf("x: %w", err)
	}
	wf, err := kernels.MinusZeroPoint(w, wzp, 0)
	if err != nil {
		return nil, fmt.Errorf("w: %w", err)
	}
	var bf *ir.Tensor
	if bias != nil {
		if bf, err = kernels.Cast(bias, ir.Float64); err != nil {
			return nil, err
		}
	}
	out, err := runConv(n, []*ir.Tensor{xf, wf, bf})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

func isQuant8(dt ir.DType) bool { return dt == ir.Int8 || dt == ir.Uint8 }

func inferQMatMul(in []*ir.Value, ia, ib int, out ir.DType) ([]*ir.Value, error) {
	if err := needInputs(in, ib+1); err != nil {
		return nil, err
	}
	a, b := in[ia], in[ib]
	if !isQuant8(a.DType) || !isQuant8(b.DType) || !isQuant8(out) && out != ir.Int32 {
		return nil, fmt.Errorf("inputs are %v and %v (output %v), want int8/uint8", a.DType, b.DType, out)
	}
	fa, fb := &ir.Value{DType: ir.Float32, Shape: a.Shape}, &ir.Value{DType: ir.Float32, Shape: b.Shape}
	o, err := inferMatMul(&ir.Node{Op: "onnx.MatMul"}, []*ir.Value{fa, fb})
	if err != nil {
		return nil, err
	}
	o[0].DType = out
	return o[:1], nil
}

func inferQConv(n *ir.Node, in []*ir.Value, ix, iw int, out ir.DType) ([]*ir.Value, error) {
	if err := needInputs(in, iw+1); err != nil {
		return nil, err
	}
	x, w := in[ix], in[iw]
	if !isQuant8(x.DType) || !isQuant8(w.DType) {
		return nil, fmt.Errorf("x is %v and w %v, want int8/uint8", x.DType, w.DType)
	}
	fx, fw := &ir.Value{DType: ir.Float32, Shape: x.Shape}, &ir.Value{DType: ir.Float32, Shape: w.Shape}
	o, err := inferConv(n, []*ir.Value{fx, fw})
	if err != nil {
		return nil, err
	}
	o[0].DType = out
	return o, nil
}
