package kernels

import (
	"math"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestNLLLoss(t *testing.T) {
	// N=2, C=3: losses -x[0,2]*w[2] and -x[1,0]*w[0]; mean divides by w[2]+w[0].
	x := ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{-1, -2, -3, -4, -5, -6})
	tgt := ir.FromSlice(ir.Int64, []int64{2}, []int64{2, 0})
	w := ir.FromSlice(ir.Float32, []int64{3}, []float32{0.5, 1, 2})
	for _, c := range []struct {
		red    LossReduction
		ignore bool
		want   []float64
	}{
		{LossNone, false, []float64{6, 2}},
		{LossSum, false, []float64{8}},
		{LossMean, false, []float64{8 / 2.5}},
		{LossMean, true, []float64{6 / 2.0}}, // target 0 ignored
	} {
		got, err := NLLLoss(x, tgt, w, c.red, 0, c.ignore)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range got.Floats() {
			if math.Abs(v-c.want[i]) > 1e-6 {
				t.Errorf("%s ignore=%v: element %d = %v, want %v", c.red, c.ignore, i, v, c.want[i])
			}
		}
	}
	if _, err := NLLLoss(x, ir.FromSlice(ir.Int64, []int64{2}, []int64{3, 0}), nil, LossSum, 0, false); err == nil {
		t.Error("a target outside [0, C) was accepted")
	}
	lp := LogSoftmaxAxis1(ir.FromSlice(ir.Float32, []int64{1, 2}, []float32{0, 0}))
	if v := lp.Float(0); math.Abs(v-math.Log(0.5)) > 1e-6 {
		t.Errorf("log softmax of [0 0] = %v, want log(0.5)", v)
	}
}
