package onnx_test

import (
	"fmt"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func sattrs(s ...string) ir.Attr    { return ir.Attr{Kind: ir.AttrStrings, Strings: s} }
func fattrs(v ...float32) ir.Attr   { return ir.Attr{Kind: ir.AttrFloats, Floats: v} }
func seqLens(v ...int32) *ir.Tensor { return ir.FromSlice(ir.Int32, []int64{int64(len(v))}, v) }

// rnnCase builds an RNN/GRU/LSTM case: seq 4, batch 3, input 5, hidden 2.
type rnnCase struct {
	op               string
	attrs            map[string]ir.Attr
	dirs             int64
	bias, h0, c0, p  bool
	seq              *ir.Tensor
	layout1, dynamic bool
	constWeights     bool
}

func (c rnnCase) build() convtest.Case {
	const S, B, I, H = 4, 3, 5, 2
	g := map[string]int64{"RNN": 1, "GRU": 3, "LSTM": 4}[c.op]
	attrs := map[string]ir.Attr{"hidden_size": iattr(H)}
	for k, v := range c.attrs {
		attrs[k] = v
	}
	xs := ir.S(S, B, I)
	run := []int64{S, B, I}
	if c.layout1 {
		attrs["layout"] = iattr(1)
		xs, run = ir.S(B, S, I), []int64{B, S, I}
	}
	if c.dynamic {
		xs = ir.Shape{ir.Sym("a"), ir.Sym("b"), ir.D(I)}
	}
	in := []convtest.Input{
		{DType: ir.Float32, Shape: xs, RunShape: run},
		{DType: ir.Float32, Shape: ir.S(c.dirs, g*H, I), Lo: -1, Hi: 1, Const: c.constWeights},
		{DType: ir.Float32, Shape: ir.S(c.dirs, g*H, H), Lo: -1, Hi: 1, Const: c.constWeights},
	}
	opt := func(on bool, i convtest.Input) convtest.Input {
		if !on {
			return convtest.Input{Absent: true}
		}
		return i
	}
	state := ir.S(c.dirs, B, H)
	if c.layout1 {
		state = ir.S(B, c.dirs, H)
	}
	in = append(in,
		opt(c.bias, convtest.Input{DType: ir.Float32, Shape: ir.S(c.dirs, 2*g*H), Lo: -1, Hi: 1, Const: c.constWeights}),
		opt(c.seq != nil, convtest.Input{DType: ir.Int32, Shape: ir.S(B), Data: c.seq}),
		opt(c.h0, convtest.Input{DType: ir.Float32, Shape: state}))
	outs := 2
	if c.op == "LSTM" {
		outs = 3
		in = append(in, opt(c.c0, convtest.Input{DType: ir.Float32, Shape: state}),
			opt(c.p, convtest.Input{DType: ir.Float32, Shape: ir.S(c.dirs, 3*H), Lo: -1, Hi: 1}))
	}
	for len(in) > 3 && in[len(in)-1].Absent {
		in = in[:len(in)-1]
	}
	return convtest.Case{Op: "onnx." + c.op, Attrs: attrs, Inputs: in, NumOutputs: outs}
}

func TestRecurrentLoops(t *testing.T) {
	bi := map[string]ir.Attr{"direction": sattr("bidirectional")}
	rev := map[string]ir.Attr{"direction": sattr("reverse")}
	lens := seqLens(4, 0, 2)
	for _, op := range []string{"RNN", "GRU", "LSTM"} {
		for i, c := range []rnnCase{
			{dirs: 1},
			{dirs: 1, attrs: rev, bias: true, h0: true, c0: true},
			{dirs: 2, attrs: bi, bias: true, h0: true, c0: true, p: true},
			{dirs: 2, attrs: bi, seq: lens, bias: true, h0: true},
			{dirs: 1, attrs: rev, seq: lens},
			{dirs: 2, attrs: bi, layout1: true, h0: true, c0: true, seq: seqLens(1, 3, 4)},
			{dirs: 1, attrs: map[string]ir.Attr{"clip": fattr(0.5)}, bias: true},
			{dirs: 1, dynamic: true, bias: true, constWeights: true},
			{dirs: 2, attrs: bi, dynamic: true, seq: lens, h0: true},
		} {
			c.op = op
			t.Run(fmt.Sprintf("%s/%d", op, i), func(t *testing.T) {
				res := convtest.Run(t, c.build())
				if res != nil && res.Layers == 0 {
					t.Error("no layers")
				}
			})
		}
	}
	// Activations with alpha and beta (consumed in order by the functions
	// that take them), input_forget, linear_before_reset.
	for i, c := range []rnnCase{
		{op: "RNN", dirs: 2, attrs: map[string]ir.Attr{"direction": sattr("bidirectional"), "activations": sattrs("LeakyRelu", "ScaledTanh"),
			"activation_alpha": fattrs(0.3, 0.7), "activation_beta": fattrs(1.5)}},
		{op: "RNN", dirs: 1, attrs: map[string]ir.Attr{"activations": sattrs("Affine"), "activation_alpha": fattrs(0.5), "activation_beta": fattrs(0.25)}},
		{op: "RNN", dirs: 1, attrs: map[string]ir.Attr{"activations": sattrs("Relu")}, bias: true},
		{op: "RNN", dirs: 1, attrs: map[string]ir.Attr{"activations": sattrs("Elu")}},
		{op: "RNN", dirs: 1, attrs: map[string]ir.Attr{"activations": sattrs("ThresholdedRelu"), "activation_alpha": fattrs(0.2)}},
		{op: "GRU", dirs: 1, attrs: map[string]ir.Attr{"linear_before_reset": iattr(1)}, bias: true, h0: true},
		{op: "GRU", dirs: 2, attrs: map[string]ir.Attr{"direction": sattr("bidirectional"), "linear_before_reset": iattr(1),
			"activations": sattrs("HardSigmoid", "Softsign", "Sigmoid", "Softplus"), "activation_alpha": fattrs(0.3), "activation_beta": fattrs(0.4)}, bias: true},
		{op: "LSTM", dirs: 1, attrs: map[string]ir.Attr{"input_forget": iattr(1)}, bias: true, p: true},
		{op: "LSTM", dirs: 1, attrs: map[string]ir.Attr{"activations": sattrs("HardSigmoid", "Tanh", "Relu"), "clip": fattr(1)}, bias: true, p: true, h0: true, c0: true},
	} {
		t.Run(fmt.Sprintf("acts/%d", i), func(t *testing.T) { convtest.Run(t, c.build()) })
	}
}

// Float16: the loop computes in float16, the kernel in float64.
func TestRecurrentLoopsFloat16(t *testing.T) {
	for _, op := range []string{"RNN", "GRU", "LSTM"} {
		c := rnnCase{op: op, dirs: 2, attrs: map[string]ir.Attr{"direction": sattr("bidirectional")}, bias: true, h0: true, c0: true}.build()
		for i := range c.Inputs {
			if c.Inputs[i].DType == ir.Float32 {
				c.Inputs[i].DType = ir.Float16
			}
		}
		c.Atol, c.Rtol = 1e-2, 1e-2
		convtest.Run(t, c)
	}
}

// What the loops cannot take falls back with a reason.
func TestRecurrentRejected(t *testing.T) {
	for name, c := range map[string]convtest.Case{
		"float64": {Op: "onnx.RNN", Attrs: map[string]ir.Attr{"hidden_size": iattr(2)}, NumOutputs: 2, Inputs: []convtest.Input{
			{DType: ir.Float64, Shape: ir.S(2, 1, 3)}, {DType: ir.Float64, Shape: ir.S(1, 2, 3)}, {DType: ir.Float64, Shape: ir.S(1, 2, 2)}}},
		"dynamic input size": {Op: "onnx.RNN", Attrs: map[string]ir.Attr{"hidden_size": iattr(2)}, NumOutputs: 2, Inputs: []convtest.Input{
			{DType: ir.Float32, Shape: ir.Shape{ir.D(2), ir.D(1), ir.Sym("I")}, RunShape: []int64{2, 1, 3}},
			{DType: ir.Float32, Shape: ir.Shape{ir.D(1), ir.D(2), ir.Sym("I")}, RunShape: []int64{1, 2, 3}}, {DType: ir.Float32, Shape: ir.S(1, 2, 2)}}},
	} {
		if _, err := convtest.Build(c); err == nil {
			t.Errorf("%s: converted", name)
		}
	}
}
