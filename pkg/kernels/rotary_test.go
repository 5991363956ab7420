package kernels

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestRotaryEmbedding(t *testing.T) {
	x := ir.FromSlice(ir.Float32, []int64{1, 1, 1, 4}, []float32{1, 2, 3, 4})
	// Position 1 of the cache rotates pair 0 by 90 degrees and keeps pair 1.
	cos := ir.FromSlice(ir.Float32, []int64{2, 2}, []float32{9, 9, 0, 1})
	sin := ir.FromSlice(ir.Float32, []int64{2, 2}, []float32{9, 9, 1, 0})
	pos := ir.FromSlice(ir.Int64, []int64{1, 1}, []int64{1})
	for _, c := range []struct {
		p    RotaryParams
		want []float64
	}{
		{RotaryParams{}, []float64{-3, 2, 1, 4}},                  // pairs (0,2), (1,3)
		{RotaryParams{Interleaved: true}, []float64{-2, 1, 3, 4}}, // pairs (0,1), (2,3)
	} {
		y, err := RotaryEmbedding(x, cos, sin, pos, c.p)
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range c.want {
			if y.Float(i) != w {
				t.Fatalf("%+v: got %v, want %v", c.p, y.Floats(), c.want)
			}
		}
	}
	// Negative positions count from the end of the cache, as numpy does.
	y, err := RotaryEmbedding(x, cos, sin, ir.FromSlice(ir.Int64, []int64{1, 1}, []int64{-1}), RotaryParams{})
	if err != nil || y.Float(0) != -3 {
		t.Fatalf("position -1: got %v, %v", y, err)
	}
	// A partial rotation keeps the tail; a 3-D input splits heads.
	x3 := ir.FromSlice(ir.Float32, []int64{1, 1, 8}, []float32{1, 2, 3, 4, 5, 6, 7, 8})
	c3 := ir.FromSlice(ir.Float32, []int64{1, 1, 1}, []float32{0})
	s3 := ir.FromSlice(ir.Float32, []int64{1, 1, 1}, []float32{1})
	y, err = RotaryEmbedding(x3, c3, s3, nil, RotaryParams{RotaryDim: 2, NumHeads: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{-2, 1, 3, 4, -6, 5, 7, 8}
	for i, w := range want {
		if y.Float(i) != w {
			t.Fatalf("3-D partial: got %v, want %v", y.Floats(), want)
		}
	}
	if _, err := RotaryEmbedding(x, cos, sin, ir.FromSlice(ir.Int64, []int64{1, 1}, []int64{2}), RotaryParams{}); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Fatalf("position 2 of a 2-row cache: got %v", err)
	}
}
