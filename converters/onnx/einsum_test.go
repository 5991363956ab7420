package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func einsumCase(eq string, in ...convtest.Input) convtest.Case {
	return convtest.Case{Op: "onnx.Einsum", Opset: 12, Attrs: map[string]ir.Attr{"equation": aString(eq)}, Inputs: in}
}

func TestEinsum(t *testing.T) {
	for _, c := range []struct {
		eq     string
		shapes [][]int64
	}{
		{"bij,bjk->bik", [][]int64{{2, 3, 4}, {2, 4, 5}}},
		{"bhqd,bhkd->bhqk", [][]int64{{2, 3, 4, 8}, {2, 3, 5, 8}}},
		{"bhqk,bhkd->bhqd", [][]int64{{2, 3, 4, 5}, {2, 3, 5, 8}}},
		{"ij,jk->ik", [][]int64{{3, 4}, {4, 5}}},
		{"bid,jd->bij", [][]int64{{2, 3, 4}, {5, 4}}},
		{"bqhd,bkhd->bhqk", [][]int64{{2, 4, 3, 8}, {2, 5, 3, 8}}},
		{"i,i", [][]int64{{5}, {5}}},
		{"i,j->ij", [][]int64{{3}, {4}}},
		{"abc,cd->", [][]int64{{2, 2, 3}, {3, 2}}},
		{"bijk,bkl->bil", [][]int64{{2, 3, 2, 4}, {2, 4, 5}}},     // j summed out of one side first
		{"bijk,bjkl->bil", [][]int64{{2, 3, 2, 4}, {2, 2, 4, 5}}}, // two summed labels merged
		{"xai,bj->jbiax", [][]int64{{2, 3, 4}, {5, 6}}},           // several free labels per side
		{"...ij,...jk->...ik", [][]int64{{2, 3, 4}, {2, 4, 5}}},
		{"ij->ji", [][]int64{{3, 4}}},
		{"ij->i", [][]int64{{3, 4}}},
		{"ij", [][]int64{{3, 4}}},
		{"->", [][]int64{{}}},
	} {
		var in []convtest.Input
		for _, s := range c.shapes {
			in = append(in, f32(s...))
		}
		convtest.Run(t, einsumCase(c.eq, in...))
	}
	// Dynamic batch and sequence dims.
	dyn := func(run []int64, dims ...ir.Dim) convtest.Input {
		return convtest.Input{DType: ir.Float32, Shape: ir.Shape(dims), RunShape: run}
	}
	N, Q, K := ir.Sym("N"), ir.Sym("Q"), ir.Sym("K")
	convtest.Run(t, einsumCase("bhqd,bhkd->bhqk",
		dyn([]int64{2, 3, 4, 8}, N, ir.D(3), Q, ir.D(8)), dyn([]int64{2, 3, 5, 8}, N, ir.D(3), K, ir.D(8))))
	convtest.Run(t, einsumCase("bid,jd->bij", dyn([]int64{2, 3, 4}, N, Q, ir.D(4)), f32(5, 4)))
	convtest.Run(t, einsumCase("bqd,kd->qbk", dyn([]int64{2, 3, 4}, N, Q, ir.D(4)), dyn([]int64{5, 4}, K, ir.D(4))))
}

// What the MatrixMultiply decomposition cannot do (diagonals, three
// inputs, broadcasting, merged dynamic sums) is one Einsum layer.
func TestEinsumFusedLayer(t *testing.T) {
	for _, c := range []convtest.Case{
		einsumCase("ii->i", f32(3, 3)),
		einsumCase("II->I", f32(3, 3)),
		einsumCase("ij,jk,kl->il", f32(2, 3), f32(3, 4), f32(4, 2)),
		einsumCase("bij,bjk->bik", f32(1, 3, 4), f32(2, 4, 5)),
		einsumCase("bijk,bjkl->bil", convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.D(2), ir.D(3), ir.Sym("J"), ir.D(4)}, RunShape: []int64{2, 3, 2, 4}},
			convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.D(2), ir.Sym("J"), ir.D(4), ir.D(5)}, RunShape: []int64{2, 2, 4, 5}}),
		einsumCase("ii->i", convtest.Input{DType: ir.Float16, Shape: ir.S(3, 3)}),
	} {
		c.Atol, c.Rtol = 1e-3, 1e-3
		convtest.Run(t, c)
	}
}

func TestEinsumRejects(t *testing.T) {
	for _, c := range []struct {
		c    convtest.Case
		want string
	}{
		{einsumCase("ii->i", convtest.Input{DType: ir.BFloat16, Shape: ir.S(3, 3)}), "not Float32 or Float16"},
		{einsumCase("ij,jk->ik", convtest.Input{DType: ir.Float64, Shape: ir.S(2, 3)}, convtest.Input{DType: ir.Float64, Shape: ir.S(3, 2)}), "TensorRT supports"},
	} {
		_, err := convtest.Build(c.c)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: want a rejection naming %q, got %v", c.c.Attrs["equation"].S, c.want, err)
		}
	}
}
