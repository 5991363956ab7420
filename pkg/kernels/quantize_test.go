package kernels

import (
	"fmt"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestQuantizeLinear(t *testing.T) {
	x := ir.FromSlice(ir.Float32, []int64{2, 4}, []float32{0, 1, 2.5, 3.5, -1, -300, 300, 0.5})
	// Per tensor, uint8 with zero point 128: rounding half to even, clamped.
	y, err := QuantizeLinear(x, ir.FromSlice(ir.Float32, nil, []float32{1}), ir.FromSlice(ir.Uint8, nil, []uint8{128}), QuantParams{Axis: 1}, ir.Uint8, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(y.Ints()); got != "[128 129 130 132 127 0 255 128]" {
		t.Errorf("per-tensor uint8 = %s", got)
	}
	// Per axis 0 (two scales), int8 without zero point.
	y, err = QuantizeLinear(x, ir.FromSlice(ir.Float32, []int64{2}, []float32{0.5, 2}), nil, QuantParams{Axis: 0}, ir.Int8, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(y.Ints()); got != "[0 2 5 7 0 -128 127 0]" {
		t.Errorf("per-axis int8 = %s", got)
	}
	// Blocked along axis 1 with block size 2: scale shape [2, 2].
	s := ir.FromSlice(ir.Float32, []int64{2, 2}, []float32{1, 0.5, 2, 100})
	y, err = QuantizeLinear(x, s, nil, QuantParams{Axis: 1, BlockSize: 2}, ir.Int4, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(y.Ints()); got != "[0 1 5 7 0 -8 3 0]" {
		t.Errorf("blocked int4 = %s", got)
	}
	if _, err := QuantizeLinear(x, ir.FromSlice(ir.Float32, []int64{3}, []float32{1, 1, 1}), nil, QuantParams{Axis: 1}, ir.Int8, true); err == nil {
		t.Error("a per-axis scale of the wrong length was accepted")
	}
	// float8: x/scale cast with saturation; 300/1 saturates to 240 in e4m3fnuz.
	y, err = QuantizeLinear(x, ir.FromSlice(ir.Float32, nil, []float32{1}), nil, QuantParams{Axis: 1}, ir.Float8E4M3FNUZ, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(y.Floats()); got != "[0 1 2.5 3.5 -1 -240 240 0.5]" {
		t.Errorf("e4m3fnuz = %s", got)
	}
}

func TestDequantizeLinear(t *testing.T) {
	x := ir.FromSlice(ir.Int8, []int64{2, 2}, []int8{-128, 0, 5, 127})
	y, err := DequantizeLinear(x, ir.FromSlice(ir.Float32, []int64{2}, []float32{0.5, 2}), ir.FromSlice(ir.Int8, []int64{2}, []int8{0, 1}), QuantParams{Axis: 1}, ir.Float32)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(y.Floats()); got != "[-64 -2 2.5 252]" {
		t.Errorf("per-axis dequantize = %s", got)
	}
	// A quantize-dequantize round trip is within half a step.
	xf := ir.FromSlice(ir.Float32, []int64{5}, []float32{-1, -0.33, 0, 0.71, 1})
	sc := ir.FromSlice(ir.Float32, nil, []float32{2.0 / 255})
	q, _ := QuantizeLinear(xf, sc, nil, QuantParams{}, ir.Int8, true)
	d, _ := DequantizeLinear(q, sc, nil, QuantParams{}, ir.Float32)
	for i, v := range d.Floats() {
		if diff := v - xf.Float(i); diff > 1.0/255+1e-7 || diff < -1.0/255-1e-7 {
			t.Errorf("round trip of %v gave %v", xf.Float(i), v)
		}
	}
}

func TestDynamicQuantizeLinear(t *testing.T) {
	// ONNX's example: x in [0, 2, -3, -2.5, 1.34, 0.5] gives scale 5/255,
	// zero point 153.
	x := ir.FromSlice(ir.Float32, []int64{6}, []float32{0, 2, -3, -2.5, 1.34, 0.5})
	y, s, z := DynamicQuantizeLinear(x)
	if got := fmt.Sprint(y.Ints(), s.Float(0) == float64(float32(5)/255), z.Ints()); got != "[153 255 0 26 221 179] true [153]" {
		t.Errorf("DynamicQuantizeLinear = %s", got)
	}
}
