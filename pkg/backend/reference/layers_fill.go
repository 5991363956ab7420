package reference

import (
	"fmt"
	"math/rand"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Fill is IFillLayer. LINSPACE: element (a0, a1, ...) = alpha + sum
// beta[d]*a_d, for Int32, Int64 or Float32 outputs; alpha and beta are
// static (alpha default 0; static beta is the one delta of a 1-D output,
// 0 meaning TensorRT's default 1) or tensors (input 1 a 0-D alpha, input 2 a
// 1-D beta with one delta per output dim, both of the output dtype). The
// output dims are static or a 1-D Int32/Int64 tensor (input 0).
// RANDOM_UNIFORM (in [alpha, beta)) and RANDOM_NORMAL (mean alpha, std
// beta) give Float32 or Float16 and are never folded.

func init() {
	registerKind(network.KindFill, kindImpl{infer: inferFill, run: runFill, noFold: true})
}

func inferFill(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	p := l.Params.(network.FillParams)
	get := func(i int) *ir.Value {
		if i < len(in) {
			return in[i]
		}
		return nil
	}
	var dims ir.Shape
	if d := get(0); d != nil {
		if d.DType != ir.Int32 && d.DType != ir.Int64 || len(d.Shape) != 1 || !d.Shape[0].Static() {
			return nil, fmt.Errorf("dims must be a 1-D Int32/Int64 tensor of static length, got %v%v", d.DType, d.Shape)
		}
		if d.ShapeData != nil {
			dims = d.ShapeData.Clone()
		} else {
			dims = make(ir.Shape, d.Shape[0].Size)
			for i := range dims {
				dims[i] = ir.Sym("")
			}
		}
	} else {
		dims = ir.S(p.Dims...)
	}
	for _, d := range dims {
		if d.Static() && d.Size < 0 {
			return nil, fmt.Errorf("dims %v have a negative entry", dims)
		}
	}
	a, b := get(1), get(2)
	if (a == nil) != (b == nil) {
		return nil, fmt.Errorf("alpha and beta must both be static or both be tensors")
	}
	switch p.Op {
	case network.FillLINSPACE:
		if p.DType != ir.Int32 && p.DType != ir.Int64 && p.DType != ir.Float32 {
			return nil, fmt.Errorf("LINSPACE output must be Int32, Int64 or Float32, not %v", p.DType)
		}
		if a != nil {
			if a.DType != p.DType || len(a.Shape) != 0 {
				return nil, fmt.Errorf("alpha must be a 0-D %v tensor, got %v%v", p.DType, a.DType, a.Shape)
			}
			if b.DType != p.DType || len(b.Shape) != 1 || b.Shape[0].Static() && b.Shape[0].Size != int64(len(dims)) {
				return nil, fmt.Errorf("beta must be a 1-D %v tensor of %d deltas, got %v%v", p.DType, len(dims), b.DType, b.Shape)
			}
		} else if len(dims) != 1 {
			return nil, fmt.Errorf("static beta serves a 1-D output only; output has rank %d (pass beta as a tensor)", len(dims))
		}
	case network.FillRANDOM_UNIFORM, network.FillRANDOM_NORMAL:
		if p.DType != ir.Float32 && p.DType != ir.Float16 {
			return nil, fmt.Errorf("random fill output must be Float32 or Float16, not %v", p.DType)
		}
		if a != nil && (len(a.Shape) != 0 || len(b.Shape) != 0 || a.DType != p.DType || b.DType != p.DType) {
			return nil, fmt.Errorf("alpha and beta must be 0-D %v tensors", p.DType)
		}
	default:
		return nil, fmt.Errorf("unknown FillOperation %d", p.Op)
	}
	return []*ir.Value{{DType: p.DType, Shape: dims}}, nil
}

func runFill(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p := l.Params.(network.FillParams)
	get := func(i int) *ir.Tensor {
		if i < len(in) {
			return in[i]
		}
		return nil
	}
	dims := p.Dims
	if d := get(0); d != nil {
		dims = d.Ints()
	}
	for _, d := range dims {
		if d < 0 {
			return nil, fmt.Errorf("dims %v have a negative entry", dims)
		}
	}
	alpha, beta := p.Alpha, []float64{p.Beta}
	if p.Op == network.FillLINSPACE && p.Beta == 0 {
		beta[0] = 1
	}
	if a := get(1); a != nil {
		alpha, beta = a.Float(0), get(2).Floats()
		if p.DType == ir.Int64 {
			alpha = float64(a.Int(0))
		}
	}
	var out *ir.Tensor
	var err error
	switch p.Op {
	case network.FillLINSPACE:
		if a := get(1); a != nil && (p.DType == ir.Int64 || p.DType == ir.Int32) {
			// Tensor start and deltas of an integer fill are exact.
			out, err = kernels.LinspaceInt(p.DType, dims, a.Int(0), get(2).Ints())
			break
		}
		if len(beta) != len(dims) {
			return nil, fmt.Errorf("beta has %d deltas for %d dims", len(beta), len(dims))
		}
		out, err = kernels.Linspace(p.DType, dims, alpha, beta)
	default:
		lo, hi := alpha, beta[0]
		out = ir.NewTensor(p.DType, dims)
		for i := 0; i < int(out.Numel()); i++ {
			if p.Op == network.FillRANDOM_UNIFORM {
				out.SetFloat(i, lo+rand.Float64()*(hi-lo))
			} else {
				out.SetFloat(i, lo+rand.NormFloat64()*hi)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{out}, nil
}
