package ops

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Recurrent layers as torch.export writes them before decomposition:
// aten.lstm.input(input, hx[2], params[], has_biases, num_layers, dropout,
// train, bidirectional, batch_first) -> (output, h_n, c_n), aten.gru.input,
// aten.rnn_tanh.input and aten.rnn_relu.input (input, hx, params[], ...) ->
// (output, h_n). params holds, per layer and direction (forward, then
// reverse), w_ih [G*H, in], w_hh [G*H, H] and, with biases, b_ih and b_hh;
// gates are LSTM (i, f, g, o) and GRU (r, z, n), as in torch.nn. The
// kernels are the fallback and the oracle of converters/aten's loop
// converters (rnn.go).

type rnnKind int

const (
	rnnLSTM rnnKind = iota
	rnnGRU
	rnnTanh
	rnnReLU
)

func (k rnnKind) gates() int64 { return [...]int64{4, 3, 1, 1}[k] }

type rnnArgs struct {
	kind                  rnnKind
	x                     int   // input index
	hx                    []int // h0 (and c0) input indices
	params                []int // parameter input indices
	layers, dirs          int
	bias, batchFirst      bool
	hidden, inSize, gsize int64
}

func rnnParse(kind rnnKind, n *ir.Node, in []*ir.Value) (*rnnArgs, error) {
	a := &rnnArgs{kind: kind, layers: int(n.AttrInt("num_layers", 1)), bias: n.AttrInt("has_biases", 1) != 0,
		batchFirst: n.AttrInt("batch_first", 0) != 0, dirs: 1}
	if n.AttrInt("bidirectional", 0) != 0 {
		a.dirs = 2
	}
	if n.AttrInt("train", 0) != 0 {
		if d, _, _ := ScalarAttr(n, "dropout"); d != 0 {
			return nil, fmt.Errorf("training-mode dropout %g between layers is not supported (export in eval mode)", d)
		}
	}
	nhx := 1
	if kind == rnnLSTM {
		nhx = int(n.AttrInt("_list_hx", 2))
		if nhx != 2 {
			return nil, fmt.Errorf("lstm takes hx = (h0, c0), got %d tensors", nhx)
		}
	}
	if len(in) < 1+nhx {
		return nil, fmt.Errorf("%d inputs, want input, hx and params", len(in))
	}
	for i := 1; i <= nhx; i++ {
		a.hx = append(a.hx, i)
	}
	for i := 1 + nhx; i < len(in); i++ {
		a.params = append(a.params, i)
	}
	per := 2
	if a.bias {
		per = 4
	}
	if a.layers < 1 || len(a.params) != per*a.layers*a.dirs {
		return nil, fmt.Errorf("%d parameter tensors for %d layer(s) x %d direction(s) (projections, proj_size, are not supported)", len(a.params), a.layers, a.dirs)
	}
	for _, i := range append(append([]int{0}, a.hx...), a.params...) {
		if in[i] == nil {
			return nil, fmt.Errorf("input %d is missing", i)
		}
		if in[i].DType != ir.Float32 {
			return nil, fmt.Errorf("input %d is %v; the recurrent kernels compute float32", i, in[i].DType)
		}
	}
	x := in[0].Shape
	if len(x) != 3 {
		return nil, fmt.Errorf("input %v, want rank 3", x)
	}
	whh := in[a.params[1]].Shape
	wih := in[a.params[0]].Shape
	if len(whh) != 2 || !whh[1].Static() || len(wih) != 2 || !wih[1].Static() || !x[2].Static() {
		return nil, fmt.Errorf("weights %v, %v and input %v need static sizes", wih, whh, x)
	}
	a.hidden, a.inSize, a.gsize = whh[1].Size, wih[1].Size, kind.gates()*whh[1].Size
	if a.inSize != x[2].Size {
		return nil, fmt.Errorf("input features %d, w_ih expects %d", x[2].Size, a.inSize)
	}
	return a, nil
}

func registerRNN(key string, kind rnnKind) {
	Register(Op{
		Key: key,
		Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
			a, err := rnnParse(kind, n, in)
			if err != nil {
				return nil, err
			}
			x := in[0].Shape
			t, b := x[0], x[1]
			if a.batchFirst {
				t, b = b, t
			}
			out := ir.Shape{t, b, ir.D(int64(a.dirs) * a.hidden)}
			if a.batchFirst {
				out = ir.Shape{b, t, ir.D(int64(a.dirs) * a.hidden)}
			}
			state := ir.Shape{ir.D(int64(a.layers * a.dirs)), b, ir.D(a.hidden)}
			res := []*ir.Value{{DType: ir.Float32, Shape: out}, {DType: ir.Float32, Shape: state}}
			if kind == rnnLSTM {
				res = append(res, &ir.Value{DType: ir.Float32, Shape: state.Clone()})
			}
			return res, nil
		},
		Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
			vals := make([]*ir.Value, len(in))
			for i, t := range in {
				if t != nil {
					vals[i] = &ir.Value{DType: t.DType, Shape: ir.S(t.Shape...)}
				}
			}
			a, err := rnnParse(kind, n, vals)
			if err != nil {
				return nil, err
			}
			return runRNN(a, in)
		},
	})
}

func init() {
	registerRNN("aten.lstm.input", rnnLSTM)
	registerRNN("aten.gru.input", rnnGRU)
	registerRNN("aten.rnn_tanh.input", rnnTanh)
	registerRNN("aten.rnn_relu.input", rnnReLU)
}

func sigmoid(v float64) float64 { return 1 / (1 + math.Exp(-v)) }

func runRNN(a *rnnArgs, in []*ir.Tensor) ([]*ir.Tensor, error) {
	xs := in[0].Shape
	T, B := xs[0], xs[1]
	if a.batchFirst {
		T, B = B, T
	}
	H, D := a.hidden, int64(a.dirs)
	for _, i := range a.hx {
		if s := in[i].Shape; len(s) != 3 || s[0] != int64(a.layers)*D || s[1] != B || s[2] != H {
			return nil, fmt.Errorf("initial state %v, want [%d, %d, %d]", ir.S(s...), int64(a.layers)*D, B, H)
		}
	}
	xv := ir.View[float32](in[0])
	// seq[t][b][f], the current layer's input.
	feat := a.inSize
	seq := make([]float64, T*B*feat)
	for t := int64(0); t < T; t++ {
		for b := int64(0); b < B; b++ {
			for f := int64(0); f < feat; f++ {
				src := (t*B+b)*feat + f
				if a.batchFirst {
					src = (b*T+t)*feat + f
				}
				seq[(t*B+b)*feat+f] = float64(xv[src])
			}
		}
	}
	hN := ir.NewTensor(ir.Float32, []int64{int64(a.layers) * D, B, H})
	cN := ir.NewTensor(ir.Float32, []int64{int64(a.layers) * D, B, H})
	h0 := ir.View[float32](in[a.hx[0]])
	var c0 []float32
	if a.kind == rnnLSTM {
		c0 = ir.View[float32](in[a.hx[1]])
	}
	per := 2
	if a.bias {
		per = 4
	}
	G := a.gsize
	for l := 0; l < a.layers; l++ {
		next := make([]float64, T*B*D*H)
		for d := int64(0); d < D; d++ {
			pi := (l*int(D) + int(d)) * per
			wih, whh := ir.View[float32](in[a.params[pi]]), ir.View[float32](in[a.params[pi+1]])
			if int64(len(wih)) != G*feat || int64(len(whh)) != G*H {
				return nil, fmt.Errorf("layer %d: w_ih has %d values, w_hh %d; want %d and %d", l, len(wih), len(whh), G*feat, G*H)
			}
			var bih, bhh []float32
			if a.bias {
				bih, bhh = ir.View[float32](in[a.params[pi+2]]), ir.View[float32](in[a.params[pi+3]])
				if int64(len(bih)) != G || int64(len(bhh)) != G {
					return nil, fmt.Errorf("layer %d: biases of %d and %d values, want %d", l, len(bih), len(bhh), G)
				}
			}
			state := int64(l)*D + d
			for b := int64(0); b < B; b++ {
				h := make([]float64, H)
				c := make([]float64, H)
				for j := int64(0); j < H; j++ {
					h[j] = float64(h0[(state*B+b)*H+j])
					if c0 != nil {
						c[j] = float64(c0[(state*B+b)*H+j])
					}
				}
				gi := make([]float64, G)
				gh := make([]float64, G)
				for step := int64(0); step < T; step++ {
					t := step
					if d == 1 {
						t = T - 1 - step
					}
					xt := seq[(t*B+b)*feat : (t*B+b+1)*feat]
					for g := int64(0); g < G; g++ {
						si, sh := 0.0, 0.0
						for f, v := range xt {
							si += float64(wih[g*feat+int64(f)]) * v
						}
						for j := int64(0); j < H; j++ {
							sh += float64(whh[g*H+j]) * h[j]
						}
						if a.bias {
							si += float64(bih[g])
							sh += float64(bhh[g])
						}
						gi[g], gh[g] = si, sh
					}
					for j := int64(0); j < H; j++ {
						switch a.kind {
						case rnnLSTM:
							i := sigmoid(gi[j] + gh[j])
							f := sigmoid(gi[H+j] + gh[H+j])
							gg := math.Tanh(gi[2*H+j] + gh[2*H+j])
							o := sigmoid(gi[3*H+j] + gh[3*H+j])
							c[j] = f*c[j] + i*gg
							h[j] = o * math.Tanh(c[j])
						case rnnGRU:
							r := sigmoid(gi[j] + gh[j])
							z := sigmoid(gi[H+j] + gh[H+j])
							nn := math.Tanh(gi[2*H+j] + r*gh[2*H+j])
							h[j] = (1-z)*nn + z*h[j]
						case rnnTanh:
							h[j] = math.Tanh(gi[j] + gh[j])
						case rnnReLU:
							h[j] = math.Max(0, gi[j]+gh[j])
						}
					}
					for j := int64(0); j < H; j++ {
						next[((t*B+b)*D+d)*H+j] = h[j]
					}
				}
				for j := int64(0); j < H; j++ {
					hN.SetFloat(int((state*B+b)*H+j), h[j])
					cN.SetFloat(int((state*B+b)*H+j), c[j])
				}
			}
		}
		seq, feat = next, D*H
	}
	outShape := []int64{T, B, D * H}
	if a.batchFirst {
		outShape = []int64{B, T, D * H}
	}
	out := ir.NewTensor(ir.Float32, outShape)
	ov := ir.View[float32](out)
	for t := int64(0); t < T; t++ {
		for b := int64(0); b < B; b++ {
			for f := int64(0); f < feat; f++ {
				dst := (t*B+b)*feat + f
				if a.batchFirst {
					dst = (b*T+t)*feat + f
				}
				ov[dst] = float32(seq[(t*B+b)*feat+f])
			}
		}
	}
	res := []*ir.Tensor{out, hN}
	if a.kind == rnnLSTM {
		res = append(res, cN)
	}
	return res, nil
}
