package reference

import (
	"math/rand"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// TestArenaLivenessAndViews builds a network whose tensors share memory in
// the ways the memory plan must respect: a reshape view of an arena tensor
// read long after the tensor's own last reader, a view of an intermediate
// that is an engine output (so that neither may live in the arena), an
// identity and a transpose, a MatMul on weights reshaped at load, a dynamic
// batch that changes the layout between runs, and runs from several
// goroutines at once. Every run must equal the layer-by-layer engine's,
// and the outputs of a run must stay intact through the runs after it.
func TestArenaLivenessAndViews(t *testing.T) {
	rng := rand.New(rand.NewSource(21))
	n := NewNetwork()
	x := n.AddInput("x", ir.Float32, ir.Shape{ir.Sym("N"), ir.D(4), ir.D(6)})
	relu := network.ActivationParams{Type: network.ActivationRELU}
	a := n.AddActivation(x, relu)                                                                        // arena
	av := n.AddShuffle(a, network.ShuffleParams{Reshape: []int64{0, 24}, ZeroIsPlaceholder: true})       // view of a, read at the end
	b := n.AddElementWise(a, a, network.ElementWiseSUM)                                                  // a's last direct reader
	c := n.AddUnary(b, network.UnaryEXP)                                                                 // arena; b dead after
	d := n.AddActivation(c, network.ActivationParams{Type: network.ActivationSIGMOID})                   // may reuse b's place
	dv := n.AddShuffle(d, network.ShuffleParams{Reshape: []int64{0, 24}, ZeroIsPlaceholder: true})       // view of d: an output
	tr := n.AddShuffle(c, network.ShuffleParams{FirstTranspose: []int{0, 2, 1}})                         // a copy
	w := n.AddShuffle(n.AddConstant(randT(rng, 6, 5)), network.ShuffleParams{Reshape: []int64{1, 6, 5}}) // folded at load
	mm := n.AddMatrixMultiply(n.AddIdentity(c), network.MatrixNONE, w, network.MatrixNONE)               // [N, 4, 5]
	red := n.AddReduce(mm, network.ReduceSUM, 1<<1|1<<2, true)                                           // [N, 1, 1]
	late := n.AddElementWise(av, n.AddShuffle(red, network.ShuffleParams{Reshape: []int64{0, 1}, ZeroIsPlaceholder: true}), network.ElementWisePROD)
	n.MarkOutput(late, "late")
	n.MarkOutput(dv, "dv")
	n.MarkOutput(tr, "tr")
	n.MarkOutput(n.AddSoftMax(n.AddElementWise(n.AddShuffle(av, network.ShuffleParams{Reshape: []int64{0, 4, 6}, ZeroIsPlaceholder: true}), a, network.ElementWiseSUB), 1<<2), "sm")
	n.MarkOutput(n.AddReduce(mm, network.ReduceMAX, 1<<1, false), "mx")
	blob, err := n.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	opt, err := Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	base := newEngineFused(opt.p, false)
	if folded := 0; true {
		for _, s := range opt.mp.skip {
			if s {
				folded++
			}
		}
		if folded == 0 {
			t.Fatal("the reshaped weights were not evaluated at load")
		}
	}
	type result struct{ got, copy map[string]*ir.Tensor }
	var kept []result
	for _, batch := range []int64{2, 2, 5, 1, 5, 2} {
		in := map[string]*ir.Tensor{"x": randT(rng, batch, 4, 6)}
		got, err := opt.Run(in)
		if err != nil {
			t.Fatal(err)
		}
		want, err := base.Run(in)
		if err != nil {
			t.Fatal(err)
		}
		cp := map[string]*ir.Tensor{}
		for k, w := range want {
			g := got[k]
			if g == nil || !ir.S(g.Shape...).Equal(ir.S(w.Shape...)) || string(g.Data) != string(w.Data) {
				t.Fatalf("batch %d: output %s differs from the layer-by-layer engine", batch, k)
			}
			cp[k] = &ir.Tensor{DType: g.DType, Shape: g.Shape, Data: append([]byte{}, g.Data...)}
		}
		kept = append(kept, result{got, cp})
	}
	for i, r := range kept {
		for k, c := range r.copy {
			if string(r.got[k].Data) != string(c.Data) {
				t.Fatalf("run %d: output %s changed in later runs", i, k)
			}
		}
	}
	// Concurrent runs take their own states.
	done := make(chan error, 4)
	for g := 0; g < 4; g++ {
		in := map[string]*ir.Tensor{"x": randT(rand.New(rand.NewSource(int64(g))), int64(1+g), 4, 6)}
		go func() {
			for r := 0; r < 20; r++ {
				got, err := opt.Run(in)
				if err != nil {
					done <- err
					return
				}
				want, err := base.Run(in)
				if err != nil {
					done <- err
					return
				}
				for k, w := range want {
					if string(got[k].Data) != string(w.Data) {
						done <- &network.Error{Layer: k, Err: errDiffers}
						return
					}
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

var errDiffers = errorString("differs from the layer-by-layer engine")

type errorString string

func (e errorString) Error() string { return string(e) }
