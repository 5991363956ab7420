package stattest

import (
	"math/rand/v2"
	"testing"
)

// The checks pass samples of the right distribution and fail samples of a
// shifted, scaled or out-of-range one.
func TestChecksTellDistributionsApart(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 20000
	u, g, k, b := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range u {
		u[i] = -2 + 5*rng.Float64()
		g[i] = 1.5 + 0.5*rng.NormFloat64()
		k[i] = float64(-3 + rng.IntN(10))
		if rng.Float64() < 0.3 {
			b[i] = 1
		}
	}
	for name, err := range map[string]error{
		"uniform": Uniform(u, -2, 3), "normal": Normal(g, 1.5, 0.5), "randint": Randint(k, -3, 7), "bernoulli": Bernoulli(b, []float64{0.3}),
	} {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, err := range map[string]error{
		"uniform range": Uniform(u, -1, 3), "uniform width": Uniform(g, 1.4, 1.6),
		"normal mean": Normal(g, 1.55, 0.5), "normal std": Normal(g, 1.5, 0.52),
		"randint range": Randint(k, -3, 6), "randint shift": Randint(k, -4, 7),
		"bernoulli p": Bernoulli(b, []float64{0.33}), "too few": Normal(g[:10], 1.5, 0.5),
	} {
		if err == nil {
			t.Errorf("%s: a wrong distribution passed", name)
		}
	}
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = 0.1 + rng.Float64()
		if rng.Float64() >= 0.4 {
			y[i] = x[i] / 0.6
		}
	}
	if err := Dropout(y, x, 0.4); err != nil {
		t.Error(err)
	}
	if err := Dropout(y, x, 0.5); err == nil {
		t.Error("dropout with the wrong p passed")
	}
}
