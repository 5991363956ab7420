//go:build tensorrt && fakenvinfer

package tensorrt

// teeNetwork builds one network twice: in the reference backend, whose
// tensors the converters see (so they decide as they do for the reference
// plan), and through the shim into the recording fake of TensorRT, fed with
// the reference's output dtypes and shapes (the fake does not infer
// shapes). The reference side of the comparison is the reference
// backend's description of its own plan (reference.Describe,
// referenceLayers).

import (
	"fmt"
	"sync"
	"testing"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/backend/reference"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

type teeNetwork struct {
	ref    *reference.Network
	trt    *Network
	m      map[network.Tensor]network.Tensor
	inputs map[network.Tensor]bool
	marked map[network.Tensor]bool
	// diverged is the first call the shim refused where the reference did
	// not.
	diverged error
}

func newTee() *teeNetwork {
	fakeFeedClear()
	return &teeNetwork{ref: reference.NewNetwork(), trt: NewNetwork(), m: map[network.Tensor]network.Tensor{},
		inputs: map[network.Tensor]bool{}, marked: map[network.Tensor]bool{}}
}

// compareRecord ends a test's direct use of the tee: the network must have
// no error and no divergence, and the fake's record of the shim's calls must
// equal the reference backend's description of its plan, layer by layer
// (each difference is a test error). It returns the record.
func (n *teeNetwork) compareRecord(t *testing.T) []network.LayerInfo {
	t.Helper()
	if err := n.Err(); err != nil {
		t.Fatal(err)
	}
	if n.diverged != nil {
		t.Fatal(n.diverged)
	}
	rec, err := buildRecord(n.trt)
	if err != nil {
		t.Fatal(err)
	}
	blob, err := n.ref.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := referenceLayers(blob)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range compareLayers(ref, rec) {
		t.Error(d)
	}
	return rec
}

func (n *teeNetwork) BeginNode(op, node string) { n.ref.BeginNode(op, node); n.trt.BeginNode(op, node) }

// SetTargetVersion applies that release's rule table on the reference side
// (the compiler sets it on every engine's network).
func (n *teeNetwork) SetTargetVersion(v network.Version) { n.ref.SetTargetVersion(v) }
func (n *teeNetwork) NumLayers() int                     { return n.ref.NumLayers() }
func (n *teeNetwork) Err() error {
	if err := n.ref.Err(); err != nil {
		return err
	}
	return n.trt.Err()
}

// tt maps a reference tensor to the shim's; nil stays nil.
func (n *teeNetwork) tt(t network.Tensor) network.Tensor {
	if t == nil {
		return nil
	}
	if m, ok := n.m[t]; ok {
		return m
	}
	return nil
}

// call runs one Add on both networks: ref gives the reference's outputs,
// trt (given the mapped inputs) the shim's; the fake gets the reference's
// output dtypes and shapes first.
func (n *teeNetwork) call(ref func() []network.Tensor, trt func() []network.Tensor) []network.Tensor {
	outs := ref()
	if n.ref.Err() != nil || n.trt.Err() != nil {
		return outs
	}
	for _, o := range outs {
		if err := fakeFeed(o.DType(), o.Shape()); err != nil {
			n.diverged = err
			return outs
		}
	}
	touts := trt()
	fakeFeedClear()
	if err := n.trt.Err(); err != nil {
		n.diverged = fmt.Errorf("the shim refused a layer the reference backend built: %w", err)
		return outs
	}
	for i, o := range outs {
		n.m[o] = touts[i]
	}
	return outs
}

func one(t network.Tensor) []network.Tensor { return []network.Tensor{t} }

func (n *teeNetwork) AddInput(name string, dt ir.DType, shape ir.Shape) network.Tensor {
	r := n.ref.AddInput(name, dt, shape)
	t := n.trt.AddInput(name, dt, shape)
	n.m[r], n.inputs[r] = t, true
	return r
}

// MarkOutput: the shim adds an identity layer when the tensor is a
// network input or already an output, which the fake is fed for.
func (n *teeNetwork) MarkOutput(t network.Tensor, name string) {
	n.ref.MarkOutput(t, name)
	if n.ref.Err() != nil || n.trt.Err() != nil {
		return
	}
	if n.inputs[t] || n.marked[t] {
		fakeFeed(t.DType(), t.Shape())
	}
	n.marked[t] = true
	n.trt.MarkOutput(n.tt(t), name)
	fakeFeedClear()
}

func (n *teeNetwork) AddElementWise(a, b network.Tensor, op network.ElementWiseOperation) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddElementWise(a, b, op)) },
		func() []network.Tensor { return one(n.trt.AddElementWise(n.tt(a), n.tt(b), op)) })[0]
}

func (n *teeNetwork) AddActivation(x network.Tensor, p network.ActivationParams) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddActivation(x, p)) },
		func() []network.Tensor { return one(n.trt.AddActivation(n.tt(x), p)) })[0]
}

func (n *teeNetwork) AddUnary(x network.Tensor, op network.UnaryOperation) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddUnary(x, op)) },
		func() []network.Tensor { return one(n.trt.AddUnary(n.tt(x), op)) })[0]
}

func (n *teeNetwork) AddConstant(w *ir.Tensor) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddConstant(w)) },
		func() []network.Tensor { return one(n.trt.AddConstant(w)) })[0]
}

func (n *teeNetwork) AddMatrixMultiply(a network.Tensor, opA network.MatrixOperation, b network.Tensor, opB network.MatrixOperation) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddMatrixMultiply(a, opA, b, opB)) },
		func() []network.Tensor { return one(n.trt.AddMatrixMultiply(n.tt(a), opA, n.tt(b), opB)) })[0]
}

func (n *teeNetwork) AddConvolutionNd(x network.Tensor, p network.ConvolutionParams) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddConvolutionNd(x, p)) },
		func() []network.Tensor {
			tp := p
			tp.KernelT, tp.BiasT = n.tt(p.KernelT), n.tt(p.BiasT)
			return one(n.trt.AddConvolutionNd(n.tt(x), tp))
		})[0]
}

func (n *teeNetwork) AddDeconvolutionNd(x network.Tensor, p network.DeconvolutionParams) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddDeconvolutionNd(x, p)) },
		func() []network.Tensor {
			tp := p
			tp.KernelT, tp.BiasT = n.tt(p.KernelT), n.tt(p.BiasT)
			return one(n.trt.AddDeconvolutionNd(n.tt(x), tp))
		})[0]
}

func (n *teeNetwork) AddPoolingNd(x network.Tensor, p network.PoolingParams) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddPoolingNd(x, p)) },
		func() []network.Tensor { return one(n.trt.AddPoolingNd(n.tt(x), p)) })[0]
}

func (n *teeNetwork) AddShuffle(x network.Tensor, p network.ShuffleParams) network.Tensor {
	tp := p
	return n.call(
		func() []network.Tensor { return one(n.ref.AddShuffle(x, p)) },
		func() []network.Tensor {
			tp.ReshapeTensor = n.tt(p.ReshapeTensor)
			return one(n.trt.AddShuffle(n.tt(x), tp))
		})[0]
}

func (n *teeNetwork) AddReduce(x network.Tensor, op network.ReduceOperation, axes uint32, keep bool) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddReduce(x, op, axes, keep)) },
		func() []network.Tensor { return one(n.trt.AddReduce(n.tt(x), op, axes, keep)) })[0]
}

func (n *teeNetwork) AddSoftMax(x network.Tensor, axes uint32) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddSoftMax(x, axes)) },
		func() []network.Tensor { return one(n.trt.AddSoftMax(n.tt(x), axes)) })[0]
}

func (n *teeNetwork) AddConcatenation(xs []network.Tensor, axis int) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddConcatenation(xs, axis)) },
		func() []network.Tensor {
			txs := make([]network.Tensor, len(xs))
			for i, x := range xs {
				txs[i] = n.tt(x)
			}
			return one(n.trt.AddConcatenation(txs, axis))
		})[0]
}

func (n *teeNetwork) AddEinsum(xs []network.Tensor, equation string) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddEinsum(xs, equation)) },
		func() []network.Tensor {
			txs := make([]network.Tensor, len(xs))
			for i, x := range xs {
				txs[i] = n.tt(x)
			}
			return one(n.trt.AddEinsum(txs, equation))
		})[0]
}

func (n *teeNetwork) AddGridSample(x, grid network.Tensor, p network.GridSampleParams) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddGridSample(x, grid, p)) },
		func() []network.Tensor { return one(n.trt.AddGridSample(n.tt(x), n.tt(grid), p)) })[0]
}

func (n *teeNetwork) AddOneHot(indices, values, depth network.Tensor, axis int) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddOneHot(indices, values, depth, axis)) },
		func() []network.Tensor { return one(n.trt.AddOneHot(n.tt(indices), n.tt(values), n.tt(depth), axis)) })[0]
}

func (n *teeNetwork) AddPluginV3(xs []network.Tensor, p network.PluginV3) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddPluginV3(xs, p)) },
		func() []network.Tensor {
			txs := make([]network.Tensor, len(xs))
			for i, x := range xs {
				txs[i] = n.tt(x)
			}
			return one(n.trt.AddPluginV3(txs, p))
		})[0]
}

func (n *teeNetwork) AddSlice(x network.Tensor, p network.SliceParams) network.Tensor {
	tp := p
	return n.call(
		func() []network.Tensor { return one(n.ref.AddSlice(x, p)) },
		func() []network.Tensor {
			tp.StartT, tp.SizeT, tp.StrideT, tp.Fill, tp.Axes = n.tt(p.StartT), n.tt(p.SizeT), n.tt(p.StrideT), n.tt(p.Fill), n.tt(p.Axes)
			return one(n.trt.AddSlice(n.tt(x), tp))
		})[0]
}

func (n *teeNetwork) AddGather(data, indices network.Tensor, axis int, mode network.GatherMode) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddGather(data, indices, axis, mode)) },
		func() []network.Tensor { return one(n.trt.AddGather(n.tt(data), n.tt(indices), axis, mode)) })[0]
}

func (n *teeNetwork) AddGatherND(data, indices network.Tensor, nb int) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddGatherND(data, indices, nb)) },
		func() []network.Tensor { return one(n.trt.AddGatherND(n.tt(data), n.tt(indices), nb)) })[0]
}

func (n *teeNetwork) AddSelect(c, a, b network.Tensor) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddSelect(c, a, b)) },
		func() []network.Tensor { return one(n.trt.AddSelect(n.tt(c), n.tt(a), n.tt(b))) })[0]
}

func (n *teeNetwork) AddCast(x network.Tensor, to ir.DType) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddCast(x, to)) },
		func() []network.Tensor { return one(n.trt.AddCast(n.tt(x), to)) })[0]
}

func (n *teeNetwork) AddIdentity(x network.Tensor) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddIdentity(x)) },
		func() []network.Tensor { return one(n.trt.AddIdentity(n.tt(x))) })[0]
}

func (n *teeNetwork) AddNormalization(x, scale, bias network.Tensor, axes uint32, eps float32) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddNormalization(x, scale, bias, axes, eps)) },
		func() []network.Tensor {
			return one(n.trt.AddNormalization(n.tt(x), n.tt(scale), n.tt(bias), axes, eps))
		})[0]
}

func (n *teeNetwork) AddShape(x network.Tensor) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddShape(x)) },
		func() []network.Tensor { return one(n.trt.AddShape(n.tt(x))) })[0]
}

func (n *teeNetwork) AddFill(p network.FillParams) network.Tensor {
	tp := p
	return n.call(
		func() []network.Tensor { return one(n.ref.AddFill(p)) },
		func() []network.Tensor {
			tp.DimsT, tp.AlphaT, tp.BetaT = n.tt(p.DimsT), n.tt(p.AlphaT), n.tt(p.BetaT)
			return one(n.trt.AddFill(tp))
		})[0]
}

func (n *teeNetwork) AddCumulative(x, axis network.Tensor, op network.CumulativeOperation, exclusive, reverse bool) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddCumulative(x, axis, op, exclusive, reverse)) },
		func() []network.Tensor { return one(n.trt.AddCumulative(n.tt(x), n.tt(axis), op, exclusive, reverse)) })[0]
}

func (n *teeNetwork) AddRotaryEmbedding(x, cosCache, sinCache, positionIDs network.Tensor, interleaved bool, rotaryDim int) network.Tensor {
	return n.call(
		func() []network.Tensor {
			return one(n.ref.AddRotaryEmbedding(x, cosCache, sinCache, positionIDs, interleaved, rotaryDim))
		},
		func() []network.Tensor {
			var pos network.Tensor
			if positionIDs != nil {
				pos = n.tt(positionIDs)
			}
			return one(n.trt.AddRotaryEmbedding(n.tt(x), n.tt(cosCache), n.tt(sinCache), pos, interleaved, rotaryDim))
		})[0]
}

func (n *teeNetwork) AddTopK(x network.Tensor, op network.TopKOperation, k int64, axes uint32) (network.Tensor, network.Tensor) {
	outs := n.call(
		func() []network.Tensor { v, i := n.ref.AddTopK(x, op, k, axes); return []network.Tensor{v, i} },
		func() []network.Tensor { v, i := n.trt.AddTopK(n.tt(x), op, k, axes); return []network.Tensor{v, i} })
	return outs[0], outs[1]
}

func (n *teeNetwork) AddResize(x network.Tensor, p network.ResizeParams) network.Tensor {
	tp := p
	return n.call(
		func() []network.Tensor { return one(n.ref.AddResize(x, p)) },
		func() []network.Tensor {
			tp.OutputDimsT = n.tt(p.OutputDimsT)
			return one(n.trt.AddResize(n.tt(x), tp))
		})[0]
}

func (n *teeNetwork) AddScatter(data, indices, updates network.Tensor, mode network.ScatterMode, axis int) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddScatter(data, indices, updates, mode, axis)) },
		func() []network.Tensor {
			return one(n.trt.AddScatter(n.tt(data), n.tt(indices), n.tt(updates), mode, axis))
		})[0]
}

func (n *teeNetwork) AddQuantize(x, scale, zeroPt network.Tensor, p network.QuantizeParams) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddQuantize(x, scale, zeroPt, p)) },
		func() []network.Tensor { return one(n.trt.AddQuantize(n.tt(x), n.tt(scale), n.tt(zeroPt), p)) })[0]
}

func (n *teeNetwork) AddDequantize(x, scale, zeroPt network.Tensor, p network.QuantizeParams) network.Tensor {
	return n.call(
		func() []network.Tensor { return one(n.ref.AddDequantize(x, scale, zeroPt, p)) },
		func() []network.Tensor { return one(n.trt.AddDequantize(n.tt(x), n.tt(scale), n.tt(zeroPt), p)) })[0]
}

var _ network.Network = (*teeNetwork)(nil)

// teeBackend compiles through teeNetwork: Build serializes the reference
// plan (which the compiler keeps) and builds the shim's network into the
// fake, whose "plan" is its record; each build's record and the
// reference plan's description are kept in teeBuilds for the test.
type teeBackend struct{}

type teeBuild struct {
	record    []network.LayerInfo // what the fake recorded
	reference []network.LayerInfo // reference.Describe of the reference plan
	err       error
}

var (
	teeMu     sync.Mutex
	teeBuilds []teeBuild
)

func (teeBackend) Name() string                             { return "tensorrt-fake-tee" }
func (teeBackend) NewNetwork() network.Network              { return newTee() }
func (teeBackend) Load(blob []byte) (backend.Engine, error) { return reference.Load(blob) }

func (teeBackend) Build(net network.Network, opts backend.BuildOptions) ([]byte, backend.Target, error) {
	n := net.(*teeNetwork)
	blob, _, err := (reference.Backend{}).Build(n.ref, opts)
	if err != nil {
		return nil, backend.Target{}, err
	}
	b := teeBuild{err: n.diverged}
	if b.err == nil {
		b.record, b.err = buildRecord(n.trt)
	}
	if b.err == nil {
		b.reference, b.err = referenceLayers(blob)
	}
	teeMu.Lock()
	teeBuilds = append(teeBuilds, b)
	teeMu.Unlock()
	return blob, backend.Target{Backend: "tensorrt-fake-tee"}, nil
}

func init() { backend.Register(teeBackend{}) }

// Loops and conditionals: a tee handle holds both backends' handles.
type teeLoop struct {
	ref, trt network.Loop
}

func (l *teeLoop) LoopName() string { return l.ref.LoopName() }

type teeCond struct {
	ref, trt network.Conditional
}

func (c *teeCond) ConditionalName() string { return c.ref.ConditionalName() }

func (n *teeNetwork) AddLoop() network.Loop {
	return &teeLoop{n.ref.AddLoop(), n.trt.AddLoop()}
}

func (n *teeNetwork) AddTripLimit(l network.Loop, t network.Tensor, kind network.TripLimit) {
	tl := l.(*teeLoop)
	n.call(func() []network.Tensor { n.ref.AddTripLimit(tl.ref, t, kind); return nil },
		func() []network.Tensor { n.trt.AddTripLimit(tl.trt, n.tt(t), kind); return nil })
}

func (n *teeNetwork) AddRecurrence(l network.Loop, initial network.Tensor) network.Tensor {
	tl := l.(*teeLoop)
	return n.call(func() []network.Tensor { return one(n.ref.AddRecurrence(tl.ref, initial)) },
		func() []network.Tensor { return one(n.trt.AddRecurrence(tl.trt, n.tt(initial))) })[0]
}

func (n *teeNetwork) SetRecurrenceInput(rec, next network.Tensor) {
	n.call(func() []network.Tensor { n.ref.SetRecurrenceInput(rec, next); return nil },
		func() []network.Tensor { n.trt.SetRecurrenceInput(n.tt(rec), n.tt(next)); return nil })
}

func (n *teeNetwork) AddIterator(l network.Loop, x network.Tensor, axis int, reverse bool) network.Tensor {
	tl := l.(*teeLoop)
	return n.call(func() []network.Tensor { return one(n.ref.AddIterator(tl.ref, x, axis, reverse)) },
		func() []network.Tensor { return one(n.trt.AddIterator(tl.trt, n.tt(x), axis, reverse)) })[0]
}

func (n *teeNetwork) AddLoopOutput(l network.Loop, x network.Tensor, kind network.LoopOutput, axis int, length network.Tensor) network.Tensor {
	tl := l.(*teeLoop)
	return n.call(func() []network.Tensor { return one(n.ref.AddLoopOutput(tl.ref, x, kind, axis, length)) },
		func() []network.Tensor { return one(n.trt.AddLoopOutput(tl.trt, n.tt(x), kind, axis, n.tt(length))) })[0]
}

func (n *teeNetwork) AddIfConditional() network.Conditional {
	return &teeCond{n.ref.AddIfConditional(), n.trt.AddIfConditional()}
}

func (n *teeNetwork) SetCondition(c network.Conditional, cond network.Tensor) {
	tc := c.(*teeCond)
	n.call(func() []network.Tensor { n.ref.SetCondition(tc.ref, cond); return nil },
		func() []network.Tensor { n.trt.SetCondition(tc.trt, n.tt(cond)); return nil })
}

func (n *teeNetwork) AddIfInput(c network.Conditional, x network.Tensor) network.Tensor {
	tc := c.(*teeCond)
	return n.call(func() []network.Tensor { return one(n.ref.AddIfInput(tc.ref, x)) },
		func() []network.Tensor { return one(n.trt.AddIfInput(tc.trt, n.tt(x))) })[0]
}

func (n *teeNetwork) AddIfOutput(c network.Conditional, t, f network.Tensor) network.Tensor {
	tc := c.(*teeCond)
	return n.call(func() []network.Tensor { return one(n.ref.AddIfOutput(tc.ref, t, f)) },
		func() []network.Tensor { return one(n.trt.AddIfOutput(tc.trt, n.tt(t), n.tt(f))) })[0]
}
