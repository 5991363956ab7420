package precision

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Observe runs the float32 graph once with trtc's CPU kernels (the
// semantics the reference backend is checked against) and returns the
// largest finite |x| of every float value, for the magnitude rule. Graph inputs
// come from inputs, or are generated from seed: floats from a standard
// normal distribution, integers and booleans as zeros (a valid index and
// a valid mask for any table). A dynamic dim takes its lower bound, or 1.
// Each value is freed after its last reader. A node whose kernel refuses
// the inputs is skipped with what depends on it, and the error is a
// *PartialError alongside the values observed.
func Observe(g *ir.Graph, inputs map[string]*ir.Tensor, seed uint64) (map[string]float64, error) {
	rng := rand.New(rand.NewPCG(seed, 0x7472746370726563))
	vals := map[string]*ir.Tensor{}
	peak := map[string]float64{}
	note := func(name string, t *ir.Tensor) {
		if t == nil || !t.DType.IsFloat() {
			return
		}
		m := 0.0
		n := int(t.Numel())
		for i := 0; i < n; i++ {
			// Infinities and NaNs are what float32 holds too (a -inf
			// mask): only finite values can overflow the low type.
			if a := math.Abs(t.Float(i)); a > m && !math.IsInf(a, 0) {
				m = a
			}
		}
		peak[name] = m
	}
	for _, name := range g.Inputs {
		v := g.Value(name)
		if v == nil {
			continue
		}
		t := inputs[name]
		if t == nil {
			dims := make([]int64, len(v.Shape))
			for i, d := range v.Shape {
				dims[i] = d.Size
				if !d.Static() {
					dims[i] = max(v.Min[d.Sym], 1)
				}
			}
			nt, err := ir.NewTensorChecked("generated input "+name, v.DType, dims)
			if err != nil {
				return nil, err
			}
			if v.DType.IsFloat() {
				f := ir.NewTensor(ir.Float32, dims)
				for i := range int(f.Numel()) {
					f.SetFloat(i, rng.NormFloat64())
				}
				if nt, err = kernels.Cast(f, v.DType); err != nil {
					return nil, err
				}
			}
			t = nt
		}
		vals[name] = t
		note(name, t)
	}
	readers := map[string]int{}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			readers[in]++
		}
	}
	for _, o := range g.Outputs {
		readers[o]++
	}
	var firstErr error
	skipped := 0
	for _, n := range g.Nodes {
		in := make([]*ir.Tensor, len(n.Inputs))
		missing := false
		for i, name := range n.Inputs {
			if name == "" {
				continue
			}
			if t, ok := vals[name]; ok {
				in[i] = t
			} else if v := g.Values[name]; v != nil && v.Const != nil {
				in[i] = v.Const
				if _, seen := peak[name]; !seen {
					note(name, v.Const)
				}
			} else {
				missing = true // its producer was not observed
			}
		}
		var out []*ir.Tensor
		var err error
		if !missing {
			out, err = ops.Execute(n, in)
			if err != nil && firstErr == nil {
				firstErr = err
			}
		}
		if missing || err != nil {
			// Not observed, nor anything computed from it; the rest of
			// the graph still is.
			skipped++
			out = nil
		}
		for i, name := range n.Outputs {
			if name == "" || i >= len(out) {
				continue
			}
			note(name, out[i])
			if readers[name] > 0 {
				vals[name] = out[i]
			}
		}
		for _, name := range n.Inputs {
			if readers[name]--; readers[name] == 0 {
				delete(vals, name)
			}
		}
	}
	if skipped > 0 {
		return peak, &PartialError{Skipped: skipped, Total: len(g.Nodes), Err: firstErr}
	}
	return peak, nil
}

// PartialError says that some nodes could not be run on the observation
// inputs (a shape or scale input that the generated values do not fit):
// those nodes, and what is computed from them, were not observed; the
// values returned with it are the rest.
type PartialError struct {
	Skipped, Total int
	Err            error
}

func (e *PartialError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("%d of %d nodes not observed", e.Skipped, e.Total)
	}
	return fmt.Sprintf("%d of %d nodes not observed: %v", e.Skipped, e.Total, e.Err)
}

func (e *PartialError) Unwrap() error { return e.Err }
