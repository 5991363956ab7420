package kernels

import (
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestCumProd(t *testing.T) {
	x := ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	cases := []struct {
		axis               int
		exclusive, reverse bool
		want               []float64
	}{
		{1, false, false, []float64{1, 2, 6, 4, 20, 120}},
		{1, true, false, []float64{1, 1, 2, 1, 4, 20}},
		{1, false, true, []float64{6, 6, 3, 120, 30, 6}},
		{1, true, true, []float64{6, 3, 1, 30, 6, 1}},
		{0, false, false, []float64{1, 2, 3, 4, 10, 18}},
	}
	for _, c := range cases {
		y, err := Cumulative(x, c.axis, CumProd, c.exclusive, c.reverse)
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range c.want {
			if y.Float(i) != w {
				t.Fatalf("axis %d exclusive %v reverse %v: got %v, want %v", c.axis, c.exclusive, c.reverse, y.Floats(), c.want)
			}
		}
	}
	xi := ir.FromSlice(ir.Int32, []int64{4}, []int32{2, -3, 0, 5})
	y, err := Cumulative(xi, 0, CumProd, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := y.Ints(); got[0] != 2 || got[1] != -6 || got[2] != 0 || got[3] != 0 {
		t.Fatalf("int32 cumprod: got %v", got)
	}
	if _, err := Cumulative(x, 2, CumProd, false, false); err == nil {
		t.Fatal("axis 2 of a rank-2 tensor: want an error")
	}
}
