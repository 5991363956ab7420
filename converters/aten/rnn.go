package aten

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Recurrent layers as torch.export writes them before decomposition:
// lstm.input(input, hx[2], params[], has_biases, num_layers, dropout,
// train, bidirectional, batch_first), gru.input, rnn_tanh.input and
// rnn_relu.input, as TensorRT loops (impl.RNNLoop), one per layer and
// direction. pkg/lower unrolls them over a static sequence length of at
// most lower.MaxUnrolledSteps (64) steps x layers x directions, as
// run_decompositions() writes them; these converters take the rest: a
// symbolic sequence length, or a longer one, whose unrolled graph would
// grow by a dozen ops per step where a loop stays at about 40 layers per
// layer and direction.
//
// torch.nn's gates are LSTM (i, f, g, o) and GRU (r, z, n) with
// n = tanh(W_in x + b_in + r * (W_hn h + b_hn)): impl.RNNLoop's ONNX order
// LSTM (i, o, f, c) and GRU (z, r, h) with linear_before_reset.

type atenRNN struct {
	key   string
	cell  impl.RNNCell
	gates int64
	order []int64 // ONNX gate k is torch gate order[k]
	acts  []impl.RNNAct
}

var atenRNNs = []atenRNN{
	{"aten.lstm.input", impl.CellLSTM, 4, []int64{0, 3, 1, 2}, []impl.RNNAct{{Name: "Sigmoid"}, {Name: "Tanh"}, {Name: "Tanh"}}},
	{"aten.gru.input", impl.CellGRU, 3, []int64{1, 0, 2}, []impl.RNNAct{{Name: "Sigmoid"}, {Name: "Tanh"}}},
	{"aten.rnn_tanh.input", impl.CellRNN, 1, []int64{0}, []impl.RNNAct{{Name: "Tanh"}}},
	{"aten.rnn_relu.input", impl.CellRNN, 1, []int64{0}, []impl.RNNAct{{Name: "Relu"}}},
}

func init() {
	for _, r := range atenRNNs {
		r := r
		builtins = append(builtins, conversion.Converter{
			Target: r.key, Priority: conversion.Standard, DynamicShapes: true, Region: true,
			Validator:   func(n *conversion.Node) error { _, err := atenRNNArgs(r, n); return err },
			Description: "one ILoop per layer and direction (impl.RNNLoop): input projections before the loop, recurrences for h (and c), kCONCATENATE/kREVERSE and kLAST_VALUE outputs",
			Convert:     func(ctx *conversion.Context, n *conversion.Node) error { return convAtenRNN(ctx, r, n) },
		})
	}
}

type atenRNNConfig struct {
	layers, dirs, nhx int
	bias, batchFirst  bool
	hidden            int64
	params            []int // input indices of the parameter tensors
}

func atenRNNArgs(r atenRNN, n *conversion.Node) (*atenRNNConfig, error) {
	c := &atenRNNConfig{layers: int(n.AttrInt("num_layers", 1)), dirs: 1, nhx: 1,
		bias: n.AttrInt("has_biases", 1) != 0, batchFirst: n.AttrInt("batch_first", 0) != 0}
	if n.AttrInt("bidirectional", 0) != 0 {
		c.dirs = 2
	}
	if r.cell == impl.CellLSTM {
		c.nhx = 2
	}
	if n.AttrInt("train", 0) != 0 {
		return nil, fmt.Errorf("train=True: dropout between layers is random; export in eval mode")
	}
	per := 2
	if c.bias {
		per = 4
	}
	if len(n.In) != 1+c.nhx+per*c.layers*c.dirs || c.layers < 1 {
		return nil, fmt.Errorf("%d inputs for %d layer(s) x %d direction(s) (proj_size is not supported)", len(n.In), c.layers, c.dirs)
	}
	for i, v := range n.In {
		if v == nil {
			return nil, fmt.Errorf("input %d is missing", i)
		}
		if v.DType != ir.Float32 && v.DType != ir.Float16 {
			return nil, fmt.Errorf("input %d is %v; the loop's matrix multiplies take float32 or float16", i, v.DType)
		}
		if i > 0 && v.DType != n.In[0].DType {
			return nil, fmt.Errorf("input %d is %v, the input %v", i, v.DType, n.In[0].DType)
		}
		if i > c.nhx {
			c.params = append(c.params, i)
		}
	}
	x := n.In[0].Shape
	if len(x) != 3 || !x[2].Static() {
		return nil, fmt.Errorf("input %v: want rank 3 with a static feature size", x)
	}
	whh := n.In[c.params[1]].Shape
	if len(whh) != 2 || !whh[1].Static() {
		return nil, fmt.Errorf("w_hh has shape %v; it needs a static hidden size", whh)
	}
	c.hidden = whh[1].Size
	for l := 0; l < c.layers; l++ {
		in := x[2].Size
		if l > 0 {
			in = int64(c.dirs) * c.hidden
		}
		for d := 0; d < c.dirs; d++ {
			p := c.params[(l*c.dirs+d)*per:]
			want := [][]int64{{r.gates * c.hidden, in}, {r.gates * c.hidden, c.hidden}, {r.gates * c.hidden}, {r.gates * c.hidden}}
			for k := 0; k < per; k++ {
				if s, ok := n.In[p[k]].Shape.Ints(); !ok || fmt.Sprint(s) != fmt.Sprint(want[k]) {
					return nil, fmt.Errorf("layer %d direction %d: parameter %d has shape %v, want %v", l, d, k, n.In[p[k]].Shape, want[k])
				}
			}
		}
	}
	for i := 1; i <= c.nhx; i++ {
		if s := n.In[i].Shape; len(s) != 3 || (s[0].Static() && s[0].Size != int64(c.layers*c.dirs)) {
			return nil, fmt.Errorf("hx %d has shape %v, want [%d, batch, %d]", i-1, s, c.layers*c.dirs, c.hidden)
		}
	}
	return c, nil
}

func convAtenRNN(ctx *conversion.Context, r atenRNN, n *conversion.Node) error {
	c, err := atenRNNArgs(r, n)
	if err != nil {
		return err
	}
	net := ctx.Net
	H := c.hidden
	x := ctx.Input(n, 0)
	if c.batchFirst {
		x = impl.Transpose(ctx, x, []int{1, 0, 2})
	}
	rows := func(t network.Tensor, g int64, shape []int64) network.Tensor {
		s := t.Shape()
		if len(s) == 1 {
			return impl.Reshape(ctx, impl.Slice(ctx, t, []int64{g * H}, []int64{H}, []int64{1}), shape)
		}
		return impl.Reshape(ctx, impl.Slice(ctx, t, []int64{g * H, 0}, []int64{H, s[1].Size}, []int64{1, 1}), shape)
	}
	state := func(i int, k int64) network.Tensor {
		return net.AddGather(ctx.Input(n, i), net.AddConstant(ir.FromSlice(ir.Int64, []int64{}, []int64{k})), 0, network.GatherDEFAULT)
	}
	per := 2
	if c.bias {
		per = 4
	}
	var hN, cN []network.Tensor
	for l := 0; l < c.layers; l++ {
		in := x.Shape()[2].Size
		var outs []network.Tensor
		for d := 0; d < c.dirs; d++ {
			p := c.params[(l*c.dirs+d)*per:]
			dir := impl.RNNDirection{Cell: r.cell, Acts: r.acts, LinearBeforeReset: true, Reverse: d == 1}
			wih, whh := ctx.Input(n, p[0]), ctx.Input(n, p[1])
			for k, tg := range r.order {
				xg := net.AddMatrixMultiply(x, network.MatrixNONE, rows(wih, tg, []int64{1, H, in}), network.MatrixTRANSPOSE)
				var rb network.Tensor
				if c.bias {
					b := rows(ctx.Input(n, p[2]), tg, []int64{1, 1, H})
					bh := rows(ctx.Input(n, p[3]), tg, []int64{1, H})
					if r.cell == impl.CellGRU && k == 2 {
						rb = bh // n gate: r * (W_hn h + b_hn)
					} else {
						b = impl.Add(ctx, b, impl.Reshape(ctx, bh, []int64{1, 1, H}))
					}
					xg = impl.Add(ctx, xg, b)
				}
				dir.X = append(dir.X, xg)
				dir.R = append(dir.R, rows(whh, tg, []int64{H, H}))
				dir.RB = append(dir.RB, rb)
			}
			k := int64(l*c.dirs + d)
			dir.H0 = state(1, k)
			if r.cell == impl.CellLSTM {
				dir.C0 = state(2, k)
			}
			y, yh, yc := impl.RNNLoop(ctx, dir)
			outs = append(outs, y)
			hN = append(hN, impl.Unsqueeze(ctx, yh, []int{0}))
			if yc != nil {
				cN = append(cN, impl.Unsqueeze(ctx, yc, []int{0}))
			}
		}
		x = impl.Concat(ctx, outs, 2) // [S, B, dirs*H], the next layer's input
	}
	if c.batchFirst {
		x = impl.Transpose(ctx, x, []int{1, 0, 2})
	}
	ctx.SetOutput(n, 0, x)
	ctx.SetOutput(n, 1, impl.Concat(ctx, hN, 0))
	if cN != nil {
		ctx.SetOutput(n, 2, impl.Concat(ctx, cN, 0))
	}
	return nil
}
