package kernels

import (
	"fmt"
	"math"
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// RNNKind is the recurrent cell: the ONNX ops RNN, GRU and LSTM.
type RNNKind int

const (
	CellRNN RNNKind = iota
	CellGRU
	CellLSTM
)

// gates is the number of stacked gates in W, R and B.
func (k RNNKind) gates() int { return [...]int{1, 3, 4}[k] }

// acts is the number of activations per direction.
func (k RNNKind) acts() int { return [...]int{1, 2, 3}[k] }

func (k RNNKind) String() string { return [...]string{"RNN", "GRU", "LSTM"}[k] }

// RNNParams are the attributes of RNN, GRU and LSTM.
type RNNParams struct {
	Kind              RNNKind
	Hidden            int
	Direction         string // forward, reverse, bidirectional
	Activations       []string
	Alpha, Beta       []float32
	Clip              float32 // 0: none
	InputForget       bool    // LSTM: f = 1 - i
	LinearBeforeReset bool    // GRU
	Layout            int     // 0: [seq, batch, ...]; 1: [batch, seq, ...]
}

// RNNInputs are the op's inputs; nil for absent optional ones. For RNN and
// GRU InitialC and P are nil.
type RNNInputs struct {
	X, W, R, B, SeqLens, InitialH, InitialC, P *ir.Tensor
}

// rnnAct is one activation function with its alpha and beta.
type rnnAct struct {
	name        string
	alpha, beta float64
}

func (a rnnAct) apply(x float64) float64 {
	switch a.name {
	case "relu":
		return math.Max(x, 0)
	case "tanh":
		return math.Tanh(x)
	case "sigmoid":
		return 1 / (1 + math.Exp(-x))
	case "affine":
		return a.alpha*x + a.beta
	case "leakyrelu":
		if x < 0 {
			return a.alpha * x
		}
		return x
	case "thresholdedrelu":
		if x > a.alpha {
			return x
		}
		return 0
	case "scaledtanh":
		return a.alpha * math.Tanh(a.beta*x)
	case "hardsigmoid":
		return math.Max(0, math.Min(1, a.alpha*x+a.beta))
	case "elu":
		if x < 0 {
			return a.alpha * (math.Exp(x) - 1)
		}
		return x
	case "softsign":
		return x / (1 + math.Abs(x))
	case "softplus":
		return math.Log1p(math.Exp(x))
	}
	return math.NaN()
}

// actDefaults says which activations take alpha and beta, with their
// defaults (those of the ONNX ops of the same name).
var actDefaults = map[string]struct {
	usesAlpha, usesBeta bool
	alpha, beta         float64
}{
	"relu": {}, "tanh": {}, "sigmoid": {}, "softsign": {}, "softplus": {},
	"affine":          {true, true, 1, 0},
	"leakyrelu":       {true, false, 0.01, 0},
	"thresholdedrelu": {true, false, 1, 0},
	"scaledtanh":      {true, true, 1, 1},
	"hardsigmoid":     {true, true, 0.2, 0.5},
	"elu":             {true, false, 1, 0},
}

// RNNActivations resolves the activation list for dirs directions: the
// defaults when absent, alpha and beta consumed in order by the functions
// that take them. It checks names and counts.
func RNNActivations(p RNNParams, dirs int) ([]rnnAct, error) {
	names := p.Activations
	if len(names) == 0 {
		def := [][]string{{"Tanh"}, {"Sigmoid", "Tanh"}, {"Sigmoid", "Tanh", "Tanh"}}[p.Kind]
		for d := 0; d < dirs; d++ {
			names = append(names, def...)
		}
	}
	if len(names) != p.Kind.acts()*dirs {
		return nil, fmt.Errorf("%s with %d direction(s) needs %d activations, has %d", p.Kind, dirs, p.Kind.acts()*dirs, len(names))
	}
	out := make([]rnnAct, len(names))
	ai, bi := 0, 0
	for i, n := range names {
		key := strings.ToLower(n)
		d, ok := actDefaults[key]
		if !ok {
			return nil, fmt.Errorf("activation %q is not one ONNX defines for recurrent ops", n)
		}
		a := rnnAct{name: key, alpha: d.alpha, beta: d.beta}
		if d.usesAlpha && ai < len(p.Alpha) {
			a.alpha = float64(p.Alpha[ai])
			ai++
		}
		if d.usesBeta && bi < len(p.Beta) {
			a.beta = float64(p.Beta[bi])
			bi++
		}
		out[i] = a
	}
	return out, nil
}

// RNNDirections is the direction count of a direction attribute.
func RNNDirections(dir string) (int, error) {
	switch dir {
	case "forward", "reverse":
		return 1, nil
	case "bidirectional":
		return 2, nil
	}
	return 0, fmt.Errorf("direction %q is not forward, reverse or bidirectional", dir)
}

// RunRNN computes RNN, GRU or LSTM in float64 and returns Y, Y_h and (LSTM)
// Y_c in X's dtype. Steps past a batch entry's sequence length leave its
// state unchanged and its Y zero.
func RunRNN(p RNNParams, in RNNInputs) ([]*ir.Tensor, error) {
	dirs, err := RNNDirections(p.Direction)
	if err != nil {
		return nil, err
	}
	acts, err := RNNActivations(p, dirs)
	if err != nil {
		return nil, err
	}
	if len(in.X.Shape) != 3 {
		return nil, fmt.Errorf("X has rank %d, want 3", len(in.X.Shape))
	}
	seq, batch, isz := int(in.X.Shape[0]), int(in.X.Shape[1]), int(in.X.Shape[2])
	if p.Layout == 1 {
		seq, batch = batch, seq
	}
	H, G := p.Hidden, p.Kind.gates()
	if err := checkShape("W", in.W, dirs, G*H, isz); err != nil {
		return nil, err
	}
	if err := checkShape("R", in.R, dirs, G*H, H); err != nil {
		return nil, err
	}
	if in.B != nil {
		if err := checkShape("B", in.B, dirs, 2*G*H); err != nil {
			return nil, err
		}
	}
	if in.P != nil {
		if err := checkShape("P", in.P, dirs, 3*H); err != nil {
			return nil, err
		}
	}
	stateShape := []int{dirs, batch, H}
	if p.Layout == 1 {
		stateShape = []int{batch, dirs, H}
	}
	for _, s := range []struct {
		name string
		t    *ir.Tensor
	}{{"initial_h", in.InitialH}, {"initial_c", in.InitialC}} {
		if s.t != nil {
			if err := checkShape(s.name, s.t, stateShape...); err != nil {
				return nil, err
			}
		}
	}
	lens := make([]int, batch)
	for b := range lens {
		lens[b] = seq
		if in.SeqLens != nil {
			if in.SeqLens.Numel() != int64(batch) {
				return nil, fmt.Errorf("sequence_lens has %d elements, batch is %d", in.SeqLens.Numel(), batch)
			}
			l := in.SeqLens.Int(b)
			if l < 0 || l > int64(seq) {
				return nil, fmt.Errorf("sequence_lens[%d] = %d is outside [0, %d]", b, l, seq)
			}
			lens[b] = int(l)
		}
	}
	x := ToFloat64(in.X)
	xAt := func(t, b, i int) float64 {
		if p.Layout == 1 {
			return x[(b*seq+t)*isz+i]
		}
		return x[(t*batch+b)*isz+i]
	}
	w, r := ToFloat64(in.W), ToFloat64(in.R)
	var bias, peep []float64
	if in.B != nil {
		bias = ToFloat64(in.B)
	}
	if in.P != nil {
		peep = ToFloat64(in.P)
	}
	stateIdx := func(d, b, h int) int {
		if p.Layout == 1 {
			return (b*dirs+d)*H + h
		}
		return (d*batch+b)*H + h
	}
	loadState := func(t *ir.Tensor) []float64 {
		s := make([]float64, dirs*batch*H)
		if t != nil {
			copy(s, ToFloat64(t))
		}
		return s
	}
	hs, cs := loadState(in.InitialH), loadState(in.InitialC)
	y := make([]float64, seq*dirs*batch*H)
	yIdx := func(t, d, b, h int) int {
		if p.Layout == 1 {
			return ((b*seq+t)*dirs+d)*H + h
		}
		return ((t*dirs+d)*batch+b)*H + h
	}
	clip := func(v float64) float64 {
		if p.Clip > 0 {
			c := float64(p.Clip)
			return math.Max(-c, math.Min(c, v))
		}
		return v
	}
	pre := make([]float64, G*H) // X*W^T + Wb (+ Rb for all but GRU's h)
	rec := make([]float64, G*H) // H*R^T (+ Rb)
	hPrev := make([]float64, H)
	cPrev := make([]float64, H)
	for d := 0; d < dirs; d++ {
		reverse := p.Direction == "reverse" || d == 1
		f := acts[d*p.Kind.acts()]
		wd, rd := w[d*G*H*isz:], r[d*G*H*H:]
		for b := 0; b < batch; b++ {
			for h := 0; h < H; h++ {
				hPrev[h], cPrev[h] = hs[stateIdx(d, b, h)], cs[stateIdx(d, b, h)]
			}
			for step := 0; step < lens[b]; step++ {
				t := step
				if reverse {
					t = lens[b] - 1 - step
				}
				for j := 0; j < G*H; j++ {
					s := 0.0
					for i := 0; i < isz; i++ {
						s += xAt(t, b, i) * wd[j*isz+i]
					}
					rs := 0.0
					for i := 0; i < H; i++ {
						rs += hPrev[i] * rd[j*H+i]
					}
					if bias != nil {
						s += bias[d*2*G*H+j]
						rs += bias[d*2*G*H+G*H+j]
					}
					pre[j], rec[j] = s, rs
				}
				switch p.Kind {
				case CellRNN:
					for h := 0; h < H; h++ {
						hPrev[h] = f.apply(clip(pre[h] + rec[h]))
					}
				case CellGRU:
					g := acts[d*2+1]
					z, rr := make([]float64, H), make([]float64, H)
					for h := 0; h < H; h++ {
						z[h] = f.apply(clip(pre[h] + rec[h]))
						rr[h] = f.apply(clip(pre[H+h] + rec[H+h]))
					}
					hNew := make([]float64, H)
					for h := 0; h < H; h++ {
						var hh float64
						if p.LinearBeforeReset {
							hh = g.apply(clip(pre[2*H+h] + rr[h]*rec[2*H+h]))
						} else { // (r . H) R_h^T + Rb_h
							s := 0.0
							for i := 0; i < H; i++ {
								s += rr[i] * hPrev[i] * rd[(2*H+h)*H+i]
							}
							if bias != nil {
								s += bias[d*2*G*H+G*H+2*H+h]
							}
							hh = g.apply(clip(pre[2*H+h] + s))
						}
						hNew[h] = (1-z[h])*hh + z[h]*hPrev[h]
					}
					copy(hPrev, hNew)
				case CellLSTM:
					g, hAct := acts[d*3+1], acts[d*3+2]
					for h := 0; h < H; h++ {
						pi, po, pf := 0.0, 0.0, 0.0
						if peep != nil {
							pi, po, pf = peep[d*3*H+h], peep[d*3*H+H+h], peep[d*3*H+2*H+h]
						}
						i := f.apply(clip(pre[h] + rec[h] + pi*cPrev[h]))
						fg := f.apply(clip(pre[2*H+h] + rec[2*H+h] + pf*cPrev[h]))
						if p.InputForget {
							fg = 1 - i
						}
						c := g.apply(clip(pre[3*H+h] + rec[3*H+h]))
						cNew := fg*cPrev[h] + i*c
						o := f.apply(clip(pre[H+h] + rec[H+h] + po*cNew))
						cPrev[h] = cNew
						hPrev[h] = o * hAct.apply(cNew)
					}
				}
				for h := 0; h < H; h++ {
					y[yIdx(t, d, b, h)] = hPrev[h]
				}
			}
			for h := 0; h < H; h++ {
				hs[stateIdx(d, b, h)], cs[stateIdx(d, b, h)] = hPrev[h], cPrev[h]
			}
		}
	}
	yShape := []int64{int64(seq), int64(dirs), int64(batch), int64(H)}
	if p.Layout == 1 {
		yShape = []int64{int64(batch), int64(seq), int64(dirs), int64(H)}
	}
	st := make([]int64, 3)
	for i, v := range stateShape {
		st[i] = int64(v)
	}
	outs := []*ir.Tensor{ir.FromSlice(ir.Float64, yShape, y), ir.FromSlice(ir.Float64, st, hs)}
	if p.Kind == CellLSTM {
		outs = append(outs, ir.FromSlice(ir.Float64, st, cs))
	}
	for i, o := range outs {
		c, err := Cast(o, in.X.DType)
		if err != nil {
			return nil, err
		}
		outs[i] = c
	}
	return outs, nil
}

func checkShape(name string, t *ir.Tensor, dims ...int) error {
	ok := len(t.Shape) == len(dims)
	for i := 0; ok && i < len(dims); i++ {
		ok = t.Shape[i] == int64(dims[i])
	}
	if !ok {
		return fmt.Errorf("%s has shape %v, want %v", name, t.Shape, dims)
	}
	return nil
}
