package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func randF32Tensor(rng *rand.Rand, shape ...int64) *ir.Tensor {
	t := ir.NewTensor(ir.Float32, shape)
	copy(ir.View[float32](t), randF32(rng, int(t.Numel())))
	return t
}

// TestPreparedConvMatchesConv checks the pre-packed convolution, with and
// without its epilogue, against Conv followed by the separate bias, residual
// add and activation kernels, on every kernel this CPU has.
func TestPreparedConvMatchesConv(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	type tc struct {
		x, w     []int64
		p        ConvParams
		residual bool
		act      ActOp
	}
	cases := []tc{
		{x: []int64{1, 3, 17, 13}, w: []int64{8, 3, 3, 3}, p: ConvParams{Strides: []int64{2, 2}, PadsBegin: []int64{1, 1}, PadsEnd: []int64{1, 0}}, act: ActRelu},
		{x: []int64{2, 16, 9, 9}, w: []int64{33, 16, 1, 1}, residual: true, act: ActRelu},
		{x: []int64{1, 12, 11, 10}, w: []int64{12, 1, 3, 3}, p: ConvParams{Group: 12, PadsBegin: []int64{1, 1}, PadsEnd: []int64{1, 1}}, act: ActHardSwish},
		{x: []int64{1, 7, 13, 15}, w: []int64{7, 1, 5, 5}, p: ConvParams{Group: 7, Strides: []int64{2, 2}, PadsBegin: []int64{2, 2}, PadsEnd: []int64{2, 2}}, act: ActRelu},
		{x: []int64{1, 5, 12, 12}, w: []int64{5, 1, 3, 3}, p: ConvParams{Group: 5, Strides: []int64{3, 3}, Dilations: []int64{2, 1}}, act: -1},
		// Depthwise rows of 16 outputs and more run as axpys, shorter ones
		// output by output (depthwiseDirectWidth).
		{x: []int64{1, 6, 9, 40}, w: []int64{6, 1, 3, 3}, p: ConvParams{Group: 6, PadsBegin: []int64{1, 1}, PadsEnd: []int64{1, 1}}, act: ActRelu},
		{x: []int64{2, 4, 11, 45}, w: []int64{4, 1, 5, 3}, p: ConvParams{Group: 4, Strides: []int64{1, 2}, PadsBegin: []int64{2, 1}, PadsEnd: []int64{2, 1}}, act: -1},
		{x: []int64{1, 3, 7, 9}, w: []int64{3, 1, 3, 3}, p: ConvParams{Group: 3, Dilations: []int64{1, 2}, PadsBegin: []int64{0, 2}, PadsEnd: []int64{1, 3}}, act: -1},
		{x: []int64{1, 8, 10, 10}, w: []int64{6, 4, 3, 3}, p: ConvParams{Group: 2, Dilations: []int64{2, 2}, PadsBegin: []int64{2, 1}, PadsEnd: []int64{0, 2}}, residual: true, act: ActLeakyRelu},
		{x: []int64{1, 4, 31}, w: []int64{9, 4, 3}, p: ConvParams{PadsBegin: []int64{1}, PadsEnd: []int64{1}}, act: -1},
		{x: []int64{1, 2, 5, 6, 7}, w: []int64{3, 2, 2, 3, 2}, act: ActSigmoid},
		{x: []int64{1, 288, 1, 1}, w: []int64{72, 288, 1, 1}, act: ActRelu},
		{x: []int64{1, 64, 1, 1}, w: []int64{1, 64, 1, 1}, act: -1},
	}
	save := activeKernel
	defer func() { activeKernel = save }()
	for _, kr := range sgemmKernels {
		activeKernel = kr
		for ci, c := range cases {
			t.Run(fmt.Sprintf("%s/%d", kr.name, ci), func(t *testing.T) {
				x, w := randF32Tensor(rng, c.x...), randF32Tensor(rng, c.w[0])
				w = randF32Tensor(rng, c.w...)
				bias := randF32Tensor(rng, c.w[0])
				want, err := Conv(x, w, bias, c.p)
				if err != nil {
					t.Fatal(err)
				}
				var ep *Epilogue
				if c.residual || c.act >= 0 {
					ep = &Epilogue{}
				}
				if c.residual {
					r := randF32Tensor(rng, want.Shape...)
					ep.Residual = ir.View[float32](r)
					if want, err = Binary(OpAdd, want, r); err != nil {
						t.Fatal(err)
					}
				}
				if c.act >= 0 {
					ep.HasAct, ep.Act, ep.Alpha, ep.Beta = true, c.act, 0.1, 0
					if want, err = Activation(c.act, want, 0.1, 0); err != nil {
						t.Fatal(err)
					}
				}
				pc, err := PrepareConv(w, bias, c.p)
				if err != nil {
					t.Fatal(err)
				}
				got, err := pc.Run(x, ep)
				if err != nil {
					t.Fatal(err)
				}
				if !ir.S(got.Shape...).Equal(ir.S(want.Shape...)) {
					t.Fatalf("shape %v, want %v", got.Shape, want.Shape)
				}
				g, wv := ir.View[float32](got), ir.View[float32](want)
				for i := range g {
					if math.Abs(float64(g[i]-wv[i])) > 1e-4 {
						t.Fatalf("element %d: %g, unfused %g", i, g[i], wv[i])
					}
				}
			})
		}
	}
}
