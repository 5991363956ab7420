package kernels

import (
	"math"
	"math/rand"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestSoftmaxModes(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	x := randTensor(rng, ir.Float32, 2, 3, 4)
	xs := x.Floats()
	st := Strides(x.Shape)
	for axis := 0; axis < 3; axis++ {
		soft, _ := Softmax(x, axis, SoftmaxPlain, false)
		logs, _ := Softmax(x, axis, SoftmaxLog, false)
		hard, _ := Softmax(x, axis, SoftmaxHard, false)
		for i := range xs {
			// The slice through i along axis.
			base := i - int((int64(i)/st[axis])%x.Shape[axis]*st[axis])
			var sum float64
			mx, arg := math.Inf(-1), -1
			for k := 0; k < int(x.Shape[axis]); k++ {
				v := xs[base+k*int(st[axis])]
				sum += math.Exp(v)
				if v > mx {
					mx, arg = v, base+k*int(st[axis])
				}
			}
			if want := math.Exp(xs[i]) / sum; math.Abs(soft.Float(i)-want) > 1e-6 {
				t.Fatalf("axis %d softmax[%d]=%g want %g", axis, i, soft.Float(i), want)
			}
			if want := xs[i] - math.Log(sum); math.Abs(logs.Float(i)-want) > 1e-5 {
				t.Fatalf("axis %d logsoftmax[%d]=%g want %g", axis, i, logs.Float(i), want)
			}
			if want := map[bool]float64{true: 1, false: 0}[i == arg]; hard.Float(i) != want {
				t.Fatalf("axis %d hardmax[%d]=%g want %g", axis, i, hard.Float(i), want)
			}
		}
	}
	// Flattened (opset < 13) at axis 1: each batch's 12 values sum to 1.
	f, _ := Softmax(x, 1, SoftmaxPlain, true)
	for b := 0; b < 2; b++ {
		var s float64
		for i := 0; i < 12; i++ {
			s += f.Float(b*12 + i)
		}
		if math.Abs(s-1) > 1e-5 {
			t.Fatalf("flattened batch %d sums to %g", b, s)
		}
	}
	// Large inputs stay finite; ties in hardmax pick the first.
	big := ir.FromSlice(ir.Float32, []int64{3}, []float32{1000, 1001, 1001})
	l, _ := Softmax(big, 0, SoftmaxLog, false)
	h, _ := Softmax(big, 0, SoftmaxHard, false)
	if math.IsInf(l.Float(0), 0) || math.Abs(l.Float(0)+math.Log(1+2*math.E)) > 1e-4 {
		t.Fatalf("log softmax of large values: %g", l.Float(0))
	}
	if h.Float(1) != 1 || h.Float(2) != 0 {
		t.Fatalf("hardmax tie: %v", h.Floats())
	}
}
