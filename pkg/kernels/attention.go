package kernels

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// AttentionParams are ONNX Attention's attributes (opsets 23 and 24).
type AttentionParams struct {
	// QNumHeads and KVNumHeads split the hidden dims of 3-D inputs; for
	// 4-D inputs the heads are dim 1 and these are 0.
	QNumHeads, KVNumHeads int64
	// Scale multiplies Q·K^T; HasScale false means 1/sqrt(head_size).
	Scale    float32
	HasScale bool
	IsCausal bool
	// Softcap, when not 0, maps scores s to Softcap*tanh(s/Softcap) before
	// the bias is added.
	Softcap float32
	// QKMode says what the qk_matmul_output holds: 0 the scaled Q·K^T, 1
	// after the softcap, 2 after the bias, 3 the probabilities.
	QKMode int64
	// SoftmaxDType is the softmax's precision (Undefined: the input's).
	SoftmaxDType ir.DType
}

// AttentionInputs are the operator's tensors; all but Q, K and V may be nil.
type AttentionInputs struct {
	Q, K, V, Mask, PastKey, PastValue, NonpadKVSeqLen *ir.Tensor
}

// AttentionOutputs are Y, present_key, present_value and qk_matmul_output.
type AttentionOutputs struct {
	Y, PresentKey, PresentValue, QK *ir.Tensor
}

// Attention is ONNX Attention: softmax(Q·K^T·scale (softcapped) + bias)·V
// per head, where K and V are the past cache and the new keys and values
// concatenated along the sequence, query head h reads key/value head
// h/(Hq/Hkv) (grouped-query attention), and the bias is the sum of the
// mask (a bool mask adds 0 where true and -inf where false; a last dim
// shorter than the total sequence is padded with -inf), the causal bias
// (key j is visible to query i iff j <= i + offset, offset being the past
// length, or nonpad_kv_seqlen[b] - Sq with an external cache) and the
// padding bias (j < nonpad_kv_seqlen[b]). A query row whose bias is -inf
// everywhere gets zero probabilities and a zero output row.
//
// Float32 and float64 are computed in their own precision; float16 and
// bfloat16 in float32, rounded to the input's precision after each step
// of the operator's definition (scores, softcap, bias, softmax, output).
func Attention(in AttentionInputs, p AttentionParams) (*AttentionOutputs, error) {
	q, k, v := in.Q, in.K, in.V
	if k.DType != q.DType {
		return nil, fmt.Errorf("attention: K is %v, Q is %v", k.DType, q.DType)
	}
	rank := len(q.Shape)
	if len(k.Shape) != rank || len(v.Shape) != rank || (rank != 3 && rank != 4) {
		return nil, fmt.Errorf("attention: Q %v, K %v and V %v must all be 3-D or all 4-D", ir.S(q.Shape...), ir.S(k.Shape...), ir.S(v.Shape...))
	}
	var err error
	if rank == 3 {
		if p.QNumHeads <= 0 || p.KVNumHeads <= 0 {
			return nil, fmt.Errorf("attention: 3-D inputs need q_num_heads and kv_num_heads > 0")
		}
		if q, err = splitHeads(q, p.QNumHeads, "Q"); err != nil {
			return nil, err
		}
		if k, err = splitHeads(k, p.KVNumHeads, "K"); err != nil {
			return nil, err
		}
		if v, err = splitHeads(v, p.KVNumHeads, "V"); err != nil {
			return nil, err
		}
	}
	B, Hq, Sq, Dk := q.Shape[0], q.Shape[1], q.Shape[2], q.Shape[3]
	Hkv, Skv, Dv := k.Shape[1], k.Shape[2], v.Shape[3]
	if k.Shape[0] != B || v.Shape[0] != B || k.Shape[3] != Dk || v.Shape[1] != Hkv || v.Shape[2] != Skv {
		return nil, fmt.Errorf("attention: Q %v, K %v and V %v (as [batch, heads, sequence, head size]) do not fit together", ir.S(q.Shape...), ir.S(k.Shape...), ir.S(v.Shape...))
	}
	if Hkv == 0 || Hq%Hkv != 0 {
		return nil, fmt.Errorf("attention: %d query heads are not a multiple of %d key/value heads", Hq, Hkv)
	}
	past := int64(0)
	if (in.PastKey == nil) != (in.PastValue == nil) {
		return nil, fmt.Errorf("attention: past_key and past_value must be given together")
	}
	if in.PastKey != nil {
		if in.NonpadKVSeqLen != nil {
			return nil, fmt.Errorf("attention: nonpad_kv_seqlen cannot be combined with past_key and past_value")
		}
		pk, pv := in.PastKey, in.PastValue
		if len(pk.Shape) != 4 || len(pv.Shape) != 4 || pk.Shape[0] != B || pk.Shape[1] != Hkv || pk.Shape[3] != Dk ||
			pv.Shape[0] != B || pv.Shape[1] != Hkv || pv.Shape[3] != Dv || pv.Shape[2] != pk.Shape[2] {
			return nil, fmt.Errorf("attention: past_key %v and past_value %v must be [%d %d past %d] and [%d %d past %d]",
				ir.S(pk.Shape...), ir.S(pv.Shape...), B, Hkv, Dk, B, Hkv, Dv)
		}
		past = pk.Shape[2]
		if k, err = Concat([]*ir.Tensor{pk, k}, 2); err != nil {
			return nil, fmt.Errorf("attention: past_key: %w", err)
		}
		if v, err = Concat([]*ir.Tensor{pv, v}, 2); err != nil {
			return nil, fmt.Errorf("attention: past_value: %w", err)
		}
	}
	total := past + Skv
	out := &AttentionOutputs{PresentKey: k, PresentValue: v}
	var nonpad []int64
	if in.NonpadKVSeqLen != nil {
		nonpad = in.NonpadKVSeqLen.Ints()
		if int64(len(nonpad)) != B {
			return nil, fmt.Errorf("attention: nonpad_kv_seqlen has %d entries for batch %d", len(nonpad), B)
		}
	}
	g := attnGeom{B: B, Hq: Hq, Hkv: Hkv, Sq: Sq, T: total, Dk: Dk, Dv: Dv, past: past, nonpad: nonpad}
	dt := q.DType
	switch dt {
	case ir.Float64:
		bias, err := attentionBias[float64](in.Mask, g, p.IsCausal)
		if err != nil {
			return nil, err
		}
		y, qk := attentionT(ir.View[float64](q), ir.View[float64](toFloat64(k)), ir.View[float64](toFloat64(v)), bias, g, p, dt, noRound[float64])
		out.Y, out.QK = ir.FromSlice(dt, []int64{B, Hq, Sq, Dv}, y), ir.FromSlice(dt, []int64{B, Hq, Sq, total}, qk)
	case ir.Float32, ir.Float16, ir.BFloat16:
		bias, err := attentionBias[float32](in.Mask, g, p.IsCausal)
		if err != nil {
			return nil, err
		}
		y, qk := attentionT(ir.View[float32](ToFloat32(q)), ir.View[float32](ToFloat32(k)), ir.View[float32](ToFloat32(v)), bias, g, p, dt, roundTo(dt))
		out.Y = FromFloat32(ir.FromSlice(ir.Float32, []int64{B, Hq, Sq, Dv}, y), dt)
		out.QK = FromFloat32(ir.FromSlice(ir.Float32, []int64{B, Hq, Sq, total}, qk), dt)
	default:
		return nil, fmt.Errorf("attention of %v is not supported", dt)
	}
	if rank == 3 {
		y, err := Transpose(out.Y, []int{0, 2, 1, 3})
		if err != nil {
			return nil, err
		}
		out.Y = y.Reshaped([]int64{B, Sq, Hq * Dv})
	}
	return out, nil
}

// toFloat64 converts a numeric tensor to float64.
func toFloat64(t *ir.Tensor) *ir.Tensor {
	if t.DType == ir.Float64 {
		return t
	}
	out := ir.NewTensor(ir.Float64, t.Shape)
	for i := range int(t.Numel()) {
		out.SetFloat(i, t.Float(i))
	}
	return out
}

// splitHeads views [B, S, H*D] as [B, H, S, D].
func splitHeads(t *ir.Tensor, heads int64, name string) (*ir.Tensor, error) {
	s := t.Shape
	if s[2]%heads != 0 {
		return nil, fmt.Errorf("attention: %s's hidden size %d is not a multiple of its %d heads", name, s[2], heads)
	}
	return Transpose(t.Reshaped([]int64{s[0], s[1], heads, s[2] / heads}), []int{0, 2, 1, 3})
}

type attnGeom struct {
	B, Hq, Hkv, Sq, T, Dk, Dv int64
	past                      int64
	nonpad                    []int64
}

func noRound[T float](x T) T { return x }

// roundTo rounds a float32 to dt's precision (identity for float32).
func roundTo(dt ir.DType) func(float32) float32 {
	switch dt {
	case ir.Float16:
		return func(x float32) float32 { return ir.HalfToFloat(ir.FloatToHalf(x)) }
	case ir.BFloat16:
		return func(x float32) float32 { return ir.BF16ToFloat(ir.FloatToBF16(x)) }
	}
	return noRound[float32]
}

// attentionBias is the additive bias [B, Hq, Sq, T] (nil when there is
// none): mask, causal and padding terms summed.
func attentionBias[T float](mask *ir.Tensor, g attnGeom, causal bool) ([]T, error) {
	if mask == nil && !causal && g.nonpad == nil {
		return nil, nil
	}
	full := []int64{g.B, g.Hq, g.Sq, g.T}
	bias := make([]T, ir.Numel(full))
	ninf := T(math.Inf(-1))
	if mask != nil {
		ms := mask.Shape
		if len(ms) == 0 || len(ms) > 4 {
			return nil, fmt.Errorf("attention: attn_mask %v must have rank 1 to 4", ir.S(ms...))
		}
		last := ms[len(ms)-1]
		if last > g.T {
			return nil, fmt.Errorf("attention: attn_mask %v is longer than the total sequence %d", ir.S(ms...), g.T)
		}
		// Leading dims broadcast (right-aligned) to [B, Hq, Sq]; the last
		// dim is the mask's own, and keys past it are padding (-inf), also
		// where that dim is 1.
		ms4 := append(make([]int64, 4-len(ms)), ms...)
		for i := range 4 - len(ms) {
			ms4[i] = 1
		}
		for d := range 3 {
			if ms4[d] != 1 && ms4[d] != full[d] {
				return nil, fmt.Errorf("attention: attn_mask %v does not broadcast to [batch, heads, q_sequence, total_sequence] %v", ir.S(ms...), ir.S(full...))
			}
		}
		st := BroadcastStrides(ms4[:3], full[:3])
		isBool := mask.DType == ir.Bool
		var mb []uint8
		var mf []float64
		if isBool {
			mb = ir.View[uint8](mask)
		} else {
			mf = mask.Floats()
		}
		i := 0
		for b := range g.B {
			for h := range g.Hq {
				for r := range g.Sq {
					row := (b*st[0] + h*st[1] + r*st[2]) * last
					for j := range g.T {
						switch {
						case j >= last:
							bias[i] = ninf
						case isBool:
							if mb[row+j] == 0 {
								bias[i] = ninf
							}
						default:
							bias[i] = T(mf[row+j])
						}
						i++
					}
				}
			}
		}
	}
	i := 0
	for b := range g.B {
		offset := g.past
		if g.nonpad != nil {
			offset = g.nonpad[b] - g.Sq
		}
		for range g.Hq {
			for r := range g.Sq {
				for j := range g.T {
					if (causal && j > r+offset) || (g.nonpad != nil && j >= g.nonpad[b]) {
						bias[i] += ninf
					}
					i++
				}
			}
		}
	}
	return bias, nil
}

// attentionT computes Y [B, Hq, Sq, Dv] and the qk_matmul_output
// [B, Hq, Sq, T] from 4-D q, k (T keys) and v in T's precision, rounding
// to the operator's dtype dt with rnd after each step.
func attentionT[F float](q, k, v, bias []F, g attnGeom, p AttentionParams, dt ir.DType, rnd func(F) F) (y, qkOut []F) {
	scale := float64(p.Scale)
	if !p.HasScale {
		scale = 1 / math.Sqrt(float64(g.Dk))
	}
	sq := F(math.Sqrt(scale))
	// The softmax runs in its own precision where softmax_precision says
	// so: scores are rounded to it, probabilities back to the operator's.
	smRound := rnd
	if p.SoftmaxDType != ir.Undefined && p.SoftmaxDType != dt {
		smRound = noRound[F]
		if p.SoftmaxDType != ir.Float64 {
			r32 := roundTo(p.SoftmaxDType)
			smRound = func(x F) F { return F(r32(float32(x))) }
		}
	}
	y = make([]F, g.B*g.Hq*g.Sq*g.Dv)
	qkOut = make([]F, g.B*g.Hq*g.Sq*g.T)
	qs := make([]F, g.Sq*g.Dk)
	ks := make([]F, g.T*g.Dk)
	scores := make([]F, g.Sq*g.T)
	probs := make([]F, g.Sq*g.T)
	group := g.Hq / g.Hkv
	gemm := gemmFor[F]()
	softcap := F(p.Softcap)
	for b := range g.B {
		for h := range g.Hq {
			kvh := h / group
			qm := q[(b*g.Hq+h)*g.Sq*g.Dk:][:g.Sq*g.Dk]
			km := k[(b*g.Hkv+kvh)*g.T*g.Dk:][:g.T*g.Dk]
			vm := v[(b*g.Hkv+kvh)*g.T*g.Dv:][:g.T*g.Dv]
			for i, x := range qm {
				qs[i] = rnd(x * sq)
			}
			for i, x := range km {
				ks[i] = rnd(x * sq)
			}
			gemm(false, true, int(g.Sq), int(g.T), int(g.Dk), qs, int(g.Dk), ks, int(g.Dk), scores, int(g.T))
			qkm := qkOut[(b*g.Hq+h)*g.Sq*g.T:][:g.Sq*g.T]
			biasm := []F(nil)
			if bias != nil {
				biasm = bias[(b*g.Hq+h)*g.Sq*g.T:][:g.Sq*g.T]
			}
			for i := range scores {
				s := rnd(scores[i])
				if p.QKMode == 0 {
					qkm[i] = s
				}
				if softcap != 0 {
					s = rnd(rnd(F(math.Tanh(float64(rnd(s/softcap))))) * softcap)
				}
				if p.QKMode == 1 {
					qkm[i] = s
				}
				if biasm != nil {
					s = rnd(s + biasm[i])
				}
				if p.QKMode == 2 {
					qkm[i] = s
				}
				scores[i] = smRound(s)
			}
			for r := range g.Sq {
				row, pr := scores[r*g.T:(r+1)*g.T], probs[r*g.T:(r+1)*g.T]
				masked := biasm != nil
				if masked {
					for _, bv := range biasm[r*g.T : (r+1)*g.T] {
						if !math.IsInf(float64(bv), -1) {
							masked = false
							break
						}
					}
				}
				softmaxRow(row, pr, masked, smRound)
				for j := range pr {
					pr[j] = rnd(pr[j])
				}
			}
			if p.QKMode == 3 {
				copy(qkm, probs)
			}
			ym := y[(b*g.Hq+h)*g.Sq*g.Dv:][:g.Sq*g.Dv]
			gemm(false, false, int(g.Sq), int(g.Dv), int(g.T), probs, int(g.T), vm, int(g.Dv), ym, int(g.Dv))
			for i := range ym {
				ym[i] = rnd(ym[i])
			}
		}
	}
	return y, qkOut
}

// softmaxRow writes softmax(x) to p; a fully masked row, or one whose sum
// is 0, gives zeros. rnd rounds exponentials and results to the softmax
// precision.
func softmaxRow[F float](x, p []F, masked bool, rnd func(F) F) {
	if masked {
		clear(p)
		return
	}
	m := F(math.Inf(-1))
	for _, v := range x {
		if v > m {
			m = v
		}
	}
	if math.IsInf(float64(m), -1) {
		m = 0
	}
	var sum F
	for j, v := range x {
		e := rnd(F(math.Exp(float64(rnd(v - m)))))
		p[j] = e
		sum += e
	}
	if sum == 0 {
		sum = 1
	}
	sum = rnd(sum)
	for j := range p {
		p[j] = rnd(p[j] / sum)
	}
}

// gemmFor picks the packed float32 GEMM or the generic one for float64.
func gemmFor[F float]() func(bool, bool, int, int, int, []F, int, []F, int, []F, int) {
	var f F
	if _, ok := any(f).(float32); ok {
		return any(Sgemm).(func(bool, bool, int, int, int, []F, int, []F, int, []F, int))
	}
	return gemmGeneric[F]
}
