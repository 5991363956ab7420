// Package stattest checks random samples against their distribution: the
// range, and the sample mean and variance within Sigmas standard errors of
// the distribution's, the errors derived from the sample size. Tests of
// random ops (kernels, converters, whole models) compare by distribution
// this way, never by bit patterns. With Sigmas = 6 a correct generator
// fails a check about once in 10^8 runs.
package stattest

import (
	"fmt"
	"math"
)

// Sigmas is how many standard errors a sample statistic may stray.
const Sigmas = 6.0

func moments(v []float64) (mean, variance float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(v))
}

// checkMoments compares the sample's mean and variance with mu and sigma2;
// mu4 is the distribution's fourth central moment (the sample variance's
// standard error is sqrt((mu4 - sigma2^2) / n)).
func checkMoments(v []float64, mu, sigma2, mu4 float64) error {
	n := float64(len(v))
	if n < 100 {
		return fmt.Errorf("%d samples are too few to judge a distribution", len(v))
	}
	m, s2 := moments(v)
	if se := math.Sqrt(sigma2 / n); math.Abs(m-mu) > Sigmas*se {
		return fmt.Errorf("sample mean %.5g over %d samples, want %.5g ± %.3g", m, len(v), mu, Sigmas*se)
	}
	if se := math.Sqrt((mu4 - sigma2*sigma2) / n); math.Abs(s2-sigma2) > Sigmas*se {
		return fmt.Errorf("sample variance %.5g over %d samples, want %.5g ± %.3g", s2, len(v), sigma2, Sigmas*se)
	}
	return nil
}

// Uniform checks samples of the continuous uniform distribution on
// [lo, hi): every value in range, mean (lo+hi)/2, variance (hi-lo)^2/12.
func Uniform(v []float64, lo, hi float64) error {
	for i, x := range v {
		if !(x >= lo && x <= hi) {
			return fmt.Errorf("sample %d is %g, outside [%g, %g)", i, x, lo, hi)
		}
	}
	w := hi - lo
	return checkMoments(v, (lo+hi)/2, w*w/12, math.Pow(w, 4)/80)
}

// Normal checks samples of N(mean, std^2).
func Normal(v []float64, mean, std float64) error {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("sample %d is %g", i, x)
		}
	}
	s2 := std * std
	return checkMoments(v, mean, s2, 3*s2*s2)
}

// Randint checks samples of the discrete uniform distribution on the
// integers lo..hi-1.
func Randint(v []float64, lo, hi int64) error {
	for i, x := range v {
		if x != math.Trunc(x) || x < float64(lo) || x >= float64(hi) {
			return fmt.Errorf("sample %d is %g, not an integer in [%d, %d)", i, x, lo, hi)
		}
	}
	k := float64(hi - lo)
	return checkMoments(v, float64(lo)+(k-1)/2, (k*k-1)/12, (k*k-1)*(3*k*k-7)/240)
}

// Bernoulli checks 0/1 samples drawn with probabilities p (one per sample,
// or one for all when len(p) is 1): the count of ones is within Sigmas
// standard errors of sum(p).
func Bernoulli(v []float64, p []float64) error {
	if len(p) != 1 && len(p) != len(v) {
		return fmt.Errorf("%d probabilities for %d samples", len(p), len(v))
	}
	if len(v) < 100 {
		return fmt.Errorf("%d samples are too few to judge a distribution", len(v))
	}
	var ones, want, vr float64
	for i, x := range v {
		if x != 0 && x != 1 {
			return fmt.Errorf("sample %d is %g, not 0 or 1", i, x)
		}
		q := p[0]
		if len(p) > 1 {
			q = p[i]
		}
		if q <= 0 && x == 1 || q >= 1 && x == 0 {
			return fmt.Errorf("sample %d is %g with probability %g", i, x, q)
		}
		ones += x
		want += q
		vr += q * (1 - q)
	}
	if se := math.Sqrt(vr); math.Abs(ones-want) > Sigmas*se+0.5 {
		return fmt.Errorf("%g ones over %d samples, want %.1f ± %.1f", ones, len(v), want, Sigmas*se+0.5)
	}
	return nil
}

// Dropout checks training-mode dropout of x with probability p: each
// output is 0 or x/(1-p) (within a float32 rounding), and the zeros among
// nonzero inputs are Bernoulli(p).
func Dropout(y, x []float64, p float64) error {
	if len(y) != len(x) {
		return fmt.Errorf("%d outputs for %d inputs", len(y), len(x))
	}
	var dropped []float64
	for i := range y {
		keep := x[i] / (1 - p)
		switch {
		case y[i] == 0 && x[i] != 0:
			dropped = append(dropped, 1)
		case math.Abs(y[i]-keep) <= 1e-6*math.Max(1, math.Abs(keep)):
			if x[i] != 0 {
				dropped = append(dropped, 0)
			}
		default:
			return fmt.Errorf("output %d is %g: neither 0 nor input %g / (1 - %g)", i, y[i], x[i], p)
		}
	}
	return Bernoulli(dropped, []float64{p})
}
