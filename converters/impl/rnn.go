package impl

import (
	"fmt"
	"strings"

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Recurrent layers (ONNX RNN/GRU/LSTM, ATen rnn_tanh/rnn_relu/gru/lstm) as
// TensorRT loops, one loop per direction, built as onnx-tensorrt builds
// them: the input projections of every step are one matrix multiply before
// the loop, iterated by IIteratorLayers; the hidden (and cell) state are
// IRecurrenceLayers; Y is a kCONCATENATE (kREVERSE for a reverse
// direction) loop output and the last states kLAST_VALUE outputs.
//
// Per-batch sequence lengths mask the state update: in the iteration for
// time t (t counts down in a reverse direction), a batch entry with
// length <= t keeps its state and outputs zeros. In a reverse direction
// this processes each entry's steps len-1, ..., 0, which is ONNX's
// per-entry reversal.

// RNNCell is the recurrent cell.
type RNNCell int

const (
	CellRNN RNNCell = iota
	CellGRU
	CellLSTM
)

// RNNAct is one activation of a recurrent cell: an ONNX activation name
// (any case) with its alpha and beta.
type RNNAct struct {
	Name        string
	Alpha, Beta float32
}

// RNNDirection is one direction of a recurrent layer. Gates are in ONNX's
// order: RNN [h]; GRU [z, r, h]; LSTM [i, o, f, c]. Every tensor has the
// dtype of X.
type RNNDirection struct {
	Cell RNNCell
	// X[g] is [S, B, H]: gate g's input projection of every step with its
	// biases that do not depend on the state.
	X []network.Tensor
	// R[g] is [H, H], multiplied as h·R[g]ᵀ; RB[g] ([1, H] or nil) is added
	// to that product inside the loop (GRU's h gate needs its recurrence
	// bias there).
	R, RB []network.Tensor
	// P are LSTM's peepholes i, o, f as [1, H]; nil without.
	P []network.Tensor
	// Acts are f (gates), g (candidate) and h (LSTM output) as the cell
	// uses them: RNN [f], GRU [f, g], LSTM [f, g, h].
	Acts              []RNNAct
	Clip              float32 // 0: none
	InputForget       bool    // LSTM: f = 1 - i
	LinearBeforeReset bool    // GRU: r ⊙ (h·R_hᵀ + Rb_h) instead of (r ⊙ h)·R_hᵀ + Rb_h
	// H0 and C0 (LSTM) are the initial states, [B, H].
	H0, C0 network.Tensor
	// SeqLens is [B] Int32, or nil when every entry has S steps.
	SeqLens network.Tensor
	Reverse bool
}

// RNNActivation checks an activation name; the ONNX names only.
func RNNActivation(name string) error {
	switch strings.ToLower(name) {
	case "relu", "tanh", "sigmoid", "affine", "leakyrelu", "thresholdedrelu", "scaledtanh", "hardsigmoid", "elu", "softsign", "softplus":
		return nil
	}
	return fmt.Errorf("activation %q is not one ONNX defines for recurrent ops", name)
}

// applyRNNAct adds the layers of one activation.
func applyRNNAct(ctx *conversion.Context, x network.Tensor, a RNNAct) network.Tensor {
	switch strings.ToLower(a.Name) {
	case "relu":
		return Activation(ctx, x, network.ActivationRELU, 0, 0)
	case "tanh":
		return Activation(ctx, x, network.ActivationTANH, 0, 0)
	case "sigmoid":
		return Activation(ctx, x, network.ActivationSIGMOID, 0, 0)
	case "affine":
		return Add(ctx, Mul(ctx, x, ScalarLike(ctx, float64(a.Alpha), x)), ScalarLike(ctx, float64(a.Beta), x))
	case "leakyrelu":
		return Activation(ctx, x, network.ActivationLEAKY_RELU, a.Alpha, 0)
	case "thresholdedrelu":
		return Activation(ctx, x, network.ActivationTHRESHOLDED_RELU, a.Alpha, 0)
	case "scaledtanh":
		return Activation(ctx, x, network.ActivationSCALED_TANH, a.Alpha, a.Beta)
	case "hardsigmoid":
		return Activation(ctx, x, network.ActivationHARD_SIGMOID, a.Alpha, a.Beta)
	case "elu":
		return Activation(ctx, x, network.ActivationELU, a.Alpha, 0)
	case "softsign":
		return Activation(ctx, x, network.ActivationSOFTSIGN, 0, 0)
	case "softplus":
		return Activation(ctx, x, network.ActivationSOFTPLUS, 1, 1)
	}
	// RNNActivation rejects the name in the validator; a call with one
	// records the error on the network.
	return ctx.Net.AddActivation(x, network.ActivationParams{Type: network.ActivationType(-1)})
}

// RNNZeros is a [B, H] zero state of dtype dt, B being dim b of x.
func RNNZeros(ctx *conversion.Context, x network.Tensor, b int, h int64, dt ir.DType) network.Tensor {
	if d := x.Shape()[b]; d.Static() {
		return ctx.Net.AddConstant(ir.NewTensor(dt, []int64{d.Size, h}))
	}
	zero := ctx.Net.AddConstant(ir.NewTensor(dt, []int64{1, 1}))
	return ctx.Net.AddSlice(zero, network.SliceParams{Start: []int64{0, 0}, Stride: []int64{0, 0},
		SizeT: ShapeTensor(ctx, Dim(ctx, x, b), ConstInts(ctx, []int64{h}))})
}

// RNNLoop adds the loop of one direction and returns Y [S, B, H] and the
// last hidden state [B, H] and, for LSTM, the last cell state (else nil).
func RNNLoop(ctx *conversion.Context, d RNNDirection) (y, yh, yc network.Tensor) {
	net := ctx.Net
	x0 := d.X[0]
	steps := ReshapeScalar(ctx, Dim(ctx, x0, 0))
	clip := func(t network.Tensor) network.Tensor {
		if d.Clip > 0 {
			return ClipConst(ctx, t, -float64(d.Clip), float64(d.Clip), true, true)
		}
		return t
	}
	act := func(t network.Tensor, i int) network.Tensor { return applyRNNAct(ctx, clip(t), d.Acts[i]) }
	var times network.Tensor // [S] Int32 step indices, for the mask
	if d.SeqLens != nil {
		if s := x0.Shape()[0]; s.Static() {
			w := ir.NewTensor(ir.Int32, []int64{s.Size})
			for i := range s.Size {
				w.SetFloat(int(i), float64(i))
			}
			times = net.AddConstant(w)
		} else {
			times = net.AddFill(network.FillParams{Op: network.FillLINSPACE, DType: ir.Int32, DimsT: Dim(ctx, x0, 0), Alpha: 0, Beta: 1})
		}
	}

	loop := net.AddLoop()
	net.AddTripLimit(loop, steps, network.TripLimitCOUNT)
	h := net.AddRecurrence(loop, d.H0)
	var c network.Tensor
	if d.Cell == CellLSTM {
		c = net.AddRecurrence(loop, d.C0)
	}
	xt := make([]network.Tensor, len(d.X))
	for g, xg := range d.X {
		xt[g] = net.AddIterator(loop, xg, 0, d.Reverse)
	}
	rec := func(g int, state network.Tensor) network.Tensor {
		t := net.AddMatrixMultiply(state, network.MatrixNONE, d.R[g], network.MatrixTRANSPOSE)
		if d.RB != nil && d.RB[g] != nil {
			t = Add(ctx, t, d.RB[g])
		}
		return t
	}
	one := func(like network.Tensor) network.Tensor { return ScalarLike(ctx, 1, like) }
	var hn, cn network.Tensor
	switch d.Cell {
	case CellRNN:
		hn = act(Add(ctx, xt[0], rec(0, h)), 0)
	case CellGRU:
		z := act(Add(ctx, xt[0], rec(0, h)), 0)
		r := act(Add(ctx, xt[1], rec(1, h)), 0)
		var cand network.Tensor
		if d.LinearBeforeReset {
			cand = act(Add(ctx, xt[2], Mul(ctx, r, rec(2, h))), 1)
		} else {
			cand = act(Add(ctx, xt[2], rec(2, Mul(ctx, r, h))), 1)
		}
		// (1 - z) ⊙ cand + z ⊙ h
		hn = Add(ctx, Mul(ctx, Sub(ctx, one(z), z), cand), Mul(ctx, z, h))
	case CellLSTM:
		gi, go_, gf := Add(ctx, xt[0], rec(0, h)), Add(ctx, xt[1], rec(1, h)), Add(ctx, xt[2], rec(2, h))
		if d.P != nil {
			gi = Add(ctx, gi, Mul(ctx, d.P[0], c))
			gf = Add(ctx, gf, Mul(ctx, d.P[2], c))
		}
		i := act(gi, 0)
		f := act(gf, 0)
		if d.InputForget {
			f = Sub(ctx, one(i), i)
		}
		cand := act(Add(ctx, xt[3], rec(3, h)), 1)
		cn = Add(ctx, Mul(ctx, f, c), Mul(ctx, i, cand))
		if d.P != nil {
			go_ = Add(ctx, go_, Mul(ctx, d.P[1], cn))
		}
		o := act(go_, 0)
		hn = Mul(ctx, o, applyRNNAct(ctx, cn, d.Acts[2]))
	}
	yt := hn
	if d.SeqLens != nil {
		t := Reshape(ctx, net.AddIterator(loop, times, 0, d.Reverse), []int64{1})
		mask := Unsqueeze(ctx, net.AddElementWise(t, d.SeqLens, network.ElementWiseLESS), []int{1})
		yt = net.AddSelect(mask, hn, ScalarLike(ctx, 0, hn))
		hn = net.AddSelect(mask, hn, h)
		if cn != nil {
			cn = net.AddSelect(mask, cn, c)
		}
	}
	net.SetRecurrenceInput(h, hn)
	if c != nil {
		net.SetRecurrenceInput(c, cn)
	}
	kind := network.LoopOutputCONCATENATE
	if d.Reverse {
		kind = network.LoopOutputREVERSE
	}
	y = net.AddLoopOutput(loop, yt, kind, 0, steps)
	yh = net.AddLoopOutput(loop, h, network.LoopOutputLAST_VALUE, 0, nil)
	if c != nil {
		yc = net.AddLoopOutput(loop, c, network.LoopOutputLAST_VALUE, 0, nil)
	}
	return y, yh, yc
}
