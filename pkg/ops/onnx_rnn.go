package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// RNN, GRU and LSTM with every attribute: direction (forward, reverse,
// bidirectional), activations with activation_alpha/beta, clip, layout,
// input_forget (LSTM), linear_before_reset (GRU), and the optional inputs
// B, sequence_lens, initial_h, initial_c and P. Outputs Y, Y_h, Y_c
// (LSTM). Inputs: X, W, R, B, sequence_lens, initial_h, initial_c, P.

func init() {
	for _, k := range []kernels.RNNKind{kernels.CellRNN, kernels.CellGRU, kernels.CellLSTM} {
		k := k
		Register(Op{Key: "onnx." + k.String(),
			Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) { return inferRNN(k, n, in) },
			Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
				p := rnnParams(k, n)
				args := kernels.RNNInputs{X: in[0], W: in[1], R: in[2], B: optIn(in, 3), SeqLens: optIn(in, 4), InitialH: optIn(in, 5)}
				if k == kernels.CellLSTM {
					args.InitialC, args.P = optIn(in, 6), optIn(in, 7)
				}
				return kernels.RunRNN(p, args)
			}})
	}
}

func rnnParams(k kernels.RNNKind, n *ir.Node) kernels.RNNParams {
	return kernels.RNNParams{
		Kind: k, Hidden: int(n.AttrInt("hidden_size", 0)), Direction: n.AttrString("direction", "forward"),
		Activations: func() []string {
			if a, ok := n.Attrs["activations"]; ok {
				return a.Strings
			}
			return nil
		}(),
		Alpha: n.AttrFloats("activation_alpha", nil), Beta: n.AttrFloats("activation_beta", nil),
		Clip: n.AttrFloat("clip", 0), InputForget: n.AttrInt("input_forget", 0) != 0,
		LinearBeforeReset: n.AttrInt("linear_before_reset", 0) != 0, Layout: int(n.AttrInt("layout", 0)),
	}
}

func inferRNN(k kernels.RNNKind, n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 3); err != nil {
		return nil, err
	}
	p := rnnParams(k, n)
	dirs, err := kernels.RNNDirections(p.Direction)
	if err != nil {
		return nil, err
	}
	if _, err := kernels.RNNActivations(p, dirs); err != nil {
		return nil, err
	}
	if p.Layout != 0 && p.Layout != 1 {
		return nil, fmt.Errorf("layout is %d, want 0 or 1", p.Layout)
	}
	if p.Clip < 0 {
		return nil, fmt.Errorf("clip is %v, want a positive threshold", p.Clip)
	}
	x := in[0]
	if !x.DType.IsFloat() {
		return nil, fmt.Errorf("X is %v, want a float type", x.DType)
	}
	for i, v := range in {
		if v != nil && i != 4 && v.DType != x.DType {
			return nil, fmt.Errorf("input %d is %v, X is %v", i, v.DType, x.DType)
		}
	}
	if v := optVal(in, 4); v != nil && v.DType != ir.Int32 {
		return nil, fmt.Errorf("sequence_lens is %v, want int32", v.DType)
	}
	if x.Shape != nil && x.Shape.Rank() != 3 {
		return nil, fmt.Errorf("X has rank %d, want 3", x.Shape.Rank())
	}
	hidden := ir.Sym("")
	if p.Hidden > 0 {
		hidden = ir.D(int64(p.Hidden))
	} else if w := in[2]; w.Shape != nil && w.Shape.Rank() == 3 {
		hidden = w.Shape[2] // R is [dirs, gates*H, H]
	}
	if !n.HasAttr("hidden_size") {
		return nil, fmt.Errorf("attribute hidden_size is missing")
	}
	var seq, batch ir.Dim = ir.Sym(""), ir.Sym("")
	if x.Shape != nil {
		seq, batch = x.Shape[0], x.Shape[1]
		if p.Layout == 1 {
			seq, batch = batch, seq
		}
	}
	d := ir.D(int64(dirs))
	y, st := ir.Shape{seq, d, batch, hidden}, ir.Shape{d, batch, hidden}
	if p.Layout == 1 {
		y, st = ir.Shape{batch, seq, d, hidden}, ir.Shape{batch, d, hidden}
	}
	outs := []*ir.Value{{DType: x.DType, Shape: y}, {DType: x.DType, Shape: st}}
	if k == kernels.CellLSTM {
		outs = append(outs, &ir.Value{DType: x.DType, Shape: st.Clone()})
	}
	return outs, nil
}
