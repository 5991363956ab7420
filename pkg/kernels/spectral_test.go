package kernels

import (
	"math"
	"slices"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// STFT of a pure tone puts its energy in the tone's bin; MelWeightMatrix's
// filters are triangles that peak at 1; bad arguments are errors.
func TestSTFTAndMel(t *testing.T) {
	const n, frame, bin = 64, 16, 3
	x := ir.NewTensor(ir.Float32, []int64{1, n, 1})
	for i := 0; i < n; i++ {
		x.SetFloat(i, math.Cos(2*math.Pi*bin*float64(i)/frame))
	}
	y, err := STFT(x, 8, nil, frame, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{1, (n-frame)/8 + 1, frame/2 + 1, 2}; !slices.Equal(y.Shape, want) {
		t.Fatalf("shape %v, want %v", y.Shape, want)
	}
	for f := 0; f < int(y.Shape[1]); f++ {
		for k := 0; k < frame/2+1; k++ {
			// The magnitude (frames start at odd multiples of half a
			// period too, which flips the sign).
			o := ((f * (frame/2 + 1)) + k) * 2
			mag := math.Hypot(y.Float(o), y.Float(o+1))
			want := 0.0
			if k == bin {
				want = frame / 2
			}
			if math.Abs(mag-want) > 1e-4 {
				t.Fatalf("frame %d bin %d: magnitude %g, want %g", f, k, mag, want)
			}
		}
	}
	for _, bad := range []func() error{
		func() error { _, err := STFT(x, 0, nil, frame, true); return err },
		func() error { _, err := STFT(x, 4, nil, n+1, true); return err },
		func() error { _, err := STFT(x, 4, ir.NewTensor(ir.Float32, []int64{8}), frame, true); return err },
		func() error { _, err := MelWeightMatrix(8, 16, 8192, 0, 9000, ir.Float32); return err },
		func() error { _, err := MelWeightMatrix(0, 16, 8192, 0, 4096, ir.Float32); return err },
		// Frames of a long signal every sample: far more than memory holds.
		func() error {
			long := &ir.Tensor{DType: ir.Float32, Shape: []int64{1 << 20, 1 << 20, 1}}
			_, err := STFT(long, 1, nil, 1<<19, true)
			return err
		},
	} {
		if bad() == nil {
			t.Error("bad arguments were accepted")
		}
	}
	m, err := MelWeightMatrix(4, 64, 16000, 100, 7000, ir.Float32)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		peak := 0.0
		for j := 0; j < 33; j++ {
			peak = math.Max(peak, m.Float(j*4+i))
		}
		if peak != 1 {
			t.Errorf("filter %d peaks at %g, want 1", i, peak)
		}
	}
}
