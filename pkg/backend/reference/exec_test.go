package reference

import (
	"math/rand"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

func randT(rng *rand.Rand, shape ...int64) *ir.Tensor {
	t := ir.NewTensor(ir.Float32, shape)
	v := ir.View[float32](t)
	for i := range v {
		v[i] = rng.Float32()*2 - 1
	}
	return t
}

// TestFusedPlanMatchesUnfused builds a small residual CNN (convolutions with
// and without bias, a residual SUM, ReLU and hard-sigmoid activations, a
// depthwise convolution, a conv output that is also a network output and so
// must not be fused away) and checks that the fused engine fuses and returns
// what the layer-by-layer engine returns.
func TestFusedPlanMatchesUnfused(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	conv := func(k, c, kh int64, groups int64, bias bool) network.ConvolutionParams {
		p := network.ConvolutionParams{NbOutputMaps: k, KernelSize: []int64{kh, kh}, Kernel: randT(rng, k, c/groups, kh, kh), NbGroups: groups,
			PrePadding: []int64{kh / 2, kh / 2}, PostPadding: []int64{kh / 2, kh / 2}}
		if bias {
			p.Bias = randT(rng, k)
		}
		return p
	}
	n := NewNetwork()
	x := n.AddInput("x", ir.Float32, ir.Shape{ir.Sym("N"), ir.D(8), ir.D(13), ir.D(11)})
	relu := network.ActivationParams{Type: network.ActivationRELU}
	a := n.AddActivation(n.AddConvolutionNd(x, conv(8, 8, 3, 1, true)), relu)  // conv+relu
	b := n.AddConvolutionNd(a, conv(8, 8, 3, 1, false))                        // conv
	r := n.AddActivation(n.AddElementWise(b, x, network.ElementWiseSUM), relu) // +residual, relu
	d := n.AddConvolutionNd(r, conv(8, 8, 3, 8, true))                         // depthwise, also an output
	hs := n.AddActivation(n.AddConvolutionNd(d, conv(5, 8, 1, 1, true)), network.ActivationParams{Type: network.ActivationHARD_SIGMOID, Alpha: 0.2, Beta: 0.5})
	n.MarkOutput(d, "d")
	n.MarkOutput(hs, "y")
	blob, err := n.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	fused, err := Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	unfusedE, err := Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	unfused := newEngineFused(unfusedE.p, false)
	nFused := 0
	for _, st := range fused.steps {
		if st.conv != nil {
			nFused += len(st.layers) - 1
		}
	}
	// conv+relu, conv+sum+relu, conv+hard-sigmoid; the depthwise conv's
	// output is a network output, so nothing fuses into it.
	if nFused != 4 {
		t.Fatalf("%d layers fused into convolutions, want 4", nFused)
	}
	for _, batch := range []int64{1, 3, 3, 1, 1} { // repeated runs reuse recycled conv buffers
		in := map[string]*ir.Tensor{"x": randT(rng, batch, 8, 13, 11)}
		got, err := fused.Run(in)
		if err != nil {
			t.Fatal(err)
		}
		want, err := unfused.Run(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"d", "y"} {
			g, w := ir.View[float32](got[name]), ir.View[float32](want[name])
			if len(g) != len(w) || len(g) == 0 {
				t.Fatalf("%s: %d elements, unfused %d", name, len(g), len(w))
			}
			for i := range g {
				if d := g[i] - w[i]; d > 1e-5 || d < -1e-5 {
					t.Fatalf("batch %d %s[%d] = %g, unfused %g", batch, name, i, g[i], w[i])
				}
			}
		}
	}
}
