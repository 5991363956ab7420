package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// STFT is ONNX STFT: signal [batch, length, 1 (real) or 2 (complex)] cut
// into frames of frameLength every step samples (frames = (length -
// frameLength) / step + 1), each multiplied by window (nil: ones) and
// transformed by DFT; output [batch, frames, bins, 2] with bins
// frameLength/2+1 when onesided, else frameLength. Computed in float64.
func STFT(signal *ir.Tensor, step int64, window *ir.Tensor, frameLength int64, onesided bool) (*ir.Tensor, error) {
	if len(signal.Shape) != 3 || (signal.Shape[2] != 1 && signal.Shape[2] != 2) {
		return nil, fmt.Errorf("signal %v: want [batch, length, 1 or 2]", signal.Shape)
	}
	if window != nil {
		if len(window.Shape) != 1 {
			return nil, fmt.Errorf("window %v: want a 1-D tensor", window.Shape)
		}
		if frameLength > 0 && frameLength != window.Shape[0] {
			return nil, fmt.Errorf("frame_length %d differs from the window's length %d", frameLength, window.Shape[0])
		}
		frameLength = window.Shape[0]
	}
	b, length, ch := signal.Shape[0], signal.Shape[1], signal.Shape[2]
	if frameLength <= 0 || frameLength > length {
		return nil, fmt.Errorf("frame length %d for a signal of length %d", frameLength, length)
	}
	if step <= 0 {
		return nil, fmt.Errorf("frame_step %d must be positive", step)
	}
	if onesided && ch == 2 {
		return nil, fmt.Errorf("onesided STFT of a complex signal")
	}
	frames := (length-frameLength)/step + 1
	// Overlapping frames can hold far more samples than the signal.
	cutT, err := ir.NewTensorChecked("STFT frames", ir.Float64, []int64{b, frames, frameLength, ch})
	if err != nil {
		return nil, err
	}
	if _, err := ir.NewTensorChecked("STFT output", ir.Float64, []int64{b, frames, frameLength, 2}); err != nil {
		return nil, err
	}
	x := ToFloat64(signal)
	var w []float64
	if window != nil {
		w = ToFloat64(window)
	}
	cut := ir.View[float64](cutT)
	for bi := int64(0); bi < b; bi++ {
		for f := int64(0); f < frames; f++ {
			for k := int64(0); k < frameLength; k++ {
				scale := 1.0
				if w != nil {
					scale = w[k]
				}
				src := (bi*length + f*step + k) * ch
				dst := ((bi*frames+f)*frameLength + k) * ch
				for c := int64(0); c < ch; c++ {
					cut[dst+c] = x[src+c] * scale
				}
			}
		}
	}
	spec, err := DFT(cutT, 2, frameLength, false, onesided)
	if err != nil {
		return nil, err
	}
	return Cast(spec, signal.DType)
}

// MelWeightMatrix is ONNX MelWeightMatrix: [dftLength/2+1, melBins]
// triangular filters between lower and upper edge (Hz) on the mel scale
// (2595 log10(1 + f/700)), with the spectrogram bin of each of the
// melBins+2 edge points floor((dftLength+1) f / sampleRate), as the
// operator's reference computes them.
func MelWeightMatrix(melBins, dftLength, sampleRate int64, lower, upper float64, dt ir.DType) (*ir.Tensor, error) {
	if melBins <= 0 || dftLength <= 0 || sampleRate <= 0 {
		return nil, fmt.Errorf("num_mel_bins %d, dft_length %d and sample_rate %d must be positive", melBins, dftLength, sampleRate)
	}
	if !(lower >= 0 && upper > lower) {
		return nil, fmt.Errorf("edges [%g, %g] Hz must satisfy 0 <= lower < upper", lower, upper)
	}
	if melBins > 1<<20 || dftLength > 1<<30 {
		return nil, fmt.Errorf("num_mel_bins %d or dft_length %d is too large", melBins, dftLength)
	}
	bins := dftLength/2 + 1
	outT, err := ir.NewTensorChecked("MelWeightMatrix output", ir.Float64, []int64{bins, melBins})
	if err != nil {
		return nil, err
	}
	mel := func(f float64) float64 { return 2595 * math.Log10(1+f/700) }
	lo, hi := mel(lower), mel(upper)
	pts := melBins + 2
	step := (hi - lo) / float64(pts)
	edge := make([]int64, pts)
	for i := range edge {
		m := float64(i)*step + lo
		hz := 700 * (math.Pow(10, m/2595) - 1)
		edge[i] = int64(math.Floor(float64(dftLength+1) * hz / float64(sampleRate)))
	}
	out := ir.View[float64](outT)
	set := func(j, i int64, v float64) error {
		if j < 0 || j >= bins {
			return fmt.Errorf("mel bin %d reaches spectrogram bin %d of %d: the upper edge is past the Nyquist frequency", i, j, bins)
		}
		out[j*melBins+i] = v
		return nil
	}
	for i := int64(0); i < melBins; i++ {
		l, c, h := edge[i], edge[i+1], edge[i+2]
		if c == l {
			if err := set(c, i, 1); err != nil {
				return nil, err
			}
		} else {
			for j := l; j <= c; j++ {
				if err := set(j, i, float64(j-l)/float64(c-l)); err != nil {
					return nil, err
				}
			}
		}
		for j := c; j < h; j++ {
			if err := set(j, i, float64(h-j)/float64(h-c)); err != nil {
				return nil, err
			}
		}
	}
	return Cast(outT, dt)
}
