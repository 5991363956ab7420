package aten_test

import (
	"fmt"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// rnnCase is a recurrent layer of hidden size 3 over input [T=5, B=2, I=4]
// (batch_first: [B, T, I]); dynamic makes T symbolic.
func rnnCase(op string, layers, dirs int64, bias, batchFirst, dynamic bool) convtest.Case {
	const T, B, I, H = 5, 2, 4, 3
	g := map[string]int64{"aten.lstm.input": 4, "aten.gru.input": 3, "aten.rnn_tanh.input": 1, "aten.rnn_relu.input": 1}[op]
	x := convtest.Input{DType: ir.Float32, Shape: ir.S(T, B, I)}
	if batchFirst {
		x.Shape = ir.S(B, T, I)
	}
	if dynamic {
		run, _ := x.Shape.Ints()
		x.RunShape = run
		if batchFirst {
			x.Shape = ir.Shape{ir.D(B), ir.Sym("s0"), ir.D(I)}
		} else {
			x.Shape = ir.Shape{ir.Sym("s0"), ir.D(B), ir.D(I)}
		}
	}
	in := []convtest.Input{x, f32(layers*dirs, B, H)}
	if op == "aten.lstm.input" {
		in = append(in, f32(layers*dirs, B, H))
	}
	for l := int64(0); l < layers; l++ {
		isz := int64(I)
		if l > 0 {
			isz = dirs * H
		}
		for d := int64(0); d < dirs; d++ {
			in = append(in, convtest.Input{DType: ir.Float32, Shape: ir.S(g*H, isz), Const: true, Lo: -1, Hi: 1},
				convtest.Input{DType: ir.Float32, Shape: ir.S(g*H, H), Const: true, Lo: -1, Hi: 1})
			if bias {
				in = append(in, convtest.Input{DType: ir.Float32, Shape: ir.S(g * H), Const: true, Lo: -1, Hi: 1},
					convtest.Input{DType: ir.Float32, Shape: ir.S(g * H), Const: true, Lo: -1, Hi: 1})
			}
		}
	}
	b := func(v bool) ir.Attr {
		if v {
			return ai(1)
		}
		return ai(0)
	}
	outs := 2
	if op == "aten.lstm.input" {
		outs = 3
	}
	return convtest.Case{Op: op, Inputs: in, NumOutputs: outs, Attrs: A{"num_layers": ai(layers), "bidirectional": b(dirs == 2),
		"has_biases": b(bias), "batch_first": b(batchFirst), "dropout": af(0), "train": ai(0)}}
}

var rnnOps = []string{"aten.lstm.input", "aten.gru.input", "aten.rnn_tanh.input", "aten.rnn_relu.input"}

func rnnCases() []convtest.Case {
	var cs []convtest.Case
	for _, op := range rnnOps {
		cs = append(cs, rnnCase(op, 1, 1, true, false, false), rnnCase(op, 2, 2, true, true, false),
			rnnCase(op, 2, 1, false, false, true), rnnCase(op, 1, 2, true, true, true))
	}
	return cs
}

func init() { allCases = append(allCases, rnnCases()) }

// Layers, directions, biases, batch_first and a symbolic sequence length,
// each checked against the CPU kernel.
func TestRecurrentLoops(t *testing.T) {
	for i, c := range rnnCases() {
		t.Run(fmt.Sprintf("%s/%d", c.Op, i%4), func(t *testing.T) {
			r := convtest.Run(t, c)
			if r.Converter.Target != c.Op {
				t.Errorf("converted by %s", r.Converter.Name)
			}
		})
	}
}
