package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// Attention (opsets 23 and 24): scaled dot-product attention over Q, K, V
// (all 3-D [B, S, heads*size] with q_num_heads/kv_num_heads, or all 4-D
// [B, heads, S, size]), with an optional mask, KV cache (past_key and
// past_value, opset 23) or nonpad_kv_seqlen (opset 24). Outputs: Y, then
// optionally present_key, present_value and qk_matmul_output.

func init() {
	Register(Op{Key: "onnx.Attention", Infer: inferAttention, Run: runAttention})
}

// AttentionAttrs reads an Attention node's attributes and checks them.
func AttentionAttrs(n *ir.Node) (kernels.AttentionParams, error) {
	p := kernels.AttentionParams{
		QNumHeads:  n.AttrInt("q_num_heads", 0),
		KVNumHeads: n.AttrInt("kv_num_heads", 0),
		Scale:      n.AttrFloat("scale", 0),
		HasScale:   n.HasAttr("scale"),
		IsCausal:   n.AttrInt("is_causal", 0) != 0,
		Softcap:    n.AttrFloat("softcap", 0),
		QKMode:     n.AttrInt("qk_matmul_output_mode", 0),
	}
	if p.QKMode < 0 || p.QKMode > 3 {
		return p, fmt.Errorf("qk_matmul_output_mode %d is not 0, 1, 2 or 3", p.QKMode)
	}
	if n.HasAttr("softmax_precision") {
		switch dt := ir.DType(n.AttrInt("softmax_precision", 0)); dt {
		case ir.Float32, ir.Float16, ir.BFloat16, ir.Float64:
			p.SoftmaxDType = dt
		default:
			return p, fmt.Errorf("softmax_precision %d is not FLOAT (1), FLOAT16 (10), DOUBLE (11) or BFLOAT16 (16)", n.AttrInt("softmax_precision", 0))
		}
	}
	if n.HasAttr("left_window_size") || n.HasAttr("right_window_size") {
		return p, fmt.Errorf("left_window_size and right_window_size (opset 25) are not supported")
	}
	return p, nil
}

// AttentionDims are an Attention node's sizes as [B, heads, S, size] views.
type AttentionDims struct {
	Rank                   int // of Q, K and V: 3 or 4
	B, Hq, Hkv, Sq, Skv    ir.Dim
	Dk, Dv, Past, Total    ir.Dim
	HasPast, HasMask, Bool bool
	HasNonpad              bool
}

func addDims(a, b ir.Dim) ir.Dim {
	if a.Static() && b.Static() {
		return ir.D(a.Size + b.Size)
	}
	return ir.Sym("")
}

// headSplit is hidden/heads for a 3-D input's last dim.
func headSplit(hidden ir.Dim, heads int64, name string) (ir.Dim, error) {
	if !hidden.Static() {
		return ir.Sym(""), nil
	}
	if hidden.Size%heads != 0 {
		return ir.Dim{}, fmt.Errorf("%s's hidden size %d is not a multiple of its %d heads", name, hidden.Size, heads)
	}
	return ir.D(hidden.Size / heads), nil
}

func sameDim(a, b ir.Dim) bool { return !a.Static() || !b.Static() || a.Size == b.Size }

// AttentionShapes checks an Attention node's inputs and returns its sizes.
func AttentionShapes(n *ir.Node, in []*ir.Value) (AttentionDims, kernels.AttentionParams, error) {
	var d AttentionDims
	p, err := AttentionAttrs(n)
	if err != nil {
		return d, p, err
	}
	if err := needInputs(in, 3); err != nil {
		return d, p, err
	}
	q, k, v := in[0], in[1], in[2]
	for i, t := range []*ir.Value{q, k, v} {
		if !t.DType.IsFloat() {
			return d, p, fmt.Errorf("input %d is %v; Attention needs float Q, K and V", i, t.DType)
		}
	}
	if k.DType != q.DType {
		return d, p, fmt.Errorf("K is %v but Q is %v; they must match", k.DType, q.DType)
	}
	d.Rank = len(q.Shape)
	if len(k.Shape) != d.Rank || len(v.Shape) != d.Rank || (d.Rank != 3 && d.Rank != 4) {
		return d, p, fmt.Errorf("Q %v, K %v and V %v must all be 3-D or all 4-D", q.Shape, k.Shape, v.Shape)
	}
	if d.Rank == 3 {
		if p.QNumHeads <= 0 || p.KVNumHeads <= 0 {
			return d, p, fmt.Errorf("3-D Q, K and V need the q_num_heads and kv_num_heads attributes (> 0)")
		}
		d.B, d.Sq, d.Skv = q.Shape[0], q.Shape[1], k.Shape[1]
		d.Hq, d.Hkv = ir.D(p.QNumHeads), ir.D(p.KVNumHeads)
		if d.Dk, err = headSplit(q.Shape[2], p.QNumHeads, "Q"); err != nil {
			return d, p, err
		}
		kd, err := headSplit(k.Shape[2], p.KVNumHeads, "K")
		if err != nil {
			return d, p, err
		}
		if !sameDim(kd, d.Dk) {
			return d, p, fmt.Errorf("Q's head size %v differs from K's %v", d.Dk, kd)
		}
		if d.Dv, err = headSplit(v.Shape[2], p.KVNumHeads, "V"); err != nil {
			return d, p, err
		}
		if !sameDim(v.Shape[1], d.Skv) {
			return d, p, fmt.Errorf("K %v and V %v differ in sequence length", k.Shape, v.Shape)
		}
	} else {
		if (p.QNumHeads != 0 && !sameDim(q.Shape[1], ir.D(p.QNumHeads))) || (p.KVNumHeads != 0 && !sameDim(k.Shape[1], ir.D(p.KVNumHeads))) {
			return d, p, fmt.Errorf("q_num_heads %d / kv_num_heads %d disagree with 4-D Q %v and K %v", p.QNumHeads, p.KVNumHeads, q.Shape, k.Shape)
		}
		d.B, d.Hq, d.Sq, d.Dk = q.Shape[0], q.Shape[1], q.Shape[2], q.Shape[3]
		d.Hkv, d.Skv, d.Dv = k.Shape[1], k.Shape[2], v.Shape[3]
		if !sameDim(k.Shape[3], d.Dk) || !sameDim(v.Shape[1], d.Hkv) || !sameDim(v.Shape[2], d.Skv) {
			return d, p, fmt.Errorf("Q %v, K %v and V %v do not fit [batch, heads, sequence, head size]", q.Shape, k.Shape, v.Shape)
		}
	}
	if d.Hq.Static() && d.Hkv.Static() && (d.Hkv.Size == 0 || d.Hq.Size%d.Hkv.Size != 0) {
		return d, p, fmt.Errorf("%d query heads are not a multiple of %d key/value heads", d.Hq.Size, d.Hkv.Size)
	}
	opt := func(i int) *ir.Value {
		if len(in) > i {
			return in[i]
		}
		return nil
	}
	d.Past, d.Total = ir.D(0), d.Skv
	if pk, pv := opt(4), opt(5); pk != nil || pv != nil {
		if pk == nil || pv == nil {
			return d, p, fmt.Errorf("past_key and past_value must be given together")
		}
		if len(pk.Shape) != 4 || len(pv.Shape) != 4 {
			return d, p, fmt.Errorf("past_key %v and past_value %v must be 4-D [batch, kv_heads, past, head size]", pk.Shape, pv.Shape)
		}
		if pk.DType != k.DType || pv.DType != v.DType {
			return d, p, fmt.Errorf("past_key (%v) and past_value (%v) must have K's and V's dtypes", pk.DType, pv.DType)
		}
		d.HasPast, d.Past = true, pk.Shape[2]
		d.Total = addDims(d.Past, d.Skv)
	}
	if m := opt(3); m != nil {
		if len(m.Shape) < 1 || len(m.Shape) > 4 {
			return d, p, fmt.Errorf("attn_mask %v must have rank 1 to 4", m.Shape)
		}
		if m.DType == ir.String || m.DType == ir.Undefined {
			return d, p, fmt.Errorf("attn_mask is %v; it must be bool or numeric", m.DType)
		}
		d.HasMask, d.Bool = true, m.DType == ir.Bool
	}
	if np := opt(6); np != nil {
		if d.HasPast {
			return d, p, fmt.Errorf("nonpad_kv_seqlen cannot be combined with past_key and past_value")
		}
		if np.DType != ir.Int64 || len(np.Shape) != 1 {
			return d, p, fmt.Errorf("nonpad_kv_seqlen is %v%v; it must be int64 [batch]", np.DType, np.Shape)
		}
		d.HasNonpad = true
	}
	return d, p, nil
}

func inferAttention(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	d, _, err := AttentionShapes(n, in)
	if err != nil {
		return nil, err
	}
	dt := in[0].DType
	y := ir.Shape{d.B, d.Hq, d.Sq, d.Dv}
	if d.Rank == 3 {
		hd := ir.Sym("")
		if d.Dv.Static() {
			hd = ir.D(d.Hq.Size * d.Dv.Size)
		}
		y = ir.Shape{d.B, d.Sq, hd}
	}
	return []*ir.Value{
		{DType: dt, Shape: y},
		{DType: dt, Shape: ir.Shape{d.B, d.Hkv, d.Total, d.Dk}},
		{DType: in[2].DType, Shape: ir.Shape{d.B, d.Hkv, d.Total, d.Dv}},
		{DType: dt, Shape: ir.Shape{d.B, d.Hq, d.Sq, d.Total}},
	}, nil
}

func runAttention(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
	p, err := AttentionAttrs(n)
	if err != nil {
		return nil, err
	}
	opt := func(i int) *ir.Tensor {
		if len(in) > i {
			return in[i]
		}
		return nil
	}
	out, err := kernels.Attention(kernels.AttentionInputs{
		Q: in[0], K: in[1], V: in[2], Mask: opt(3), PastKey: opt(4), PastValue: opt(5), NonpadKVSeqLen: opt(6),
	}, p)
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{out.Y, out.PresentKey, out.PresentValue, out.QK}, nil
}
