package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Random draws (ONNX RandomUniform/Normal(Like), Bernoulli, Multinomial and
// the ATen random ops lowered onto them). A seeded node draws the same
// values on every run (a PCG generator seeded from the seed's bits); an
// unseeded one draws from a generator seeded at random, as PyTorch's and
// ONNX Runtime's unseeded draws differ run to run. Values are not meant to
// match another implementation's bit for bit: tests compare distributions.

// NewRNG returns the generator of one execution of a random node.
func NewRNG(seed float64, seeded bool) *rand.Rand {
	if !seeded {
		return rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return rand.New(rand.NewPCG(math.Float64bits(seed), 0x9e3779b97f4a7c15))
}

func randomDType(dt ir.DType) error {
	switch dt {
	case ir.Float32, ir.Float16, ir.BFloat16, ir.Float64:
		return nil
	}
	return fmt.Errorf("random values of %v: want a float type", dt)
}

// RandomUniform fills dims with draws from [low, high).
func RandomUniform(rng *rand.Rand, dt ir.DType, dims []int64, low, high float64) (*ir.Tensor, error) {
	if err := randomDType(dt); err != nil {
		return nil, err
	}
	if !(high >= low) {
		return nil, fmt.Errorf("high %g is below low %g", high, low)
	}
	out, err := ir.NewTensorChecked("RandomUniform output", dt, dims)
	if err != nil {
		return nil, err
	}
	for i := 0; i < int(out.Numel()); i++ {
		out.SetFloat(i, low+rng.Float64()*(high-low))
	}
	return out, nil
}

// RandomNormal fills dims with draws from N(mean, scale^2).
func RandomNormal(rng *rand.Rand, dt ir.DType, dims []int64, mean, scale float64) (*ir.Tensor, error) {
	if err := randomDType(dt); err != nil {
		return nil, err
	}
	if scale < 0 {
		return nil, fmt.Errorf("scale %g is negative", scale)
	}
	out, err := ir.NewTensorChecked("RandomNormal output", dt, dims)
	if err != nil {
		return nil, err
	}
	for i := 0; i < int(out.Numel()); i++ {
		out.SetFloat(i, mean+rng.NormFloat64()*scale)
	}
	return out, nil
}

// RandomInt fills dims with integers drawn uniformly from [low, high)
// (torch.randint).
func RandomInt(rng *rand.Rand, dt ir.DType, dims []int64, low, high int64) (*ir.Tensor, error) {
	if high <= low {
		return nil, fmt.Errorf("randint range [%d, %d) is empty", low, high)
	}
	if low < -1<<53 || high > 1<<53 {
		return nil, fmt.Errorf("randint range [%d, %d) is past 2^53", low, high)
	}
	if !dt.IsInt() && !dt.IsFloat() {
		return nil, fmt.Errorf("random integers of %v", dt)
	}
	out, err := ir.NewTensorChecked("random integers", dt, dims)
	if err != nil {
		return nil, err
	}
	span := uint64(high - low)
	for i := 0; i < int(out.Numel()); i++ {
		out.SetFloat(i, float64(low+int64(rng.Uint64N(span))))
	}
	return out, nil
}

// Bernoulli draws 1 with probability p[i] (a float tensor in [0, 1]) and 0
// otherwise, as dt.
func Bernoulli(rng *rand.Rand, p *ir.Tensor, dt ir.DType) (*ir.Tensor, error) {
	if !p.DType.IsFloat() {
		return nil, fmt.Errorf("probabilities are %v, want a float type", p.DType)
	}
	out := ir.NewTensor(dt, p.Shape)
	for i := 0; i < int(p.Numel()); i++ {
		q := p.Float(i)
		if !(q >= 0 && q <= 1) {
			return nil, fmt.Errorf("probability %g at %d is outside [0, 1]", q, i)
		}
		if rng.Float64() < q {
			out.SetFloat(i, 1)
		}
	}
	return out, nil
}

// Multinomial draws samples class indices per batch row of logits
// [batch, classes] (unnormalized log probabilities), with replacement.
func Multinomial(rng *rand.Rand, logits *ir.Tensor, samples int64, dt ir.DType) (*ir.Tensor, error) {
	if len(logits.Shape) != 2 || !logits.DType.IsFloat() {
		return nil, fmt.Errorf("input %v%v: want a float [batch, classes] tensor", logits.DType, logits.Shape)
	}
	if dt != ir.Int32 && dt != ir.Int64 {
		return nil, fmt.Errorf("dtype %v: want int32 or int64", dt)
	}
	if samples < 0 {
		return nil, fmt.Errorf("sample_size %d is negative", samples)
	}
	b, c := logits.Shape[0], logits.Shape[1]
	if c == 0 && samples > 0 {
		return nil, fmt.Errorf("no classes to draw from")
	}
	out, err := ir.NewTensorChecked("Multinomial output", dt, []int64{b, samples})
	if err != nil {
		return nil, err
	}
	cdf := make([]float64, c)
	for r := int64(0); r < b; r++ {
		mx := math.Inf(-1)
		for j := int64(0); j < c; j++ {
			mx = math.Max(mx, logits.Float(int(r*c+j)))
		}
		sum := 0.0
		for j := int64(0); j < c; j++ {
			sum += math.Exp(logits.Float(int(r*c+j)) - mx)
			cdf[j] = sum
		}
		if !(sum > 0) || math.IsInf(sum, 0) || math.IsNaN(sum) {
			return nil, fmt.Errorf("row %d has no finite probabilities", r)
		}
		for s := int64(0); s < samples; s++ {
			u := rng.Float64() * sum
			k := int64(0)
			for k < c-1 && cdf[k] <= u {
				k++
			}
			out.SetFloat(int(r*samples+s), float64(k))
		}
	}
	return out, nil
}
