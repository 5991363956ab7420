package onnx_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

func rotaryAttrs(interleaved, rot, heads int64) map[string]ir.Attr {
	a := map[string]ir.Attr{"interleaved": aInt(interleaved)}
	if rot != 0 {
		a["rotary_embedding_dim"] = aInt(rot)
	}
	if heads != 0 {
		a["num_heads"] = aInt(heads)
	}
	return a
}

func TestRotaryEmbedding(t *testing.T) {
	pos := func(isConst bool, b, s int64) convtest.Input {
		return convtest.Input{DType: ir.Int64, Shape: ir.S(b, s), Lo: -8, Hi: 8, Const: isConst}
	}
	for _, il := range []int64{0, 1} {
		for _, rot := range []int64{0, 4} {
			// 4-D X [B, H, S, D] with position ids, run-time and constant.
			for _, c := range []bool{false, true} {
				convtest.Run(t, convtest.Case{Op: "onnx.RotaryEmbedding", Opset: 23, Attrs: rotaryAttrs(il, rot, 0), Inputs: []convtest.Input{
					f32(2, 3, 5, 8), f32(8, cacheW(rot)), f32(8, cacheW(rot)), pos(c, 2, 5),
				}})
			}
			// 3-D X [B, S, H*D] without position ids: caches [B, S, rot/2].
			half := int64(4)
			if rot != 0 {
				half = rot / 2
			}
			convtest.Run(t, convtest.Case{Op: "onnx.RotaryEmbedding", Opset: 23, Attrs: rotaryAttrs(il, rot, 3), Inputs: []convtest.Input{
				f32(2, 5, 24), f32(2, 5, half), f32(2, 5, half),
			}})
		}
	}
	// Dynamic batch and sequence.
	convtest.Run(t, convtest.Case{Op: "onnx.RotaryEmbedding", Opset: 23, Attrs: rotaryAttrs(1, 4, 0), Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.D(2), ir.Sym("S"), ir.D(6)}, RunShape: []int64{3, 2, 4, 6}},
		f32(8, 2), f32(8, 2),
		{DType: ir.Int64, Shape: ir.Shape{ir.Sym("N"), ir.Sym("S")}, RunShape: []int64{3, 4}, Lo: 0, Hi: 8},
	}})
	convtest.Run(t, convtest.Case{Op: "onnx.RotaryEmbedding", Opset: 23, Attrs: rotaryAttrs(0, 0, 2), Inputs: []convtest.Input{
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.Sym("S"), ir.D(8)}, RunShape: []int64{2, 3, 8}},
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.Sym("S"), ir.D(2)}, RunShape: []int64{2, 3, 2}},
		{DType: ir.Float32, Shape: ir.Shape{ir.Sym("N"), ir.Sym("S"), ir.D(2)}, RunShape: []int64{2, 3, 2}},
	}})
	// Float16.
	h := func(s ...int64) convtest.Input { return convtest.Input{DType: ir.Float16, Shape: ir.S(s...)} }
	convtest.Run(t, convtest.Case{Op: "onnx.RotaryEmbedding", Opset: 23, Attrs: rotaryAttrs(0, 0, 0), Atol: 2e-3, Rtol: 2e-3,
		Inputs: []convtest.Input{h(1, 2, 3, 4), h(8, 2), h(8, 2), pos(false, 1, 3)}})
}

func TestRotaryEmbeddingRejects(t *testing.T) {
	for _, c := range []struct {
		in   []convtest.Input
		want string
	}{
		{[]convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.D(1), ir.D(2), ir.D(3), ir.Sym("D")}, RunShape: []int64{1, 2, 3, 4}},
			f32(6, 2), f32(6, 2), {DType: ir.Int64, Shape: ir.S(1, 3)}}, "must be static"},
		{[]convtest.Input{{DType: ir.Float64, Shape: ir.S(1, 2, 3, 4)}, {DType: ir.Float64, Shape: ir.S(6, 2)},
			{DType: ir.Float64, Shape: ir.S(6, 2)}, {DType: ir.Int64, Shape: ir.S(1, 3)}}, "TensorRT supports"},
	} {
		_, err := convtest.Build(convtest.Case{Op: "onnx.RotaryEmbedding", Opset: 23, Attrs: rotaryAttrs(0, 0, 0), Inputs: c.in})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want a rejection naming %q, got %v", c.want, err)
		}
	}
}

// cacheW is the cache width for head size 8: rotary_embedding_dim/2.
func cacheW(rot int64) int64 {
	if rot == 0 {
		return 4
	}
	return rot / 2
}

// TestRotaryEmbeddingByTargetVersion: TensorRT 10.15 added
// IRotaryEmbeddingLayer. For a 10.15+ target the converter emits that one
// layer, for 10.14 the Gather/Slice/ElementWise decomposition; both run in
// the reference backend (each also against the CPU kernel, by convtest.Run)
// and agree with each other: 4-D and 3-D inputs, interleaved or not, a
// partial rotary dim, with constant, run-time and negative position ids and
// without them.
func TestRotaryEmbeddingByTargetVersion(t *testing.T) {
	old := &conversion.Settings{TargetVersion: network.Version{Major: 10, Minor: 14}}
	newest := &conversion.Settings{TargetVersion: network.Version{Major: 10, Minor: 15}}
	pos := func(isConst bool, b, s int64) convtest.Input {
		return convtest.Input{DType: ir.Int64, Shape: ir.S(b, s), Lo: -8, Hi: 8, Const: isConst}
	}
	var cases []convtest.Case
	for _, il := range []int64{0, 1} {
		for _, rot := range []int64{0, 4} {
			for _, c := range []bool{false, true} {
				cases = append(cases, convtest.Case{Op: "onnx.RotaryEmbedding", Opset: 23, Attrs: rotaryAttrs(il, rot, 0), Seed: int64(il*10 + rot),
					Inputs: []convtest.Input{f32(2, 3, 5, 8), f32(8, cacheW(rot)), f32(8, cacheW(rot)), pos(c, 2, 5)}})
			}
			half := int64(4)
			if rot != 0 {
				half = rot / 2
			}
			cases = append(cases, convtest.Case{Op: "onnx.RotaryEmbedding", Opset: 23, Attrs: rotaryAttrs(il, rot, 3),
				Inputs: []convtest.Input{f32(2, 5, 24), f32(2, 5, half), f32(2, 5, half)}})
		}
	}
	for i, c := range cases {
		c.Settings = newest
		fused := convtest.Run(t, c)
		c.Settings = old
		dec := convtest.Run(t, c)
		if !slices.Contains(fused.Types, "ROTARY_EMBEDDING") || slices.Contains(dec.Types, "ROTARY_EMBEDDING") {
			t.Fatalf("case %d: layers %v (10.15) and %v (10.14); want ROTARY_EMBEDDING only in the first", i, fused.Types, dec.Types)
		}
		if err := convtest.Compare(fused.Engine[0], dec.Engine[0], 1e-5, 1e-4); err != nil {
			t.Errorf("case %d (%v): fused vs decomposed: %v", i, c.Attrs, err)
		}
	}
}
