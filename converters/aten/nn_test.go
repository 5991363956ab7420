package aten_test

import (
	"slices"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

var pos = convtest.Input{DType: ir.Float32, Shape: ir.S(3), Const: true, Lo: 0.5, Hi: 2}

var matmulCases = []convtest.Case{
	{Op: "aten.mm.default", Inputs: []convtest.Input{f32(3, 4), f32(4, 5)}},
	{Op: "aten.bmm.default", Inputs: []convtest.Input{f32(2, 3, 4), f32(2, 4, 5)}},
	{Op: "aten.matmul.default", Inputs: []convtest.Input{f32(2, 2, 3, 4), f32(4, 5)}},
	{Op: "aten.linear.default", Inputs: []convtest.Input{f32(2, 3, 4), cf32(5, 4), cf32(5)}},
	{Op: "aten.linear.default", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.Sym("b"), ir.D(4)}, RunShape: []int64{3, 4}}, cf32(5, 4)}},
	{Op: "aten.addmm.default", Inputs: []convtest.Input{cf32(5), f32(3, 4), cf32(4, 5)}, Attrs: A{"beta": af(0.5), "alpha": af(2)}},
}

var convCases = []convtest.Case{
	{Op: "aten.convolution.default", Inputs: []convtest.Input{f32(1, 4, 7, 7), cf32(6, 2, 3, 3), cf32(6)},
		Attrs: A{"stride": aints(2, 1), "padding": aints(1, 0), "dilation": aints(1, 2), "transposed": ai(0), "output_padding": aints(0, 0), "groups": ai(2)}},
	{Op: "aten.conv2d.default", Inputs: []convtest.Input{f32(1, 3, 8, 8), cf32(4, 3, 3, 3), absent}, Attrs: A{"stride": aints(2, 2), "padding": aints(1, 1)}},
	{Op: "aten.conv1d.default", Inputs: []convtest.Input{f32(2, 3, 9), cf32(4, 3, 3)}},
	{Op: "aten.max_pool2d_with_indices.default", Inputs: []convtest.Input{f32(1, 2, 7, 7)}, Attrs: A{"kernel_size": aints(3, 3), "stride": aints(2, 2), "padding": aints(1, 1)}},
	{Op: "aten.max_pool2d.default", Inputs: []convtest.Input{f32(1, 2, 6, 6)}, Attrs: A{"kernel_size": aints(2)}},
	// ceil_mode (squeezenet): 15 -> 7 windows of 3 at stride 2; 8 -> 4 with
	// the last window past the end; padding 1 with a dropped last window.
	{Op: "aten.max_pool2d.default", Inputs: []convtest.Input{f32(1, 2, 15, 8)}, Attrs: A{"kernel_size": aints(3), "stride": aints(2), "ceil_mode": ai(1)}},
	{Op: "aten.max_pool2d.default", Inputs: []convtest.Input{f32(1, 2, 6, 5)}, Attrs: A{"kernel_size": aints(2), "stride": aints(2), "padding": aints(1), "ceil_mode": ai(1)}},
	{Op: "aten.max_pool2d_with_indices.default", Inputs: []convtest.Input{f32(1, 1, 9, 9)}, Attrs: A{"kernel_size": aints(3), "stride": aints(3), "ceil_mode": ai(1)}},
	{Op: "aten.avg_pool2d.default", Inputs: []convtest.Input{f32(1, 2, 7, 7)}, Attrs: A{"kernel_size": aints(3, 3), "stride": aints(2, 2), "padding": aints(1, 1), "count_include_pad": ai(0)}},
	{Op: "aten.adaptive_avg_pool2d.default", Inputs: []convtest.Input{f32(1, 3, 4, 4)}, Attrs: A{"output_size": aints(1, 1)}},
	{Op: "aten.adaptive_avg_pool2d.default", Inputs: []convtest.Input{f32(1, 3, 4, 6)}, Attrs: A{"output_size": aints(2, 3)}},
}

var normCases = []convtest.Case{
	{Op: "aten._native_batch_norm_legit_no_training.default", Inputs: []convtest.Input{f32(2, 3, 4, 4), cf32(3), cf32(3), cf32(3), pos},
		Attrs: A{"momentum": af(0.1), "eps": af(1e-5)}, NumOutputs: 1},
	{Op: "aten.batch_norm.default", Inputs: []convtest.Input{f32(2, 3, 5), absent, absent, cf32(3), pos}, Attrs: A{"training": ai(0), "eps": af(1e-3)}},
	{Op: "aten.native_layer_norm.default", Inputs: []convtest.Input{f32(2, 4, 6), cf32(6), cf32(6)}, Attrs: A{"normalized_shape": aints(6), "eps": af(1e-5)}, NumOutputs: 1},
	{Op: "aten.layer_norm.default", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.Sym("b"), ir.D(4), ir.D(6)}, RunShape: []int64{3, 4, 6}}, absent, absent}, Attrs: A{"normalized_shape": aints(4, 6)}},
	{Op: "aten._softmax.default", Inputs: []convtest.Input{f32(2, 5)}, Attrs: A{"dim": ai(-1), "half_to_float": ai(0)}},
	{Op: "aten.softmax.int", Inputs: []convtest.Input{f32(2, 5, 3)}, Attrs: A{"dim": ai(1)}},
	{Op: "aten._log_softmax.default", Inputs: []convtest.Input{f32(2, 5)}, Attrs: A{"dim": ai(1), "half_to_float": ai(0)}},
	{Op: "aten.log_softmax.int", Inputs: []convtest.Input{f32(2, 5)}, Attrs: A{"dim": ai(0)}},
	{Op: "aten.scaled_dot_product_attention.default", Inputs: []convtest.Input{f32(1, 2, 4, 8), f32(1, 2, 5, 8), f32(1, 2, 5, 8)}},
	{Op: "aten.scaled_dot_product_attention.default", Inputs: []convtest.Input{f32(1, 2, 4, 8), f32(1, 2, 4, 8), f32(1, 2, 4, 8)}, Attrs: A{"is_causal": ai(1), "scale": af(0.3)}},
	{Op: "aten.scaled_dot_product_attention.default", Inputs: []convtest.Input{f32(2, 4, 8), f32(2, 4, 8), f32(2, 4, 8), typed(ir.Bool, 4, 4)}},
}

var reduceCases = []convtest.Case{
	{Op: "aten.mean.dim", Inputs: []convtest.Input{f32(2, 3, 4, 4)}, Attrs: A{"dim": aints(-1, -2), "keepdim": ai(1)}},
	{Op: "aten.mean.dim", Inputs: []convtest.Input{dyn}, Attrs: A{"dim": aints(2)}},
	{Op: "aten.sum.dim_IntList", Inputs: []convtest.Input{f32(2, 3, 4)}, Attrs: A{"dim": aints(1)}},
	{Op: "aten.sum.dim_IntList", Inputs: []convtest.Input{typed(ir.Int64, 2, 3)}},
	{Op: "aten.amax.default", Inputs: []convtest.Input{f32(2, 3, 4)}, Attrs: A{"dim": aints(0, 2), "keepdim": ai(1)}},
	{Op: "aten.any.dim", Inputs: []convtest.Input{typed(ir.Bool, 3, 4)}, Attrs: A{"dim": ai(1)}},
	{Op: "aten.cumsum.default", Inputs: []convtest.Input{f32(3, 4)}, Attrs: A{"dim": ai(1)}},
}

var fillCases = []convtest.Case{
	{Op: "aten.full.default", Inputs: []convtest.Input{}, Attrs: A{"size": aints(2, 3), "fill_value": af(1.5)}},
	{Op: "aten.zeros.default", Inputs: []convtest.Input{}, Attrs: A{"size": aints(4)}},
	{Op: "aten.ones.default", Inputs: []convtest.Input{}, Attrs: A{"size": aints(2, 2), "dtype": ai(int64(ir.Int64))}},
	{Op: "aten.full_like.default", Inputs: []convtest.Input{f32(2, 3)}, Attrs: A{"fill_value": af(7), "_int_fill_value": ai(1)}},
	{Op: "aten.zeros_like.default", Inputs: []convtest.Input{typed(ir.Int64, 3)}},
	{Op: "aten.ones_like.default", Inputs: []convtest.Input{f32(3)}},
	{Op: "aten.arange.default", Inputs: []convtest.Input{}, Attrs: A{"end": af(5), "_int_end": ai(1)}},
	{Op: "aten.arange.start", Inputs: []convtest.Input{}, Attrs: A{"start": af(1), "end": af(3.5)}},
	{Op: "aten.arange.start_step", Inputs: []convtest.Input{}, Attrs: A{"start": af(0), "_int_start": ai(1), "end": af(10), "_int_end": ai(1), "step": af(3), "_int_step": ai(1)}},
	{Op: "aten.scalar_tensor.default", Inputs: []convtest.Input{}, Attrs: A{"s": af(-3)}},
	{Op: "aten.where.self", Inputs: []convtest.Input{typed(ir.Bool, 2, 3), f32(2, 3), f32(3)}},
	{Op: "aten.where.self", Inputs: []convtest.Input{typed(ir.Bool, 2, 3), absent, typed(ir.Int64, 2, 3)}, Attrs: A{"self": af(0.5)}},
	{Op: "aten.masked_fill.Scalar", Inputs: []convtest.Input{f32(2, 3), typed(ir.Bool, 3)}, Attrs: A{"value": af(-1e9)}},
	{Op: "aten.masked_fill.Tensor", Inputs: []convtest.Input{f32(2, 3), typed(ir.Bool, 2, 3), typed(ir.Float32)}},
}

func init() { allCases = append(allCases, matmulCases, convCases, normCases, reduceCases, fillCases) }

func TestMatMul(t *testing.T) { runCases(t, matmulCases) }
func TestConv(t *testing.T)   { runCases(t, convCases) }
func TestNorm(t *testing.T)   { runCases(t, normCases) }
func TestReduce(t *testing.T) { runCases(t, reduceCases) }
func TestFill(t *testing.T)   { runCases(t, fillCases) }

// aten.cumsum for a target without ICumulativeLayer (before 10.8) is the
// matrix-product decomposition; it agrees with the layer and the kernel.
func TestCumsumByTargetVersion(t *testing.T) {
	c := convtest.Case{Op: "aten.cumsum.default", Inputs: []convtest.Input{f32(3, 4)}, Attrs: A{"dim": ai(0)}}
	fused := convtest.Run(t, c)
	c.Settings = &conversion.Settings{TargetVersion: network.Version{Major: 10, Minor: 7}}
	dec := convtest.Run(t, c)
	if !slices.Contains(fused.Types, "CUMULATIVE") || slices.Contains(dec.Types, "CUMULATIVE") {
		t.Fatalf("layers %v (newest) and %v (10.7)", fused.Types, dec.Types)
	}
	if err := convtest.Compare(fused.Engine[0], dec.Engine[0], 1e-5, 1e-5); err != nil {
		t.Error(err)
	}
}
