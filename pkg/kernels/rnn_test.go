package kernels

import (
	"math/rand"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func rnnRand(rng *rand.Rand, dims ...int64) *ir.Tensor {
	t := ir.NewTensor(ir.Float32, dims)
	v := ir.View[float32](t)
	for i := range v {
		v[i] = rng.Float32()*2 - 1
	}
	return t
}

// A bidirectional run's second direction equals a reverse run with that
// direction's weights, and layout 1 equals layout 0 with batch and sequence
// swapped, for every cell kind, with clip, sequence lengths and (LSTM)
// peepholes and input_forget.
func TestRNNDirectionsAndLayout(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	const seq, batch, isz, H = 4, 3, 2, 5
	for _, k := range []RNNKind{CellRNN, CellGRU, CellLSTM} {
		G := int64(k.gates())
		w, r, b := rnnRand(rng, 2, G*H, isz), rnnRand(rng, 2, G*H, H), rnnRand(rng, 2, 2*G*H)
		x := rnnRand(rng, seq, batch, isz)
		lens := ir.FromSlice(ir.Int32, []int64{batch}, []int32{4, 2, 3})
		in := RNNInputs{X: x, W: w, R: r, B: b, SeqLens: lens}
		if k == CellLSTM {
			in.P = rnnRand(rng, 2, 3*H)
		}
		p := RNNParams{Kind: k, Hidden: H, Direction: "bidirectional", Clip: 0.8, InputForget: k == CellLSTM, LinearBeforeReset: k == CellGRU}
		bi, err := RunRNN(p, in)
		if err != nil {
			t.Fatal(err)
		}
		half := func(t *ir.Tensor, d int) *ir.Tensor {
			n := t.Numel() / 2
			return ir.FromSlice(ir.Float32, append([]int64{1}, t.Shape[1:]...), ir.View[float32](t)[int64(d)*n:int64(d+1)*n])
		}
		rin := in
		rin.W, rin.R, rin.B = half(w, 1), half(r, 1), half(b, 1)
		if in.P != nil {
			rin.P = half(in.P, 1)
		}
		p1 := p
		p1.Direction = "reverse"
		rev, err := RunRNN(p1, rin)
		if err != nil {
			t.Fatal(err)
		}
		// Y is [seq, 2, batch, H]: compare direction 1 with the reverse run.
		yb, yr := ir.View[float32](bi[0]), ir.View[float32](rev[0])
		for s := 0; s < seq; s++ {
			for i := 0; i < batch*H; i++ {
				if got, want := yb[(s*2+1)*batch*H+i], yr[s*batch*H+i]; got != want {
					t.Fatalf("%v: Y[%d,1] element %d = %v, reverse run gives %v", k, s, i, got, want)
				}
			}
		}
		if d := sameValues(half(bi[1], 1), rev[1]); d != "" {
			t.Errorf("%v: Y_h direction 1: %s", k, d)
		}
		// Layout 1: X [batch, seq, I], Y [batch, seq, dirs, H].
		xt, _ := Transpose(x, []int{1, 0, 2})
		lin := in
		lin.X = xt
		pl := p
		pl.Layout = 1
		lo, err := RunRNN(pl, lin)
		if err != nil {
			t.Fatal(err)
		}
		yt, _ := Transpose(lo[0], []int{1, 2, 0, 3})
		if d := sameValues(yt, bi[0]); d != "" {
			t.Errorf("%v: layout 1 Y: %s", k, d)
		}
	}
	if _, err := RunRNN(RNNParams{Kind: CellLSTM, Hidden: 2, Direction: "sideways"}, RNNInputs{}); err == nil {
		t.Error("direction sideways was accepted")
	}
	if _, err := RNNActivations(RNNParams{Kind: CellGRU, Activations: []string{"Sigmoid", "Cube"}}, 1); err == nil {
		t.Error("activation Cube was accepted")
	}
}

// sameValues is "" when a and b are the same shape and values.
func sameValues(a, b *ir.Tensor) string {
	if a.Numel() != b.Numel() {
		return "sizes differ"
	}
	for i := 0; i < int(a.Numel()); i++ {
		if a.Float(i) != b.Float(i) {
			return "values differ"
		}
	}
	return ""
}
