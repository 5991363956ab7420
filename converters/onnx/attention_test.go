package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// attn builds an Attention case: inputs in order Q, K, V, attn_mask,
// past_key, past_value, nonpad_kv_seqlen (nil = absent, trailing ones
// dropped) and four outputs.
func attn(attrs map[string]ir.Attr, in ...*convtest.Input) convtest.Case {
	var ins []convtest.Input
	for len(in) > 0 && in[len(in)-1] == nil {
		in = in[:len(in)-1]
	}
	for _, i := range in {
		if i == nil {
			ins = append(ins, convtest.Input{Absent: true})
		} else {
			ins = append(ins, *i)
		}
	}
	return convtest.Case{Op: "onnx.Attention", Opset: 24, Attrs: attrs, Inputs: ins, NumOutputs: 4}
}

func in32(s ...int64) *convtest.Input { i := f32(s...); return &i }

func TestAttention(t *testing.T) {
	heads := func(q, kv int64) map[string]ir.Attr {
		return map[string]ir.Attr{"q_num_heads": aInt(q), "kv_num_heads": aInt(kv)}
	}
	with := func(a map[string]ir.Attr, kv ...any) map[string]ir.Attr {
		out := map[string]ir.Attr{}
		for k, v := range a {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1].(ir.Attr)
		}
		return out
	}
	boolMask := func(s ...int64) *convtest.Input { return &convtest.Input{DType: ir.Bool, Shape: ir.S(s...)} }
	none := map[string]ir.Attr{}
	for mode := int64(0); mode < 4; mode++ {
		m := map[string]ir.Attr{"qk_matmul_output_mode": aInt(mode)}
		// 4-D multi-head with a float mask, softcap and every qk mode.
		convtest.Run(t, attn(with(m, "softcap", aFloat(1.5)), in32(2, 3, 4, 8), in32(2, 3, 6, 8), in32(2, 3, 6, 5), in32(4, 6)))
		// 3-D grouped-query attention with a KV cache and a short bool mask.
		convtest.Run(t, attn(with(heads(6, 2), "qk_matmul_output_mode", aInt(mode)),
			in32(2, 3, 24), in32(2, 3, 8), in32(2, 3, 10), boolMask(2, 1, 3, 4), in32(2, 2, 2, 4), in32(2, 2, 2, 5)))
	}
	// Causal: plain, with a cache (offset past length), with a 3-D mask.
	convtest.Run(t, attn(map[string]ir.Attr{"is_causal": aInt(1)}, in32(1, 2, 5, 4), in32(1, 2, 5, 4), in32(1, 2, 5, 4)))
	convtest.Run(t, attn(map[string]ir.Attr{"is_causal": aInt(1), "scale": aFloat(0.3)}, in32(1, 2, 3, 4), in32(1, 2, 3, 4), in32(1, 2, 3, 4),
		nil, in32(1, 2, 2, 4), in32(1, 2, 2, 4)))
	convtest.Run(t, attn(map[string]ir.Attr{"is_causal": aInt(1)}, in32(2, 2, 3, 4), in32(2, 2, 3, 4), in32(2, 2, 3, 4), boolMask(2, 3, 3)))
	// nonpad_kv_seqlen with and without causal, including rows with no key
	// at all (negative offset), which must come out zero, not NaN.
	nonpad := &convtest.Input{DType: ir.Int64, Shape: ir.S(3), Data: ir.FromSlice(ir.Int64, []int64{3}, []int64{6, 2, 0})}
	for _, c := range []int64{0, 1} {
		r := convtest.Run(t, attn(map[string]ir.Attr{"is_causal": aInt(c), "qk_matmul_output_mode": aInt(3)},
			in32(3, 4, 4, 8), in32(3, 2, 6, 8), in32(3, 2, 6, 8), nil, nil, nil, nonpad))
		for i := 0; i < int(r.Engine[0].Numel()); i++ {
			y := r.Engine[0].Float(i)
			if y != y || (i >= 2*4*4*8 && y != 0) { // batch 2 has no valid key
				t.Fatalf("causal %d: Y[%d] = %v; want no NaN and zeros for batch 2", c, i, y)
			}
		}
	}
	// A fully masked row from the mask alone.
	full := ir.NewTensor(ir.Bool, []int64{2, 3})
	full.SetFloat(3, 1) // row 0 all false, row 1 sees key 0
	r := convtest.Run(t, attn(none, in32(1, 1, 2, 4), in32(1, 1, 3, 4), in32(1, 1, 3, 4), &convtest.Input{DType: ir.Bool, Shape: ir.S(2, 3), Data: full}))
	for i := 0; i < 8; i++ {
		if y := r.Engine[0].Float(i); (i < 4 && y != 0) || y != y {
			t.Fatalf("fully masked row: Y[%d] = %v, want row 0 zero and no NaN", i, y)
		}
	}
	// Float16 with softmax in float32.
	h := func(s ...int64) *convtest.Input { return &convtest.Input{DType: ir.Float16, Shape: ir.S(s...)} }
	c := attn(map[string]ir.Attr{"softmax_precision": aInt(int64(ir.Float32))}, h(1, 2, 3, 8), h(1, 2, 4, 8), h(1, 2, 4, 8), boolMask(3, 4))
	c.Atol, c.Rtol = 2e-3, 2e-3
	convtest.Run(t, c)
}

func TestAttentionDynamic(t *testing.T) {
	sym := func(run []int64, dims ...ir.Dim) *convtest.Input {
		return &convtest.Input{DType: ir.Float32, Shape: ir.Shape(dims), RunShape: run}
	}
	N, S, P := ir.Sym("N"), ir.Sym("S"), ir.Sym("P")
	// Dynamic batch and sequence, 3-D GQA, causal with a dynamic cache.
	convtest.Run(t, attn(map[string]ir.Attr{"q_num_heads": aInt(4), "kv_num_heads": aInt(2), "is_causal": aInt(1)},
		sym([]int64{2, 3, 16}, N, S, ir.D(16)), sym([]int64{2, 3, 8}, N, S, ir.D(8)), sym([]int64{2, 3, 8}, N, S, ir.D(8)), nil,
		sym([]int64{2, 2, 4, 4}, N, ir.D(2), P, ir.D(4)), sym([]int64{2, 2, 4, 4}, N, ir.D(2), P, ir.D(4))))
	// Dynamic batch with a mask over the same sequence symbol and nonpad.
	convtest.Run(t, attn(map[string]ir.Attr{"is_causal": aInt(1)},
		sym([]int64{3, 2, 2, 4}, N, ir.D(2), ir.D(2), ir.D(4)), sym([]int64{3, 2, 5, 4}, N, ir.D(2), S, ir.D(4)), sym([]int64{3, 2, 5, 4}, N, ir.D(2), S, ir.D(4)),
		sym([]int64{2, 5}, ir.D(2), S), nil, nil,
		&convtest.Input{DType: ir.Int64, Shape: ir.Shape{N}, RunShape: []int64{3}, Lo: 0, Hi: 6}))
}

func TestAttentionRejects(t *testing.T) {
	dyn := &convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.D(1), ir.D(2), ir.Sym("S"), ir.Sym("D")}, RunShape: []int64{1, 2, 3, 4}}
	for _, c := range []struct {
		c    convtest.Case
		want string
	}{
		{attn(nil, &convtest.Input{DType: ir.Float64, Shape: ir.S(1, 1, 2, 4)}, &convtest.Input{DType: ir.Float64, Shape: ir.S(1, 1, 2, 4)},
			&convtest.Input{DType: ir.Float64, Shape: ir.S(1, 1, 2, 4)}), "TensorRT supports"},
		{attn(map[string]ir.Attr{"softmax_precision": aInt(int64(ir.Float64))}, in32(1, 1, 2, 4), in32(1, 1, 2, 4), in32(1, 1, 2, 4)), "float64 SoftMax"},
		{attn(nil, dyn, dyn, dyn), "default scale"},
		{attn(map[string]ir.Attr{"q_num_heads": aInt(2), "kv_num_heads": aInt(2)},
			&convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.D(1), ir.D(2), ir.Sym("H")}, RunShape: []int64{1, 2, 8}}, in32(1, 2, 8), in32(1, 2, 8)), "static hidden size"},
		{attn(nil, in32(1, 2, 3, 4), in32(1, 2, 5, 4), in32(1, 2, 5, 4),
			&convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.D(3), ir.Sym("M")}, RunShape: []int64{3, 4}}), "total sequence length"},
	} {
		_, err := convtest.Build(c.c)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want a rejection naming %q, got %v", c.want, err)
		}
	}
}
