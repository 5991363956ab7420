package onnx

import (
	"fmt"
	"math"
	"slices"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Attention (opsets 23 and 24) from existing layers: Shuffle to the
// [B, heads, S, size] view, Concatenation of the KV cache, two
// MatrixMultiply (grouped-query attention reshapes Q's heads onto their
// key/value head instead of repeating K and V), ElementWise for the scale,
// softcap and bias, SoftMax, and a Select that zeroes fully masked rows.
// The bias is built from the mask (Select for a bool mask, Concatenation
// of -inf for a short last dim) and integer iotas compared with the causal
// frontier and nonpad_kv_seqlen.

func init() {
	builtins = append(builtins, conversion.Converter{
		Target:        "onnx.Attention",
		Priority:      conversion.Standard,
		DynamicShapes: true,
		Validator:     validateAttention,
		Description:   "Attention as MatrixMultiply, SoftMax and ElementWise over a bias from Select and iota comparisons",
		Convert:       convAttention,
	})
}

func validateAttention(n *conversion.Node) error {
	d, p, err := ops.AttentionShapes(n.Node, n.In)
	if err != nil {
		return err
	}
	dt := n.In[0].DType
	if !slices.Contains(floats, dt) {
		return fmt.Errorf("Q is %v; TensorRT supports %v here", dt, floats)
	}
	for _, i := range []int{1, 2, 4, 5} {
		if i < len(n.In) && n.In[i] != nil && n.In[i].DType != dt {
			return fmt.Errorf("input %d is %v but Q is %v; the converter needs one dtype for Q, K, V and the cache", i, n.In[i].DType, dt)
		}
	}
	if p.SoftmaxDType == ir.Float64 {
		return fmt.Errorf("softmax_precision DOUBLE: TensorRT has no float64 SoftMax")
	}
	if d.Rank == 3 {
		for i := 0; i < 3; i++ {
			if s := n.In[i].Shape; !s[2].Static() {
				return fmt.Errorf("input %d is %v; 3-D inputs need a static hidden size to split into heads", i, s)
			}
		}
	}
	if !p.HasScale && !d.Dk.Static() {
		return fmt.Errorf("the head size of Q is dynamic; the default scale 1/sqrt(head_size) needs it static (or set the scale attribute)")
	}
	if !d.Hq.Same(d.Hkv) && (!d.Hq.Static() || !d.Hkv.Static()) {
		return fmt.Errorf("query heads %v and key/value heads %v must be static unless they are the same dim", d.Hq, d.Hkv)
	}
	if d.HasMask {
		m := n.In[3]
		switch m.DType {
		case ir.Bool, ir.Float32, ir.Float16, ir.BFloat16, ir.Int32, ir.Int64:
		default:
			return fmt.Errorf("attn_mask is %v; TensorRT casts bool, float32, float16, bfloat16, int32 and int64 masks only", m.DType)
		}
		last := m.Shape[len(m.Shape)-1]
		if !last.Same(d.Total) {
			if !m.Shape.IsStatic() || !d.Total.Static() {
				return fmt.Errorf("attn_mask %v: its last dim must equal the total sequence length %v, or both must be static (it is padded with -inf)", m.Shape, d.Total)
			}
			if last.Size > d.Total.Size {
				return fmt.Errorf("attn_mask %v is longer than the total sequence length %v", m.Shape, d.Total)
			}
		}
	}
	return nil
}

func convAttention(ctx *conversion.Context, n *conversion.Node) error {
	d, p, err := ops.AttentionShapes(n.Node, n.In)
	if err != nil {
		return err
	}
	hasOut := func(i int) bool { return i < len(n.Outputs) && n.Outputs[i] != "" }
	q, k, v := ctx.Input(n, 0), ctx.Input(n, 1), ctx.Input(n, 2)
	if d.Rank == 3 {
		split := func(t network.Tensor, heads int64) network.Tensor {
			size := t.Shape()[2].Size / heads
			return ctx.Net.AddShuffle(t, network.ShuffleParams{Reshape: []int64{0, 0, heads, size}, ZeroIsPlaceholder: true, SecondTranspose: []int{0, 2, 1, 3}})
		}
		q, k, v = split(q, p.QNumHeads), split(k, p.KVNumHeads), split(v, p.KVNumHeads)
	}
	if d.HasPast {
		k = impl.Concat(ctx, []network.Tensor{ctx.Input(n, 4), k}, 2)
		v = impl.Concat(ctx, []network.Tensor{ctx.Input(n, 5), v}, 2)
	}
	if hasOut(1) {
		ctx.SetOutput(n, 1, k)
	}
	if hasOut(2) {
		ctx.SetOutput(n, 2, v)
	}
	// Q·K^T with both scaled by sqrt(scale), as the operator defines it.
	scale := float64(p.Scale)
	if !p.HasScale {
		scale = float64(float32(1 / math.Sqrt(float64(d.Dk.Size))))
	}
	sq := float64(float32(math.Sqrt(scale)))
	qs := impl.Mul(ctx, q, impl.ScalarLike(ctx, sq, q))
	ks := impl.Mul(ctx, k, impl.ScalarLike(ctx, sq, k))
	// Grouped-query attention: the group of query heads that share one
	// key/value head becomes one taller matrix, [B, Hkv, group*Sq, Dk].
	grouped := !d.Hq.Same(d.Hkv)
	if grouped {
		qs = impl.Reshape(ctx, qs, []int64{0, d.Hkv.Size, -1, 0})
	}
	s := ctx.Net.AddMatrixMultiply(qs, network.MatrixNONE, ks, network.MatrixTRANSPOSE)
	if grouped {
		s = impl.Reshape(ctx, s, []int64{0, d.Hq.Size, -1, 0})
	}
	qk := [4]network.Tensor{s}
	if p.Softcap != 0 {
		c := impl.ScalarLike(ctx, float64(p.Softcap), s)
		s = impl.Mul(ctx, impl.Tanh(ctx, impl.Div(ctx, s, c)), c)
	}
	qk[1] = s
	bias := attentionBias(ctx, n, d, p.IsCausal, q, s)
	if bias != nil {
		s = impl.Add(ctx, s, bias)
	}
	qk[2] = s
	dt := n.In[0].DType
	if p.SoftmaxDType != ir.Undefined && p.SoftmaxDType != dt {
		s = impl.Cast(ctx, impl.SoftMax(ctx, impl.Cast(ctx, s, p.SoftmaxDType), 3), dt)
	} else {
		s = impl.SoftMax(ctx, s, 3)
	}
	if bias != nil && (d.HasMask || d.HasNonpad) {
		// A row whose bias is -inf everywhere has no key to attend:
		// zero probabilities (SoftMax gives NaN there).
		ninf := impl.ScalarLike(ctx, math.Inf(-1), bias)
		rowMax := impl.Reduce(ctx, bias, network.ReduceMAX, []int{len(bias.Shape()) - 1}, true)
		none := impl.ElementWise(ctx, rowMax, ninf, network.ElementWiseEQUAL)
		s = impl.Where(ctx, none, impl.ScalarLike(ctx, 0, s), s)
	}
	qk[3] = s
	if grouped {
		s = impl.Reshape(ctx, s, []int64{0, d.Hkv.Size, -1, 0})
	}
	y := ctx.Net.AddMatrixMultiply(s, network.MatrixNONE, v, network.MatrixNONE)
	if grouped {
		y = impl.Reshape(ctx, y, []int64{0, d.Hq.Size, -1, 0})
	}
	if d.Rank == 3 {
		y = ctx.Net.AddShuffle(y, network.ShuffleParams{FirstTranspose: []int{0, 2, 1, 3}, Reshape: []int64{0, 0, d.Hq.Size * d.Dv.Size}, ZeroIsPlaceholder: true})
	}
	ctx.SetOutput(n, 0, y)
	if hasOut(3) {
		ctx.SetOutput(n, 3, qk[p.QKMode])
	}
	return nil
}

// attentionBias is the additive bias (nil if none) broadcastable to the
// scores s [B, Hq, Sq, T]: the mask as 0/-inf or its values, padded with
// -inf up to T, plus -inf where the causal frontier or nonpad_kv_seqlen
// hides a key. q is Q as [B, Hq, Sq, Dk].
func attentionBias(ctx *conversion.Context, n *conversion.Node, d ops.AttentionDims, causal bool, q, s network.Tensor) network.Tensor {
	var bias network.Tensor
	ninf := math.Inf(-1)
	if d.HasMask {
		m := ctx.Input(n, 3)
		if d.Bool {
			m = impl.Where(ctx, m, impl.ScalarLike(ctx, 0, s), impl.ScalarLike(ctx, ninf, s))
		} else if m.DType() != s.DType() {
			m = impl.Cast(ctx, m, s.DType())
		}
		ms := m.Shape()
		r := len(ms) - 1
		if !ms[r].Same(d.Total) { // static (checked by the validator): pad with -inf
			dims, _ := ms.Ints()
			dims[r] = d.Total.Size - dims[r]
			pad := ir.NewTensor(s.DType(), dims)
			for i := range int(pad.Numel()) {
				pad.SetFloat(i, ninf)
			}
			m = impl.Concat(ctx, []network.Tensor{m, ctx.Net.AddConstant(pad)}, r)
		}
		bias = m
	}
	if !causal && !d.HasNonpad {
		return bias
	}
	// hide is true where key j is hidden from query i: j > i + offset
	// (causal), j >= nonpad_kv_seqlen[b] (padding).
	i, j := impl.Iota(ctx, s, 2), impl.Iota(ctx, s, 3) // [1,1,Sq,1], [1,1,1,T]
	var nonpad, hide network.Tensor
	if d.HasNonpad {
		nonpad = impl.Reshape(ctx, ctx.Input(n, 6), []int64{-1, 1, 1, 1})
	}
	if causal {
		limit := i
		switch {
		case d.HasNonpad: // offset[b] = nonpad_kv_seqlen[b] - Sq
			limit = impl.Add(ctx, i, impl.Sub(ctx, nonpad, impl.Dim(ctx, q, 2)))
		case d.HasPast: // offset = past length
			limit = impl.Add(ctx, i, impl.Dim(ctx, ctx.Input(n, 4), 2))
		}
		hide = impl.ElementWise(ctx, j, limit, network.ElementWiseGREATER)
	}
	if d.HasNonpad {
		pad := impl.Not(ctx, impl.ElementWise(ctx, j, nonpad, network.ElementWiseLESS))
		if hide == nil {
			hide = pad
		} else {
			hide = impl.ElementWise(ctx, hide, pad, network.ElementWiseOR)
		}
	}
	hb := impl.Where(ctx, hide, impl.ScalarLike(ctx, ninf, s), impl.ScalarLike(ctx, 0, s))
	if bias == nil {
		return hb
	}
	return impl.Add(ctx, bias, hb)
}
