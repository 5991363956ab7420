package onnx

import (
	"fmt"
	"slices"
	"strings"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// RNN, GRU and LSTM as TensorRT loops (impl.RNNLoop), one per direction,
// with every attribute: direction (forward, reverse, bidirectional),
// activations with activation_alpha/beta, clip, layout, input_forget (LSTM),
// linear_before_reset (GRU), and the optional inputs B, sequence_lens,
// initial_h, initial_c and P. Inputs: X, W, R, B, sequence_lens, initial_h,
// initial_c, P; outputs Y, Y_h, Y_c.
//
// W, R, B and P are sliced per direction and gate with Slice layers (they
// may be run-time tensors, as in ONNX's node tests); their shapes must be
// known at build time.

type rnnOp struct {
	op    string
	cell  impl.RNNCell
	gates int
	acts  []string // default activations of one direction
}

var rnnOps = []rnnOp{
	{"RNN", impl.CellRNN, 1, []string{"Tanh"}},
	{"GRU", impl.CellGRU, 3, []string{"Sigmoid", "Tanh"}},
	{"LSTM", impl.CellLSTM, 4, []string{"Sigmoid", "Tanh", "Tanh"}},
}

func init() {
	for _, o := range rnnOps {
		o := o
		builtins = append(builtins, conversion.Converter{
			Target: "onnx." + o.op, Priority: conversion.Standard, DynamicShapes: true, Region: true,
			Validator:   func(n *conversion.Node) error { _, err := rnnAttrs(o, n); return err },
			Description: "an ILoop per direction: input projections before the loop, IIteratorLayers, IRecurrenceLayer states, kCONCATENATE/kREVERSE and kLAST_VALUE loop outputs",
			Convert:     func(ctx *conversion.Context, n *conversion.Node) error { return convRNN(ctx, o, n) },
		})
	}
}

// rnnConfig is a node's attributes, read and checked.
type rnnConfig struct {
	dirs               int
	direction          string
	hidden, input      int64
	acts               []impl.RNNAct // per direction, len(o.acts) each
	clip               float32
	layout             int64
	inputForget, lbr   bool
	hasB, hasSeq, hasP bool
	hasH0, hasC0       bool
}

// rnnAttrs reads the attributes and checks the inputs' shapes and dtypes.
func rnnAttrs(o rnnOp, n *conversion.Node) (*rnnConfig, error) {
	c := &rnnConfig{direction: n.AttrString("direction", "forward"), layout: n.AttrInt("layout", 0), clip: n.AttrFloat("clip", 0)}
	switch c.direction {
	case "forward", "reverse":
		c.dirs = 1
	case "bidirectional":
		c.dirs = 2
	default:
		return nil, fmt.Errorf("direction %q is not forward, reverse or bidirectional", c.direction)
	}
	if !n.HasAttr("hidden_size") || n.AttrInt("hidden_size", 0) < 1 {
		return nil, fmt.Errorf("attribute hidden_size is missing or not positive")
	}
	c.hidden = n.AttrInt("hidden_size", 0)
	if c.layout != 0 && c.layout != 1 {
		return nil, fmt.Errorf("layout is %d, want 0 or 1", c.layout)
	}
	if c.clip < 0 {
		return nil, fmt.Errorf("clip is %v, want a positive threshold", c.clip)
	}
	c.inputForget = n.AttrInt("input_forget", 0) != 0
	c.lbr = n.AttrInt("linear_before_reset", 0) != 0
	var names []string
	if a, ok := n.Attrs["activations"]; ok {
		names = a.Strings
	}
	if len(names) == 0 {
		for range c.dirs {
			names = append(names, o.acts...)
		}
	}
	if len(names) != len(o.acts)*c.dirs {
		return nil, fmt.Errorf("%s with %d direction(s) needs %d activations, has %d", o.op, c.dirs, len(o.acts)*c.dirs, len(names))
	}
	// activation_alpha/beta are consumed in order by the functions that
	// take them; the others keep the ONNX operators' defaults.
	alphas, betas := n.AttrFloats("activation_alpha", nil), n.AttrFloats("activation_beta", nil)
	for _, name := range names {
		if err := impl.RNNActivation(name); err != nil {
			return nil, err
		}
		d := rnnActDefaults[strings.ToLower(name)]
		a := impl.RNNAct{Name: name, Alpha: d.alpha, Beta: d.beta}
		if d.usesAlpha && len(alphas) > 0 {
			a.Alpha, alphas = alphas[0], alphas[1:]
		}
		if d.usesBeta && len(betas) > 0 {
			a.Beta, betas = betas[0], betas[1:]
		}
		c.acts = append(c.acts, a)
	}
	if len(n.In) < 3 || n.In[0] == nil || n.In[1] == nil || n.In[2] == nil {
		return nil, fmt.Errorf("X, W and R are required")
	}
	x := n.In[0]
	if x.DType != ir.Float32 && x.DType != ir.Float16 {
		return nil, fmt.Errorf("X is %v; the loop's matrix multiplies take float32 or float16", x.DType)
	}
	if len(x.Shape) != 3 || !x.Shape[2].Static() {
		return nil, fmt.Errorf("X has shape %v; want rank 3 with a static input size", x.Shape)
	}
	c.input = x.Shape[2].Size
	g := int64(o.gates)
	opt := func(i int) *ir.Value {
		if i < len(n.In) {
			return n.In[i]
		}
		return nil
	}
	want := func(i int, name string, dims ...int64) error {
		v := opt(i)
		if v.DType != x.DType {
			return fmt.Errorf("%s is %v, X is %v", name, v.DType, x.DType)
		}
		if got, ok := v.Shape.Ints(); !ok || !slices.Equal(got, dims) {
			return fmt.Errorf("%s has shape %v, want %v (static)", name, v.Shape, dims)
		}
		return nil
	}
	d := int64(c.dirs)
	if err := want(1, "W", d, g*c.hidden, c.input); err != nil {
		return nil, err
	}
	if err := want(2, "R", d, g*c.hidden, c.hidden); err != nil {
		return nil, err
	}
	if c.hasB = opt(3) != nil; c.hasB {
		if err := want(3, "B", d, 2*g*c.hidden); err != nil {
			return nil, err
		}
	}
	if v := opt(4); v != nil {
		c.hasSeq = true
		if v.DType != ir.Int32 || len(v.Shape) != 1 {
			return nil, fmt.Errorf("sequence_lens is %v %v, want 1-D int32", v.DType, v.Shape)
		}
	}
	for i, name := range []string{"initial_h", "initial_c"} {
		v := opt(5 + i)
		if v == nil || (i == 1 && o.cell != impl.CellLSTM) {
			continue
		}
		if v.DType != x.DType || len(v.Shape) != 3 {
			return nil, fmt.Errorf("%s is %v %v, want rank 3 of X's dtype", name, v.DType, v.Shape)
		}
		if i == 0 {
			c.hasH0 = true
		} else {
			c.hasC0 = true
		}
	}
	if o.cell == impl.CellLSTM {
		if c.hasP = opt(7) != nil; c.hasP {
			if err := want(7, "P", d, 3*c.hidden); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

var rnnActDefaults = map[string]struct {
	usesAlpha, usesBeta bool
	alpha, beta         float32
}{
	"affine":          {true, true, 1, 0},
	"leakyrelu":       {true, false, 0.01, 0},
	"thresholdedrelu": {true, false, 1, 0},
	"scaledtanh":      {true, true, 1, 1},
	"hardsigmoid":     {true, true, 0.2, 0.5},
	"elu":             {true, false, 1, 0},
}

func convRNN(ctx *conversion.Context, o rnnOp, n *conversion.Node) error {
	c, err := rnnAttrs(o, n)
	if err != nil {
		return err
	}
	net := ctx.Net
	x := ctx.Input(n, 0)
	if c.layout == 1 { // [B, S, I] -> [S, B, I]
		x = impl.Transpose(ctx, x, []int{1, 0, 2})
	}
	w, r := ctx.Input(n, 1), ctx.Input(n, 2)
	H, I, G := c.hidden, c.input, int64(o.gates)
	// piece slices rows [off, off+H) of direction d of a [dirs, *, cols]
	// tensor (cols 0: a [dirs, *] tensor) and reshapes it to shape.
	piece := func(t network.Tensor, d, off, cols int64, shape []int64) network.Tensor {
		if cols == 0 {
			return impl.Reshape(ctx, impl.Slice(ctx, t, []int64{d, off}, []int64{1, H}, []int64{1, 1}), shape)
		}
		return impl.Reshape(ctx, impl.Slice(ctx, t, []int64{d, off, 0}, []int64{1, H, cols}, []int64{1, 1, 1}), shape)
	}
	var seq network.Tensor
	if c.hasSeq {
		seq = ctx.Input(n, 4)
	}
	state := func(i int, d int64) network.Tensor {
		t := ctx.Input(n, 5+i)
		axis := 0
		if c.layout == 1 {
			axis = 1
		}
		s := impl.SliceAxes(ctx, t, []impl.SliceAxis{{Axis: axis, Start: d, End: d + 1, Step: 1}})
		return impl.Squeeze(ctx, s, []int{axis})
	}
	var ys, yhs, ycs []network.Tensor
	nacts := len(o.acts)
	for d := int64(0); d < int64(c.dirs); d++ {
		dir := impl.RNNDirection{Cell: o.cell, Acts: c.acts[int(d)*nacts : int(d+1)*nacts], Clip: c.clip,
			InputForget: c.inputForget, LinearBeforeReset: c.lbr, SeqLens: seq,
			Reverse: c.direction == "reverse" || d == 1}
		for g := int64(0); g < G; g++ {
			wg := piece(w, d, g*H, I, []int64{1, H, I})
			xg := net.AddMatrixMultiply(x, network.MatrixNONE, wg, network.MatrixTRANSPOSE) // [S, B, H]
			dir.R = append(dir.R, piece(r, d, g*H, H, []int64{H, H}))
			var rb network.Tensor
			if c.hasB {
				b := ctx.Input(n, 3)
				bias := piece(b, d, g*H, 0, []int64{1, 1, H}) // Wb
				rbg := piece(b, d, (G+g)*H, 0, []int64{1, H})
				if o.cell == impl.CellGRU && g == 2 {
					rb = rbg // GRU's h gate: inside the loop
				} else {
					bias = impl.Add(ctx, bias, impl.Reshape(ctx, rbg, []int64{1, 1, H}))
				}
				xg = impl.Add(ctx, xg, bias)
			}
			dir.X = append(dir.X, xg)
			dir.RB = append(dir.RB, rb)
		}
		if c.hasP {
			p := ctx.Input(n, 7)
			for k := int64(0); k < 3; k++ {
				dir.P = append(dir.P, piece(p, d, k*H, 0, []int64{1, H}))
			}
		}
		dt := n.In[0].DType
		if c.hasH0 {
			dir.H0 = state(0, d)
		} else {
			dir.H0 = impl.RNNZeros(ctx, x, 1, H, dt)
		}
		if o.cell == impl.CellLSTM {
			if c.hasC0 {
				dir.C0 = state(1, d)
			} else {
				dir.C0 = impl.RNNZeros(ctx, x, 1, H, dt)
			}
		}
		y, yh, yc := impl.RNNLoop(ctx, dir)
		ys = append(ys, impl.Unsqueeze(ctx, y, []int{1}))
		yhs = append(yhs, impl.Unsqueeze(ctx, yh, []int{0}))
		if yc != nil {
			ycs = append(ycs, impl.Unsqueeze(ctx, yc, []int{0}))
		}
	}
	y, yh := impl.Concat(ctx, ys, 1), impl.Concat(ctx, yhs, 0) // [S, dirs, B, H], [dirs, B, H]
	var yc network.Tensor
	if ycs != nil {
		yc = impl.Concat(ctx, ycs, 0)
	}
	if c.layout == 1 {
		y = impl.Transpose(ctx, y, []int{2, 0, 1, 3})
		yh = impl.Transpose(ctx, yh, []int{1, 0, 2})
		if yc != nil {
			yc = impl.Transpose(ctx, yc, []int{1, 0, 2})
		}
	}
	ctx.SetOutput(n, 0, y)
	ctx.SetOutput(n, 1, yh)
	if yc != nil {
		ctx.SetOutput(n, 2, yc)
	}
	return nil
}
